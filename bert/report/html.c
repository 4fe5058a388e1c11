// SPDX-License-Identifier: MIT
/* The HTML certificate of one run (report.html): one self-contained file,
 * inline CSS and SVG, no script and no network fetch, so it reads the same
 * offline, in a mail client and printed. The document is well-formed XML
 * as well as HTML (every element closed, every attribute quoted), so a
 * strict parser checks it, and every string from the module, the station
 * or the operator is escaped (a vendor name may be "<script>").
 *
 * Sections: verdict banner with the deciding measurements; identity and
 * traceability; per-lane BER waterfalls and all lanes overlaid; per-lane
 * charts of Tx power, Tx OMA, sensitivity and link margin against their
 * limits; DOM values; the full table of measurements with their
 * uncertainty budgets; profile limits not tested; the steps.
 *
 * The print stylesheet starts each section on a new page and keeps every
 * plot whole; the layout is 180 mm wide and each page's content shorter
 * than 250 mm, so it fits both A4 and US Letter with 12 mm margins (CSS
 * Paged Media Level 3, @page; CSS Fragmentation Level 3, break-before and
 * break-inside). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/profile.h"
#include "bert/qual/sweep.h"
#include "bert/report/plot_svg.h"
#include "bert/report/report.h"

#define esc plot_escape

static const char *const css =
	"body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:10pt;color:#111;"
	"margin:0 auto;max-width:180mm;padding:4mm}\n"
	"h1{font-size:15pt;margin:2mm 0}h2{font-size:12pt;border-bottom:1px solid;border-bottom-color:#888888;"
	"margin:5mm 0 2mm}h3{font-size:10.5pt;margin:3mm 0 1mm}\n"
	".banner{padding:3mm 4mm;color:#fff;border-radius:2mm;margin:2mm 0}\n"
	".banner .v{font-size:22pt;font-weight:bold;letter-spacing:1pt}\n"
	".banner ul{margin:1mm 0 0 0;padding-left:5mm}\n"
	".v-pass{background:#1b7a2e}.v-marginal{background:#b36b00}"
	".v-fail{background:#c0141b}.v-error{background:#6a1b9a}.v-none{background:#555}\n"
	"table{border-collapse:collapse;width:100%;margin:1mm 0}\n"
	"td,th{border:1px solid #bbb;padding:0.6mm 1.2mm;text-align:left;vertical-align:top}\n"
	"th{background:#eee}td.n{text-align:right;white-space:nowrap}\n"
	"table.kv td:first-child{width:38mm;background:#f6f6f6}\n"
	"table.meas{font-size:7.5pt}table.meas td.b{font-size:6.5pt;color:#333}\n"
	".t-pass{color:#1b7a2e}.t-marginal{color:#b36b00;font-weight:bold}"
	".t-fail{color:#c0141b;font-weight:bold}.t-error{color:#6a1b9a;font-weight:bold}\n"
	".plots{display:flex;flex-wrap:wrap;gap:2mm}\n"
	"figure{margin:0;break-inside:avoid;page-break-inside:avoid}\n"
	"figcaption{font-size:8pt;color:#333;max-width:340px}\n"
	"svg.plot{display:block}.note{font-size:8pt;color:#444}\n"
	"@page{margin:12mm}\n"
	"@media print{body{max-width:none;padding:0}"
	"section.page{break-before:page;page-break-before:always}"
	"tr{break-inside:avoid;page-break-inside:avoid}"
	"thead{display:table-header-group}"
	".banner,td,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

/* A number as the tables show it: "n/a" when unmeasured. */
static const char *num(double v, enum qual_scale sc, char *buf, size_t size)
{
	report_num(v, sc, buf, size);
	if (!buf[0])
		snprintf(buf, size, "n/a");
	return buf;
}

/* Distance to the nearest limit, positive inside (decades on a log scale):
 * the quantity qual_judge() decides on. NAN without limits or value. */
double report_margin(const struct qual_measurement *m)
{
	double v = m->value, lo = m->lim.low, hi = m->lim.high, d = NAN;

	if (isnan(v))
		return NAN;
	if (m->lim.scale == QUAL_SCALE_LOG10) {
		if (!(v > 0))
			return NAN;
		v = log10(v);
		lo = lo > 0 ? log10(lo) : NAN;
		hi = hi > 0 ? log10(hi) : NAN;
	}
	if (!isnan(lo))
		d = v - lo;
	if (!isnan(hi))
		d = isnan(d) ? hi - v : fmin(d, hi - v);
	return d;
}

static void kv(FILE *f, const char *k, const char *v)
{
	fprintf(f, "<tr><td>");
	esc(f, k);
	fprintf(f, "</td><td>");
	esc(f, v && v[0] ? v : "n/a");
	fprintf(f, "</td></tr>\n");
}

