// SPDX-License-Identifier: MIT
/* The run record: building it, verdicts over it, and its JSON form
 * (bert/qual/RECORD.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/core/figure.h"
#include "bert/qual/profile.h"
#include "bert/qual/record.h"

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void make_uuid(char *out)
{
	unsigned char b[16];
	size_t i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		/* no entropy source: time, pid and address still make it unique
		 * enough for a record id on one station */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
		uintptr_t a = (uintptr_t)out;

		memcpy(b, &t, 8);
		memset(b + 8, 0, 8);
		memcpy(b + 8, &a, sizeof(a) < 8 ? sizeof(a) : 8);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	for (i = 0; i < 16; i++)
		sprintf(out + 2 * i + (i >= 4) + (i >= 6) + (i >= 8) + (i >= 10),
			"%02x", b[i]);
	out[8] = out[13] = out[18] = out[23] = '-';
	out[36] = '\0';
}

void qual_record_init(struct qual_record *r, const char *bert_version)
{
	memset(r, 0, sizeof(*r));
	r->schema = QUAL_RECORD_SCHEMA;
	make_uuid(r->uuid);
	copy(r->bert_version, sizeof(r->bert_version), bert_version);
	r->status = QUAL_RUN_RUNNING;
	r->verdict = QUAL_NONE;
	r->wall_start = (int64_t)time(NULL);
	if (gethostname(r->host, sizeof(r->host) - 1) != 0)
		copy(r->host, sizeof(r->host), "localhost");
	r->pid = (int)getpid();
}

static void step_free(struct qual_step *s)
{
	if (!s)
		return;
	free(s->m);
	free(s->pts);
	free(s);
}

void qual_record_free(struct qual_record *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nsteps; i++)
		step_free(r->steps[i]);
	free(r->steps);
	r->steps = NULL;
	r->nsteps = r->cap_steps = 0;
}

void qual_record_set_profile(struct qual_record *r, const struct profile *p)
{
	copy(r->profile, sizeof(r->profile), p->name);
	copy(r->profile_hash, sizeof(r->profile_hash), p->hash);
	r->lanes = p->lanes;
	r->lanes_per_link = p->lanes_per_link;
}

static int grow(void **v, size_t *cap, size_t n, size_t elem)
{
	size_t nc;
	void *nv;

	if (n < *cap)
		return BERT_OK;
	nc = *cap ? *cap * 2 : 8;
	nv = realloc(*v, nc * elem);
	if (!nv)
		return bert_fail(BERT_ERR_NOMEM, "record: out of memory");
	*v = nv;
	*cap = nc;
	return BERT_OK;
}

struct qual_step *qual_record_step_begin(struct qual_record *r, const char *name,
					 uint64_t start_ns)
{
	struct qual_step *s;

	if (grow((void **)&r->steps, &r->cap_steps, r->nsteps, sizeof(*r->steps)))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		bert_fail(BERT_ERR_NOMEM, "record: out of memory");
		return NULL;
	}
	copy(s->name, sizeof(s->name), name);
	s->status = QUAL_STEP_RUNNING;
	s->verdict = QUAL_NONE;
	s->start_ns = start_ns;
	r->steps[r->nsteps++] = s;
	return s;
}

int qual_step_add(struct qual_step *s, const struct qual_measurement *m)
{
	int rc = grow((void **)&s->m, &s->cap_m, s->nm, sizeof(*s->m));

	if (rc)
		return rc;
	s->m[s->nm++] = *m;
	s->verdict = qual_verdict_worst(s->verdict, m->verdict);
	return BERT_OK;
}

int qual_step_add_point(struct qual_step *s, const struct qual_point *pt)
{
	int rc = grow((void **)&s->pts, &s->cap_p, s->npts, sizeof(*s->pts));

	if (rc)
		return rc;
	s->pts[s->npts++] = *pt;
	return BERT_OK;
}

static enum qual_verdict step_verdict(const struct qual_step *s)
{
	enum qual_verdict v = qual_verdict_of(s->m, s->nm);

	if (s->status == QUAL_STEP_SKIPPED)
		return QUAL_NONE;
	if (s->status == QUAL_STEP_ERROR || s->status == QUAL_STEP_ABORTED ||
	    s->status == QUAL_STEP_RUNNING)
		v = qual_verdict_worst(v, QUAL_ERROR);
	else if (v == QUAL_NONE)
		v = QUAL_PASS;	/* a step with nothing to judge that ran through */
	return v;
}

