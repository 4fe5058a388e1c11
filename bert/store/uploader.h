/* SPDX-License-Identifier: MIT */
/* The central uploader: sends the station store's finished steps and runs
 * to the central PostgreSQL database, in order (oldest run first, a run's
 * steps in sequence), idempotently (pg_upload_run), and marks what the
 * server acknowledged (spool.h). When the server is unreachable or refuses
 * the credentials, nothing is lost: the runs wait in the store and the next
 * attempt starts again from the oldest.
 *
 * central_sync() is one synchronous pass (`bert results sync`); struct
 * uploader runs passes in a thread of bertd: after uploader_kick() (a step
 * or run was stored), every poll interval, and after a failure with a
 * doubling back-off up to retry_max. Its waits are on the monotonic clock.
 */
#ifndef BERT_STORE_UPLOADER_H
#define BERT_STORE_UPLOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "bert/store/pg.h"
#include "bert/store/store.h"

/* One pass: uploads pending runs of local to pg, oldest first, up to max
 * runs (0 = all), stopping at the first failure (so order holds).
 * *uploaded (may be NULL) gets the runs acknowledged. */
int central_sync(struct store *local, struct pg *pg, unsigned max, unsigned *uploaded);

struct uploader_opts {
	const char *store;		/* station store path (NULL = default) */
	const char *central;		/* postgresql:// URI, no password */
	uint64_t poll_ns;		/* 0 = 1 s */
	uint64_t retry_max_ns;		/* 0 = 30 s */
};

struct uploader_stats {
	bool connected;
	uint64_t runs_uploaded;		/* run uploads acknowledged */
	uint64_t errors;		/* failed attempts */
	uint64_t passes;
	unsigned backlog_runs;		/* runs waiting */
	int64_t backlog_oldest;		/* wall_start (UTC s) of the oldest; 0 none */
	unsigned max_backlog;		/* since start */
	char last_error[256];		/* "" after a good pass */
	char target[1024];		/* the URI without password */
};

struct uploader;

/* Starts the thread; fails only on a bad URI (BERT_ERR_CONFIG, a password
 * in the URI too) or an unusable store; an unreachable server is retried. */
int uploader_start(const struct uploader_opts *o, struct uploader **out);
void uploader_kick(struct uploader *u);
void uploader_get_stats(struct uploader *u, struct uploader_stats *s);
/* Stops after the pass in flight (which completes or rolls back). */
void uploader_stop(struct uploader *u);

/* [store] of a station file (bert/qual/STATION.md):
 *   central = postgresql://...   the central database (no password)
 *   upload_poll = 1              seconds between passes when idle
 *   upload_retry_max = 30        longest back-off after a failure, s
 * Other sections are left to their readers. *central is "" without one. */
struct uploader_config {
	char central[1024];
	double poll_s, retry_max_s;
};
int uploader_config_load(const char *station_file, struct uploader_config *c);

#endif
