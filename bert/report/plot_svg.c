// SPDX-License-Identifier: MIT
/* The SVG plotting module (plot_svg.h). SVG 1.1 (W3C Recommendation,
 * second edition, 2011): basic shapes (section 9), paths and polylines,
 * clipPath (section 14.3); only presentation attributes, no script, so the
 * plot renders the same in a browser, a PDF printer and an image viewer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bert/qual/record.h"
#include "bert/report/plot_svg.h"

#define LOG_EMPTY_MIN	1e-12
#define LOG_EMPTY_MAX	1.0

static bool usable(const struct plot_axis *ax, double v)
{
	return isfinite(v) && (!ax->log || v > 0);
}

static double nice_step(double span, size_t max_ticks)
{
	static const double mult[] = { 1, 2, 5 };
	double raw = span / (double)(max_ticks - 1), p, s;
	int e = (int)floor(log10(raw));
	unsigned i;

	/* the smallest 1/2/5 x 10^k step that gives at most max_ticks ticks */
	for (; e < 308; e++) {
		p = pow(10, e);
		for (i = 0; i < 3; i++) {
			s = mult[i] * p;
			if (floor(span / s + 1e-9) + 1 <= (double)max_ticks)
				return s;
		}
	}
	return span;
}

bool plot_auto_range(struct plot_axis *ax, const double *v, size_t n,
		     const double *extra, size_t nextra)
{
	double lo = INFINITY, hi = -INFINITY, step;
	size_t i;

	for (i = 0; v && i < n; i++)
		if (usable(ax, v[i])) {
			lo = fmin(lo, v[i]);
			hi = fmax(hi, v[i]);
		}
	for (i = 0; extra && i < nextra; i++)
		if (usable(ax, extra[i])) {
			lo = fmin(lo, extra[i]);
			hi = fmax(hi, extra[i]);
		}
	if (!(lo <= hi)) {
		ax->min = ax->log ? LOG_EMPTY_MIN : 0;
		ax->max = ax->log ? LOG_EMPTY_MAX : 1;
		return false;
	}
	if (ax->log) {
		ax->min = pow(10, floor(log10(lo)));
		ax->max = pow(10, ceil(log10(hi)));
		if (ax->max <= ax->min)
			ax->max = ax->min * 10;
		return true;
	}
	if (hi == lo) {
		double d = lo != 0 ? fabs(lo) * 0.1 : 1;

		lo -= d;
		hi += d;
	}
	/* a little room, then out to the neighbouring ticks */
	step = nice_step((hi - lo) * 1.1, 8);
	ax->min = floor((lo - (hi - lo) * 0.05) / step) * step;
	ax->max = ceil((hi + (hi - lo) * 0.05) / step) * step;
	return true;
}

size_t plot_ticks(const struct plot_axis *ax, size_t max_ticks, double *out)
{
	size_t n = 0;

	if (max_ticks < 2)
		max_ticks = 2;
	if (max_ticks > PLOT_MAX_TICKS)
		max_ticks = PLOT_MAX_TICKS;
	if (!isfinite(ax->min) || !isfinite(ax->max) || !(ax->max > ax->min))
		return 0;
	if (ax->log) {
		int e0, e1, k, e;

		if (!(ax->min > 0))
			return 0;
		e0 = (int)ceil(log10(ax->min) - 1e-9);
		e1 = (int)floor(log10(ax->max) + 1e-9);
		k = (e1 - e0) / (int)max_ticks + 1;
		while ((e1 - e0) / k + 1 > (int)max_ticks)
			k++;
		for (e = e0; e <= e1 && n < max_ticks; e += k)
			out[n++] = pow(10, e);
		return n;
	} else {
		double step = isfinite(ax->step) && ax->step > 0 ?
			      ax->step : nice_step(ax->max - ax->min, max_ticks);
		double t = ceil(ax->min / step - 1e-9) * step;

		for (; t <= ax->max + step * 1e-9 && n < max_ticks; t += step)
			out[n++] = fabs(t) < step * 1e-9 ? 0 : t;
		return n;
	}
}