void qual_step_end(struct qual_step *s, enum qual_step_status status,
		   uint64_t end_ns, const char *message)
{
	s->status = status;
	s->end_ns = end_ns;
	if (message)
		copy(s->message, sizeof(s->message), message);
	s->verdict = step_verdict(s);
}

enum qual_verdict qual_record_verdict(const struct qual_record *r)
{
	enum qual_verdict v = QUAL_NONE;
	size_t i;

	for (i = 0; i < r->nsteps; i++)
		v = qual_verdict_worst(v, r->steps[i]->status == QUAL_STEP_RUNNING ?
				       qual_verdict_of(r->steps[i]->m, r->steps[i]->nm) :
				       r->steps[i]->verdict);
	return v;
}

void qual_record_finish(struct qual_record *r, enum qual_run_status status,
			uint64_t station_ns, const char *message)
{
	enum qual_verdict v = qual_record_verdict(r);

	if (status != QUAL_RUN_COMPLETE)
		v = qual_verdict_worst(v, QUAL_ERROR);
	r->status = status;
	r->verdict = v;
	r->station_ns = station_ns;
	r->wall_end = (int64_t)time(NULL);
	if (message)
		copy(r->message, sizeof(r->message), message);
}

void qual_record_lane_verdicts(const struct qual_record *r, enum qual_verdict *out)
{
	enum qual_verdict tmp[PROFILE_MAX_LANES + 1];
	unsigned l, lanes = r->lanes > PROFILE_MAX_LANES ? PROFILE_MAX_LANES : r->lanes;
	size_t i;

	for (l = 0; l <= lanes; l++)
		out[l] = QUAL_NONE;
	for (i = 0; i < r->nsteps; i++) {
		qual_verdict_by_lane(r->steps[i]->m, r->steps[i]->nm, lanes, tmp);
		for (l = 0; l <= lanes; l++)
			out[l] = qual_verdict_worst(out[l], tmp[l]);
	}
}

/* ---- names ---- */

static const char *const step_status_names[] = {
	[QUAL_STEP_RUNNING] = "running", [QUAL_STEP_DONE] = "done",
	[QUAL_STEP_SKIPPED] = "skipped", [QUAL_STEP_ERROR] = "error",
	[QUAL_STEP_ABORTED] = "aborted",
};
static const char *const run_status_names[] = {
	[QUAL_RUN_RUNNING] = "running", [QUAL_RUN_COMPLETE] = "complete",
	[QUAL_RUN_ABORTED] = "aborted", [QUAL_RUN_ERROR] = "error",
};
#define NNAMES(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *qual_step_status_name(enum qual_step_status s)
{
	return (int)s >= 0 && (int)s < NNAMES(step_status_names) ?
		step_status_names[s] : "?";
}

int qual_step_status_parse(const char *s, enum qual_step_status *out)
{
	int i;

	for (i = 0; s && i < NNAMES(step_status_names); i++)
		if (!strcmp(s, step_status_names[i])) {
			*out = (enum qual_step_status)i;
			return BERT_OK;
		}
	return bert_fail(BERT_ERR_PROTOCOL, "'%s' is not a step status",
			 s ? s : "(null)");
}

const char *qual_run_status_name(enum qual_run_status s)
{
	return (int)s >= 0 && (int)s < NNAMES(run_status_names) ?
		run_status_names[s] : "?";
}

int qual_run_status_parse(const char *s, enum qual_run_status *out)
{
	int i;

	for (i = 0; s && i < NNAMES(run_status_names); i++)
		if (!strcmp(s, run_status_names[i])) {
			*out = (enum qual_run_status)i;
			return BERT_OK;
		}
	return bert_fail(BERT_ERR_PROTOCOL, "'%s' is not a run status",
			 s ? s : "(null)");
}

const char *qual_time_iso(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "%lld", (long long)t);
	return buf;
}

int qual_time_parse(const char *s, int64_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (!end || (end[0] && strcmp(end, "Z")))
		return bert_fail(BERT_ERR_PROTOCOL, "'%s' is not a UTC time "
				 "(YYYY-MM-DD[THH:MM:SSZ])", s);
	*t = (int64_t)timegm(&tm);
	return BERT_OK;
}

/* ---- JSON ---- */

size_t qual_utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return n;
}

/* JSON strings must be UTF-8; module EEPROM strings need not be. Bytes that
 * do not form UTF-8 become '?', so a record never loses a whole object to
 * one bad byte. */
static json_t *jstr(const char *s)
{
	char buf[QUAL_URI_MAX + QUAL_RUN_MSG_MAX];
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t o = 0, n;

	while (*p && o + 5 < sizeof(buf)) {
		n = qual_utf8_len(p);
		if (!n) {
			buf[o++] = '?';
			p++;
			continue;
		}
		memcpy(buf + o, p, n);
		o += n;
		p += n;
	}
	buf[o] = '\0';
	return json_string(buf);
}

