// SPDX-License-Identifier: MIT
/* bert/report/plot_svg: scales, tick choice and labels, clipping, NaN and
 * empty data, escaping. The SVG as a whole is parsed by a real XML parser
 * in tests/cli/test_report_html.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/report/plot_svg.h"
#include "common.h"

static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

START_TEST(test_linear_ticks)
{
	static const struct {
		double min, max;
		size_t maxn;
		double first, step;
		size_t n;
	} c[] = {
		{ 0, 1, 11, 0, 0.1, 11 },
		{ 0, 1, 6, 0, 0.2, 6 },
		{ -12, -4, 9, -12, 1, 9 },
		{ -12, -4, 5, -12, 2, 5 },
		{ -11.3, -4.2, 5, -10, 2, 3 },	/* only ticks inside the range */
		{ 0, 100, 3, 0, 50, 3 },
		{ 3, 3.5, 8, 3, 0.1, 6 },
	};
	double t[PLOT_MAX_TICKS];
	unsigned i;
	size_t n, k;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct plot_axis ax = { .min = c[i].min, .max = c[i].max };

		n = plot_ticks(&ax, c[i].maxn, t);
		ck_assert_msg(n == c[i].n, "case %u: %zu ticks", i, n);
		for (k = 0; k < n; k++) {
			ck_assert_msg(fabs(t[k] - (c[i].first + (double)k * c[i].step)) < 1e-9,
				      "case %u tick %zu = %g", i, k, t[k]);
			ck_assert(t[k] >= ax.min - 1e-9 && t[k] <= ax.max + 1e-9);
		}
	}
}
END_TEST

START_TEST(test_log_ticks)
{
	struct plot_axis ax = { .min = 1e-12, .max = 1e-1, .log = true };
	double t[PLOT_MAX_TICKS];
	char b[32];
	size_t n;

	n = plot_ticks(&ax, 12, t);
	ck_assert_uint_eq(n, 12);
	ck_assert(fabs(t[0] / 1e-12 - 1) < 1e-9 && fabs(t[11] / 1e-1 - 1) < 1e-9);
	/* too many decades: every other one */
	n = plot_ticks(&ax, 6, t);
	ck_assert_uint_eq(n, 6);
	ck_assert(fabs(t[1] / 1e-10 - 1) < 1e-9);
	ck_assert_str_eq(plot_tick_label(&ax, t[1], 0, b, sizeof(b)), "1e-10");
	ck_assert_str_eq(plot_tick_label(&ax, 1, 0, b, sizeof(b)), "1e0");
	/* a range inside one decade has no decade tick */
	ax.min = 2e-5;
	ax.max = 8e-5;
	ck_assert_uint_eq(plot_ticks(&ax, 8, t), 0);
	/* invalid ranges */
	ax.min = 0;
	ax.max = 1;
	ck_assert_uint_eq(plot_ticks(&ax, 8, t), 0);
	ax.log = false;
	ax.min = ax.max = 2;
	ck_assert_uint_eq(plot_ticks(&ax, 8, t), 0);
	ax.min = NAN;
	ck_assert_uint_eq(plot_ticks(&ax, 8, t), 0);
}
END_TEST

START_TEST(test_labels)
{
	struct plot_axis ax = { .min = -1, .max = 1 };
	char b[32];

	ck_assert_str_eq(plot_tick_label(&ax, 0.5, 0.5, b, sizeof(b)), "0.5");
	ck_assert_str_eq(plot_tick_label(&ax, -2, 1, b, sizeof(b)), "-2");
	ck_assert_str_eq(plot_tick_label(&ax, -1e-17, 0.2, b, sizeof(b)), "0.0");
	ck_assert_str_eq(plot_tick_label(&ax, 20, 10, b, sizeof(b)), "20");
	ck_assert_str_eq(plot_tick_label(&ax, 0.25, 0.05, b, sizeof(b)), "0.25");
}
END_TEST

START_TEST(test_map)
{
	struct plot_axis lin = { .min = -10, .max = 0 };
	struct plot_axis lg = { .min = 1e-12, .max = 1, .log = true };

	ck_assert(fabs(plot_map(&lin, -10, 100, 200) - 100) < 1e-9);
	ck_assert(fabs(plot_map(&lin, -5, 100, 200) - 150) < 1e-9);
	ck_assert(fabs(plot_map(&lin, 5, 100, 200) - 250) < 1e-9);	/* outside maps outside */
	ck_assert(fabs(plot_map(&lg, 1e-6, 0, 120) - 60) < 1e-9);
	ck_assert(isnan(plot_map(&lg, 0, 0, 120)));
	ck_assert(isnan(plot_map(&lg, -1, 0, 120)));
	ck_assert(isnan(plot_map(&lin, NAN, 0, 120)));
	ck_assert(isnan(plot_map(&lin, INFINITY, 0, 120)));
	/* inverted pixel range (y axis) */
	ck_assert(fabs(plot_map(&lin, -10, 300, 20) - 300) < 1e-9);
}
END_TEST