static const struct qual_measurement *find(const struct qual_record *r, const char *name,
					   unsigned lane)
{
	const struct qual_measurement *found = NULL;
	size_t i, k;

	for (i = 0; i < r->nsteps; i++)
		for (k = 0; k < r->steps[i]->nm; k++)
			if (r->steps[i]->m[k].lane == lane && !strcmp(r->steps[i]->m[k].name, name))
				found = &r->steps[i]->m[k];
	return found;
}

static const struct qual_step *find_step(const struct qual_record *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i]->name, name))
			return r->steps[i];
	return NULL;
}

static void meas_line(FILE *f, const struct qual_measurement *m)
{
	char v[32], u[32], l[64];

	fprintf(f, "<li>");
	esc(f, m->name);
	if (m->lane)
		fprintf(f, " lane %u", m->lane);
	else
		fprintf(f, " (module)");
	fputs(": ", f);
	esc(f, report_value(m, v, sizeof(v)));
	if (m->unit[0]) {
		fputc(' ', f);
		esc(f, m->unit);
	}
	if (!isnan(m->uncertainty))
		fprintf(f, " &#177; %s", num(m->uncertainty, QUAL_SCALE_LINEAR, u, sizeof(u)));
	if (m->lim.scale == QUAL_SCALE_LOG10 && !isnan(m->uncertainty))
		fprintf(f, " decades");
	report_limits(&m->lim, l, sizeof(l));
	if (l[0]) {
		fprintf(f, " (limit ");
		esc(f, l);
		fprintf(f, ")");
	}
	fprintf(f, " &#8212; %s", report_verdict_label("NOT JUDGED", m->verdict));
	if (m->message[0]) {
		fprintf(f, ": ");
		esc(f, m->message);
	}
	fprintf(f, "</li>\n");
}

static void banner(FILE *f, const struct qual_record *r)
{
	enum qual_verdict want = r->verdict;
	unsigned shown = 0, more = 0, l;
	char b[QUAL_RUN_MSG_MAX + 32];
	size_t i, k;

	fprintf(f, "<div class=\"banner v-%s\" id=\"verdict\" data-verdict=\"%s\">\n"
		"<div class=\"v\">%s</div>\n", qual_verdict_name(r->verdict), qual_verdict_name(r->verdict),
		report_verdict_label("NOT JUDGED", r->verdict));
	if (r->status != QUAL_RUN_COMPLETE) {
		snprintf(b, sizeof(b), "run %s%s%s", qual_run_status_name(r->status),
			 r->message[0] ? ": " : "", r->message);
		fprintf(f, "<div>");
		esc(f, b);
		fprintf(f, "</div>\n");
	}
	fprintf(f, "<div>deciding measurements (U at k = 2):</div><ul>\n");
	if (want == QUAL_FAIL || want == QUAL_MARGINAL || want == QUAL_ERROR) {
		for (i = 0; i < r->nsteps; i++)
			for (k = 0; k < r->steps[i]->nm; k++) {
				const struct qual_measurement *m = &r->steps[i]->m[k];

				if (m->verdict != want)
					continue;
				if (shown++ < 10)
					meas_line(f, m);
				else
					more++;
			}
		if (more)
			fprintf(f, "<li>and %u more (the table below)</li>\n", more);
	}
	/* the figures a pass rests on: sensitivity and link margin per lane */
	if (want == QUAL_PASS || want == QUAL_MARGINAL || want == QUAL_NONE) {
		for (l = 1; l <= r->lanes; l++) {
			const struct qual_measurement *s = find(r, "rx_sensitivity_oma", l);
			const struct qual_measurement *mg = find(r, "link_margin", l);

			if (s && s->verdict == QUAL_PASS)
				meas_line(f, s);
			if (mg && mg->verdict == QUAL_PASS)
				meas_line(f, mg);
		}
	}
	fprintf(f, "</ul></div>\n");
}

