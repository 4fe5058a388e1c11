// SPDX-License-Identifier: MIT
/* The central uploader's bookkeeping in the station store (spool.h). */
#define LOG_PREFIX "spool"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/spool.h"

static const char pending_where[] =
	"FROM runs r LEFT JOIN central_uploads u ON u.run_id = r.id AND u.target = ?1 "
	"WHERE u.run_id IS NULL OR r.changed > u.changed";

static int fail(struct store *st, const char *what)
{
	sqlite3 *db = store_sqlite(st);
	int code = sqlite3_errcode(db);

	return bert_fail(code == SQLITE_BUSY || code == SQLITE_LOCKED ? BERT_ERR_AGAIN :
			 BERT_ERR_IO, "%s: %s: %s", store_path(st), what, sqlite3_errmsg(db));
}

int spool_init(struct store *st)
{
	static const char sql[] =
		"CREATE TABLE IF NOT EXISTS central_uploads ("
		"  target TEXT NOT NULL,"
		"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
		"  changed INTEGER NOT NULL, steps INTEGER NOT NULL,"
		"  central_id INTEGER NOT NULL, acked_at INTEGER NOT NULL,"
		"  PRIMARY KEY (target, run_id))";

	if (sqlite3_exec(store_sqlite(st), sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(st, "spool table");
	return BERT_OK;
}

int spool_pending(struct store *st, const char *target, unsigned max,
		  struct spool_item **out, size_t *n)
{
	char sql[512];
	sqlite3_stmt *s;
	struct spool_item *v;
	size_t k = 0;
	int step;

	*out = NULL;
	*n = 0;
	v = calloc(max ? max : 1, sizeof(*v));
	if (!v)
		return bert_fail(BERT_ERR_NOMEM, "spool");
	snprintf(sql, sizeof(sql), "SELECT r.id, r.changed, COALESCE(u.steps, 0) %s "
		 "ORDER BY r.id LIMIT ?2", pending_where);
	if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK) {
		free(v);
		return fail(st, "pending runs");
	}
	sqlite3_bind_text(s, 1, target, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, (int)max);
	while (k < max && (step = sqlite3_step(s)) == SQLITE_ROW) {
		v[k].id = sqlite3_column_int64(s, 0);
		v[k].changed = sqlite3_column_int64(s, 1);
		v[k].acked_steps = (size_t)sqlite3_column_int64(s, 2);
		k++;
	}
	if (k < max && step != SQLITE_DONE) {
		int rc = fail(st, "pending runs");

		sqlite3_finalize(s);
		free(v);
		return rc;
	}
	sqlite3_finalize(s);
	*out = v;
	*n = k;
	return BERT_OK;
}

int spool_ack(struct store *st, const char *target, int64_t id, int64_t changed,
	      size_t steps, int64_t central_id)
{
	sqlite3_stmt *s;
	int rc = BERT_OK;

	if (sqlite3_prepare_v2(store_sqlite(st), "INSERT OR REPLACE INTO central_uploads "
			       "(target, run_id, changed, steps, central_id, acked_at) "
			       "VALUES (?, ?, ?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK)
		return fail(st, "acknowledging an upload");
	sqlite3_bind_text(s, 1, target, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, changed);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)steps);
	sqlite3_bind_int64(s, 5, central_id);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	if (sqlite3_step(s) != SQLITE_DONE)
		rc = fail(st, "acknowledging an upload");
	sqlite3_finalize(s);
	return rc;
}

int spool_backlog(struct store *st, const char *target, unsigned *runs,
		  int64_t *oldest_wall)
{
	char sql[512];
	sqlite3_stmt *s;
	int rc = BERT_OK;

	*runs = 0;
	*oldest_wall = 0;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*), COALESCE(MIN(r.wall_start), 0) %s",
		 pending_where);
	if (sqlite3_prepare_v2(store_sqlite(st), sql, -1, &s, NULL) != SQLITE_OK)
		return fail(st, "backlog");
	sqlite3_bind_text(s, 1, target, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*runs = (unsigned)sqlite3_column_int(s, 0);
		*oldest_wall = sqlite3_column_int64(s, 1);
	} else {
		rc = fail(st, "backlog");
	}
	sqlite3_finalize(s);
	return rc;
}
