/* SPDX-License-Identifier: MIT */
/* Results databases behind one query API: the station's SQLite store
 * (store.h) and the factory's central PostgreSQL database (pg.h). `bert
 * results list/show/export/report` and the fleet queries go through this,
 * so they run unchanged on either.
 *
 *   results_db_open(NULL | PATH | postgresql://... | postgres://..., &db)
 *
 * A location starting with postgresql:// or postgres:// is a libpq
 * connection URI (credentials from the environment, a service file or
 * ~/.pgpass: see pg.h); anything else is a SQLite file path, NULL the
 * user's default store. Run ids are the backend's own row ids (a central
 * run has another id than on its station; the UUID is the same).
 *
 * Backends are const ops tables (results_db_sqlite, results_db_pg); each
 * op's contract is the function's below. A struct results_db is used by one
 * thread at a time.
 */
#ifndef BERT_STORE_RESULTS_DB_H
#define BERT_STORE_RESULTS_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "bert/store/store.h"

struct results_db;

struct results_db_ops {
	const char *name;		/* "sqlite", "postgresql" */
	size_t priv_size;
	/* location as given to results_db_open (NULL for the default store) */
	int (*open)(struct results_db *db, const char *location);
	void (*close)(struct results_db *db);
	/* Newest first (the highest id); the caller frees *out. Filters as in
	 * store.h; station narrows to one station name (NULL = any). */
	int (*list)(struct results_db *db, const struct store_filter *f,
		    const char *station, struct store_run_summary **out, size_t *n);
	/* RUN as store_run_resolve(): an id, "last", a UUID or a prefix. */
	int (*resolve)(struct results_db *db, const char *run, int64_t *id);
	/* The whole record; qual_record_free() it. */
	int (*load)(struct results_db *db, int64_t id, struct qual_record *rec);
};

extern const struct results_db_ops results_db_sqlite;
extern const struct results_db_ops results_db_pg;

struct results_db {
	const struct results_db_ops *ops;
	char where[1024];		/* for messages: a path, or the URI
					 * without its password */
	bool must_exist;		/* readers: never create a station store */
	void *priv;
};

/* True for postgresql:// and postgres:// locations. */
bool results_db_is_pg(const char *location);
int results_db_open(const char *location, struct results_db **out);
/* The same for readers: a station store that does not exist is an error
 * (BERT_ERR_CONFIG), never created. */
int results_db_open_existing(const char *location, struct results_db **out);
void results_db_close(struct results_db *db);
static inline const char *results_db_where(const struct results_db *db)
{
	return db->where;
}
int results_db_list(struct results_db *db, const struct store_filter *f,
		    const char *station, struct store_run_summary **out, size_t *n);
int results_db_resolve(struct results_db *db, const char *run, int64_t *id);
int results_db_load(struct results_db *db, int64_t id, struct qual_record *rec);
/* The local store under a SQLite results_db (NULL for another backend):
 * journaling, recovery and import stay SQLite's. */
struct store *results_db_store(struct results_db *db);

#endif