static void identity(FILE *f, const struct qual_record *r)
{
	char b[96], t[40];

	fprintf(f, "<h2>Module and profile</h2>\n<table class=\"kv\" id=\"identity\">\n");
	kv(f, "vendor", r->dut.vendor);
	kv(f, "part number", r->dut.pn);
	kv(f, "serial number", r->dut.sn);
	kv(f, "revision", r->dut.rev);
	kv(f, "firmware", r->dut.firmware);
	kv(f, "date code", r->dut.date_code);
	kv(f, "serial entered by the operator", r->dut.operator_serial);
	kv(f, "profile", r->profile);
	kv(f, "profile hash", r->profile_hash);
	snprintf(b, sizeof(b), "%u (%u per link)", r->lanes, r->lanes_per_link);
	kv(f, "lanes", b);
	fprintf(f, "</table>\n");

	fprintf(f, "<h2>Traceability</h2>\n<table class=\"kv\" id=\"traceability\">\n");
	kv(f, "operator", r->trace.operator_name);
	kv(f, "work order", r->trace.work_order);
	kv(f, "lot", r->trace.lot);
	kv(f, "station", r->station);
	kv(f, "site of the station", r->trace.station_site);
	snprintf(b, sizeof(b), "%u", r->site);
	kv(f, "test position (site)", r->site ? b : "");
	kv(f, "fixture", r->fixture);
	kv(f, "station calibration", r->trace.calibration);
	kv(f, "bert version", r->bert_version);
	kv(f, "run UUID", r->uuid);
	snprintf(b, sizeof(b), "%lld", (long long)r->id);
	kv(f, "run id in the store", r->id ? b : "");
	kv(f, "start (UTC)", r->wall_start ? qual_time_iso(r->wall_start, t, sizeof(t)) : "");
	kv(f, "end (UTC)", r->wall_end ? qual_time_iso(r->wall_end, t, sizeof(t)) : "");
	snprintf(b, sizeof(b), "%.3f s", (double)r->station_ns / 1e9);
	kv(f, "station time of the run", b);
	snprintf(b, sizeof(b), "%s, pid %d", r->host, r->pid);
	kv(f, "host", b);
	fprintf(f, "</table>\n");
	if (r->trace.ninstr) {
		unsigned i;

		fprintf(f, "<h3>Instruments</h3>\n<table id=\"instruments\"><thead><tr>"
			"<th>role</th><th>*IDN?</th><th>calibrated</th></tr></thead><tbody>\n");
		for (i = 0; i < r->trace.ninstr; i++) {
			fprintf(f, "<tr><td>");
			esc(f, r->trace.instr[i].role);
			fprintf(f, "</td><td>");
			esc(f, r->trace.instr[i].idn[0] ? r->trace.instr[i].idn : "n/a");
			fprintf(f, "</td><td>");
			esc(f, r->trace.instr[i].cal_date[0] ? r->trace.instr[i].cal_date
				: "n/a (not in the station file)");
			fprintf(f, "</td></tr>\n");
		}
		fprintf(f, "</tbody></table>\n");
	}
}

/* Counting interval of a point (k = 2): errors n +- 2 sqrt(n) (normal
 * approximation to the Poisson distribution); with no error the one-sided
 * 95 % upper bound -ln(0.05) = 3.0 errors ("rule of three"). */
static void count_bounds(const struct qual_point *p, double *lo, double *hi)
{
	double n = (double)p->errors, b = (double)p->bits;

	if (!(b > 0)) {
		*lo = *hi = NAN;
		return;
	}
	if (p->errors == 0) {
		*lo = 0;
		*hi = 3.0 / b;
		return;
	}
	*lo = (n - 2 * sqrt(n)) / b;
	*hi = (n + 2 * sqrt(n)) / b;
}

static double pt_x(const struct qual_point *p)
{
	return isfinite(p->oma_dbm) ? p->oma_dbm : p->power_dbm;
}

/* The Q-linear fit of bert/qual/sweep.h redone over the plotted points
 * (those with errors and BER below 0.375), drawn as BER = 0.375
 * erfc(Q / sqrt 2), the PAM4 relation the sweep fits with. */
static bool refit(const struct qual_point *pts, size_t n, unsigned lane, double q_target,
		  struct sweep_fit *fit)
{
	struct sweep_fit_pt fp[SWEEP_MAX_POINTS];
	size_t i, m = 0;

	for (i = 0; i < n && m < SWEEP_MAX_POINTS; i++) {
		double sq, q;

		if (pts[i].lane != lane || !isfinite(pt_x(&pts[i])))
			continue;
		q = sweep_q_of(pts[i].ber, pts[i].errors, &sq);
		if (isnan(q))
			continue;
		fp[m].x = pow(10, pt_x(&pts[i]) / 10);
		fp[m].q = q;
		fp[m].sigma_q = sq;
		m++;
	}
	return m >= 2 && sweep_fit_qlin(fp, m, q_target, 0, fit) == BERT_OK;
}

struct wf {
	const struct qual_record *r;
	const struct qual_step *s;
	double target;
	bool oma;
};