/* NaN -> null, +-inf -> "inf" / "-inf" (JSON has no infinities). */
static json_t *jnum(double v)
{
	if (isnan(v))
		return json_null();
	if (isinf(v))
		return json_string(v > 0 ? "inf" : "-inf");
	return json_real(v);
}

static int get_num(const json_t *j, const char *key, double *out, bool required)
{
	const json_t *v = json_object_get(j, key);
	const char *s;

	if (!v || json_is_null(v)) {
		if (required && !v)
			return bert_fail(BERT_ERR_PROTOCOL, "%s: missing", key);
		*out = NAN;
		return BERT_OK;
	}
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return BERT_OK;
	}
	s = json_string_value(v);
	if (s && !strcmp(s, "inf")) {
		*out = INFINITY;
		return BERT_OK;
	}
	if (s && !strcmp(s, "-inf")) {
		*out = -INFINITY;
		return BERT_OK;
	}
	return bert_fail(BERT_ERR_PROTOCOL, "%s: not a number", key);
}

static int get_str(const json_t *j, const char *key, char *out, size_t size,
		   bool required)
{
	const json_t *v = json_object_get(j, key);
	const char *s;

	if (!v || json_is_null(v)) {
		if (required)
			return bert_fail(BERT_ERR_PROTOCOL, "%s: missing", key);
		out[0] = '\0';
		return BERT_OK;
	}
	s = json_string_value(v);
	if (!s)
		return bert_fail(BERT_ERR_PROTOCOL, "%s: not a string", key);
	if (strlen(s) >= size)
		return bert_fail(BERT_ERR_PROTOCOL, "%s: longer than %zu bytes", key,
				 size - 1);
	memcpy(out, s, strlen(s) + 1);
	return BERT_OK;
}

static int get_int(const json_t *j, const char *key, long long min,
		   long long max, long long *out, bool required)
{
	const json_t *v = json_object_get(j, key);

	if (!v || json_is_null(v)) {
		if (required)
			return bert_fail(BERT_ERR_PROTOCOL, "%s: missing", key);
		*out = 0;
		return BERT_OK;
	}
	if (!json_is_integer(v))
		return bert_fail(BERT_ERR_PROTOCOL, "%s: not an integer", key);
	*out = json_integer_value(v);
	if (*out < min || *out > max)
		return bert_fail(BERT_ERR_PROTOCOL, "%s: %lld out of range", key, *out);
	return BERT_OK;
}

/* What the record stores as a measurement's value: a ratio (log10 scale,
 * no unit: BER, FLR) only in 0..1 and not below the reporting floor
 * (bert/core/figure.h), whatever the record was read from. */
static double stored_value(const struct qual_measurement *m)
{
	if (m->lim.scale != QUAL_SCALE_LOG10 || m->unit[0] || isnan(m->value))
		return m->value;
	return bert_fig_ratio(m->value, true, true);
}

static json_t *qual_measurement_to_json(const struct qual_measurement *m)
{
	json_t *j = json_object();

	json_object_set_new(j, "name", jstr(m->name));
	json_object_set_new(j, "lane", json_integer(m->lane));
	json_object_set_new(j, "value", jnum(stored_value(m)));
	json_object_set_new(j, "unit", jstr(m->unit));
	json_object_set_new(j, "low", jnum(m->lim.low));
	json_object_set_new(j, "high", jnum(m->lim.high));
	json_object_set_new(j, "marginal", jnum(m->lim.marginal));
	json_object_set_new(j, "guard", json_string(qual_guard_name(m->lim.guard)));
	json_object_set_new(j, "scale", json_string(qual_scale_name(m->lim.scale)));
	json_object_set_new(j, "uncertainty", jnum(m->uncertainty));
	json_object_set_new(j, "method", jstr(m->method));
	json_object_set_new(j, "verdict", json_string(qual_verdict_name(m->verdict)));
	json_object_set_new(j, "message", jstr(m->message));
	if (m->nucomp) {
		json_t *a = json_array();
		unsigned i;

		for (i = 0; i < m->nucomp && i < QUAL_UCOMP_MAX; i++) {
			const struct qual_ucomp *c = &m->ucomp[i];
			char t[2] = { c->type ? c->type : 'B', 0 };

			json_array_append_new(a, json_pack("{s:o, s:o, s:s, s:o}",
				"source", jstr(c->source), "u", jnum(c->u), "type", t,
				"note", jstr(c->note)));
		}
		json_object_set_new(j, "uncertainty_budget", a);
	}
	return j;
}

