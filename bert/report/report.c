// SPDX-License-Identifier: MIT
/* Report dispatch, the report directory, the JSON and text renderers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/core/figure.h"
#include "bert/qual/profile.h"
#include "bert/report/report.h"

static const char *const format_names[REPORT_NFORMATS] = {
	[REPORT_TEXT] = "text", [REPORT_JSON] = "json",
	[REPORT_JUNIT] = "junit", [REPORT_CSV] = "csv", [REPORT_HTML] = "html",
};
static const char *const file_names[REPORT_NFORMATS] = {
	[REPORT_TEXT] = "summary.txt", [REPORT_JSON] = "record.json",
	[REPORT_JUNIT] = "junit.xml", [REPORT_CSV] = "measurements.csv",
	[REPORT_HTML] = "report.html",
};

int report_format_parse(const char *s, enum report_format *fmt)
{
	int i;

	for (i = 0; s && i < REPORT_NFORMATS; i++)
		if (!strcmp(s, format_names[i])) {
			*fmt = (enum report_format)i;
			return BERT_OK;
		}
	return bert_fail(BERT_ERR_ARG, "'%s' is not a report format (text, json, "
			 "junit, csv, html)", s ? s : "");
}

const char *report_file_name(enum report_format fmt)
{
	return (unsigned)fmt < REPORT_NFORMATS ? file_names[fmt] : "report";
}

const char *report_num(double v, enum qual_scale scale, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "%s", "");
	else if (isinf(v))
		snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
	else if (scale == QUAL_SCALE_LOG10)
		snprintf(buf, size, "%.2e", v);
	else if (v != 0 && fabs(v) < 0.01)
		snprintf(buf, size, "%.3g", v);
	else
		snprintf(buf, size, "%.2f", v);
	return buf;
}

bool report_is_ratio(const struct qual_measurement *m)
{
	return m->lim.scale == QUAL_SCALE_LOG10 && !m->unit[0];
}

const char *report_value(const struct qual_measurement *m, char *buf, size_t size)
{
	double v = m->value;

	if (isnan(v) || (report_is_ratio(m) && !bert_fig_ratio_ok(v)))
		snprintf(buf, size, "n/a");
	else if (report_is_ratio(m) && v <= BERT_FIG_FLOOR)
		snprintf(buf, size, "< " BERT_FIG_FLOOR_TEXT);
	else
		report_num(v, m->lim.scale, buf, size);
	return buf;
}

const char *report_limits(const struct qual_limits *l, char *buf, size_t size)
{
	char a[32], b[32];

	report_num(l->low, l->scale, a, sizeof(a));
	report_num(l->high, l->scale, b, sizeof(b));
	if (a[0] && b[0])
		snprintf(buf, size, "[%s, %s]", a, b);
	else if (a[0])
		snprintf(buf, size, ">= %s", a);
	else if (b[0])
		snprintf(buf, size, "<= %s", b);
	else
		snprintf(buf, size, "%s", "");
	return buf;
}

static int finish(FILE *f)
{
	if (fflush(f) != 0 || ferror(f))
		return bert_fail(BERT_ERR_IO, "writing the report: %s", strerror(errno));
	return BERT_OK;
}

static int report_json(FILE *f, const struct qual_record *r)
{
	json_t *j = qual_record_to_json(r);
	int rc;

	if (!j)
		return bert_fail(BERT_ERR_NOMEM, "report: out of memory");
	rc = json_dumpf(j, f, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(j);
	if (rc != 0)
		return bert_fail(BERT_ERR_IO, "writing the JSON record");
	fputc('\n', f);
	return finish(f);
}

const char *report_verdict_label(const char *none, enum qual_verdict v)
{
	switch (v) {
	case QUAL_PASS: return "PASS";
	case QUAL_MARGINAL: return "MARGINAL";
	case QUAL_FAIL: return "FAIL";
	case QUAL_ERROR: return "ERROR";
	case QUAL_NONE: break;
	}
	return none;
}

/* Strings from a module's EEPROM go to a terminal: keep them printable. */
static const char *safe(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s && o + 1 < size; s++)
		buf[o++] = (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?';
	buf[o] = '\0';
	return buf;
}

