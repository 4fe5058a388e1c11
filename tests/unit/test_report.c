// SPDX-License-Identifier: MIT
/* bert/report: text summary, CSV, JUnit XML (escaping; the CLI test parses
 * it with a real XML parser), JSON, and the report directory. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/report/report.h"
#include "common.h"
#include "qual_sample.h"

static char *render(enum report_format fmt, const struct qual_record *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(report_write(f, fmt, r), BERT_OK);
	fclose(f);
	return buf;
}

static unsigned occurrences(const char *s, const char *what)
{
	unsigned n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s += strlen(what);
	}
	return n;
}

START_TEST(test_text)
{
	struct qual_record r;
	char *t;

	sample_record(&r);
	r.id = 7;
	t = render(REPORT_TEXT, &r);
	ck_assert_msg(strstr(t, "Verdict: FAIL\n"), "%s", t);
	ck_assert(strstr(t, "run       7  "));
	ck_assert(strstr(t, "profile   400gbase-dr4  fnv1a64:0123456789abcdef"));
	/* the lane table: lane 3 and 4 fail, 2 is marginal, module errors */
	ck_assert_msg(strstr(t, "3        FAIL"), "%s", t);
	ck_assert(strstr(t, "2        MARGINAL"));
	ck_assert(strstr(t, "module   ERROR"));
	/* failing measurements are named, with value and limits */
	ck_assert(strstr(t, "Failed:\n  pre_fec_ber        lane 3  ber"));
	ck_assert(strstr(t, "3.10e-03"));
	ck_assert(strstr(t, "<= 2.40e-04"));
	ck_assert(strstr(t, "rx_power_avg       lane 4"));
	ck_assert(strstr(t, "Errors:\n  case_temperature   module"));
	ck_assert(strstr(t, "Marginal:\n  tx_power_avg       lane 2"));
	ck_assert(strstr(t, "sensitivity      skipped"));
	/* terminal-safe: the control byte and the bad UTF-8 byte are gone */
	ck_assert_ptr_null(strchr(t, '\x01'));
	ck_assert_ptr_null(strchr(t, '\xff'));
	ck_assert_ptr_null(strstr(t, "link "));	/* one link: no link table */
	free(t);
	/* a breakout shows a verdict per link */
	r.lanes_per_link = 1;
	t = render(REPORT_TEXT, &r);
	ck_assert_msg(strstr(t, "link     verdict   lanes\n1        ERROR     1\n"), "%s", t);
	ck_assert(strstr(t, "3        FAIL      3\n"));
	free(t);
	qual_record_free(&r);
}
END_TEST

START_TEST(test_csv)
{
	struct qual_record r;
	char *t, *line;

	sample_record(&r);
	t = render(REPORT_CSV, &r);
	ck_assert_uint_eq(occurrences(t, "\r\n"), SAMPLE_MEASUREMENTS + 1);
	ck_assert(!strncmp(t, "run_id,uuid,sn,profile,step,name,lane,value,", 44));
	/* "=SN,0001": quoted for the comma, defused for spreadsheets */
	ck_assert_msg(strstr(t, ",\"'=SN,0001\",400gbase-dr4,"), "%s", t);
	line = strstr(t, ",ber,pre_fec_ber,3,");
	ck_assert_ptr_nonnull(line);
	ck_assert(!strncmp(line, ",ber,pre_fec_ber,3,0.0031,,,0.00024,0.3,,marginal,fail,", 55));
	ck_assert(strstr(t, ",rx_power_avg,4,-inf,dBm,-5.9,4,0,,marginal,fail,dom,"));
	ck_assert(strstr(t, ",case_temperature,0,,degC,,,0,,marginal,error,,"
			 "DOM read failed: NACK <page 11h> & retry\r\n"));
	free(t);
	qual_record_free(&r);
}
END_TEST

START_TEST(test_junit)
{
	struct qual_record r;
	char *t;

	sample_record(&r);
	t = render(REPORT_JUNIT, &r);
	ck_assert(!strncmp(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39));
	/* one testcase per measurement, plus one per step without any */
	ck_assert_uint_eq(occurrences(t, "<testcase "), SAMPLE_MEASUREMENTS + 2);
	ck_assert_uint_eq(occurrences(t, "<testsuite "), 6);
	ck_assert_uint_eq(occurrences(t, "<failure "), SAMPLE_FAILURES);
	ck_assert_uint_eq(occurrences(t, "<error "), SAMPLE_ERRORS);
	ck_assert_uint_eq(occurrences(t, "<skipped "), 1);
	ck_assert_uint_eq(occurrences(t, "MARGINAL: "), SAMPLE_MARGINALS);
	ck_assert_msg(strstr(t, "<testsuites name=\"bert 400gbase-dr4\" tests=\"16\" "
			     "failures=\"2\" errors=\"1\" skipped=\"1\""), "%s", t);
	ck_assert(strstr(t, "name=\"pre_fec_ber lane 3\""));
	ck_assert(strstr(t, "value=\"A&amp;B &lt;Optics&gt; &quot;Q&quot;??\""));
	ck_assert(strstr(t, "NACK &lt;page 11h&gt; &amp; retry"));
	ck_assert_ptr_null(strchr(t, '\x01'));
	ck_assert_ptr_null(strchr(t, '\xff'));
	free(t);
	qual_record_free(&r);
}
END_TEST