const char *plot_tick_label(const struct plot_axis *ax, double v, double step,
			    char *buf, size_t size)
{
	if (ax->log) {
		snprintf(buf, size, "1e%d", (int)lround(log10(v)));
	} else {
		int dec = step > 0 ? (int)ceil(-log10(step) - 1e-9) : 0;

		if (dec < 0)
			dec = 0;
		if (dec > 6)
			dec = 6;
		if (fabs(v) < step * 1e-6)
			v = 0;	/* never "-0" */
		snprintf(buf, size, "%.*f", dec, v);
	}
	return buf;
}

double plot_map(const struct plot_axis *ax, double v, double p0, double p1)
{
	double a, b;

	if (!usable(ax, v))
		return NAN;
	if (ax->log) {
		a = log10(ax->min);
		b = log10(ax->max);
		v = log10(v);
	} else {
		a = ax->min;
		b = ax->max;
	}
	if (!(b > a))
		return NAN;
	return p0 + (v - a) / (b - a) * (p1 - p0);
}

bool plot_clip_segment(double *x0, double *y0, double *x1, double *y1,
		       double xl, double yl, double xh, double yh)
{
	double dx = *x1 - *x0, dy = *y1 - *y0, t0 = 0, t1 = 1;
	double p[4] = { -dx, dx, -dy, dy };
	double q[4] = { *x0 - xl, xh - *x0, *y0 - yl, yh - *y0 };
	int i;

	/* Liang-Barsky: the parameter interval inside all four half-planes */
	for (i = 0; i < 4; i++) {
		if (p[i] == 0) {
			if (q[i] < 0)
				return false;
			continue;
		}
		double r = q[i] / p[i];

		if (p[i] < 0) {
			if (r > t1)
				return false;
			if (r > t0)
				t0 = r;
		} else {
			if (r < t0)
				return false;
			if (r < t1)
				t1 = r;
		}
	}
	*x1 = *x0 + t1 * dx;
	*y1 = *y0 + t1 * dy;
	*x0 = *x0 + t0 * dx;
	*y0 = *y0 + t0 * dy;
	return true;
}

const char *plot_color(unsigned i)
{
	static const char *const pal[] = {
		"#0072b2", "#d55e00", "#009e73", "#cc79a7",
		"#e69f00", "#56b4e9", "#000000", "#f0e442",
	};

	return pal[i % (sizeof(pal) / sizeof(pal[0]))];
}

void plot_escape(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	while (u && *u) {
		size_t l;

		switch (*u) {
		case '&': fputs("&amp;", f); u++; continue;
		case '<': fputs("&lt;", f); u++; continue;
		case '>': fputs("&gt;", f); u++; continue;
		case '"': fputs("&quot;", f); u++; continue;
		case '\'': fputs("&#39;", f); u++; continue;
		default: break;
		}
		if (*u < 0x20 || *u == 0x7f) {
			fputc('?', f);
			u++;
			continue;
		}
		l = qual_utf8_len(u);
		if (!l) {
			fputc('?', f);
			u++;
			continue;
		}
		fwrite(u, 1, l, f);
		u += l;
	}
}

static double px(const struct plot *p, double x)
{
	return plot_map(&p->x, x, p->fx0, p->fx1);
}

static double py(const struct plot *p, double y)
{
	return plot_map(&p->y, y, p->fy1, p->fy0);
}

static bool inside(const struct plot *p, double x, double y)
{
	const double e = 1e-6;

	return x >= p->fx0 - e && x <= p->fx1 + e && y >= p->fy0 - e && y <= p->fy1 + e;
}