static void draw_lane(struct plot *p, const struct wf *w, unsigned lane, const char *color,
		      bool detail)
{
	const struct qual_step *s = w->s;
	const struct qual_measurement *sens = find(w->r, "rx_sensitivity_oma", lane);
	struct sweep_fit fit;
	char name[32], b[96];
	size_t i;

	snprintf(name, sizeof(name), "lane %u", lane);
	plot_series_begin(p, name, color);
	for (i = 0; i < s->npts; i++) {
		const struct qual_point *q = &s->pts[i];
		double x = pt_x(q), lo, hi;

		if (q->lane != lane)
			continue;
		count_bounds(q, &lo, &hi);
		if (q->errors == 0) {	/* drawn at its upper bound */
			plot_points(p, &x, &hi, 1, PLOT_SQUARE, color);
			continue;
		}
		plot_errbar_y(p, x, lo, hi, color);
		plot_points(p, &x, &q->ber, 1, PLOT_CIRCLE, color);
	}
	if (refit(s->pts, s->npts, lane, sweep_q_of(w->target, 1, NULL), &fit) &&
	    fit.b > 0) {
		double xs[64], ys[64], x0 = p->x.min, x1 = p->x.max;
		unsigned k;

		for (k = 0; k < 64; k++) {
			double xd = x0 + (x1 - x0) * k / 63.0;
			double q = fit.a + fit.b * pow(10, xd / 10);

			xs[k] = xd;
			ys[k] = 0.375 * erfc(q / sqrt(2.0));
		}
		plot_line(p, xs, ys, 64, color, 1.3, detail ? "5 3" : NULL);
	}
	if (sens && isfinite(sens->value) && w->oma) {
		plot_errbar_x(p, w->target, sens->value - sens->uncertainty,
			      sens->value + sens->uncertainty, color);
		plot_points(p, &sens->value, &w->target, 0, PLOT_CIRCLE, color);
		if (detail) {
			double mg = sens->lim.high - sens->value;

			if (isfinite(mg)) {
				snprintf(b, sizeof(b), "sens %.2f \xc2\xb1 %.2f dBm, margin %.2f dB",
					 sens->value, sens->uncertainty, mg);
				plot_note(p, 0, b, "#000000");
			}
		}
	}
	plot_series_end(p);
}

static void waterfall_axes(const struct wf *w, unsigned lane, struct plot_axis *x,
			   struct plot_axis *y)
{
	/* the points, and per lane the sensitivity +- U and the limit */
	double xs[SWEEP_MAX_POINTS * PROFILE_MAX_LANES + 3 * PROFILE_MAX_LANES];
	double ys[SWEEP_MAX_POINTS * PROFILE_MAX_LANES + 1];
	size_t nx = 0, ny = 0, i;
	unsigned l;

	for (i = 0; i < w->s->npts && nx < SWEEP_MAX_POINTS * PROFILE_MAX_LANES; i++) {
		const struct qual_point *q = &w->s->pts[i];
		double lo, hi;

		if (lane && q->lane != lane)
			continue;
		xs[nx++] = pt_x(q);
		count_bounds(q, &lo, &hi);
		ys[ny++] = q->errors ? q->ber : hi;
	}
	for (l = 1; l <= w->r->lanes && l <= PROFILE_MAX_LANES; l++) {
		const struct qual_measurement *s = find(w->r, "rx_sensitivity_oma", l);

		if (!s || (lane && l != lane))
			continue;
		if (isfinite(s->value) && isfinite(s->uncertainty)) {
			xs[nx++] = s->value - s->uncertainty;
			xs[nx++] = s->value + s->uncertainty;
		}
		if (isfinite(s->lim.high))
			xs[nx++] = s->lim.high;
	}
	ys[ny++] = w->target;
	*x = (struct plot_axis){ 0 };
	*y = (struct plot_axis){ 0 };
	x->log = false;
	x->label = w->oma ? "received OMA (dBm)" : "received average power (dBm)";
	plot_auto_range(x, xs, nx, NULL, 0);
	y->log = true;
	y->label = "pre-FEC BER";
	plot_auto_range(y, ys, ny, NULL, 0);
	/* a decade of room above the points for the labels; the interesting
	 * decades: not above 1e-1, not below 1e-12 */
	y->max *= 10;
	if (y->max > 1e-1)
		y->max = 1e-1;
	if (y->min < 1e-12)
		y->min = 1e-12;
	if (y->min >= y->max)
		y->min = y->max / 1e3;
}

static void waterfall_common(struct plot *p, const struct wf *w, unsigned lane)
{
	const struct qual_measurement *s = find(w->r, "rx_sensitivity_oma", lane ? lane : 1);
	char b[64];

	snprintf(b, sizeof(b), "target BER %.1e", w->target);
	if (s && isfinite(s->lim.high) && w->oma) {
		plot_band_x(p, s->lim.high, INFINITY, "#c0141b", 0.08);
		snprintf(b, sizeof(b), "limit %.2f dBm", s->lim.high);
		plot_vline(p, s->lim.high, "#c0141b", "6 3", b);
	}
	snprintf(b, sizeof(b), "target BER %.1e", w->target);
	plot_hline(p, w->target, "#444444", "3 3", b);
}