START_TEST(test_auto_range)
{
	const double v[] = { -9.7, NAN, -6.2, INFINITY, -7.5 };
	const double ber[] = { 3e-3, 0, -1, 2.4e-4, 5e-9, NAN };
	const double lim = -4.0;
	struct plot_axis ax = { 0 };

	ck_assert(plot_auto_range(&ax, v, 5, NULL, 0));
	ck_assert(ax.min <= -9.7 && ax.max >= -6.2 && ax.max < -4.5);
	ck_assert(plot_auto_range(&ax, v, 5, &lim, 1));
	ck_assert(ax.max >= -4.0);
	ax.log = true;
	ck_assert(plot_auto_range(&ax, ber, 6, NULL, 0));
	ck_assert(fabs(ax.min / 1e-9 - 1) < 1e-9 && fabs(ax.max / 1e-2 - 1) < 1e-9);
	/* empty and all-unusable data */
	ck_assert(!plot_auto_range(&ax, ber + 1, 2, NULL, 0));
	ck_assert(ax.min > 0 && ax.max > ax.min);
	ax.log = false;
	ck_assert(!plot_auto_range(&ax, NULL, 0, NULL, 0));
	ck_assert(ax.min == 0 && ax.max == 1);
	/* one value gets a span */
	ck_assert(plot_auto_range(&ax, v, 1, NULL, 0));
	ck_assert(ax.min < -9.7 && ax.max > -9.7);
}
END_TEST

START_TEST(test_clip_segment)
{
	double x0, y0, x1, y1;

	/* crossing the right edge */
	x0 = 5, y0 = 5, x1 = 15, y1 = 5;
	ck_assert(plot_clip_segment(&x0, &y0, &x1, &y1, 0, 0, 10, 10));
	ck_assert(x0 == 5 && fabs(x1 - 10) < 1e-12 && y1 == 5);
	/* diagonal through the corner region */
	x0 = -5, y0 = -5, x1 = 15, y1 = 15;
	ck_assert(plot_clip_segment(&x0, &y0, &x1, &y1, 0, 0, 10, 10));
	ck_assert(fabs(x0) < 1e-12 && fabs(y0) < 1e-12);
	ck_assert(fabs(x1 - 10) < 1e-12 && fabs(y1 - 10) < 1e-12);
	/* entirely outside */
	x0 = 11, y0 = 0, x1 = 20, y1 = 10;
	ck_assert(!plot_clip_segment(&x0, &y0, &x1, &y1, 0, 0, 10, 10));
	x0 = -1, y0 = 12, x1 = 12, y1 = 30;
	ck_assert(!plot_clip_segment(&x0, &y0, &x1, &y1, 0, 0, 10, 10));
	/* inside: unchanged */
	x0 = 1, y0 = 2, x1 = 3, y1 = 4;
	ck_assert(plot_clip_segment(&x0, &y0, &x1, &y1, 0, 0, 10, 10));
	ck_assert(x0 == 1 && y0 == 2 && x1 == 3 && y1 == 4);
}
END_TEST

/* Every coordinate the writer puts in a mark, line or errbar is inside the
 * frame; points outside are counted, not drawn; NaN breaks a line. */