void plot_begin(struct plot *p, FILE *f, const char *id, const char *title,
		double width, double height, const struct plot_axis *x,
		const struct plot_axis *y)
{
	double tk[PLOT_MAX_TICKS], step;
	char lab[32];
	size_t n, i;

	memset(p, 0, sizeof(*p));
	p->f = f;
	p->width = width;
	p->height = height;
	p->x = *x;
	p->y = *y;
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->fx0 = 64;
	p->fx1 = width - 16;
	p->fy0 = title && title[0] ? 28 : 12;
	p->fy1 = height - 44;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" id=\"");
	plot_escape(f, id);
	fprintf(f, "\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
		"font-family=\"sans-serif\" font-size=\"11\">\n", width, height, width, height);
	fprintf(f, "<clipPath id=\"");
	plot_escape(f, id);
	fprintf(f, "-clip\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>"
		"</clipPath>\n", p->fx0, p->fy0, p->fx1 - p->fx0, p->fy1 - p->fy0);
	fprintf(f, "<rect class=\"frame-bg\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.1f\" fill=\"#ffffff\"/>\n", p->fx0, p->fy0,
		p->fx1 - p->fx0, p->fy1 - p->fy0);
	if (title && title[0]) {
		fprintf(f, "<text x=\"%.1f\" y=\"18\" text-anchor=\"middle\" "
			"font-size=\"13\" font-weight=\"bold\">", width / 2);
		plot_escape(f, title);
		fprintf(f, "</text>\n");
	}
	/* x ticks, grid */
	n = plot_ticks(&p->x, 9, tk);
	step = n > 1 ? tk[1] - tk[0] : 1;
	fprintf(f, "<g class=\"xticks\" stroke=\"#dddddd\">\n");
	for (i = 0; i < n; i++) {
		double X = px(p, tk[i]);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
			X, p->fy0, X, p->fy1);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
			"stroke=\"none\" fill=\"#000000\">%s</text>\n", X, p->fy1 + 14,
			plot_tick_label(&p->x, tk[i], step, lab, sizeof(lab)));
	}
	fprintf(f, "</g>\n");
	n = plot_ticks(&p->y, 8, tk);
	step = n > 1 ? tk[1] - tk[0] : 1;
	fprintf(f, "<g class=\"yticks\" stroke=\"#dddddd\">\n");
	for (i = 0; i < n; i++) {
		double Y = py(p, tk[i]);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
			p->fx0, Y, p->fx1, Y);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
			"stroke=\"none\" fill=\"#000000\">%s</text>\n", p->fx0 - 4, Y + 4,
			plot_tick_label(&p->y, tk[i], step, lab, sizeof(lab)));
	}
	fprintf(f, "</g>\n");
	if (x->label) {
		fprintf(f, "<text class=\"xlabel\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			(p->fx0 + p->fx1) / 2, height - 10);
		plot_escape(f, x->label);
		fprintf(f, "</text>\n");
	}
	if (y->label) {
		fprintf(f, "<text class=\"ylabel\" x=\"14\" y=\"%.1f\" text-anchor=\"middle\" "
			"transform=\"rotate(-90 14 %.1f)\">", (p->fy0 + p->fy1) / 2,
			(p->fy0 + p->fy1) / 2);
		plot_escape(f, y->label);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "<g class=\"data\" clip-path=\"url(#");
	plot_escape(f, id);
	fprintf(f, "-clip)\">\n");
}

void plot_series_begin(struct plot *p, const char *name, const char *color)
{
	fprintf(p->f, "<g class=\"series\" data-series=\"");
	plot_escape(p->f, name);
	fprintf(p->f, "\" stroke=\"%s\" fill=\"%s\">\n", color, color);
}

void plot_series_end(struct plot *p)
{
	fprintf(p->f, "</g>\n");
}

void plot_points(struct plot *p, const double *x, const double *y, size_t n,
		 enum plot_marker mk, const char *color)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double X = px(p, x[i]), Y = py(p, y[i]);

		if (isnan(X) || isnan(Y))
			continue;
		if (!inside(p, X, Y)) {
			p->nclipped++;
			continue;
		}
		if (mk == PLOT_SQUARE)
			fprintf(p->f, "<rect class=\"mark\" data-x=\"%.6g\" data-y=\"%.6g\" "
				"x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\" "
				"stroke=\"none\"/>\n", x[i], y[i], X - 3, Y - 3, color);
		else
			fprintf(p->f, "<circle class=\"mark\" data-x=\"%.6g\" data-y=\"%.6g\" "
				"cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\" stroke=\"none\"/>\n",
				x[i], y[i], X, Y, color);
		p->nmarks++;
		p->has_data = true;
	}
}