/* "uncertainty_budget" (optional): up to QUAL_UCOMP_MAX components. */
static int get_budget(const json_t *j, struct qual_measurement *m)
{
	const json_t *a = json_object_get(j, "uncertainty_budget"), *c;
	char t[4];
	size_t i;
	int rc;

	if (!a || json_is_null(a))
		return BERT_OK;
	if (!json_is_array(a) || json_array_size(a) > QUAL_UCOMP_MAX)
		return bert_fail(BERT_ERR_PROTOCOL, "uncertainty_budget: not an array of "
				 "up to %d components", QUAL_UCOMP_MAX);
	json_array_foreach(a, i, c) {
		struct qual_ucomp *u = &m->ucomp[i];

		if (!json_is_object(c))
			return bert_fail(BERT_ERR_PROTOCOL, "uncertainty_budget[%zu]: not an "
					 "object", i);
		if ((rc = get_str(c, "source", u->source, sizeof(u->source), true)) ||
		    (rc = get_num(c, "u", &u->u, true)) ||
		    (rc = get_str(c, "type", t, sizeof(t), false)) ||
		    (rc = get_str(c, "note", u->note, sizeof(u->note), false)))
			return bert_fail_ctx(rc, "uncertainty_budget[%zu]", i);
		if (!(u->u >= 0))
			return bert_fail(BERT_ERR_PROTOCOL, "uncertainty_budget[%zu].u: not a "
					 "standard uncertainty >= 0", i);
		u->type = t[0] == 'A' ? 'A' : 'B';
		m->nucomp = (unsigned)i + 1;
	}
	return BERT_OK;
}

static int qual_measurement_from_json(const json_t *j, struct qual_measurement *m)
{
	char buf[16];
	long long lane;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(j))
		return bert_fail(BERT_ERR_PROTOCOL, "measurement: not an object");
	if ((rc = get_str(j, "name", m->name, sizeof(m->name), true)) ||
	    (rc = get_int(j, "lane", 0, 4096, &lane, true)) ||
	    (rc = get_num(j, "value", &m->value, true)) ||
	    (rc = get_str(j, "unit", m->unit, sizeof(m->unit), false)) ||
	    (rc = get_num(j, "low", &m->lim.low, false)) ||
	    (rc = get_num(j, "high", &m->lim.high, false)) ||
	    (rc = get_num(j, "marginal", &m->lim.marginal, false)) ||
	    (rc = get_num(j, "uncertainty", &m->uncertainty, false)) ||
	    (rc = get_str(j, "method", m->method, sizeof(m->method), false)) ||
	    (rc = get_str(j, "message", m->message, sizeof(m->message), false)) ||
	    (rc = get_budget(j, m)))
		return bert_fail_ctx(rc, "measurement");
	m->lane = (unsigned)lane;
	if (isnan(m->lim.marginal))
		m->lim.marginal = 0;
	if ((rc = get_str(j, "guard", buf, sizeof(buf), false)))
		return bert_fail_ctx(rc, "measurement");
	if (buf[0] && qual_guard_parse(buf, &m->lim.guard))
		return bert_fail(BERT_ERR_PROTOCOL, "measurement %s: bad guard", m->name);
	if ((rc = get_str(j, "scale", buf, sizeof(buf), false)))
		return bert_fail_ctx(rc, "measurement");
	if (buf[0] && qual_scale_parse(buf, &m->lim.scale))
		return bert_fail(BERT_ERR_PROTOCOL, "measurement %s: bad scale", m->name);
	if ((rc = get_str(j, "verdict", buf, sizeof(buf), true)))
		return bert_fail_ctx(rc, "measurement");
	if (qual_verdict_parse(buf, &m->verdict))
		return bert_fail(BERT_ERR_PROTOCOL, "measurement %s: bad verdict",
				 m->name);
	return BERT_OK;
}

static json_t *point_to_json(const struct qual_point *p)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:I}",
			 "lane", (json_int_t)p->lane, "atten_db", jnum(p->atten_db),
			 "power_dbm", jnum(p->power_dbm), "oma_dbm", jnum(p->oma_dbm),
			 "ber", jnum(bert_fig_ratio(p->ber, p->bits > 0, false)),
			 "bits", (json_int_t)p->bits,
			 "errors", (json_int_t)p->errors, "t_ns", (json_int_t)p->t_ns);
}

