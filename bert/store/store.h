/* SPDX-License-Identifier: MIT */
/* Results store: SQLite, one file per user (or per station), WAL mode.
 *
 * A run is journaled as it happens:
 *
 *   store_run_begin()    inserts the run, status "running", with the pid,
 *                        host, boot id and process start time of the writer;
 *   store_step_commit()  one transaction per finished step: the step, its
 *                        measurements and sweep points;
 *   store_run_finish()   status, verdict, station time, end time.
 *
 * A crash loses at most the step in flight; the run stays "running" until
 * store_recover() (called by `bert qualify` and `bertd` at start-up) finds
 * its process gone and marks it "aborted", its committed steps intact. A run
 * whose process is alive (same host, same boot, same pid and start time) is
 * never touched, so two stations sharing a file do not abort each other.
 *
 * Schema (version 1): see store.c and bert/qual/RECORD.md. Writes use
 * BEGIN IMMEDIATE and synchronous=FULL; a busy database is waited for up to
 * the busy timeout (5 s), then BERT_ERR_AGAIN.
 *
 * A struct store is used by one thread at a time; open one per thread.
 * Errors: BERT_ERR_IO (file, SQLite) with SQLite's message in the detail,
 * BERT_ERR_AGAIN (busy), BERT_ERR_RANGE (no such run), BERT_ERR_UNSUPPORTED
 * (a file written by a newer bert).
 */
#ifndef BERT_STORE_STORE_H
#define BERT_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bert/qual/journal.h"
#include "bert/qual/record.h"

#define STORE_SCHEMA_VERSION	3
#define STORE_BUSY_TIMEOUT_MS	5000

struct store;

/* $XDG_DATA_HOME/bert/results.db, else $HOME/.local/share/bert/results.db. */
int store_default_path(char *out, size_t size);
/* Opens (creating the file, its directory and the schema when needed).
 * path NULL = store_default_path(). */
int store_open(const char *path, struct store **out);
/* The same for readers: a database that does not exist is BERT_ERR_CONFIG
 * ("no results database"), and nothing is created. */
int store_open_existing(const char *path, struct store **out);
void store_close(struct store *st);
const char *store_path(const struct store *st);
/* The SQLite handle, for the store's companions in this folder (the
 * central uploader's spool table, spool.c); not for other callers. */
struct sqlite3 *store_sqlite(struct store *st);
/* "wal" when the journal mode took (for tests and `bert results`). */
const char *store_journal_mode(struct store *st);

/* Journaling. store_run_begin sets rec->id. A step is committed once, after
 * it ended; committing it again replaces it (same sequence number). */
int store_run_begin(struct store *st, struct qual_record *rec);
int store_step_commit(struct store *st, const struct qual_record *rec,
		      const struct qual_step *step);
int store_run_finish(struct store *st, const struct qual_record *rec);
/* The three above as the engine's journal (bert/qual/journal.h); no
 * journal for a NULL store. */
struct qual_journal store_journal(struct store *st);

/* Marks runs left "running" by a dead process as "aborted"; *n_aborted
 * (may be NULL) receives how many. */
int store_recover(struct store *st, unsigned *n_aborted);

/* One line of `bert results list`. */
struct store_run_summary {
	int64_t id;
	char uuid[QUAL_UUID_MAX];
	enum qual_run_status status;
	enum qual_verdict verdict;
	char profile[QUAL_STR_MAX];
	char vendor[QUAL_STR_MAX], pn[QUAL_STR_MAX], sn[QUAL_STR_MAX];
	char station[QUAL_STR_MAX];
	unsigned site;
	int64_t wall_start, wall_end;
	uint64_t station_ns;
	unsigned steps;			/* committed steps */
};

struct store_filter {
	int64_t since_id;	/* runs with id > since_id (0 = all) */
	int64_t since_time;	/* runs started at or after (UTC s; 0 = all) */
	int64_t changed_since;	/* runs whose row changed after this change
				 * counter (0 = all): the daemon's cursor */
	const char *sn;		/* serial number (NULL = any) */
	unsigned limit;		/* most recent N (0 = no limit) */
};

/* Newest first. The caller frees *out. */
int store_run_list(struct store *st, const struct store_filter *f,
		   struct store_run_summary **out, size_t *n);
/* The change counter of the last write (runs.changed of the newest change). */
int store_last_change(struct store *st, int64_t *out);
/* RUN: a row id ("12"), "last", or a UUID or a unique prefix of one (>= 4
 * characters). BERT_ERR_RANGE when there is no such run, BERT_ERR_ARG when a
 * prefix is ambiguous. */
int store_run_resolve(struct store *st, const char *run, int64_t *id);
/* The whole record back from the tables. qual_record_free() it. */
int store_run_load(struct store *st, int64_t id, struct qual_record *rec);

#endif