struct counts {
	unsigned v[QUAL_FAIL + 1];
};

static void list_verdict(FILE *f, const struct qual_record *r, enum qual_verdict want,
			 const char *title)
{
	char val[32], lim[64], lane[16], s1[QUAL_MSG_MAX];
	bool any = false;
	size_t i, k;

	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		for (k = 0; k < s->nm; k++) {
			const struct qual_measurement *m = &s->m[k];

			if (m->verdict != want)
				continue;
			if (!any)
				fprintf(f, "\n%s:\n", title);
			any = true;
			if (m->lane)
				snprintf(lane, sizeof(lane), "lane %u", m->lane);
			else
				snprintf(lane, sizeof(lane), "module");
			fprintf(f, "  %-18s %-7s %-12s %10s %-5s %-18s %s\n", m->name, lane,
				s->name, report_value(m, val, sizeof(val)),
				m->unit, report_limits(&m->lim, lim, sizeof(lim)),
				safe(m->message, s1, sizeof(s1)));
		}
	}
}

/* Every measurement, passing or not: value, limits, margin to the nearest
 * limit (decades on a log scale), U (k = 2) and verdict; n/a = unmeasured. */
static void full_table(FILE *f, const struct qual_record *r)
{
	char v[32], lim[64], mg[32], u[32], lane[16], s1[QUAL_MSG_MAX];
	size_t i, k;

	fprintf(f, "\nMeasurements (margin: to the nearest limit, decades for BER/FLR; "
		"U at k = 2):\n");
	fprintf(f, "  %-12s %-20s %-6s %10s %-5s %-20s %8s %8s %-9s %s\n", "step", "name",
		"lane", "value", "unit", "limits", "margin", "U", "verdict", "method");
	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		for (k = 0; k < s->nm; k++) {
			const struct qual_measurement *m = &s->m[k];
			double d = report_margin(m);

			if (m->lane)
				snprintf(lane, sizeof(lane), "%u", m->lane);
			else
				snprintf(lane, sizeof(lane), "module");
			/* the floor and the physical range, as every report prints them */
			report_value(m, v, sizeof(v));
			report_num(d, QUAL_SCALE_LINEAR, mg, sizeof(mg));
			report_num(m->uncertainty, QUAL_SCALE_LINEAR, u, sizeof(u));
			fprintf(f, "  %-12s %-20s %-6s %10s %-5s %-20s %8s %8s %-9s %s",
				s->name, m->name, lane, v[0] ? v : "n/a", m->unit,
				report_limits(&m->lim, lim, sizeof(lim)),
				qual_limits_empty(&m->lim) ? "" : mg[0] ? mg : "n/a",
				u[0] ? u : "n/a", report_verdict_label("-", m->verdict),
				safe(m->method, s1, sizeof(s1)));
			/* an n/a value always says why (no light, not locked) */
			if (isnan(m->value) && m->message[0])
				fprintf(f, "  (%s)", safe(m->message, s1, sizeof(s1)));
			fputc('\n', f);
		}
	}
}

/* The sweep points of each lane (the waterfall as numbers). */
static void points_table(FILE *f, const struct qual_record *r)
{
	char a[32], b[32], c[32], d[32];
	unsigned l;
	size_t i, k;

	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		if (!s->npts)
			continue;
		fprintf(f, "\nWaterfall points (%s):\n", s->name);
		fprintf(f, "  %-4s %8s %10s %10s %14s %12s %10s %9s\n", "lane", "atten dB",
			"avg dBm", "OMA dBm", "bits", "errors", "BER", "time s");
		for (l = 0; l <= r->lanes; l++)
			for (k = 0; k < s->npts; k++) {
				const struct qual_point *p = &s->pts[k];

				if (p->lane != l)
					continue;
				report_num(p->atten_db, QUAL_SCALE_LINEAR, a, sizeof(a));
				report_num(p->power_dbm, QUAL_SCALE_LINEAR, b, sizeof(b));
				report_num(p->oma_dbm, QUAL_SCALE_LINEAR, c, sizeof(c));
				report_num(p->bits ? p->ber : NAN, QUAL_SCALE_LOG10, d, sizeof(d));
				fprintf(f, "  %-4u %8s %10s %10s %14llu %12llu %10s %9.3f\n",
					p->lane, a[0] ? a : "n/a", b[0] ? b : "n/a",
					c[0] ? c : "n/a", (unsigned long long)p->bits,
					(unsigned long long)p->errors, d[0] ? d : "n/a",
					(double)p->t_ns / 1e9);
			}
	}
}

