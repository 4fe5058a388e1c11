// SPDX-License-Identifier: MIT
/* bert results report: fleet views over many runs of a results database
 * (a station store or the central PostgreSQL, bert/store/results_db.h).
 *
 * Yield per station, location, part number, lot and day: a module is
 * counted once per group, by its serial number; first-pass yield is the
 * share of modules whose first complete run in the group passed (PASS or
 * MARGINAL), final yield the share whose last one did. Each yield carries
 * its standard uncertainty as a binomial proportion, sqrt(p (1 - p) / n)
 * (n/a for n = 0). The pareto counts the runs in which each measurement
 * failed. The distributions are the per-lane rx_sensitivity_oma and tx_oma
 * of each module's last run, histograms with the profile limit; the trend
 * is the smallest link_margin of each run against its start time, and per
 * day its mean with the standard error of the mean.
 *
 * A yield is a binomial proportion k/n with its 95 % Wilson score interval
 * (E. B. Wilson, "Probable inference, the law of succession, and
 * statistical inference", J. Amer. Statist. Assoc. 22, 1927), which stays
 * inside [0, 1] and is not empty at k = 0 or k = n, unlike the normal
 * approximation.
 *
 * Runs that did not complete (running, aborted, error) are not judged as
 * yield: they are counted apart.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bert/core/error.h"
#include "bert/qual/record.h"
#include "bert/report/plot_svg.h"
#include "bert/report/report.h"
#include "bert/store/results_db.h"
#include "bert/store/store.h"
#include "cli/bert.h"
#include "cli/common.h"

enum { G_STATION, G_LOCATION, G_PN, G_LOT, G_DAY, G_N };
static const char *const gnames[G_N] = { "station", "location", "pn", "lot", "day" };

struct run {
	int64_t id, t;
	char sn[QUAL_STR_MAX], key[G_N][QUAL_STR_MAX];
	bool pass;
	double min_margin;		/* NAN without link_margin */
};

struct group {
	int kind;
	char name[QUAL_STR_MAX];
	unsigned runs, modules, first_pass, final_pass;
};

struct pareto {
	char name[QUAL_NAME_MAX];
	unsigned runs;
};

struct fleet {
	struct run *r;
	size_t n, cap;
	unsigned incomplete;
	struct group *g;
	size_t ng;
	struct pareto *p;
	size_t np;
	/* distributions: one value per lane of each module's last run */
	double *sens, *txoma;
	size_t nsens, ntx, caps, capt;
	double sens_limit, tx_low, tx_high;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bert results report [--db PATH|postgresql://...] [--since T]\n"
		"                          [--until T] [--station S] [--pn PN] [--lot L]\n"
		"                          [--format html|json|csv] [-o FILE]\n"
		"Fleet views over the stored runs: yield (first-pass and final) per\n"
		"station, location, part number, lot and day, a pareto of failing\n"
		"measurements, per-lane sensitivity and Tx OMA distributions and the\n"
		"link-margin trend. T is YYYY-MM-DD[THH:MM:SS] (UTC); --until is\n"
		"exclusive. Default format json.\n");
}

static int parse_time(const char *opt, const char *s, int64_t *t)
{
	char buf[40];

	if (qual_time_parse(s, t) == BERT_OK)
		return BERT_OK;
	if (strlen(s) == 10) {
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
		if (qual_time_parse(buf, t) == BERT_OK)
			return BERT_OK;
	}
	bert_error_clear();
	return cli_usage_error("%s: '%s' is not YYYY-MM-DD[THH:MM:SS]", opt, s);
}

static bool passed(enum qual_verdict v)
{
	return v == QUAL_PASS || v == QUAL_MARGINAL;
}

static struct group *group_of(struct fleet *fl, int kind, const char *name)
{
	size_t i;

	for (i = 0; i < fl->ng; i++)
		if (fl->g[i].kind == kind && !strcmp(fl->g[i].name, name))
			return &fl->g[i];
	return NULL;
}

static int add_value(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		double *p = realloc(*v, c * sizeof(**v));

		if (!p)
			return bert_fail(BERT_ERR_NOMEM, "report");
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return BERT_OK;
}

