// SPDX-License-Identifier: MIT
/* The central uploader (uploader.h): one pass, and the thread around it. */
#define LOG_PREFIX "upload"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "bert/core/ini.h"
#include "bert/core/log.h"
#include "bert/store/spool.h"
#include "bert/store/uploader.h"

#define BATCH	64	/* runs listed per query */

static bool pg_uri_like(const char *s)
{
	return !strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11);
}

int central_sync(struct store *local, struct pg *pg, unsigned max, unsigned *uploaded)
{
	const char *target = pg_where(pg);
	struct spool_item *v = NULL;
	unsigned done = 0;
	size_t n, i;
	int rc;

	if (uploaded)
		*uploaded = 0;
	rc = spool_init(local);
	if (rc)
		return rc;
	for (;;) {
		unsigned want = max && max - done < BATCH ? max - done : BATCH;

		if (max && done >= max)
			break;
		rc = spool_pending(local, target, want, &v, &n);
		if (rc || !n)
			break;
		for (i = 0; i < n; i++) {
			struct qual_record rec;
			int64_t central_id = 0;

			rc = store_run_load(local, v[i].id, &rec);
			if (rc)
				break;
			rc = pg_upload_run(pg, &rec, v[i].acked_steps, &central_id);
			if (!rc)
				rc = spool_ack(local, target, v[i].id, v[i].changed, rec.nsteps,
					       central_id);
			qual_record_free(&rec);
			if (rc)
				break;
			done++;
		}
		free(v);
		v = NULL;
		if (rc || n < want)
			break;
	}
	free(v);
	if (uploaded)
		*uploaded = done;
	return rc;
}

/* ---- the thread ------------------------------------------------------------------ */

struct uploader {
	struct uploader_opts o;
	char central[1024];
	char store_path[1024];
	pthread_t th;
	struct bert_clock *clock;
	struct bert_clock_event wake;	/* kick or stop */
	pthread_mutex_t mu;
	bool stop;			/* under mu */
	struct uploader_stats st;	/* under mu */
};

static void set_error(struct uploader *u, int rc)
{
	pthread_mutex_lock(&u->mu);
	u->st.errors++;
	u->st.connected = false;
	snprintf(u->st.last_error, sizeof(u->st.last_error), "%s", bert_error_detail());
	pthread_mutex_unlock(&u->mu);
	log_warn("%s (%s); the runs wait in the station store", bert_error_detail(),
		 bert_strerror_name(rc));
}

static void update_backlog(struct uploader *u, struct store *local)
{
	unsigned runs;
	int64_t oldest;

	if (spool_backlog(local, u->st.target, &runs, &oldest))
		return;
	pthread_mutex_lock(&u->mu);
	u->st.backlog_runs = runs;
	u->st.backlog_oldest = oldest;
	if (runs > u->st.max_backlog)
		u->st.max_backlog = runs;
	pthread_mutex_unlock(&u->mu);
}

static bool stopping(struct uploader *u)
{
	bool s;

	pthread_mutex_lock(&u->mu);
	s = u->stop;
	pthread_mutex_unlock(&u->mu);
	return s;
}

static void *uploader_main(void *arg)
{
	struct uploader *u = arg;
	uint64_t backoff = 0;
	struct store *local = NULL;
	struct pg *pg = NULL;
	int rc;

	while (!stopping(u)) {
		unsigned n = 0;

		bert_clock_event_clear(u->clock, &u->wake);
		rc = local ? BERT_OK : store_open(u->store_path[0] ? u->store_path : NULL,
						  &local);
		if (!rc)
			rc = spool_init(local);
		if (!rc && !pg_connected(pg)) {
			pg_close(pg);
			pg = NULL;
			rc = pg_connect(u->central, &pg);
			if (!rc)
				rc = pg_schema_check(pg, NULL);
			if (rc) {
				pg_close(pg);
				pg = NULL;
			} else {
				log_info("connected to %s", pg_where(pg));
			}
		}
		if (!rc)
			rc = central_sync(local, pg, 0, &n);
		pthread_mutex_lock(&u->mu);
		u->st.passes++;
		u->st.runs_uploaded += n;
		if (!rc) {
			u->st.connected = true;
			u->st.last_error[0] = '\0';
		}
		pthread_mutex_unlock(&u->mu);
		if (local)
			update_backlog(u, local);
		if (rc) {
			set_error(u, rc);
			/* a statement that failed on a live connection may have
			 * left it unusable for prepared statements: start over */
			pg_close(pg);
			pg = NULL;
			backoff = backoff ? backoff * 2 : 250 * BERT_NS_PER_MS;
			if (backoff > u->o.retry_max_ns)
				backoff = u->o.retry_max_ns;
		} else {
			backoff = 0;
		}
		bert_clock_event_wait(u->clock, &u->wake, bert_clock_now(u->clock) +
				      (backoff ? backoff : u->o.poll_ns));
	}
	/* stopping with the server there: what the last runs stored (their
	 * final rows) goes now rather than at the next start */
	if (local && pg_connected(pg) && central_sync(local, pg, 0, NULL))
		log_warn("%s; the runs wait in the station store", bert_error_detail());
	pg_close(pg);
	store_close(local);
	return NULL;
}