/* Ratios read from a record (an older store, an import) that are below the
 * reporting floor or impossible: every report prints "< 1e-15" or "n/a"
 * and stores the floor or null, never 5.5e-127 or 2.125. */
START_TEST(test_ratio_figures)
{
	struct qual_measurement *m = NULL;
	struct qual_record r;
	struct qual_step *s = NULL;
	char *t, buf[32];
	json_t *j, *ms;
	size_t i;

	sample_record(&r);
	for (i = 0; i < r.nsteps; i++)
		if (!strcmp(r.steps[i]->name, "ber"))
			s = r.steps[i];
	ck_assert_ptr_nonnull(s);
	m = s->m;
	ck_assert_str_eq(m[0].name, "pre_fec_ber");
	m[0].value = 5.5e-127;
	m[1].value = 2.125;
	m[1].verdict = QUAL_ERROR;
	m[2].value = NAN;
	m[2].verdict = QUAL_ERROR;
	s->pts[0].bits = 0;
	ck_assert_str_eq(report_value(&m[0], buf, sizeof(buf)), "< 1e-15");
	ck_assert_str_eq(report_value(&m[1], buf, sizeof(buf)), "n/a");
	ck_assert_str_eq(report_value(&m[2], buf, sizeof(buf)), "n/a");
	ck_assert_str_eq(report_value(&m[3], buf, sizeof(buf)), "8.00e-06");
	m[3].value = -1e-9;
	ck_assert_str_eq(report_value(&m[3], buf, sizeof(buf)), "n/a");
	m[3].value = 8e-6;

	t = render(REPORT_TEXT, &r);
	ck_assert_msg(strstr(t, "pre_fec_ber        lane 2  ber                 n/a"), "%s", t);
	ck_assert(strstr(t, "pre_fec_ber        lane 3  ber                 n/a"));
	ck_assert_ptr_null(strstr(t, "nan"));
	/* the full measurement table too */
	ck_assert_msg(strstr(t, "pre_fec_ber          1         < 1e-15"), "%s", t);
	ck_assert_ptr_null(strstr(t, "e-127"));
	ck_assert_ptr_null(strstr(t, "2.12"));
	free(t);
	t = render(REPORT_CSV, &r);
	ck_assert_msg(strstr(t, ",ber,pre_fec_ber,1,1e-15,,"), "%s", t);
	ck_assert(strstr(t, ",ber,pre_fec_ber,2,,,"));
	ck_assert_ptr_null(strstr(t, "e-127"));
	ck_assert_ptr_null(strstr(t, "2.125"));
	free(t);
	t = render(REPORT_JUNIT, &r);
	ck_assert_msg(strstr(t, "value &lt; 1e-15 ,"), "%s", t);
	ck_assert(strstr(t, "value n/a ,"));
	ck_assert_ptr_null(strstr(t, "e-127"));
	ck_assert_ptr_null(strstr(t, "value none"));
	free(t);
	t = render(REPORT_HTML, &r);
	ck_assert_msg(strstr(t, "<td class=\"n\">&lt; 1e-15</td>"), "%s", t);
	ck_assert(strstr(t, "<td class=\"n\">n/a</td>"));
	ck_assert_ptr_null(strstr(t, "e-127"));
	ck_assert_ptr_null(strstr(t, "2.125"));
	free(t);
	t = render(REPORT_JSON, &r);
	ck_assert_ptr_null(strstr(t, "e-127"));
	ck_assert_ptr_null(strstr(t, "2.125"));
	free(t);
	j = qual_step_to_json(s);
	ms = json_object_get(j, "measurements");
	ck_assert_double_eq(json_real_value(json_object_get(json_array_get(ms, 0), "value")),
			    1e-15);
	ck_assert(json_is_null(json_object_get(json_array_get(ms, 1), "value")));
	ck_assert(json_is_null(json_object_get(json_array_get(ms, 2), "value")));
	ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(j, "points"), 0),
					       "ber")));
	json_decref(j);
	qual_record_free(&r);
}
END_TEST