static int collect(struct fleet *fl, const struct qual_record *rec)
{
	struct run *r;
	char t[40];
	size_t i, k;

	if (rec->status != QUAL_RUN_COMPLETE) {
		fl->incomplete++;
		return BERT_OK;
	}
	if (fl->n == fl->cap) {
		size_t c = fl->cap ? fl->cap * 2 : 64;
		struct run *p = realloc(fl->r, c * sizeof(*p));

		if (!p)
			return bert_fail(BERT_ERR_NOMEM, "report");
		fl->r = p;
		fl->cap = c;
	}
	r = &fl->r[fl->n++];
	memset(r, 0, sizeof(*r));
	r->id = rec->id;
	r->t = rec->wall_start;
	r->pass = passed(rec->verdict);
	r->min_margin = NAN;
	snprintf(r->sn, sizeof(r->sn), "%s", rec->dut.sn);
	snprintf(r->key[G_STATION], QUAL_STR_MAX, "%s", rec->station);
	snprintf(r->key[G_LOCATION], QUAL_STR_MAX, "%s", rec->trace.station_site);
	snprintf(r->key[G_PN], QUAL_STR_MAX, "%s", rec->dut.pn);
	snprintf(r->key[G_LOT], QUAL_STR_MAX, "%s", rec->trace.lot);
	qual_time_iso(rec->wall_start, t, sizeof(t));
	snprintf(r->key[G_DAY], QUAL_STR_MAX, "%.10s", t);
	for (i = 0; i < rec->nsteps; i++)
		for (k = 0; k < rec->steps[i]->nm; k++) {
			const struct qual_measurement *m = &rec->steps[i]->m[k];
			size_t j;

			if (!strcmp(m->name, "link_margin") && isfinite(m->value))
				r->min_margin = isnan(r->min_margin) ? m->value :
						fmin(r->min_margin, m->value);
			if (m->verdict != QUAL_FAIL)
				continue;
			for (j = 0; j < fl->np && strcmp(fl->p[j].name, m->name); j++)
				;
			if (j == fl->np) {
				struct pareto *p = realloc(fl->p, (fl->np + 1) * sizeof(*p));

				if (!p)
					return bert_fail(BERT_ERR_NOMEM, "report");
				fl->p = p;
				memset(&p[j], 0, sizeof(p[j]));
				snprintf(p[j].name, sizeof(p[j].name), "%s", m->name);
				fl->np++;
			}
			/* once per run: the first failing lane counts the run */
			{
				size_t k2, i2;
				bool before = false;

				for (i2 = 0; i2 <= i && !before; i2++)
					for (k2 = 0; k2 < rec->steps[i2]->nm; k2++) {
						const struct qual_measurement *o = &rec->steps[i2]->m[k2];

						if (i2 == i && k2 == k)
							break;
						if (o->verdict == QUAL_FAIL && !strcmp(o->name, m->name)) {
							before = true;
							break;
						}
					}
				if (!before)
					fl->p[j].runs++;
			}
		}
	return BERT_OK;
}

static int by_time(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t ? 1 : x->id < y->id ? -1 : x->id > y->id;
}

static int by_count(const void *a, const void *b)
{
	const struct pareto *x = a, *y = b;

	return x->runs != y->runs ? (x->runs < y->runs ? 1 : -1) : strcmp(x->name, y->name);
}

/* Yield per group: modules by serial, first and last run in the group. */
static int yields(struct fleet *fl)
{
	size_t i, j;
	int kind;

	if (fl->n)	/* qsort's base may not be NULL, even for no element */
		qsort(fl->r, fl->n, sizeof(*fl->r), by_time);
	for (kind = 0; kind < G_N; kind++)
		for (i = 0; i < fl->n; i++) {
			const struct run *r = &fl->r[i];
			struct group *g = group_of(fl, kind, r->key[kind]);
			bool first = true, last = true;

			if (!g) {
				struct group *p = realloc(fl->g, (fl->ng + 1) * sizeof(*p));

				if (!p)
					return bert_fail(BERT_ERR_NOMEM, "report");
				fl->g = p;
				g = &p[fl->ng++];
				memset(g, 0, sizeof(*g));
				g->kind = kind;
				snprintf(g->name, sizeof(g->name), "%s", r->key[kind]);
			}
			g->runs++;
			for (j = 0; j < fl->n; j++) {
				if (j == i || strcmp(fl->r[j].sn, r->sn) ||
				    strcmp(fl->r[j].key[kind], r->key[kind]))
					continue;
				if (j < i)
					first = false;
				else
					last = false;
			}
			if (first) {
				g->modules++;
				g->first_pass += r->pass;
			}
			if (last)
				g->final_pass += r->pass;
		}
	if (fl->np)
		qsort(fl->p, fl->np, sizeof(*fl->p), by_count);
	return BERT_OK;
}