int uploader_start(const struct uploader_opts *o, struct uploader **out)
{
	struct uploader *u;
	bool pw;
	int rc;

	*out = NULL;
	if (!o->central || !o->central[0])
		return bert_fail(BERT_ERR_CONFIG, "central database: no URI");
	u = calloc(1, sizeof(*u));
	if (!u)
		return bert_fail(BERT_ERR_NOMEM, "uploader");
	rc = pg_redact(o->central, u->st.target, sizeof(u->st.target), &pw);
	if (!rc && pw)
		rc = bert_fail(BERT_ERR_CONFIG, "central %s: the URI holds a password; "
			       "give credentials through PGPASSFILE / ~/.pgpass or a "
			       "service file (PGSERVICEFILE)", u->st.target);
	if (rc) {
		free(u);
		return rc;
	}
	u->o = *o;
	if (!u->o.poll_ns)
		u->o.poll_ns = BERT_NS_PER_S;
	if (!u->o.retry_max_ns)
		u->o.retry_max_ns = 30 * BERT_NS_PER_S;
	snprintf(u->central, sizeof(u->central), "%s", o->central);
	snprintf(u->store_path, sizeof(u->store_path), "%s", o->store ? o->store : "");
	u->o.central = u->central;
	u->o.store = u->store_path;
	u->clock = bert_clock_monotonic();
	bert_clock_event_init(&u->wake);
	pthread_mutex_init(&u->mu, NULL);
	if (pthread_create(&u->th, NULL, uploader_main, u)) {
		pthread_mutex_destroy(&u->mu);
		free(u);
		return bert_fail(BERT_ERR_IO, "uploader: cannot start a thread");
	}
	*out = u;
	return BERT_OK;
}

void uploader_kick(struct uploader *u)
{
	if (u)
		bert_clock_event_set(u->clock, &u->wake);
}

void uploader_get_stats(struct uploader *u, struct uploader_stats *s)
{
	pthread_mutex_lock(&u->mu);
	*s = u->st;
	pthread_mutex_unlock(&u->mu);
}

void uploader_stop(struct uploader *u)
{
	if (!u)
		return;
	pthread_mutex_lock(&u->mu);
	u->stop = true;
	pthread_mutex_unlock(&u->mu);
	bert_clock_event_set(u->clock, &u->wake);
	pthread_join(u->th, NULL);
	pthread_mutex_destroy(&u->mu);
	free(u);
}

/* ---- [store] of the station file ------------------------------------------------ */

static int config_handler(void *user, const char *section, const char *name,
			  const char *value)
{
	static const struct bert_ini_field fields[] = {
		{ "central", BERT_INI_STRING, offsetof(struct uploader_config, central),
		  0, 0, 1024 },
		{ "upload_poll", BERT_INI_DOUBLE, offsetof(struct uploader_config, poll_s),
		  0.01, 3600, 0 },
		{ "upload_retry_max", BERT_INI_DOUBLE,
		  offsetof(struct uploader_config, retry_max_s), 0.1, 86400, 0 },
		BERT_INI_END,
	};
	struct uploader_config *c = user;
	char shown[1024];
	bool pw;
	int rc;

	if (strcmp(section, "store"))
		return BERT_OK;
	rc = bert_ini_set_field(fields, c, section, name, value);
	if (rc || strcmp(name, "central"))
		return rc;
	if (!pg_uri_like(c->central))
		return bert_fail(BERT_ERR_CONFIG, "[store]: central '%s' is not a "
				 "postgresql:// URI", c->central);
	rc = pg_redact(c->central, shown, sizeof(shown), &pw);
	if (!rc && pw)
		rc = bert_fail(BERT_ERR_CONFIG, "[store]: central holds a password; give "
			       "credentials through PGPASSFILE / ~/.pgpass or a service "
			       "file (PGSERVICEFILE), never in the station file");
	return rc;
}

int uploader_config_load(const char *station_file, struct uploader_config *c)
{
	memset(c, 0, sizeof(*c));
	c->poll_s = 1;
	c->retry_max_s = 30;
	return bert_ini_parse_file(station_file, config_handler, c);
}
