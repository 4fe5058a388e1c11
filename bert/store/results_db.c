// SPDX-License-Identifier: MIT
/* The results-database front: picks the backend by location, and the SQLite
 * backend, a thin layer over the station store (store.c). */
#define LOG_PREFIX "results"

#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/results_db.h"

bool results_db_is_pg(const char *location)
{
	return location && (!strncmp(location, "postgresql://", 13) ||
			    !strncmp(location, "postgres://", 11));
}

static int open_db(const char *location, bool must_exist, struct results_db **out)
{
	const struct results_db_ops *ops = results_db_is_pg(location) ?
					   &results_db_pg : &results_db_sqlite;
	struct results_db *db;
	int rc;

	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return bert_fail(BERT_ERR_NOMEM, "results database");
	db->ops = ops;
	db->must_exist = must_exist;
	db->priv = calloc(1, ops->priv_size);
	if (!db->priv) {
		free(db);
		return bert_fail(BERT_ERR_NOMEM, "results database");
	}
	rc = ops->open(db, location);
	if (rc) {
		free(db->priv);
		free(db);
		return rc;
	}
	*out = db;
	return BERT_OK;
}

int results_db_open(const char *location, struct results_db **out)
{
	return open_db(location, false, out);
}

int results_db_open_existing(const char *location, struct results_db **out)
{
	return open_db(location, true, out);
}

void results_db_close(struct results_db *db)
{
	if (!db)
		return;
	db->ops->close(db);
	free(db->priv);
	free(db);
}

int results_db_list(struct results_db *db, const struct store_filter *f,
		    const char *station, struct store_run_summary **out, size_t *n)
{
	return db->ops->list(db, f, station, out, n);
}

int results_db_resolve(struct results_db *db, const char *run, int64_t *id)
{
	return db->ops->resolve(db, run, id);
}

int results_db_load(struct results_db *db, int64_t id, struct qual_record *rec)
{
	return db->ops->load(db, id, rec);
}

struct store *results_db_store(struct results_db *db)
{
	if (db->ops != &results_db_sqlite)
		return NULL;
	return *(struct store **)db->priv;
}

/* ---- SQLite: the station store ---------------------------------------------- */

struct sqlite_priv {
	struct store *st;
};

static int sq_open(struct results_db *db, const char *location)
{
	struct sqlite_priv *p = db->priv;
	int rc = db->must_exist ? store_open_existing(location, &p->st) :
				 store_open(location, &p->st);

	if (rc)
		return rc;
	snprintf(db->where, sizeof(db->where), "%s", store_path(p->st));
	return BERT_OK;
}

static void sq_close(struct results_db *db)
{
	struct sqlite_priv *p = db->priv;

	store_close(p->st);
}

static int sq_list(struct results_db *db, const struct store_filter *f,
		   const char *station, struct store_run_summary **out, size_t *n)
{
	struct sqlite_priv *p = db->priv;
	struct store_filter all;
	size_t i, k = 0;
	int rc;

	if (!station)
		return store_run_list(p->st, f, out, n);
	/* the station store rarely holds another station's runs: filter here,
	 * then apply the limit */
	all = f ? *f : (struct store_filter){ 0 };
	all.limit = 0;
	rc = store_run_list(p->st, &all, out, n);
	if (rc)
		return rc;
	for (i = 0; i < *n; i++) {
		if (strcmp((*out)[i].station, station))
			continue;
		if (f && f->limit && k == f->limit)
			break;
		(*out)[k++] = (*out)[i];
	}
	*n = k;
	return BERT_OK;
}

static int sq_resolve(struct results_db *db, const char *run, int64_t *id)
{
	struct sqlite_priv *p = db->priv;

	return store_run_resolve(p->st, run, id);
}

static int sq_load(struct results_db *db, int64_t id, struct qual_record *rec)
{
	struct sqlite_priv *p = db->priv;

	return store_run_load(p->st, id, rec);
}

const struct results_db_ops results_db_sqlite = {
	.name = "sqlite",
	.priv_size = sizeof(struct sqlite_priv),
	.open = sq_open,
	.close = sq_close,
	.list = sq_list,
	.resolve = sq_resolve,
	.load = sq_load,
};