/* Distributions: each module's last run, loaded again. */
static int distributions(struct fleet *fl, struct results_db *db)
{
	size_t i, j, s, k;
	int rc;

	fl->sens_limit = fl->tx_low = fl->tx_high = NAN;
	for (i = 0; i < fl->n; i++) {
		struct qual_record rec;
		bool last = true;

		for (j = i + 1; j < fl->n && last; j++)
			last = strcmp(fl->r[j].sn, fl->r[i].sn) != 0;
		if (!last)
			continue;
		rc = results_db_load(db, fl->r[i].id, &rec);
		if (rc)
			return bert_fail_ctx(rc, "run %lld", (long long)fl->r[i].id);
		for (s = 0; !rc && s < rec.nsteps; s++)
			for (k = 0; !rc && k < rec.steps[s]->nm; k++) {
				const struct qual_measurement *m = &rec.steps[s]->m[k];

				if (!isfinite(m->value))
					continue;
				if (!strcmp(m->name, "rx_sensitivity_oma")) {
					rc = add_value(&fl->sens, &fl->nsens, &fl->caps, m->value);
					fl->sens_limit = m->lim.high;
				} else if (!strcmp(m->name, "tx_oma")) {
					rc = add_value(&fl->txoma, &fl->ntx, &fl->capt, m->value);
					fl->tx_low = m->lim.low;
					fl->tx_high = m->lim.high;
				}
			}
		qual_record_free(&rec);
		if (rc)
			return rc;
	}
	return BERT_OK;
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void wilson(unsigned k, unsigned n, double *p, double *lo, double *hi)
{
	const double z = 1.959964;
	double c, h, d;

	if (!n) {
		*p = *lo = *hi = NAN;
		return;
	}
	*p = (double)k / n;
	d = 1 + z * z / n;
	c = (*p + z * z / (2.0 * n)) / d;
	h = z * sqrt(*p * (1 - *p) / n + z * z / (4.0 * n * n)) / d;
	*lo = fmax(0, c - h);
	*hi = fmin(1, c + h);
}

/* A yield with its 95 % interval. */
static json_t *jyield(unsigned k, unsigned n)
{
	double p, lo, hi;

	if (!n)
		return json_pack("{s:n, s:n, s:s}", "value", "ci95", "reason", "no modules");
	wilson(k, n, &p, &lo, &hi);
	return json_pack("{s:f, s:[f, f]}", "value", p, "ci95", lo, hi);
}

struct day_trend {
	char day[QUAL_STR_MAX];
	double sum, sum2;
	unsigned n;
};

static size_t trend(const struct fleet *fl, struct day_trend *d, size_t max)
{
	size_t i, j, nd = 0;

	for (i = 0; i < fl->n; i++) {
		if (isnan(fl->r[i].min_margin))
			continue;
		for (j = 0; j < nd && strcmp(d[j].day, fl->r[i].key[G_DAY]); j++)
			;
		if (j == nd) {
			if (nd == max)
				continue;
			memset(&d[nd], 0, sizeof(d[nd]));
			snprintf(d[nd].day, sizeof(d[nd].day), "%s", fl->r[i].key[G_DAY]);
			nd++;
		}
		d[j].sum += fl->r[i].min_margin;
		d[j].sum2 += fl->r[i].min_margin * fl->r[i].min_margin;
		d[j].n++;
	}
	return nd;
}

static void day_stats(const struct day_trend *d, double *mean, double *sem)
{
	double var;

	*mean = d->sum / d->n;
	var = d->n > 1 ? (d->sum2 - d->n * *mean * *mean) / (d->n - 1) : NAN;
	*sem = d->n > 1 && var >= 0 ? sqrt(var / d->n) : NAN;
}

static json_t *to_json(const struct fleet *fl)
{
	json_t *j = json_object(), *y = json_object(), *p = json_array(), *t = json_array();
	struct day_trend d[366];
	size_t i, nd;
	int kind;

	json_object_set_new(j, "runs", json_integer((json_int_t)fl->n));
	json_object_set_new(j, "incomplete_runs", json_integer(fl->incomplete));
	for (kind = 0; kind < G_N; kind++) {
		json_t *a = json_array();

		for (i = 0; i < fl->ng; i++) {
			const struct group *g = &fl->g[i];

			if (g->kind != kind)
				continue;
			json_array_append_new(a, json_pack("{s:s, s:i, s:i, s:i, s:i, s:o, s:o}",
				"name", g->name, "runs", g->runs, "modules", g->modules,
				"first_pass", g->first_pass, "final_pass", g->final_pass,
				"first_pass_yield", jyield(g->first_pass, g->modules),
				"final_yield", jyield(g->final_pass, g->modules)));
		}
		json_object_set_new(y, gnames[kind], a);
	}
	json_object_set_new(j, "yield", y);
	for (i = 0; i < fl->np; i++)
		json_array_append_new(p, json_pack("{s:s, s:i}", "measurement", fl->p[i].name,
						   "failed_runs", fl->p[i].runs));
	json_object_set_new(j, "pareto", p);
	{
		json_t *a = json_array(), *b = json_array();

		for (i = 0; i < fl->nsens; i++)
			json_array_append_new(a, json_real(fl->sens[i]));
		for (i = 0; i < fl->ntx; i++)
			json_array_append_new(b, json_real(fl->txoma[i]));
		json_object_set_new(j, "rx_sensitivity_oma", json_pack("{s:o, s:o, s:s}",
			"values", a, "limit_high", jnum(fl->sens_limit), "unit", "dBm"));
		json_object_set_new(j, "tx_oma", json_pack("{s:o, s:o, s:o, s:s}",
			"values", b, "limit_low", jnum(fl->tx_low), "limit_high",
			jnum(fl->tx_high), "unit", "dBm"));
	}
	nd = trend(fl, d, sizeof(d) / sizeof(d[0]));
	for (i = 0; i < nd; i++) {
		double mean, sem;

		day_stats(&d[i], &mean, &sem);
		json_array_append_new(t, json_pack("{s:s, s:i, s:f, s:o}", "day", d[i].day,
			"runs", d[i].n, "mean_min_link_margin_db", mean, "u_db", jnum(sem)));
	}
	json_object_set_new(j, "link_margin_trend", t);
	return j;
}

static void csv(FILE *f, const struct fleet *fl)
{
	size_t i;

	fprintf(f, "view,group,runs,modules,first_pass,final_pass,first_pass_yield,"
		"first_pass_ci95_low,first_pass_ci95_high,final_yield,final_ci95_low,"
		"final_ci95_high\n");
	for (i = 0; i < fl->ng; i++) {
		const struct group *g = &fl->g[i];
		double a, al, ah, b, bl, bh;

		wilson(g->first_pass, g->modules, &a, &al, &ah);
		wilson(g->final_pass, g->modules, &b, &bl, &bh);

		fprintf(f, "%s,\"", gnames[g->kind]);
		for (const char *c = g->name; *c; c++)
			fprintf(f, *c == '"' ? "\"\"" : "%c", *c);
		fprintf(f, "\",%u,%u,%u,%u,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f\n", g->runs,
			g->modules, g->first_pass, g->final_pass, a, al, ah, b, bl, bh);
	}
	for (i = 0; i < fl->np; i++)
		fprintf(f, "pareto,%s,%u,,,,,,,,,\n", fl->p[i].name, fl->p[i].runs);
}

/* A histogram of 0.25 dB bins with the limits (and the region beyond them)
 * in red. */
static void histogram(FILE *f, const char *id, const char *title, const double *v, size_t n,
		      double lo, double hi)
{
	double ext[2] = { lo, hi }, bw = 0.25, counts[128], cmax = 1;
	struct plot_axis x = { .label = "dBm" }, y = { .min = 0, .label = "lanes" };
	struct plot p;
	size_t i, nb;

	plot_auto_range(&x, v, n, ext, 2);
	nb = (size_t)ceil((x.max - x.min) / bw);
	if (nb > 128)
		nb = 128;
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < n; i++) {
		double b = floor((v[i] - x.min) / bw);

		if (b >= 0 && b < (double)nb)
			counts[(size_t)b]++;
	}
	for (i = 0; i < nb; i++)
		cmax = fmax(cmax, counts[i]);
	y.max = cmax * 1.15;
	fprintf(f, "<figure>");
	plot_begin(&p, f, id, title, 330, 220, &x, &y);
	plot_band_x(&p, -INFINITY, lo, "#c0141b", 0.1);
	plot_band_x(&p, hi, INFINITY, "#c0141b", 0.1);
	plot_series_begin(&p, title, plot_color(0));
	for (i = 0; i < nb; i++)
		if (counts[i] > 0)
			plot_bar(&p, x.min + bw * (double)i, x.min + bw * (double)(i + 1),
				 counts[i], plot_color(0));
	plot_series_end(&p);
	if (isfinite(lo))
		plot_vline(&p, lo, "#c0141b", "6 3", "limit");
	if (isfinite(hi))
		plot_vline(&p, hi, "#c0141b", "6 3", "limit");
	plot_end(&p);
	fprintf(f, "<figcaption>%zu values in 0.25 dB bins</figcaption></figure>\n", n);
}

