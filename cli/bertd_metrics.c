// SPDX-License-Identifier: MIT
/* bertd's /metrics (bertd_metrics.h). */
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_PREFIX "metrics"
#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/qual/site.h"
#include "instruments/instr_file.h"
#include "cli/bertd_metrics.h"

#define MAX_STEPS	32
#define NSTATUS		4	/* running complete aborted error */
#define NVERDICT	5	/* none pass marginal fail error */

/* Step durations in station seconds: a BER dwell is seconds, a sweep tens
 * of seconds, a whole DR4 run minutes. */
static const double buckets[] = { 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600 };
#define NBUCKETS (ARRAY_SIZE(buckets))

struct step_hist {
	char name[QUAL_STEP_NAME_MAX];
	uint64_t count, le[NBUCKETS];
	double sum;
};

struct site_m {
	uint64_t started, restarts;
	uint64_t finished[NSTATUS][NVERDICT];
	bool in_run, in_step;
	double step_t0;
};

struct bertd_metrics {
	struct bertd *d;
	struct uploader *up;
	struct station instr;
	char station[QUAL_STR_MAX];
	pthread_mutex_t mu;
	struct site_m site[QUAL_MAX_SITES + 1];
	struct step_hist step[MAX_STEPS];
	unsigned nsteps;
};

int bertd_metrics_new(struct bertd *d, const char *station_file, struct uploader *up,
		      struct bertd_metrics **out)
{
	struct bertd_metrics *m = calloc(1, sizeof(*m));
	const char *name;
	json_t *st;
	int rc;

	*out = NULL;
	if (!m)
		return bert_fail(BERT_ERR_NOMEM, "metrics");
	rc = station_load(station_file, &m->instr);
	if (rc) {
		free(m);
		return rc;
	}
	m->d = d;
	m->up = up;
	st = bertd_status(d);
	name = json_string_value(json_object_get(st, "station"));
	snprintf(m->station, sizeof(m->station), "%s", name ? name : "");
	json_decref(st);
	pthread_mutex_init(&m->mu, NULL);
	*out = m;
	return BERT_OK;
}