json_t *qual_step_to_json(const struct qual_step *s)
{
	json_t *j = json_object(), *a;
	size_t i;

	json_object_set_new(j, "name", jstr(s->name));
	json_object_set_new(j, "status", json_string(qual_step_status_name(s->status)));
	json_object_set_new(j, "verdict", json_string(qual_verdict_name(s->verdict)));
	json_object_set_new(j, "start_ns", json_integer((json_int_t)s->start_ns));
	json_object_set_new(j, "end_ns", json_integer((json_int_t)s->end_ns));
	json_object_set_new(j, "message", jstr(s->message));
	a = json_array();
	for (i = 0; i < s->nm; i++)
		json_array_append_new(a, qual_measurement_to_json(&s->m[i]));
	json_object_set_new(j, "measurements", a);
	a = json_array();
	for (i = 0; i < s->npts; i++)
		json_array_append_new(a, point_to_json(&s->pts[i]));
	json_object_set_new(j, "points", a);
	return j;
}

static json_t *jstr_or_null(const char *s)
{
	return s[0] ? jstr(s) : json_null();
}

json_t *qual_trace_to_json(const struct qual_trace *t)
{
	json_t *j = json_object(), *a = json_array();
	unsigned i;

	json_object_set_new(j, "operator", jstr_or_null(t->operator_name));
	json_object_set_new(j, "work_order", jstr_or_null(t->work_order));
	json_object_set_new(j, "lot", jstr_or_null(t->lot));
	json_object_set_new(j, "station_site", jstr_or_null(t->station_site));
	json_object_set_new(j, "calibration", jstr_or_null(t->calibration));
	for (i = 0; i < t->ninstr && i < QUAL_INSTR_MAX; i++)
		json_array_append_new(a, json_pack("{s:o, s:o, s:o}",
			"role", jstr(t->instr[i].role), "idn", jstr_or_null(t->instr[i].idn),
			"calibrated", jstr_or_null(t->instr[i].cal_date)));
	json_object_set_new(j, "instruments", a);
	return j;
}

int qual_trace_from_json(const json_t *j, struct qual_trace *t)
{
	const json_t *a, *v;
	size_t i;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(j))
		return bert_fail(BERT_ERR_PROTOCOL, "not an object");
	if ((rc = get_str(j, "operator", t->operator_name, sizeof(t->operator_name), false)) ||
	    (rc = get_str(j, "work_order", t->work_order, sizeof(t->work_order), false)) ||
	    (rc = get_str(j, "lot", t->lot, sizeof(t->lot), false)) ||
	    (rc = get_str(j, "station_site", t->station_site, sizeof(t->station_site), false)) ||
	    (rc = get_str(j, "calibration", t->calibration, sizeof(t->calibration), false)))
		return rc;
	a = json_object_get(j, "instruments");
	if (!a || json_is_null(a))
		return BERT_OK;
	if (!json_is_array(a))
		return bert_fail(BERT_ERR_PROTOCOL, "instruments: not an array");
	json_array_foreach(a, i, v) {
		struct qual_instrument *in;

		if (i >= QUAL_INSTR_MAX)
			return bert_fail(BERT_ERR_PROTOCOL, "instruments: more than %d",
					 QUAL_INSTR_MAX);
		if (!json_is_object(v))
			return bert_fail(BERT_ERR_PROTOCOL, "instruments[%zu]: not an object", i);
		in = &t->instr[i];
		if ((rc = get_str(v, "role", in->role, sizeof(in->role), true)) ||
		    (rc = get_str(v, "idn", in->idn, sizeof(in->idn), false)) ||
		    (rc = get_str(v, "calibrated", in->cal_date, sizeof(in->cal_date), false)))
			return bert_fail_ctx(rc, "instruments[%zu]", i);
		t->ninstr = (unsigned)i + 1;
	}
	return BERT_OK;
}

int qual_trace_add_instrument(struct qual_trace *t, const char *role, const char *idn,
			      const char *cal_date)
{
	struct qual_instrument *in;

	if (t->ninstr >= QUAL_INSTR_MAX)
		return bert_fail(BERT_ERR_RANGE, "trace: more than %d instruments",
				 QUAL_INSTR_MAX);
	in = &t->instr[t->ninstr++];
	snprintf(in->role, sizeof(in->role), "%s", role ? role : "");
	snprintf(in->idn, sizeof(in->idn), "%s", idn ? idn : "");
	snprintf(in->cal_date, sizeof(in->cal_date), "%s", cal_date ? cal_date : "");
	return BERT_OK;
}