static void html(FILE *f, const struct fleet *fl)
{
	struct day_trend d[366];
	size_t i, nd;
	int kind;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
		"<title>bert fleet report</title><style>body{font-family:sans-serif;"
		"font-size:10pt;max-width:180mm;margin:auto}table{border-collapse:collapse}"
		"td,th{border:1px solid #bbb;padding:1px 4px}td.n{text-align:right}"
		"</style></head><body>\n<h1>Fleet report</h1>\n<p>%zu complete runs, %u "
		"not complete (not judged). Yield: modules by serial number; first pass = "
		"its first run in the group passed, final = its last run did; in brackets "
		"the 95 %% Wilson score interval.</p>\n", fl->n, fl->incomplete);
	for (kind = 0; kind < G_N; kind++) {
		fprintf(f, "<h2>Yield per %s</h2>\n<table class=\"yield\" data-view=\"%s\"><tr>"
			"<th>%s</th><th>runs</th><th>modules</th><th>first pass</th>"
			"<th>final</th></tr>\n", gnames[kind], gnames[kind], gnames[kind]);
		for (i = 0; i < fl->ng; i++) {
			const struct group *g = &fl->g[i];
			double a, al, ah, b, bl, bh;

			if (g->kind != kind)
				continue;
			wilson(g->first_pass, g->modules, &a, &al, &ah);
			wilson(g->final_pass, g->modules, &b, &bl, &bh);
			fprintf(f, "<tr><td>");
			plot_escape(f, g->name[0] ? g->name : "n/a");
			fprintf(f, "</td><td class=\"n\">%u</td><td class=\"n\">%u</td>"
				"<td class=\"n\">%.1f %% [%.1f, %.1f]</td><td class=\"n\">%.1f %% "
				"[%.1f, %.1f]</td></tr>\n", g->runs, g->modules, 100 * a, 100 * al,
				100 * ah, 100 * b, 100 * bl, 100 * bh);
		}
		fprintf(f, "</table>\n");
	}
	fprintf(f, "<h2>Pareto of failing measurements</h2>\n<table id=\"pareto\"><tr>"
		"<th>measurement</th><th>failed runs</th></tr>\n");
	for (i = 0; i < fl->np; i++) {
		fprintf(f, "<tr><td>");
		plot_escape(f, fl->p[i].name);
		fprintf(f, "</td><td class=\"n\">%u</td></tr>\n", fl->p[i].runs);
	}
	fprintf(f, "</table>\n<h2>Distributions (each module's last run, every lane)</h2>\n");
	histogram(f, "hist-sens", "Rx sensitivity OMA", fl->sens, fl->nsens, NAN,
		  fl->sens_limit);
	histogram(f, "hist-txoma", "Tx OMA", fl->txoma, fl->ntx, fl->tx_low, fl->tx_high);
	nd = trend(fl, d, sizeof(d) / sizeof(d[0]));
	fprintf(f, "<h2>Link margin trend (smallest lane of each run)</h2>\n<table id=\"trend\">"
		"<tr><th>day</th><th>runs</th><th>mean (dB)</th><th>u (dB)</th></tr>\n");
	for (i = 0; i < nd; i++) {
		double mean, sem;

		day_stats(&d[i], &mean, &sem);
		fprintf(f, "<tr><td>%s</td><td class=\"n\">%u</td><td class=\"n\">%.2f</td>",
			d[i].day, d[i].n, mean);
		if (isfinite(sem))
			fprintf(f, "<td class=\"n\">%.2f</td></tr>\n", sem);
		else
			fprintf(f, "<td>n/a (one run)</td></tr>\n");
	}
	fprintf(f, "</table>\n</body></html>\n");
}