int report_text(FILE *f, const struct qual_record *r)
{
	enum qual_verdict lv[PROFILE_MAX_LANES + 1];
	struct counts c[PROFILE_MAX_LANES + 1];
	unsigned lanes = r->lanes > PROFILE_MAX_LANES ? PROFILE_MAX_LANES : r->lanes;
	unsigned l, links;
	char t[40], a[QUAL_STR_MAX], b[QUAL_STR_MAX], d[QUAL_STR_MAX], e[QUAL_STR_MAX];
	char g[QUAL_STR_MAX], fx[QUAL_URI_MAX];
	size_t i, k;

	memset(c, 0, sizeof(c));
	qual_record_lane_verdicts(r, lv);
	for (i = 0; i < r->nsteps; i++)
		for (k = 0; k < r->steps[i]->nm; k++) {
			const struct qual_measurement *m = &r->steps[i]->m[k];

			c[m->lane <= lanes ? m->lane : 0].v[m->verdict]++;
		}

	fprintf(f, "Verdict: %s", report_verdict_label("-", r->verdict));
	if (r->status != QUAL_RUN_COMPLETE)
		fprintf(f, " (run %s%s%s)", qual_run_status_name(r->status),
			r->message[0] ? ": " : "", safe(r->message, fx, sizeof(fx)));
	fprintf(f, "\n");
	if (r->id)
		fprintf(f, "  run       %lld  %s\n", (long long)r->id, r->uuid);
	else
		fprintf(f, "  run       %s\n", r->uuid);
	fprintf(f, "  profile   %s  %s\n", safe(r->profile, a, sizeof(a)), r->profile_hash);
	fprintf(f, "  module    %s %s  rev %s  sn %s  fw %s\n",
		safe(r->dut.vendor, a, sizeof(a)), safe(r->dut.pn, b, sizeof(b)),
		safe(r->dut.rev, d, sizeof(d)), safe(r->dut.sn, e, sizeof(e)),
		safe(r->dut.firmware, g, sizeof(g)));
	fprintf(f, "  station   %s", r->station[0] ? safe(r->station, a, sizeof(a)) : "-");
	if (r->site)
		fprintf(f, "  site %u", r->site);
	if (r->fixture[0])
		fprintf(f, "  %s", safe(r->fixture, fx, sizeof(fx)));
	fprintf(f, "\n  started   %s  station time %.1f s  bert %s\n",
		qual_time_iso(r->wall_start, t, sizeof(t)), (double)r->station_ns / 1e9,
		r->bert_version);

	fprintf(f, "\n%-8s %-9s %5s %5s %5s %5s\n", "lane", "verdict", "pass",
		"marg", "fail", "error");
	for (l = 0; l <= lanes; l++) {
		char name[16];

		if (l == 0 && lv[0] == QUAL_NONE)
			continue;
		if (l)
			snprintf(name, sizeof(name), "%u", l);
		else
			snprintf(name, sizeof(name), "module");
		fprintf(f, "%-8s %-9s %5u %5u %5u %5u\n", name, report_verdict_label("-", lv[l]),
			c[l].v[QUAL_PASS], c[l].v[QUAL_MARGINAL], c[l].v[QUAL_FAIL],
			c[l].v[QUAL_ERROR]);
	}
	links = r->lanes_per_link ? lanes / r->lanes_per_link : 0;
	if (links > 1) {
		fprintf(f, "\n%-8s %-9s %s\n", "link", "verdict", "lanes");
		for (l = 1; l <= links; l++) {
			unsigned first = (l - 1) * r->lanes_per_link + 1;

			fprintf(f, "%-8u %-9s ", l,
				report_verdict_label("-", qual_verdict_link(lv, l, r->lanes_per_link)));
			if (r->lanes_per_link == 1)
				fprintf(f, "%u\n", first);
			else
				fprintf(f, "%u-%u\n", first, first + r->lanes_per_link - 1);
		}
	}
	list_verdict(f, r, QUAL_FAIL, "Failed");
	list_verdict(f, r, QUAL_ERROR, "Errors");
	list_verdict(f, r, QUAL_MARGINAL, "Marginal");

	full_table(f, r);
	points_table(f, r);

	fprintf(f, "\nSteps:\n");
	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		fprintf(f, "  %-16s %-8s %-9s %8.1f s .. %8.1f s  %zu measurements%s%s\n",
			s->name, qual_step_status_name(s->status), report_verdict_label("-", s->verdict),
			(double)s->start_ns / 1e9, (double)s->end_ns / 1e9, s->nm,
			s->message[0] ? "  " : "", safe(s->message, fx, sizeof(fx)));
	}
	return finish(f);
}