void bertd_metrics_free(struct bertd_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static struct step_hist *step_find(struct bertd_metrics *m, const char *name)
{
	unsigned i;

	for (i = 0; i < m->nsteps; i++)
		if (!strcmp(m->step[i].name, name))
			return &m->step[i];
	if (m->nsteps == MAX_STEPS)
		return NULL;
	snprintf(m->step[m->nsteps].name, sizeof(m->step[0].name), "%s", name);
	return &m->step[m->nsteps++];
}

void bertd_metrics_event(struct bertd_metrics *m, const char *line, size_t len)
{
	json_t *j = json_loadb(line, len, 0, NULL);
	const char *ev;
	json_int_t site;
	double t;
	struct site_m *s;

	if (!j)
		return;
	ev = json_string_value(json_object_get(j, "event"));
	site = json_integer_value(json_object_get(j, "site"));
	t = json_number_value(json_object_get(j, "t"));
	if (!ev || site < 1 || site > QUAL_MAX_SITES) {
		json_decref(j);
		return;
	}
	pthread_mutex_lock(&m->mu);
	s = &m->site[site];
	if (!strcmp(ev, "run")) {
		s->started++;
		s->in_run = true;
		s->in_step = false;
	} else if (!strcmp(ev, "step")) {
		s->in_step = true;
		s->step_t0 = t;
	} else if (!strcmp(ev, "step_end") && s->in_step) {
		const char *name = json_string_value(json_object_get(j, "step"));
		struct step_hist *h = name ? step_find(m, name) : NULL;
		double dt = t - s->step_t0;
		size_t b;

		s->in_step = false;
		if (h && dt >= 0 && isfinite(dt)) {
			h->count++;
			h->sum += dt;
			for (b = 0; b < NBUCKETS; b++)
				if (dt <= buckets[b])
					h->le[b]++;
		}
	} else if (!strcmp(ev, "verdict")) {
		enum qual_run_status st = QUAL_RUN_ERROR;
		enum qual_verdict v = QUAL_NONE;
		const char *sv = json_string_value(json_object_get(j, "status"));
		const char *vv = json_string_value(json_object_get(j, "verdict"));

		if (!s->in_run)
			s->started++;	/* a run that could not begin */
		s->in_run = s->in_step = false;
		if (sv)
			qual_run_status_parse(sv, &st);
		if (vv)
			qual_verdict_parse(vv, &v);
		if ((unsigned)st < NSTATUS && (unsigned)v < NVERDICT)
			s->finished[st][v]++;
		if (st == QUAL_RUN_ERROR)
			s->restarts++;
	}
	pthread_mutex_unlock(&m->mu);
	json_decref(j);
}

/* ---- rendering --------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (b->oom)
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n >= 0 && b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t cap = (b->cap + (size_t)(n > 0 ? n : 0)) * 2 + 4096;
			char *np = realloc(b->p, cap);

			if (!np) {
				b->oom = true;
				return;
			}
			b->p = np;
			b->cap = cap;
		}
	}
}

/* A label value: \, " and newline escaped (exposition format). */
static const char *esc(const char *s, char *out, size_t size)
{
	size_t k = 0;

	for (; *s && k + 3 < size; s++) {
		if (*s == '\\' || *s == '"') {
			out[k++] = '\\';
			out[k++] = *s;
		} else if (*s == '\n') {
			out[k++] = '\\';
			out[k++] = 'n';
		} else {
			out[k++] = *s;
		}
	}
	out[k] = '\0';
	return out;
}

static void head(struct buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sites_part(struct bertd_metrics *m, struct buf *b, unsigned nsites)
{
	static const char *const states[] = { "idle", "starting", "running", "aborting" };
	json_t *st = bertd_status(m->d), *sites = json_object_get(st, "sites");
	unsigned i, k, v;

	head(b, "bertd_runs_started_total", "counter", "Runs started, by site.");
	for (i = 1; i <= nsites; i++)
		put(b, "bertd_runs_started_total{site=\"%u\"} %llu\n", i,
		    (unsigned long long)m->site[i].started);
	head(b, "bertd_runs_finished_total", "counter",
	     "Runs finished, by site, run status and verdict.");
	for (i = 1; i <= nsites; i++)
		for (k = 0; k < NSTATUS; k++)
			for (v = 0; v < NVERDICT; v++)
				if (m->site[i].finished[k][v] || (k == QUAL_RUN_COMPLETE &&
								  v == QUAL_PASS))
					put(b, "bertd_runs_finished_total{site=\"%u\","
					    "status=\"%s\",verdict=\"%s\"} %llu\n", i,
					    qual_run_status_name((enum qual_run_status)k),
					    qual_verdict_name((enum qual_verdict)v),
					    (unsigned long long)m->site[i].finished[k][v]);
	head(b, "bertd_worker_restarts_total", "counter",
	     "Runs that ended in a station error; the site's worker opens the site "
	     "afresh for the next one.");
	for (i = 1; i <= nsites; i++)
		put(b, "bertd_worker_restarts_total{site=\"%u\"} %llu\n", i,
		    (unsigned long long)m->site[i].restarts);
	head(b, "bertd_site_state", "gauge", "1 for the state each site is in.");
	for (i = 0; i < json_array_size(sites); i++) {
		json_t *s = json_array_get(sites, i);
		const char *now = json_string_value(json_object_get(s, "state"));
		json_int_t n = json_integer_value(json_object_get(s, "site"));

		for (k = 0; k < ARRAY_SIZE(states); k++)
			put(b, "bertd_site_state{site=\"%lld\",state=\"%s\"} %d\n", (long long)n,
			    states[k], now && !strcmp(now, states[k]));
	}
	json_decref(st);
}

static void steps_part(struct bertd_metrics *m, struct buf *b)
{
	unsigned i;
	size_t k;

	head(b, "bertd_step_duration_seconds", "histogram",
	     "Station time of each finished step, by step name.");
	for (i = 0; i < m->nsteps; i++) {
		const struct step_hist *h = &m->step[i];

		for (k = 0; k < NBUCKETS; k++)
			put(b, "bertd_step_duration_seconds_bucket{step=\"%s\",le=\"%g\"} "
			    "%llu\n", h->name, buckets[k], (unsigned long long)h->le[k]);
		put(b, "bertd_step_duration_seconds_bucket{step=\"%s\",le=\"+Inf\"} %llu\n",
		    h->name, (unsigned long long)h->count);
		put(b, "bertd_step_duration_seconds_sum{step=\"%s\"} %.9g\n", h->name, h->sum);
		put(b, "bertd_step_duration_seconds_count{step=\"%s\"} %llu\n", h->name,
		    (unsigned long long)h->count);
	}
}

static void locks_part(struct bertd_metrics *m, struct buf *b)
{
	static const char *const names[4] = {
		"bertd_instrument_lock_grants_total", "bertd_instrument_lock_contended_total",
		"bertd_instrument_lock_wait_seconds_total",
		"bertd_instrument_lock_hold_seconds_total",
	};
	static const char *const help[4] = {
		"Uses of a shared instrument granted.",
		"Grants that had to wait for another site.",
		"Station time sites waited for a shared instrument, summed over requests.",
		"Station time a shared instrument was held.",
	};
	uint64_t v[STATION_MAX_INSTR][4];
	bool shared[STATION_MAX_INSTR];
	char e[96];
	unsigned i, k;

	for (i = 0; i < m->instr.n_instr; i++)
		shared[i] = !bertd_arbiter_stats(m->d, m->instr.instr[i].name, &v[i][0],
						 &v[i][1], &v[i][2], &v[i][3]);
	bert_error_clear();
	for (k = 0; k < 4; k++) {
		head(b, names[k], "counter", help[k]);
		for (i = 0; i < m->instr.n_instr; i++) {
			if (!shared[i])
				continue;
			esc(m->instr.instr[i].name, e, sizeof(e));
			if (k < 2)
				put(b, "%s{instrument=\"%s\"} %llu\n", names[k], e,
				    (unsigned long long)v[i][k]);
			else
				put(b, "%s{instrument=\"%s\"} %.9f\n", names[k], e,
				    (double)v[i][k] / 1e9);
		}
	}
}

static void spool_part(struct bertd_metrics *m, struct buf *b)
{
	struct uploader_stats s;

	if (!m->up)
		return;
	uploader_get_stats(m->up, &s);
	head(b, "bertd_spool_backlog_runs", "gauge",
	     "Runs in the station store the central database has not acknowledged.");
	put(b, "bertd_spool_backlog_runs %u\n", s.backlog_runs);
	head(b, "bertd_spool_backlog_oldest_age_seconds", "gauge",
	     "Wall-clock age of the oldest waiting run (absent when none waits).");
	if (s.backlog_runs && s.backlog_oldest) {
		long long age = (long long)time(NULL) - s.backlog_oldest;

		put(b, "bertd_spool_backlog_oldest_age_seconds %lld\n", age > 0 ? age : 0);
	}
	head(b, "bertd_spool_backlog_max_runs", "gauge", "Largest backlog since start.");
	put(b, "bertd_spool_backlog_max_runs %u\n", s.max_backlog);
	head(b, "bertd_central_up", "gauge",
	     "1 when the last upload pass reached the central database.");
	put(b, "bertd_central_up %d\n", s.connected);
	head(b, "bertd_uploads_total", "counter",
	     "Run uploads the central database acknowledged.");
	put(b, "bertd_uploads_total %llu\n", (unsigned long long)s.runs_uploaded);
	head(b, "bertd_upload_errors_total", "counter",
	     "Upload attempts that failed (server unreachable, refused, statement error).");
	put(b, "bertd_upload_errors_total %llu\n", (unsigned long long)s.errors);
}

int bertd_metrics_render(void *user, struct bertd_http_reply *r)
{
	struct bertd_metrics *m = user;
	struct buf b = { 0 };
	char e[2 * QUAL_STR_MAX];

	head(&b, "bertd_info", "gauge", "The station this bertd runs.");
	put(&b, "bertd_info{station=\"%s\",version=\"0.1.0\"} 1\n",
	    esc(m->station, e, sizeof(e)));
	pthread_mutex_lock(&m->mu);
	sites_part(m, &b, bertd_sites(m->d));
	steps_part(m, &b);
	pthread_mutex_unlock(&m->mu);
	locks_part(m, &b);
	spool_part(m, &b);
	if (b.oom) {
		free(b.p);
		return bert_fail(BERT_ERR_NOMEM, "metrics");
	}
	r->body = b.p;
	r->len = b.len;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	return BERT_OK;
}