static void waterfalls(FILE *f, const struct qual_record *r, const struct profile *prof)
{
	const struct qual_step *s = find_step(r, "sensitivity");
	const struct qual_measurement *ber1 = find(r, "pre_fec_ber", 1);
	struct plot_axis x, y;
	struct plot p;
	struct wf w;
	char id[32], title[48];
	unsigned l;
	size_t i;

	/* the sensitivity sweep, else the first step with points */
	for (i = 0; (!s || !s->npts) && i < r->nsteps; i++)
		if (r->steps[i]->npts)
			s = r->steps[i];
	fprintf(f, "<section class=\"page\" id=\"waterfalls\"><h2>BER waterfalls</h2>\n");
	if (!s || !s->npts) {
		fprintf(f, "<p class=\"note\">No sweep points in this run (%s).</p></section>\n",
			s ? "the sensitivity step recorded none" : "no sensitivity step");
		return;
	}
	w.r = r;
	w.s = s;
	w.target = prof && prof->ber_threshold > 0 ? prof->ber_threshold
		 : ber1 && ber1->lim.high > 0 ? ber1->lim.high : 2.4e-4;
	w.oma = false;
	for (i = 0; i < s->npts; i++)
		w.oma |= isfinite(s->pts[i].oma_dbm);
	fprintf(f, "<p class=\"note\">Points: measured pre-FEC BER with the counting "
		"interval (k = 2); squares: no error counted, drawn at the 95 %% upper "
		"bound. Line: Q-linear fit of the points (redone for the plot). Horizontal "
		"bar: the sensitivity with U (k = 2) at the target BER. Red: the profile's "
		"sensitivity limit and the region beyond it. ");
	esc(f, s->message);
	fprintf(f, "</p>\n<div class=\"plots\">\n");
	for (l = 1; l <= r->lanes; l++) {
		snprintf(id, sizeof(id), "wf-lane-%u", l);
		snprintf(title, sizeof(title), "lane %u", l);
		waterfall_axes(&w, l, &x, &y);
		fprintf(f, "<figure>");
		plot_begin(&p, f, id, title, 330, 250, &x, &y);
		waterfall_common(&p, &w, l);
		draw_lane(&p, &w, l, plot_color(l - 1), true);
		plot_end(&p);
		fprintf(f, "</figure>\n");
	}
	waterfall_axes(&w, 0, &x, &y);
	fprintf(f, "<figure>");
	plot_begin(&p, f, "wf-all", "all lanes", 670, 300, &x, &y);
	waterfall_common(&p, &w, 0);
	for (l = 1; l <= r->lanes; l++) {
		snprintf(title, sizeof(title), "lane %u", l);
		draw_lane(&p, &w, l, plot_color(l - 1), false);
		plot_legend(&p, title, plot_color(l - 1), true);
	}
	plot_end(&p);
	fprintf(f, "</figure>\n</div>\n");

	/* the points as a table, per lane */
	fprintf(f, "<h3>Sweep points</h3>\n<table class=\"meas\" id=\"points\"><thead><tr>"
		"<th>lane</th><th>atten (dB)</th><th>avg power (dBm)</th><th>OMA (dBm)</th>"
		"<th>bits</th><th>errors</th><th>BER</th><th>station time (s)</th>"
		"</tr></thead><tbody>\n");
	for (l = 1; l <= r->lanes; l++)
		for (i = 0; i < s->npts; i++) {
			const struct qual_point *q = &s->pts[i];
			char a[32], b[32], c[32], d[32];

			if (q->lane != l)
				continue;
			fprintf(f, "<tr class=\"pt\"><td class=\"n\">%u</td><td class=\"n\">%s</td>"
				"<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%llu</td>"
				"<td class=\"n\">%llu</td><td class=\"n\">%s</td>"
				"<td class=\"n\">%.3f</td></tr>\n", q->lane,
				num(q->atten_db, QUAL_SCALE_LINEAR, a, sizeof(a)),
				num(q->power_dbm, QUAL_SCALE_LINEAR, b, sizeof(b)),
				num(q->oma_dbm, QUAL_SCALE_LINEAR, c, sizeof(c)),
				(unsigned long long)q->bits, (unsigned long long)q->errors,
				q->bits ? num(q->ber, QUAL_SCALE_LOG10, d, sizeof(d)) : "n/a",
				(double)q->t_ns / 1e9);
		}
	fprintf(f, "</tbody></table>\n</section>\n");
}