START_TEST(test_plot_clipping)
{
	struct plot_axis x = { .min = -12, .max = -4, .label = "OMA (dBm)" };
	struct plot_axis y = { .min = 1e-12, .max = 1e-2, .log = true, .label = "BER" };
	const double px[] = { -13, -10, -8, NAN, -6, -3 };
	const double py[] = { 1e-3, 1e-4, 0, 1e-6, 1e-9, 1e-10 };
	char *buf = NULL, *s;
	size_t len = 0;
	struct plot p;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	plot_begin(&p, f, "t1", "lane <1>", 400, 300, &x, &y);
	plot_series_begin(&p, "lane 1", plot_color(0));
	plot_points(&p, px, py, 6, PLOT_CIRCLE, plot_color(0));
	plot_errbar_y(&p, -10, 0, 1e-1, plot_color(0));	/* runs to both edges */
	plot_errbar_x(&p, 2.4e-4, -20, -7, plot_color(1));
	plot_line(&p, px, py, 6, plot_color(0), 1.5, NULL);
	plot_series_end(&p);
	plot_hline(&p, 2.4e-4, "#000", "4 2", "target");
	plot_hline(&p, 1e-20, "#000", NULL, "outside");	/* not drawn */
	plot_vline(&p, -9, "#c00", NULL, "limit");
	plot_band_x(&p, -INFINITY, -11, "#c00", 0.1);
	plot_end(&p);
	fclose(f);

	/* -10/1e-4 and -6/1e-9 drawn; -13 and -3 outside; 0 and NaN unusable */
	ck_assert_uint_eq(p.nmarks, 2);
	ck_assert_uint_eq(p.nclipped, 2);
	ck_assert_uint_eq(count(buf, "class=\"mark\""), 2);
	ck_assert_ptr_nonnull(strstr(buf, "lane &lt;1&gt;"));
	ck_assert_ptr_null(strstr(buf, "outside"));
	ck_assert_ptr_nonnull(strstr(buf, ">target<"));
	ck_assert_ptr_nonnull(strstr(buf, "class=\"band\""));
	/* every x1/y1/x2/y2/cx/cy of a drawn element lies inside the frame */
	for (s = buf; (s = strstr(s, "<line class=\"")); s++) {
		double a, b, c, d;

		ck_assert(sscanf(strstr(s, "x1=\""), "x1=\"%lf\" y1=\"%lf\" x2=\"%lf\" y2=\"%lf\"",
				 &a, &b, &c, &d) == 4);
		ck_assert_msg(a >= p.fx0 - 0.05 && a <= p.fx1 + 0.05 && c >= p.fx0 - 0.05 &&
			      c <= p.fx1 + 0.05 && b >= p.fy0 - 0.05 && b <= p.fy1 + 0.05 &&
			      d >= p.fy0 - 0.05 && d <= p.fy1 + 0.05, "%.80s", s);
	}
	/* the curve: 5 segments, 2 touch NaN, the rest pass through y = 0 or
	 * outside x; at least one segment is drawn clipped */
	ck_assert_uint_ge(count(buf, "class=\"curve\""), 1);
	ck_assert_uint_eq(count(buf, "<svg "), 1);
	ck_assert_uint_eq(count(buf, "</svg>"), 1);
	ck_assert_ptr_null(strstr(buf, "no data"));
	free(buf);
}
END_TEST

START_TEST(test_plot_empty)
{
	struct plot_axis x = { .min = 0, .max = 1 };
	struct plot_axis y = { .min = 1e-12, .max = 1, .log = true };
	const double nan2[] = { NAN, NAN };
	char *buf = NULL;
	size_t len = 0;
	struct plot p;
	FILE *f = open_memstream(&buf, &len);

	plot_begin(&p, f, "e", NULL, 300, 200, &x, &y);
	plot_points(&p, nan2, nan2, 2, PLOT_SQUARE, plot_color(2));
	plot_points(&p, NULL, NULL, 0, PLOT_SQUARE, plot_color(2));
	plot_line(&p, nan2, nan2, 2, plot_color(2), 1, NULL);
	plot_end(&p);
	fclose(f);
	ck_assert_uint_eq(p.nmarks, 0);
	ck_assert_ptr_nonnull(strstr(buf, ">no data<"));
	ck_assert_ptr_null(strstr(buf, "nan"));
	ck_assert_ptr_null(strstr(buf, "inf"));
	free(buf);
}
END_TEST

START_TEST(test_escape)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	plot_escape(f, "<script>\"a\"&'b'\x01\xff\xc3\xa9");
	fclose(f);
	ck_assert_str_eq(buf, "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;??\xc3\xa9");
	free(buf);
}
END_TEST

Suite *suite_plot(void)
{
	Suite *s = suite_create("plot");
	TCase *tc = tcase_create("plot");

	tcase_add_test(tc, test_linear_ticks);
	tcase_add_test(tc, test_log_ticks);
	tcase_add_test(tc, test_labels);
	tcase_add_test(tc, test_map);
	tcase_add_test(tc, test_auto_range);
	tcase_add_test(tc, test_clip_segment);
	tcase_add_test(tc, test_plot_clipping);
	tcase_add_test(tc, test_plot_empty);
	tcase_add_test(tc, test_escape);
	suite_add_tcase(s, tc);
	return s;
}