START_TEST(test_json_and_dir)
{
	struct qual_record r, back;
	char dir[64], path[128];
	json_error_t jerr;
	struct stat st;
	json_t *j;
	char *t;
	int i;

	sample_record(&r);
	t = render(REPORT_JSON, &r);
	j = json_loads(t, 0, &jerr);
	ck_assert_msg(j != NULL, "%s", jerr.text);
	ck_assert_int_eq(qual_record_from_json(j, &back), BERT_OK);
	ck_assert_int_eq(back.verdict, QUAL_FAIL);
	qual_record_free(&back);
	json_decref(j);
	free(t);

	snprintf(dir, sizeof(dir), "/tmp/bert-report-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b", dir);
	ck_assert_int_eq(report_write_dir(path, &r), BERT_OK);
	for (i = 0; i < REPORT_NFORMATS; i++) {
		snprintf(path, sizeof(path), "%s/a/b/%s", dir,
			 report_file_name((enum report_format)i));
		ck_assert_msg(stat(path, &st) == 0 && st.st_size > 100, "%s", path);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
	ck_assert_int_eq(report_write_dir("/proc/nonesuch/x", &r), BERT_ERR_CONFIG);
	qual_record_free(&r);

	{
		enum report_format fmt;

		ck_assert_int_eq(report_format_parse("junit", &fmt), BERT_OK);
		ck_assert_int_eq(fmt, REPORT_JUNIT);
		ck_assert_int_eq(report_format_parse("xml", &fmt), BERT_ERR_ARG);
	}
}
END_TEST

/* The HTML certificate of the sample record: markup and bytes from the
 * module escaped, unmeasured values n/a, every measurement a table row,
 * the plots closed; an empty record renders too. (The CLI test parses real
 * runs' certificates with an HTML and an XML parser.) */
START_TEST(test_html)
{
	struct qual_record r;
	char *t;
	size_t i, k;

	sample_record(&r);
	t = render(REPORT_HTML, &r);
	ck_assert_msg(!strncmp(t, "<!DOCTYPE html>\n", 16), "%.40s", t);
	ck_assert(strstr(t, "</html>\n"));
	ck_assert(strstr(t, "A&amp;B &lt;Optics&gt; &quot;Q&quot;??"));
	ck_assert_ptr_null(strstr(t, "<Optics>"));
	ck_assert_ptr_null(strchr(t, '\x01'));
	ck_assert_ptr_null(strchr(t, '\xff'));
	ck_assert(strstr(t, "NACK &lt;page 11h&gt; &amp; retry"));
	ck_assert(strstr(t, "INA226 &quot;shunt&quot; 1 %"));
	ck_assert(strstr(t, "data-verdict=\"fail\""));
	ck_assert(strstr(t, "class=\"banner v-fail\""));
	/* every measurement a row */
	for (i = 0, k = 0; i < r.nsteps; i++)
		k += r.steps[i]->nm;
	ck_assert_uint_eq(occurrences(t, "<tr class=\"m\""), k);
	/* NaN and -inf values as words, never as numbers */
	ck_assert(strstr(t, "<td class=\"n\">n/a</td>"));
	ck_assert(strstr(t, "<td class=\"n\">-inf</td>"));
	ck_assert_ptr_null(strstr(t, "nan"));
	/* the sweep points of the ber step: the finite one is a mark in its
	 * lane's plot and in the overlay; -inf dBm is in the table only; and
	 * the four lanes' tx_power_avg in their chart */
	ck_assert_uint_eq(occurrences(t, "class=\"mark\""), 2 + 4);
	ck_assert_uint_eq(occurrences(t, "<tr class=\"pt\">"), 2);
	ck_assert_uint_eq(occurrences(t, "<svg "), occurrences(t, "</svg>"));
	/* traceability without data says n/a; the profile is found by name, its
	 * hash differs from the sample's: said so */
	ck_assert(strstr(t, "<td>operator</td><td>n/a</td>"));
	ck_assert(strstr(t, "has changed since the run") || strstr(t, "is not installed here"));
	free(t);
	qual_record_free(&r);

	/* an empty record: no steps, no lanes */
	qual_record_init(&r, "0.1.0-test");
	t = render(REPORT_HTML, &r);
	ck_assert(strstr(t, "No sweep points in this run"));
	ck_assert(strstr(t, "NOT JUDGED"));
	ck_assert_uint_eq(occurrences(t, "<svg "), 0);
	free(t);
	qual_record_free(&r);
}
END_TEST

Suite *suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");

	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_junit);
	tcase_add_test(tc, test_ratio_figures);
	tcase_add_test(tc, test_json_and_dir);
	tcase_add_test(tc, test_html);
	suite_add_tcase(s, tc);
	return s;
}