/* A per-lane dot chart of one quantity against its limits. */
static void lane_chart(FILE *f, const struct qual_record *r, const char *name,
		       const char *title, const char *ylabel)
{
	double ys[PROFILE_MAX_LANES], ext[2 * PROFILE_MAX_LANES + 2];
	const struct qual_measurement *m0 = NULL;
	struct plot_axis x = { .min = 0.5, .label = "lane", .step = 1 }, y = { .label = ylabel };
	size_t n = 0, ne = 0;
	struct plot p;
	char id[64], b[64];
	unsigned l;

	for (l = 1; l <= r->lanes && l <= PROFILE_MAX_LANES; l++) {
		const struct qual_measurement *m = find(r, name, l);

		if (!m)
			continue;
		m0 = m;
		ys[n++] = m->value;
		if (isfinite(m->value) && isfinite(m->uncertainty)) {
			ext[ne++] = m->value - m->uncertainty;
			ext[ne++] = m->value + m->uncertainty;
		}
	}
	if (!m0)
		return;
	if (isfinite(m0->lim.low))
		ext[ne++] = m0->lim.low;
	if (isfinite(m0->lim.high))
		ext[ne++] = m0->lim.high;
	x.max = r->lanes + 0.5;
	plot_auto_range(&y, ys, n, ext, ne);
	snprintf(id, sizeof(id), "lanes-%s", name);
	fprintf(f, "<figure>");
	plot_begin(&p, f, id, title, 330, 220, &x, &y);
	plot_band_y(&p, -INFINITY, m0->lim.low, "#c0141b", 0.1);
	plot_band_y(&p, m0->lim.high, INFINITY, "#c0141b", 0.1);
	if (isfinite(m0->lim.low)) {
		snprintf(b, sizeof(b), "min %.2f", m0->lim.low);
		plot_hline(&p, m0->lim.low, "#c0141b", "6 3", b);
	}
	if (isfinite(m0->lim.high)) {
		snprintf(b, sizeof(b), "max %.2f", m0->lim.high);
		plot_hline(&p, m0->lim.high, "#c0141b", "6 3", b);
	}
	for (l = 1; l <= r->lanes; l++) {
		const struct qual_measurement *m = find(r, name, l);
		double xl = l;

		if (!m)
			continue;
		snprintf(b, sizeof(b), "lane %u", l);
		plot_series_begin(&p, b, plot_color(l - 1));
		if (isfinite(m->uncertainty))
			plot_errbar_y(&p, xl, m->value - m->uncertainty,
				      m->value + m->uncertainty, plot_color(l - 1));
		plot_points(&p, &xl, &m->value, 1, PLOT_CIRCLE, plot_color(l - 1));
		plot_series_end(&p);
	}
	plot_end(&p);
	fprintf(f, "<figcaption>");
	esc(f, name);
	fprintf(f, " per lane with U (k = 2); red: outside the profile's limits.</figcaption>"
		"</figure>\n");
}

static void charts(FILE *f, const struct qual_record *r)
{
	const struct qual_measurement *mp = find(r, "module_power", 0);
	char v[32], u[32], l[64];
	unsigned lane;

	fprintf(f, "<section class=\"page\" id=\"lanes\"><h2>Per lane against the limits</h2>\n"
		"<div class=\"plots\">\n");
	lane_chart(f, r, "tx_power_avg", "Tx average power", "dBm");
	lane_chart(f, r, "tx_oma", "Tx OMA", "dBm");
	lane_chart(f, r, "rx_sensitivity_oma", "Rx sensitivity (OMA)", "dBm");
	lane_chart(f, r, "link_margin", "link-budget margin", "dB");
	fprintf(f, "</div>\n");

	fprintf(f, "<h3>Digital diagnostics (DOM)</h3>\n<table id=\"dom\"><thead><tr>"
		"<th>lane</th><th>Tx power (dBm)</th><th>Tx bias (mA)</th><th>Rx power (dBm)</th>"
		"</tr></thead><tbody>\n");
	for (lane = 1; lane <= r->lanes; lane++) {
		const struct qual_measurement *a = find(r, "dom_tx_power", lane);
		const struct qual_measurement *b = find(r, "dom_tx_bias", lane);
		const struct qual_measurement *c = find(r, "dom_rx_power", lane);

		fprintf(f, "<tr><td class=\"n\">%u</td>", lane);
		fprintf(f, "<td class=\"n\">%s</td>", num(a ? a->value : NAN, 0, v, sizeof(v)));
		fprintf(f, "<td class=\"n\">%s</td>", num(b ? b->value : NAN, 0, v, sizeof(v)));
		fprintf(f, "<td class=\"n\">%s</td></tr>\n", num(c ? c->value : NAN, 0, v, sizeof(v)));
	}
	fprintf(f, "</tbody></table>\n<p class=\"note\">The module's own alarm and warning "
		"thresholds (CMIS page 02h) are not part of the run record: n/a here; "
		"alarms the module latched during the run are the dom_alarms and "
		"stimulus_flags measurements.</p>\n");
	if (mp) {
		fprintf(f, "<p>Module power: %s W", num(mp->value, 0, v, sizeof(v)));
		if (isfinite(mp->uncertainty))
			fprintf(f, " &#177; %s W", num(mp->uncertainty, 0, u, sizeof(u)));
		report_limits(&mp->lim, l, sizeof(l));
		fprintf(f, " (limit %s) &#8212; %s</p>\n", l[0] ? l : "none in the profile",
			report_verdict_label("NOT JUDGED", mp->verdict));
	}
	fprintf(f, "</section>\n");
}