json_t *qual_record_to_json(const struct qual_record *r)
{
	enum qual_verdict lv[PROFILE_MAX_LANES + 1];
	json_t *j = json_object(), *a, *o;
	unsigned l, lanes = r->lanes > PROFILE_MAX_LANES ? PROFILE_MAX_LANES : r->lanes;
	char t[40];
	size_t i;

	json_object_set_new(j, "kind", json_string(QUAL_RECORD_KIND));
	json_object_set_new(j, "schema", json_integer(r->schema));
	if (r->id)
		json_object_set_new(j, "id", json_integer(r->id));
	json_object_set_new(j, "uuid", jstr(r->uuid));
	json_object_set_new(j, "bert_version", jstr(r->bert_version));
	json_object_set_new(j, "status", json_string(qual_run_status_name(r->status)));
	json_object_set_new(j, "verdict", json_string(qual_verdict_name(r->verdict)));
	json_object_set_new(j, "message", jstr(r->message));
	json_object_set_new(j, "wall_start", json_string(qual_time_iso(r->wall_start, t, sizeof(t))));
	json_object_set_new(j, "wall_end", r->wall_end ?
			    json_string(qual_time_iso(r->wall_end, t, sizeof(t))) :
			    json_null());
	json_object_set_new(j, "station_time_ns", json_integer((json_int_t)r->station_ns));
	json_object_set_new(j, "station_time_s", json_real((double)r->station_ns / 1e9));
	json_object_set_new(j, "dut", json_pack("{s:o, s:o, s:o, s:o, s:o}",
		"vendor", jstr(r->dut.vendor), "pn", jstr(r->dut.pn), "sn", jstr(r->dut.sn),
		"rev", jstr(r->dut.rev), "firmware", jstr(r->dut.firmware)));
	json_object_set_new(json_object_get(j, "dut"), "operator_serial",
			    r->dut.operator_serial[0] ? jstr(r->dut.operator_serial) :
			    json_null());
	json_object_set_new(json_object_get(j, "dut"), "date_code",
			    r->dut.date_code[0] ? jstr(r->dut.date_code) : json_null());
	json_object_set_new(j, "trace", qual_trace_to_json(&r->trace));
	json_object_set_new(j, "station", json_pack("{s:o, s:I, s:o, s:o, s:i}",
		"name", jstr(r->station), "site", (json_int_t)r->site, "fixture",
		jstr(r->fixture), "host", jstr(r->host), "pid", r->pid));
	json_object_set_new(j, "profile", json_pack("{s:o, s:o, s:I, s:I}",
		"name", jstr(r->profile), "hash", jstr(r->profile_hash),
		"lanes", (json_int_t)r->lanes, "lanes_per_link", (json_int_t)r->lanes_per_link));

	/* derived, for readers: verdict per lane and per link */
	qual_record_lane_verdicts(r, lv);
	json_object_set_new(j, "module_verdict", json_string(qual_verdict_name(lv[0])));
	a = json_array();
	for (l = 1; l <= lanes; l++)
		json_array_append_new(a, json_pack("{s:I, s:s}", "lane", (json_int_t)l,
						   "verdict", qual_verdict_name(lv[l])));
	json_object_set_new(j, "lanes", a);
	a = json_array();
	if (r->lanes_per_link && lanes >= r->lanes_per_link)
		for (l = 1; l <= lanes / r->lanes_per_link; l++) {
			json_t *ll = json_array();
			unsigned k;

			for (k = (l - 1) * r->lanes_per_link + 1; k <= l * r->lanes_per_link; k++)
				json_array_append_new(ll, json_integer(k));
			o = json_pack("{s:I, s:o, s:s}", "link", (json_int_t)l, "lanes", ll,
				      "verdict", qual_verdict_name(
					      qual_verdict_link(lv, l, r->lanes_per_link)));
			json_array_append_new(a, o);
		}
	json_object_set_new(j, "links", a);

	a = json_array();
	for (i = 0; i < r->nsteps; i++)
		json_array_append_new(a, qual_step_to_json(r->steps[i]));
	json_object_set_new(j, "steps", a);
	return j;
}