int report_write(FILE *f, enum report_format fmt, const struct qual_record *r)
{
	switch (fmt) {
	case REPORT_TEXT: return report_text(f, r);
	case REPORT_JSON: return report_json(f, r);
	case REPORT_JUNIT: return report_junit(f, r);
	case REPORT_CSV: return report_csv(f, r);
	case REPORT_HTML: return report_html(f, r);
	}
	return bert_fail(BERT_ERR_ARG, "bad report format %d", (int)fmt);
}

static int mkdir_p(const char *dir)
{
	char buf[1024], *p;

	if (strlen(dir) >= sizeof(buf))
		return bert_fail(BERT_ERR_CONFIG, "%s: path too long", dir);
	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return bert_fail(BERT_ERR_CONFIG, "%s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return bert_fail(BERT_ERR_CONFIG, "%s: %s", buf, strerror(errno));
	return BERT_OK;
}

int report_check_dir(const char *dir)
{
	char tmp[1240];
	FILE *f;
	int rc = mkdir_p(dir);

	if (rc)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s/.bert-probe.%d.tmp", dir, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return bert_fail(BERT_ERR_IO, "%s: cannot write there: %s", dir,
				 strerror(errno));
	rc = fclose(f);
	unlink(tmp);
	if (rc)
		return bert_fail(BERT_ERR_IO, "%s: cannot write there: %s", dir,
				 strerror(errno));
	return BERT_OK;
}

int report_write_dir(const char *dir, const struct qual_record *r)
{
	return report_write_dir_profile(dir, r, NULL);
}

int report_write_dir_profile(const char *dir, const struct qual_record *r,
			     const struct profile *p)
{
	char path[1200], tmp[1240];
	int i, rc;
	FILE *f;

	rc = mkdir_p(dir);
	if (rc)
		return rc;
	for (i = 0; i < REPORT_NFORMATS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, file_names[i]);
		snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, file_names[i], (int)getpid());
		f = fopen(tmp, "w");
		if (!f)	/* an output that cannot be written: the caller's path */
			return bert_fail(BERT_ERR_CONFIG, "%s: %s", tmp, strerror(errno));
		if (i == REPORT_HTML)
			rc = report_html_profile(f, r, p);
		else
			rc = report_write(f, (enum report_format)i, r);
		if (fclose(f) != 0 && !rc)
			rc = bert_fail(BERT_ERR_IO, "%s: %s", tmp, strerror(errno));
		if (!rc && rename(tmp, path) != 0)
			rc = bert_fail(BERT_ERR_IO, "%s: %s", path, strerror(errno));
		if (rc) {
			unlink(tmp);
			return bert_fail_ctx(rc, "%s", path);
		}
	}
	return BERT_OK;
}