static void table(FILE *f, const struct qual_record *r)
{
	size_t i, k;
	unsigned c;

	fprintf(f, "<section class=\"page\" id=\"measurements\"><h2>Every measurement</h2>\n"
		"<p class=\"note\">Margin: distance to the nearest limit, positive inside "
		"(decades for BER and FLR). U: expanded uncertainty (k = 2); budget: its "
		"standard components u (k = 1), GUM type A or B.</p>\n"
		"<table class=\"meas\" id=\"meas\"><thead><tr><th>step</th><th>name</th>"
		"<th>lane</th><th>value</th><th>unit</th><th>limits</th><th>margin</th>"
		"<th>U</th><th>budget</th><th>method</th><th>verdict</th></tr></thead><tbody>\n");
	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		for (k = 0; k < s->nm; k++) {
			const struct qual_measurement *m = &s->m[k];
			char v[32], l[64], mg[32], u[32];

			fprintf(f, "<tr class=\"m\" data-step=\"");
			esc(f, s->name);
			fprintf(f, "\" data-name=\"");
			esc(f, m->name);
			fprintf(f, "\" data-lane=\"%u\"><td>", m->lane);
			esc(f, s->name);
			fprintf(f, "</td><td>");
			esc(f, m->name);
			if (m->lane)
				fprintf(f, "</td><td class=\"n\">%u</td>", m->lane);
			else
				fprintf(f, "</td><td>module</td>");
			fputs("<td class=\"n\">", f);
			esc(f, report_value(m, v, sizeof(v)));
			fputs("</td><td>", f);
			esc(f, m->unit);
			fprintf(f, "</td><td>");
			esc(f, report_limits(&m->lim, l, sizeof(l)));
			fprintf(f, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"b\">",
				qual_limits_empty(&m->lim) ? "" :
				num(report_margin(m), QUAL_SCALE_LINEAR, mg, sizeof(mg)),
				num(m->uncertainty, QUAL_SCALE_LINEAR, u, sizeof(u)));
			for (c = 0; c < m->nucomp; c++) {
				fprintf(f, "%s", c ? "<br/>" : "");
				esc(f, m->ucomp[c].source);
				fprintf(f, " %s (%c)", num(m->ucomp[c].u, QUAL_SCALE_LINEAR, u,
							 sizeof(u)), m->ucomp[c].type);
				if (m->ucomp[c].note[0]) {
					fprintf(f, ": ");
					esc(f, m->ucomp[c].note);
				}
			}
			fprintf(f, "</td><td>");
			esc(f, m->method);
			fprintf(f, "</td><td class=\"t-%s\">%s", qual_verdict_name(m->verdict),
				report_verdict_label("NOT JUDGED", m->verdict));
			if (m->message[0]) {
				fprintf(f, "<br/>");
				esc(f, m->message);
			}
			fprintf(f, "</td></tr>\n");
		}
	}
	fprintf(f, "</tbody></table>\n</section>\n");
}

/* Why a limit of the profile has no measurement in the run. */
static const char *untested_why(const struct qual_record *r, const char *name)
{
	static const struct {
		const char *name, *why;
	} known[] = {
		{ "tx_tdecq", "TDECQ needs an optical sampling oscilloscope with the "
		  "reference equalizer (IEEE 802.3 clause 121.8.5); the station has none" },
		{ "tx_oma_minus_tdecq", "needs TDECQ (no sampling oscilloscope on the station)" },
		{ "tx_er", "extinction ratio needs an optical sampling oscilloscope "
		  "(IEEE 802.3 clause 121.8.4); the OMA figures use the stimulus ER instead" },
		{ "tx_power_off", "Tx-off power is below the station's tap and meter range" },
	};
	const struct qual_step *s;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i].name, name))
			return known[i].why;
	for (i = 0; i < r->nsteps; i++) {
		s = r->steps[i];
		if (s->status == QUAL_STEP_SKIPPED)
			return "its step was skipped (see the steps)";
	}
	return "no step of this run measures it";
}