int cmd_results_report(int argc, char **argv)
{
	enum { O_DB = 0x200, O_SINCE, O_UNTIL, O_STATION, O_PN, O_LOT, O_FORMAT };
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "db", required_argument, NULL, O_DB },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "station", required_argument, NULL, O_STATION },
		{ "pn", required_argument, NULL, O_PN },
		{ "lot", required_argument, NULL, O_LOT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *station = NULL, *pn = NULL, *lot = NULL, *fmt = "json";
	const char *file = NULL;
	struct store_filter filt = { 0 };
	struct store_run_summary *v = NULL;
	struct fleet fl = { 0 };
	struct results_db *rdb;
	struct cli_opts o = { 0 };
	int64_t until = 0;
	FILE *f = stdout;
	size_t n = 0, i;
	int c, rc, ret;

	argc--;
	argv++;
	cli_argv = argv;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "o:", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case O_DB: db = optarg; break;
		case O_SINCE:
			if ((rc = parse_time("--since", optarg, &filt.since_time)))
				return rc;
			break;
		case O_UNTIL:
			if ((rc = parse_time("--until", optarg, &until)))
				return rc;
			break;
		case O_STATION: station = optarg; break;
		case O_PN: pn = optarg; break;
		case O_LOT: lot = optarg; break;
		case O_FORMAT: fmt = optarg; break;
		case 'o': file = optarg; break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	cli_setup_logging(&o);
	if (optind != argc)
		return cli_usage_error("results report: unexpected argument '%s'", argv[optind]);
	if (strcmp(fmt, "json") && strcmp(fmt, "csv") && strcmp(fmt, "html"))
		return cli_usage_error("--format: '%s' is not html, json or csv", fmt);
	if (o.json)
		fmt = "json";
	if (file && strcmp(file, "-")) {
		f = fopen(file, "w");
		if (!f) {
			bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s", file, strerror(errno));
			return cli_error(BERT_ERR_CONFIG, "results report");
		}
	}
	rc = results_db_open_existing(db, &rdb);
	if (rc) {
		ret = cli_error(rc, "opening the results database");
		goto out_file;
	}
	rc = results_db_list(rdb, &filt, station, &v, &n);
	for (i = 0; !rc && i < n; i++) {
		struct qual_record rec;

		if ((until && v[i].wall_start >= until) || (pn && strcmp(v[i].pn, pn)))
			continue;
		rc = results_db_load(rdb, v[i].id, &rec);
		if (rc) {
			rc = bert_fail_ctx(rc, "run %lld", (long long)v[i].id);
			break;
		}
		if (!lot || !strcmp(rec.trace.lot, lot))
			rc = collect(&fl, &rec);
		qual_record_free(&rec);
	}
	if (!rc)
		rc = yields(&fl);
	if (!rc)
		rc = distributions(&fl, rdb);
	if (rc) {
		ret = cli_error(rc, "results report");
	} else {
		ret = EXIT_OK;
		if (!strcmp(fmt, "json")) {
			json_t *j = to_json(&fl);

			json_dumpf(j, f, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
			fputc('\n', f);
			json_decref(j);
		} else if (!strcmp(fmt, "csv")) {
			csv(f, &fl);
		} else {
			html(f, &fl);
		}
		if (fflush(f) != 0 || ferror(f))
			ret = cli_error(bert_fail(BERT_ERR_IO, "writing the report: %s",
						  strerror(errno)), "results report");
	}
	results_db_close(rdb);
	free(v);
	free(fl.r);
	free(fl.g);
	free(fl.p);
	free(fl.sens);
	free(fl.txoma);
out_file:
	if (f != stdout)
		fclose(f);
	return ret;
}
