// SPDX-License-Identifier: MIT
/* CSV report: RFC 4180, one row per measurement, a header row first. Text
 * fields are quoted when they hold a comma, quote or line break; a text field
 * that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe. Numbers are plain, NaN is an empty field. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/figure.h"
#include "bert/report/report.h"

static void field(FILE *f, const char *s)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', f);
	if (strchr("=+-@", s[0]) && s[0])
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

static void num(FILE *f, double v)
{
	char buf[40];

	if (isnan(v))
		return;
	if (isinf(v))
		fputs(v > 0 ? "inf" : "-inf", f);
	else {
		snprintf(buf, sizeof(buf), "%.10g", v);
		fputs(buf, f);
	}
}

/* A ratio outside 0..1 is n/a (an empty cell, as NaN), one below the
 * reporting floor the floor (bert/core/figure.h). */
static double csv_value(const struct qual_measurement *m)
{
	if (!report_is_ratio(m) || isnan(m->value))
		return m->value;
	return bert_fig_ratio(m->value, true, true);
}

int report_csv(FILE *f, const struct qual_record *r)
{
	size_t i, k;

	fputs("run_id,uuid,sn,profile,step,name,lane,value,unit,low,high,marginal,"
	      "uncertainty,guard,verdict,method,message\r\n", f);
	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		for (k = 0; k < s->nm; k++) {
			const struct qual_measurement *m = &s->m[k];

			fprintf(f, "%lld,", (long long)r->id);
			field(f, r->uuid);
			fputc(',', f);
			field(f, r->dut.sn);
			fputc(',', f);
			field(f, r->profile);
			fputc(',', f);
			field(f, s->name);
			fputc(',', f);
			field(f, m->name);
			fprintf(f, ",%u,", m->lane);
			num(f, csv_value(m));
			fputc(',', f);
			field(f, m->unit);
			fputc(',', f);
			num(f, m->lim.low);
			fputc(',', f);
			num(f, m->lim.high);
			fputc(',', f);
			num(f, m->lim.marginal);
			fputc(',', f);
			num(f, m->uncertainty);
			fprintf(f, ",%s,%s,", qual_guard_name(m->lim.guard),
				qual_verdict_name(m->verdict));
			field(f, m->method);
			fputc(',', f);
			field(f, m->message);
			fputs("\r\n", f);
		}
	}
	if (fflush(f) != 0 || ferror(f))
		return bert_fail(BERT_ERR_IO, "writing the CSV report: %s", strerror(errno));
	return BERT_OK;
}