static int point_from_json(const json_t *j, struct qual_point *p)
{
	long long lane, bits, errors, t;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(j))
		return bert_fail(BERT_ERR_PROTOCOL, "point: not an object");
	if ((rc = get_int(j, "lane", 0, 4096, &lane, true)) ||
	    (rc = get_num(j, "atten_db", &p->atten_db, false)) ||
	    (rc = get_num(j, "power_dbm", &p->power_dbm, false)) ||
	    (rc = get_num(j, "oma_dbm", &p->oma_dbm, false)) ||
	    (rc = get_num(j, "ber", &p->ber, false)) ||
	    (rc = get_int(j, "bits", 0, INT64_MAX, &bits, false)) ||
	    (rc = get_int(j, "errors", 0, INT64_MAX, &errors, false)) ||
	    (rc = get_int(j, "t_ns", 0, INT64_MAX, &t, false)))
		return bert_fail_ctx(rc, "point");
	p->lane = (unsigned)lane;
	p->bits = (uint64_t)bits;
	p->errors = (uint64_t)errors;
	p->t_ns = (uint64_t)t;
	return BERT_OK;
}

static int step_from_json(const json_t *j, struct qual_record *r)
{
	char name[QUAL_STEP_NAME_MAX], buf[16];
	struct qual_measurement m;
	struct qual_point pt;
	struct qual_step *s;
	long long start, end;
	const json_t *a, *v;
	size_t i;
	int rc;

	if (!json_is_object(j))
		return bert_fail(BERT_ERR_PROTOCOL, "step: not an object");
	if ((rc = get_str(j, "name", name, sizeof(name), true)) ||
	    (rc = get_int(j, "start_ns", 0, INT64_MAX, &start, false)) ||
	    (rc = get_int(j, "end_ns", 0, INT64_MAX, &end, false)))
		return bert_fail_ctx(rc, "step");
	s = qual_record_step_begin(r, name, (uint64_t)start);
	if (!s)
		return BERT_ERR_NOMEM;
	s->end_ns = (uint64_t)end;
	if ((rc = get_str(j, "status", buf, sizeof(buf), true)) ||
	    (rc = qual_step_status_parse(buf, &s->status)) ||
	    (rc = get_str(j, "verdict", buf, sizeof(buf), true)) ||
	    (rc = qual_verdict_parse(buf, &s->verdict)) ||
	    (rc = get_str(j, "message", s->message, sizeof(s->message), false)))
		return bert_fail_ctx(rc == BERT_ERR_CONFIG ? BERT_ERR_PROTOCOL : rc,
				     "step %s", name);
	a = json_object_get(j, "measurements");
	if (a && !json_is_array(a))
		return bert_fail(BERT_ERR_PROTOCOL, "step %s: measurements: not an array",
				 name);
	json_array_foreach(a, i, v) {
		if ((rc = qual_measurement_from_json(v, &m)))
			return bert_fail_ctx(rc, "step %s: [%zu]", name, i);
		if ((rc = qual_step_add(s, &m)))
			return rc;
	}
	a = json_object_get(j, "points");
	if (a && !json_is_array(a))
		return bert_fail(BERT_ERR_PROTOCOL, "step %s: points: not an array", name);
	json_array_foreach(a, i, v) {
		if ((rc = point_from_json(v, &pt)))
			return bert_fail_ctx(rc, "step %s: [%zu]", name, i);
		if ((rc = qual_step_add_point(s, &pt)))
			return rc;
	}
	/* the stored verdict wins over the recomputed one of qual_step_add */
	rc = qual_verdict_parse(json_string_value(json_object_get(j, "verdict")),
				&s->verdict);
	return rc ? BERT_ERR_PROTOCOL : BERT_OK;
}

