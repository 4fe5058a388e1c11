// SPDX-License-Identifier: MIT
/* JUnit XML report, the dialect CI servers read (Jenkins, GitLab, GitHub
 * actions): <testsuites> with one <testsuite> per step and one <testcase>
 * per measurement, named "NAME lane N" (or "NAME module"). A failed
 * measurement carries <failure>, an error <error>; a marginal one passes
 * with the reason in <system-out>. A step without measurements is one
 * testcase of its own, so a step that errored or was skipped still shows.
 *
 * Everything that comes from outside (module EEPROM strings, messages) is
 * escaped; bytes that XML 1.0 cannot carry (control characters, invalid
 * UTF-8) become '?', so the file always parses. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/report/report.h"

static void esc(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n;

		switch (*s) {
		case '&': fputs("&amp;", f); s++; continue;
		case '<': fputs("&lt;", f); s++; continue;
		case '>': fputs("&gt;", f); s++; continue;
		case '"': fputs("&quot;", f); s++; continue;
		case '\'': fputs("&apos;", f); s++; continue;
		case '\t': fputs("&#9;", f); s++; continue;
		case '\n': fputs("&#10;", f); s++; continue;
		case '\r': fputs("&#13;", f); s++; continue;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fputc('?', f);
			s++;
			continue;
		}
		n = qual_utf8_len(s);
		if (!n) {
			fputc('?', f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
}

static double secs(uint64_t a, uint64_t b)
{
	return b > a ? (double)(b - a) / 1e9 : 0.0;
}

static void prop(FILE *f, const char *name, const char *value)
{
	fputs("      <property name=\"", f);
	esc(f, name);
	fputs("\" value=\"", f);
	esc(f, value);
	fputs("\"/>\n", f);
}

static void testcase(FILE *f, const struct qual_record *r, const struct qual_step *s,
		     const struct qual_measurement *m)
{
	char val[32], lim[64], name[96];

	if (m->lane)
		snprintf(name, sizeof(name), "%s lane %u", m->name, m->lane);
	else
		snprintf(name, sizeof(name), "%s module", m->name);
	fputs("    <testcase classname=\"", f);
	esc(f, r->profile);
	fputc('.', f);
	esc(f, s->name);
	fputs("\" name=\"", f);
	esc(f, name);
	fputs("\" time=\"0\">\n", f);
	report_value(m, val, sizeof(val));
	report_limits(&m->lim, lim, sizeof(lim));
	if (m->verdict == QUAL_FAIL || m->verdict == QUAL_ERROR) {
		bool fail = m->verdict == QUAL_FAIL;

		fprintf(f, "      <%s message=\"", fail ? "failure" : "error");
		esc(f, m->message);
		fprintf(f, "\" type=\"%s\">", fail ? "fail" : "error");
		fputs("value ", f);
		esc(f, val);
		fputc(' ', f);
		esc(f, m->unit);
		fputs(", limits ", f);
		esc(f, lim[0] ? lim : "none");
		fputs(", method ", f);
		esc(f, m->method[0] ? m->method : "-");
		fprintf(f, "</%s>\n", fail ? "failure" : "error");
	} else {
		fputs("      <system-out>", f);
		if (m->verdict == QUAL_MARGINAL) {
			fputs("MARGINAL: ", f);
			esc(f, m->message);
			fputs("; ", f);
		}
		fputs("value ", f);
		esc(f, val);
		fputc(' ', f);
		esc(f, m->unit);
		fputs(", limits ", f);
		esc(f, lim[0] ? lim : "none");
		if (m->verdict == QUAL_PASS && isnan(m->value) && m->message[0]) {
			fputs(" (", f);
			esc(f, m->message);	/* why it is n/a: no light */
			fputc(')', f);
		}
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static void step_case(FILE *f, const struct qual_record *r, const struct qual_step *s)
{
	fputs("    <testcase classname=\"", f);
	esc(f, r->profile);
	fputc('.', f);
	esc(f, s->name);
	fputs("\" name=\"", f);
	esc(f, s->name);
	fprintf(f, "\" time=\"%.3f\">\n", secs(s->start_ns, s->end_ns));
	if (s->status == QUAL_STEP_SKIPPED) {
		fputs("      <skipped message=\"", f);
		esc(f, s->message);
		fputs("\"/>\n", f);
	} else if (s->verdict == QUAL_ERROR || s->verdict == QUAL_FAIL) {
		bool fail = s->verdict == QUAL_FAIL;

		fprintf(f, "      <%s message=\"", fail ? "failure" : "error");
		esc(f, s->message[0] ? s->message : qual_step_status_name(s->status));
		fprintf(f, "\" type=\"%s\"/>\n", qual_step_status_name(s->status));
	}
	fputs("    </testcase>\n", f);
}

int report_junit(FILE *f, const struct qual_record *r)
{
	unsigned tests = 0, failures = 0, errors = 0, skipped = 0;
	char t[40], num[32];
	size_t i, k;

	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];

		if (!s->nm) {
			tests++;
			skipped += s->status == QUAL_STEP_SKIPPED;
			failures += s->status != QUAL_STEP_SKIPPED && s->verdict == QUAL_FAIL;
			errors += s->status != QUAL_STEP_SKIPPED && s->verdict == QUAL_ERROR;
		}
		for (k = 0; k < s->nm; k++) {
			tests++;
			failures += s->m[k].verdict == QUAL_FAIL;
			errors += s->m[k].verdict == QUAL_ERROR;
		}
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bert ", f);
	esc(f, r->profile);
	fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
		"time=\"%.3f\">\n", tests, failures, errors, skipped,
		(double)r->station_ns / 1e9);
	for (i = 0; i < r->nsteps; i++) {
		const struct qual_step *s = r->steps[i];
		unsigned st = s->nm ? (unsigned)s->nm : 1, sf = 0, se = 0;

		for (k = 0; k < s->nm; k++) {
			sf += s->m[k].verdict == QUAL_FAIL;
			se += s->m[k].verdict == QUAL_ERROR;
		}
		if (!s->nm && s->status != QUAL_STEP_SKIPPED) {
			sf += s->verdict == QUAL_FAIL;
			se += s->verdict == QUAL_ERROR;
		}
		fputs("  <testsuite name=\"", f);
		esc(f, s->name);
		fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
			"time=\"%.3f\" timestamp=\"%s\" hostname=\"", st, sf, se,
			!s->nm && s->status == QUAL_STEP_SKIPPED ? 1u : 0u,
			secs(s->start_ns, s->end_ns),
			qual_time_iso(r->wall_start, t, sizeof(t)));
		esc(f, r->host);
		fputs("\">\n    <properties>\n", f);
		prop(f, "run.uuid", r->uuid);
		snprintf(num, sizeof(num), "%lld", (long long)r->id);
		prop(f, "run.id", num);
		prop(f, "run.verdict", qual_verdict_name(r->verdict));
		prop(f, "profile", r->profile);
		prop(f, "profile.hash", r->profile_hash);
		prop(f, "dut.vendor", r->dut.vendor);
		prop(f, "dut.pn", r->dut.pn);
		prop(f, "dut.sn", r->dut.sn);
		prop(f, "dut.firmware", r->dut.firmware);
		prop(f, "station", r->station);
		prop(f, "step.status", qual_step_status_name(s->status));
		fputs("    </properties>\n", f);
		if (!s->nm)
			step_case(f, r, s);
		for (k = 0; k < s->nm; k++)
			testcase(f, r, s, &s->m[k]);
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return bert_fail(BERT_ERR_IO, "writing the JUnit report: %s",
				 strerror(errno));
	return BERT_OK;
}