static void segment(struct plot *p, double X0, double Y0, double X1, double Y1,
		    const char *cls, const char *color, double w, const char *dash)
{
	if (isnan(X0) || isnan(Y0) || isnan(X1) || isnan(Y1))
		return;
	if (!plot_clip_segment(&X0, &Y0, &X1, &Y1, p->fx0, p->fy0, p->fx1, p->fy1))
		return;
	fprintf(p->f, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"%s\" stroke-width=\"%.1f\"%s%s%s/>\n", cls, X0, Y0, X1, Y1, color, w,
		dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	p->has_data = true;
}

/* An error bar's end on a log axis may be <= 0 (the lower counting bound of
 * a point with few errors): it runs to the frame's edge. */
static double map_bound(const struct plot_axis *ax, double v, double p0, double p1,
			double edge)
{
	double m = plot_map(ax, v, p0, p1);

	return isnan(m) && !isnan(v) && (ax->log ? v <= 0 || v == -INFINITY
					 : v == -INFINITY || v == INFINITY) ? edge : m;
}

void plot_errbar_y(struct plot *p, double x, double ylo, double yhi, const char *color)
{
	double X = px(p, x);
	double Y0 = map_bound(&p->y, ylo, p->fy1, p->fy0, p->fy1 + 1);
	double Y1 = map_bound(&p->y, yhi, p->fy1, p->fy0, p->fy0 - 1);

	segment(p, X, Y0, X, Y1, "errbar", color, 1, NULL);
}

void plot_errbar_x(struct plot *p, double y, double xlo, double xhi, const char *color)
{
	double Y = py(p, y);
	double X0 = map_bound(&p->x, xlo, p->fx0, p->fx1, p->fx0 - 1);
	double X1 = map_bound(&p->x, xhi, p->fx0, p->fx1, p->fx1 + 1);

	segment(p, X0, Y, X1, Y, "errbar", color, 1.5, NULL);
	/* end caps where the bar ends inside the frame */
	if (!isnan(Y) && Y >= p->fy0 && Y <= p->fy1) {
		segment(p, X0, Y - 4, X0, Y + 4, "errbar", color, 1.5, NULL);
		segment(p, X1, Y - 4, X1, Y + 4, "errbar", color, 1.5, NULL);
	}
}

void plot_line(struct plot *p, const double *x, const double *y, size_t n,
	       const char *color, double width, const char *dash)
{
	size_t i;

	/* segments, each clipped; a value that cannot be shown breaks it */
	for (i = 1; i < n; i++)
		segment(p, px(p, x[i - 1]), py(p, y[i - 1]), px(p, x[i]), py(p, y[i]),
			"curve", color, width, dash);
}

static void label_at(struct plot *p, double X, double Y, const char *anchor,
		     const char *text, const char *color)
{
	fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\" "
		"stroke=\"none\">", X, Y, anchor, color);
	plot_escape(p->f, text);
	fprintf(p->f, "</text>\n");
}

void plot_hline(struct plot *p, double y, const char *color, const char *dash,
		const char *label)
{
	double Y = py(p, y);

	if (isnan(Y) || Y < p->fy0 || Y > p->fy1)
		return;
	segment(p, p->fx0, Y, p->fx1, Y, "hline", color, 1.2, dash);
	if (label)
		label_at(p, p->fx0 + 4, Y - 3, "start", label, color);
}

void plot_vline(struct plot *p, double x, const char *color, const char *dash,
		const char *label)
{
	double X = px(p, x);

	if (isnan(X) || X < p->fx0 || X > p->fx1)
		return;
	segment(p, X, p->fy0, X, p->fy1, "vline", color, 1.2, dash);
	if (label && X > (p->fx0 + p->fx1) / 2)
		label_at(p, X - 3, p->fy0 + 12, "end", label, color);
	else if (label)
		label_at(p, X + 3, p->fy0 + 12, "start", label, color);
}