static void untested(FILE *f, const struct qual_record *r, const struct profile *prof,
		     const char *prof_note)
{
	unsigned n = 0;
	size_t i;

	fprintf(f, "<section id=\"untested\"><h2>Profile limits not tested</h2>\n");
	if (!prof) {
		fprintf(f, "<p class=\"note\">");
		esc(f, prof_note);
		fprintf(f, "</p></section>\n");
		return;
	}
	fprintf(f, "<table id=\"untested-limits\"><thead><tr><th>limit</th><th>bounds</th>"
		"<th>why not tested</th></tr></thead><tbody>\n");
	for (i = 0; i < prof->nlimits; i++) {
		const struct profile_limit *pl = &prof->limits[i];
		char l[64];
		size_t s, k;
		bool seen = false;

		for (s = 0; s < r->nsteps && !seen; s++)
			for (k = 0; k < r->steps[s]->nm && !seen; k++)
				seen = !strcmp(r->steps[s]->m[k].name, pl->q->name);
		if (seen)
			continue;
		n++;
		fprintf(f, "<tr class=\"untested\"><td>");
		esc(f, pl->q->name);
		fprintf(f, "</td><td>");
		esc(f, report_limits(&pl->lim, l, sizeof(l)));
		fprintf(f, " ");
		esc(f, pl->q->unit);
		fprintf(f, "</td><td>");
		esc(f, untested_why(r, pl->q->name));
		fprintf(f, "</td></tr>\n");
	}
	if (!n)
		fprintf(f, "<tr><td colspan=\"3\">none: every limit of the profile was "
			"measured</td></tr>\n");
	fprintf(f, "</tbody></table>\n</section>\n");
}

static void steps(FILE *f, const struct qual_record *r)
{
	size_t i;

	fprintf(f, "<section id=\"steps\"><h2>Steps</h2>\n<table class=\"meas\"><thead><tr>"
		"<th>step</th><th>status</th><th>verdict</th><th>start (s)</th><th>end (s)</th>"
		"<th>measurements</th><th>message</th></tr></thead><tbody>\n");
	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		fprintf(f, "<tr><td>");
		esc(f, s->name);
		fprintf(f, "</td><td>%s</td><td class=\"t-%s\">%s</td><td class=\"n\">%.3f</td>"
			"<td class=\"n\">%.3f</td><td class=\"n\">%zu</td><td>",
			qual_step_status_name(s->status), qual_verdict_name(s->verdict),
			report_verdict_label("NOT JUDGED", s->verdict),
			(double)s->start_ns / 1e9, (double)s->end_ns / 1e9, s->nm);
		esc(f, s->message);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody></table>\n</section>\n");
}

int report_html_profile(FILE *f, const struct qual_record *r, const struct profile *given)
{
	struct profile *loaded = NULL;
	const struct profile *prof = given;
	char note[512] = "";

	if (!prof && r->profile[0]) {
		/* a run loaded back: the profile by name, if it is still the same */
		loaded = calloc(1, sizeof(*loaded));
		if (loaded && profile_load(r->profile, loaded) == BERT_OK) {
			if (!strcmp(loaded->hash, r->profile_hash))
				prof = loaded;
			else
				snprintf(note, sizeof(note), "The profile '%s' has changed since "
					 "the run (hash %s, the run's %s): its untested limits "
					 "cannot be listed.", r->profile, loaded->hash,
					 r->profile_hash);
		} else {
			snprintf(note, sizeof(note), "The profile '%s' is not installed here: "
				 "its untested limits cannot be listed.", r->profile);
		}
		bert_error_clear();
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n"
		"<meta name=\"generator\" content=\"bert ");
	esc(f, r->bert_version);
	fprintf(f, "\"/>\n<title>");
	esc(f, report_verdict_label("NOT JUDGED", r->verdict));
	fprintf(f, " ");
	esc(f, r->dut.pn);
	fprintf(f, " SN ");
	esc(f, r->dut.sn);
	fprintf(f, " &#8212; bert qualification</title>\n<style>\n%s</style></head>\n<body>\n",
		css);
	fprintf(f, "<section id=\"summary\"><h1>Qualification certificate: ");
	esc(f, r->dut.vendor);
	fprintf(f, " ");
	esc(f, r->dut.pn);
	fprintf(f, " SN ");
	esc(f, r->dut.sn);
	fprintf(f, "</h1>\n");
	banner(f, r);
	identity(f, r);
	fprintf(f, "</section>\n");
	waterfalls(f, r, prof);
	charts(f, r);
	table(f, r);
	untested(f, r, prof, note[0] ? note : "No profile in the record.");
	steps(f, r);
	fprintf(f, "<p class=\"note\">Written by bert ");
	esc(f, r->bert_version);
	fprintf(f, " from run ");
	esc(f, r->uuid);
	fprintf(f, ".</p>\n</body></html>\n");
	free(loaded);
	if (fflush(f) != 0 || ferror(f))
		return bert_fail(BERT_ERR_IO, "writing the HTML report: %s", strerror(errno));
	return BERT_OK;
}

int report_html(FILE *f, const struct qual_record *r)
{
	return report_html_profile(f, r, NULL);
}