static int record_from_json(const json_t *j, struct qual_record *r)
{
	const json_t *o, *a, *v;
	char buf[40];
	long long n;
	size_t i;
	int rc;

	if (!json_is_object(j))
		return bert_fail(BERT_ERR_PROTOCOL, "record: not an object");
	if ((rc = get_str(j, "kind", buf, sizeof(buf), true)))
		return rc;
	if (strcmp(buf, QUAL_RECORD_KIND))
		return bert_fail(BERT_ERR_PROTOCOL, "kind: '%s' is not %s", buf,
				 QUAL_RECORD_KIND);
	if ((rc = get_int(j, "schema", 1, INT32_MAX, &n, true)))
		return rc;
	if (n > QUAL_RECORD_SCHEMA)
		return bert_fail(BERT_ERR_UNSUPPORTED, "schema %lld is newer than "
				 "this bert reads (%d)", n, QUAL_RECORD_SCHEMA);
	r->schema = (int)n;
	if ((rc = get_int(j, "id", 0, INT64_MAX, &n, false)))
		return rc;
	r->id = n;
	if ((rc = get_str(j, "uuid", r->uuid, sizeof(r->uuid), true)) ||
	    (rc = get_str(j, "bert_version", r->bert_version, sizeof(r->bert_version), false)) ||
	    (rc = get_str(j, "message", r->message, sizeof(r->message), false)))
		return rc;
	if ((rc = get_str(j, "status", buf, sizeof(buf), true)) ||
	    (rc = qual_run_status_parse(buf, &r->status)))
		return rc;
	if ((rc = get_str(j, "verdict", buf, sizeof(buf), true)))
		return rc;
	if (qual_verdict_parse(buf, &r->verdict))
		return bert_fail(BERT_ERR_PROTOCOL, "verdict: '%s'", buf);
	if ((rc = get_str(j, "wall_start", buf, sizeof(buf), true)) ||
	    (rc = qual_time_parse(buf, &r->wall_start)))
		return bert_fail_ctx(rc, "wall_start");
	if ((rc = get_str(j, "wall_end", buf, sizeof(buf), false)))
		return rc;
	if (buf[0] && (rc = qual_time_parse(buf, &r->wall_end)))
		return bert_fail_ctx(rc, "wall_end");
	if ((rc = get_int(j, "station_time_ns", 0, INT64_MAX, &n, true)))
		return rc;
	r->station_ns = (uint64_t)n;

	o = json_object_get(j, "dut");
	if (!json_is_object(o))
		return bert_fail(BERT_ERR_PROTOCOL, "dut: missing");
	if ((rc = get_str(o, "vendor", r->dut.vendor, sizeof(r->dut.vendor), false)) ||
	    (rc = get_str(o, "pn", r->dut.pn, sizeof(r->dut.pn), false)) ||
	    (rc = get_str(o, "sn", r->dut.sn, sizeof(r->dut.sn), false)) ||
	    (rc = get_str(o, "rev", r->dut.rev, sizeof(r->dut.rev), false)) ||
	    (rc = get_str(o, "firmware", r->dut.firmware, sizeof(r->dut.firmware), false)) ||
	    (rc = get_str(o, "operator_serial", r->dut.operator_serial,
			  sizeof(r->dut.operator_serial), false)) ||
	    (rc = get_str(o, "date_code", r->dut.date_code, sizeof(r->dut.date_code), false)))
		return bert_fail_ctx(rc, "dut");
	o = json_object_get(j, "trace");
	if (o && !json_is_null(o) && (rc = qual_trace_from_json(o, &r->trace)))
		return bert_fail_ctx(rc, "trace");
	o = json_object_get(j, "station");
	if (!json_is_object(o))
		return bert_fail(BERT_ERR_PROTOCOL, "station: missing");
	if ((rc = get_str(o, "name", r->station, sizeof(r->station), false)) ||
	    (rc = get_str(o, "fixture", r->fixture, sizeof(r->fixture), false)) ||
	    (rc = get_str(o, "host", r->host, sizeof(r->host), false)))
		return bert_fail_ctx(rc, "station");
	if ((rc = get_int(o, "site", 0, 65535, &n, false)))
		return bert_fail_ctx(rc, "station");
	r->site = (unsigned)n;
	if ((rc = get_int(o, "pid", 0, INT32_MAX, &n, false)))
		return bert_fail_ctx(rc, "station");
	r->pid = (int)n;
	o = json_object_get(j, "profile");
	if (!json_is_object(o))
		return bert_fail(BERT_ERR_PROTOCOL, "profile: missing");
	if ((rc = get_str(o, "name", r->profile, sizeof(r->profile), false)) ||
	    (rc = get_str(o, "hash", r->profile_hash, sizeof(r->profile_hash), false)))
		return bert_fail_ctx(rc, "profile");
	if ((rc = get_int(o, "lanes", 0, PROFILE_MAX_LANES, &n, false)))
		return bert_fail_ctx(rc, "profile");
	r->lanes = (unsigned)n;
	if ((rc = get_int(o, "lanes_per_link", 0, PROFILE_MAX_LANES, &n, false)))
		return bert_fail_ctx(rc, "profile");
	r->lanes_per_link = (unsigned)n;

	a = json_object_get(j, "steps");
	if (!json_is_array(a))
		return bert_fail(BERT_ERR_PROTOCOL, "steps: missing");
	json_array_foreach(a, i, v)
		if ((rc = step_from_json(v, r)))
			return bert_fail_ctx(rc, "steps[%zu]", i);
	return BERT_OK;
}

int qual_record_from_json(const json_t *j, struct qual_record *r)
{
	int rc;

	memset(r, 0, sizeof(*r));
	rc = record_from_json(j, r);
	if (rc) {
		qual_record_free(r);
		if (rc == BERT_ERR_CONFIG)
			rc = BERT_ERR_PROTOCOL;
		return bert_fail_ctx(rc, "record");
	}
	return BERT_OK;
}
