/* SPDX-License-Identifier: MIT */
/* Renderers of a run record: a text summary for people, the JSON record,
 * JUnit XML for CI consumers (one testcase per measurement) and CSV (one row
 * per measurement). Every renderer takes a finished or partial record (a run
 * loaded back from the store renders the same as the live one) and returns
 * BERT_OK or BERT_ERR_IO when the stream failed. */
#ifndef BERT_REPORT_REPORT_H
#define BERT_REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "bert/qual/record.h"

struct profile;

enum report_format {
	REPORT_TEXT = 0,
	REPORT_JSON,
	REPORT_JUNIT,
	REPORT_CSV,
	REPORT_HTML,
};
#define REPORT_NFORMATS 5

/* "text", "json", "junit", "csv", "html" */
int report_format_parse(const char *s, enum report_format *fmt);
/* The stable file name report_write_dir() uses: "summary.txt",
 * "record.json", "junit.xml", "measurements.csv", "report.html". */
const char *report_file_name(enum report_format fmt);
/* A verdict as the reports print it ("PASS", ...); `none` for one not judged. */
const char *report_verdict_label(const char *none, enum qual_verdict v);

int report_text(FILE *f, const struct qual_record *r);
int report_junit(FILE *f, const struct qual_record *r);
int report_csv(FILE *f, const struct qual_record *r);
/* The self-contained HTML certificate (bert/report/html.c). The profile
 * names the limits that were not tested; NULL loads the record's profile
 * by name and uses it when its hash is the run's. */
int report_html(FILE *f, const struct qual_record *r);
int report_html_profile(FILE *f, const struct qual_record *r, const struct profile *p);
/* Distance of a measurement to its nearest limit, positive inside (decades
 * on a log scale); NAN without value or limits. */
double report_margin(const struct qual_measurement *m);
int report_write(FILE *f, enum report_format fmt, const struct qual_record *r);
/* Writes every format into dir (created when missing) under the stable
 * names, each through a temporary file and rename(), so a reader never sees
 * half a report. */
int report_write_dir(const char *dir, const struct qual_record *r);
/* The same with the run's profile for the HTML report (may be NULL). */
int report_write_dir_profile(const char *dir, const struct qual_record *r,
			     const struct profile *p);
/* Creates dir when missing and proves a file can be written there (and
 * removed): a run checks its outputs before it touches the module. */
int report_check_dir(const char *dir);

/* A value as reports print it: "-1.23" (linear), "2.40e-04" (log10 scale),
 * "inf", "-inf", "" for NaN. */
const char *report_num(double v, enum qual_scale scale, char *buf, size_t size);
/* A measurement's value as reports print it (bert/core/figure.h): "n/a"
 * when it was not measured (NaN) or is a ratio (log10 scale, no unit)
 * outside 0..1, "< 1e-15" for a ratio at or below the reporting floor,
 * else report_num(). */
const char *report_value(const struct qual_measurement *m, char *buf, size_t size);
/* Whether m is a ratio (BER, FLR: log10 scale without a unit). */
bool report_is_ratio(const struct qual_measurement *m);
/* "[-0.80, 4.20]", "<= -4.40", ">= 0.00", "" for no limits. */
const char *report_limits(const struct qual_limits *l, char *buf, size_t size);

#endif