static void band(struct plot *p, double a0, double a1, const char *color,
		 double opacity, bool vertical)
{
	double x0 = p->fx0, x1 = p->fx1, y0 = p->fy0, y1 = p->fy1;

	if (vertical) {
		double A = isnan(a0) || a0 == -INFINITY ? p->fx0 : px(p, a0);
		double B = isnan(a1) || a1 == INFINITY ? p->fx1 : px(p, a1);

		if (isnan(A) || isnan(B))
			return;
		x0 = fmax(p->fx0, fmin(A, B));
		x1 = fmin(p->fx1, fmax(A, B));
	} else {
		double A = isnan(a0) || a0 == -INFINITY ? p->fy1 : py(p, a0);
		double B = isnan(a1) || a1 == INFINITY ? p->fy0 : py(p, a1);

		if (isnan(A) || isnan(B))
			return;
		y0 = fmax(p->fy0, fmin(A, B));
		y1 = fmin(p->fy1, fmax(A, B));
	}
	if (x1 <= x0 || y1 <= y0)
		return;
	fprintf(p->f, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\"/>\n",
		x0, y0, x1 - x0, y1 - y0, color, opacity);
}

void plot_band_y(struct plot *p, double lo, double hi, const char *color, double opacity)
{
	band(p, lo, hi, color, opacity, false);
}

void plot_band_x(struct plot *p, double lo, double hi, const char *color, double opacity)
{
	band(p, lo, hi, color, opacity, true);
}

void plot_note(struct plot *p, unsigned line, const char *text, const char *color)
{
	label_at(p, p->fx0 + 4, p->fy1 - 6 - 12 * line, "start", text, color);
}

void plot_bar(struct plot *p, double x0, double x1, double y, const char *color)
{
	double base = !p->y.log && p->y.min <= 0 && p->y.max >= 0 ? 0 : p->y.min;
	double X0 = px(p, x0), X1 = px(p, x1), Y = py(p, y), B = py(p, base);

	if (isnan(X0) || isnan(X1) || isnan(Y) || isnan(B))
		return;
	X0 = fmax(p->fx0, fmin(X0, p->fx1));
	X1 = fmax(p->fx0, fmin(X1, p->fx1));
	Y = fmax(p->fy0, fmin(Y, p->fy1));
	B = fmax(p->fy0, fmin(B, p->fy1));
	if (X1 - X0 < 0.5 || B - Y < 0.5)
		return;
	fprintf(p->f, "<rect class=\"bar\" data-x0=\"%.6g\" data-x1=\"%.6g\" data-y=\"%.6g\" "
		"x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
		"stroke=\"#ffffff\"/>\n", x0, x1, y, X0, Y, X1 - X0, B - Y, color);
	p->has_data = true;
}

void plot_legend(struct plot *p, const char *text, const char *color, bool line)
{
	/* bottom left, growing upwards: where a waterfall has no data */
	double X = p->fx0 + 6, Y = p->fy1 - 6 - 14 * p->nlegend;

	if (Y < p->fy0 + 14)
		return;
	fprintf(p->f, "<g class=\"legend\">");
	fprintf(p->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"148\" height=\"14\" "
		"fill=\"#ffffff\" fill-opacity=\"0.8\" stroke=\"none\"/>", X - 2, Y - 10);
	if (line)
		fprintf(p->f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"2\"/>", X, Y - 4, X + 14, Y - 4, color);
	else
		fprintf(p->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
			X + 7, Y - 4, color);
	fprintf(p->f, "<text x=\"%.1f\" y=\"%.1f\">", X + 18, Y);
	plot_escape(p->f, text);
	fprintf(p->f, "</text></g>\n");
	p->nlegend++;
}

void plot_end(struct plot *p)
{
	fprintf(p->f, "</g>\n");
	if (!p->has_data)
		fprintf(p->f, "<text class=\"nodata\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"middle\" fill=\"#666666\">no data</text>\n",
			(p->fx0 + p->fx1) / 2, (p->fy0 + p->fy1) / 2);
	fprintf(p->f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.1f\" fill=\"none\" stroke=\"#333333\"/>\n", p->fx0, p->fy0,
		p->fx1 - p->fx0, p->fy1 - p->fy0);
	fprintf(p->f, "</svg>\n");
}
