/* SPDX-License-Identifier: MIT */
/* A small SVG plotting module for the reports: one plot is a frame with two
 * axes (linear or log10), ticks chosen by the usual 1-2-5 rule, grid lines
 * and labels, and marks drawn in data coordinates: points, error bars,
 * polylines, horizontal and vertical lines, bands, text and a legend.
 *
 * Everything drawn is clipped to the frame in the code (not only by an SVG
 * clip path), so the coordinates written are inside it: a point outside the
 * axis range is not drawn (it is counted in plot->nclipped), a line or error
 * bar crossing the frame is cut at it (Liang-Barsky), NaN or infinite data
 * (and values <= 0 on a log axis) break a line and are skipped as points.
 * A plot without data says so in the frame.
 *
 * Marks carry classes a test can find: every point is a
 * <circle class="mark" data-x=".." data-y=".."/> (or a <rect class="mark">
 * for the square marker), inside a <g class="series" data-series="NAME">.
 * Text is XML-escaped; bytes that are not printable UTF-8 become '?'.
 *
 * The writer never fails half-way on its own: output errors are the
 * stream's (the caller checks ferror()).
 */
#ifndef BERT_REPORT_PLOT_SVG_H
#define BERT_REPORT_PLOT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PLOT_MAX_TICKS	24

struct plot_axis {
	double min, max;	/* data range shown; for log both > 0 */
	bool log;		/* log10 scale */
	const char *label;	/* axis title (escaped when written) */
	double step;		/* linear: fixed tick step (0 = the 1-2-5 rule) */
};

/* Picks the range of data for an axis: min/max of the finite values (only
 * the positive ones on a log axis), widened on a log axis to whole decades
 * and on a linear one to the neighbouring ticks; a single value gets a
 * span around it. false (and the range [0, 1], or [1e-12, 1] on a log axis)
 * when there is no usable value. `extra` values (limits, targets) may be
 * passed in a second array to keep them in range; either may be NULL. */
bool plot_auto_range(struct plot_axis *ax, const double *v, size_t n,
		     const double *extra, size_t nextra);

/* Ticks: at most max_ticks (2..PLOT_MAX_TICKS) values inside [min, max].
 * Linear: multiples of 1, 2 or 5 x 10^k, the finest step that fits.
 * Log: every decade, or every k-th decade when there are too many.
 * Returns the count (0 for an empty or invalid range). */
size_t plot_ticks(const struct plot_axis *ax, size_t max_ticks, double *out);
/* A tick label: "0.5", "-2", "1e-3"; step is the tick spacing (linear). */
const char *plot_tick_label(const struct plot_axis *ax, double v, double step,
			    char *buf, size_t size);
/* Maps v to [p0, p1] (p0 at min, p1 at max); NAN when v cannot be shown
 * on this axis (NaN, infinite, <= 0 on a log axis). Values outside the
 * range map outside [p0, p1]. */
double plot_map(const struct plot_axis *ax, double v, double p0, double p1);

/* Clips the segment (x0,y0)-(x1,y1) to the rectangle [xl,xh] x [yl,yh];
 * false when nothing is inside. */
bool plot_clip_segment(double *x0, double *y0, double *x1, double *y1,
		       double xl, double yl, double xh, double yh);

enum plot_marker {
	PLOT_CIRCLE = 0,
	PLOT_SQUARE,
};

struct plot {
	FILE *f;
	double width, height;
	double fx0, fy0, fx1, fy1;	/* frame, pixels (y grows down) */
	struct plot_axis x, y;
	unsigned nmarks;		/* points drawn */
	unsigned nclipped;		/* points outside the frame, not drawn */
	unsigned nlegend;
	bool has_data;
	char id[24];
};

/* Fixed palette (colour-blind safe, Okabe-Ito); index wraps. */
const char *plot_color(unsigned i);

/* Writes <svg ...> with the frame, grid, ticks, labels and title; id must
 * be unique in the document (it names the clip path). */
void plot_begin(struct plot *p, FILE *f, const char *id, const char *title,
		double width, double height, const struct plot_axis *x,
		const struct plot_axis *y);
/* A group of marks of one series; end it with plot_series_end(). */
void plot_series_begin(struct plot *p, const char *name, const char *color);
void plot_series_end(struct plot *p);
void plot_points(struct plot *p, const double *x, const double *y, size_t n,
		 enum plot_marker mk, const char *color);
/* Error bars: vertical at x from ylo to yhi, horizontal at y from xlo to
 * xhi; clipped to the frame, skipped when not drawable. */
void plot_errbar_y(struct plot *p, double x, double ylo, double yhi, const char *color);
void plot_errbar_x(struct plot *p, double y, double xlo, double xhi, const char *color);
/* Polyline through the points, broken at values that cannot be shown;
 * dash NULL for solid ("6 3" for dashed). */
void plot_line(struct plot *p, const double *x, const double *y, size_t n,
	       const char *color, double width, const char *dash);
void plot_hline(struct plot *p, double y, const char *color, const char *dash,
		const char *label);
void plot_vline(struct plot *p, double x, const char *color, const char *dash,
		const char *label);
/* Shaded bands across the frame: y in [lo, hi] (or x in [lo, hi]); an
 * infinite or NaN bound extends to the frame's edge. */
void plot_band_y(struct plot *p, double lo, double hi, const char *color, double opacity);
void plot_band_x(struct plot *p, double lo, double hi, const char *color, double opacity);
/* A note line inside the frame's bottom left corner (line 0 lowest). */
void plot_note(struct plot *p, unsigned line, const char *text, const char *color);
/* A bar from the y axis' minimum (or 0, when inside the range) up to y
 * between x0 and x1: a <rect class="bar" data-x0 data-x1 data-y>. */
void plot_bar(struct plot *p, double x0, double x1, double y, const char *color);
/* One legend row (bottom left inside the frame, rows upwards). */
void plot_legend(struct plot *p, const char *text, const char *color, bool line);
/* Writes the "no data" note when nothing was drawn, closes the svg. */
void plot_end(struct plot *p);

/* XML/HTML text escaping: & < > " ' escaped; control bytes and invalid
 * UTF-8 become '?'. */
void plot_escape(FILE *f, const char *s);

#endif
