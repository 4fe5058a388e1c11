/* SPDX-License-Identifier: MIT */
/* Inside the PostgreSQL backend (pg.c, pg_schema.c, pg_upload.c,
 * pg_query.c): the connection and the parameter helpers. */
#ifndef BERT_STORE_PG_INT_H
#define BERT_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "bert/store/pg.h"

struct pg {
	PGconn *c;
	char where[1024];
	bool prepared;		/* the upload statements of this connection */
	int version;		/* schema version seen by check or migrate; 0 unknown */
};

#define PG_MAX_PARAMS	32

/* Text parameters of one statement; NULL = SQL NULL. */
struct pg_params {
	const char *v[PG_MAX_PARAMS];
	char buf[PG_MAX_PARAMS][32];
	int n;
};

void pg_p_reset(struct pg_params *p);
void pg_p_text(struct pg_params *p, const char *s);
void pg_p_null(struct pg_params *p);
void pg_p_int(struct pg_params *p, long long v);
/* NaN = NULL, infinities as 'Infinity' / '-Infinity', else round-trip %.17g. */
void pg_p_real(struct pg_params *p, double v);

/* Runs sql (no parameters) expecting no rows; BERT_ERR_IO with the server's
 * message and what. */
int pg_exec(struct pg *pg, const char *sql, const char *what);
/* PQexecParams; *res (to PQclear) on success. */
int pg_query(struct pg *pg, const char *sql, const struct pg_params *p,
	     const char *what, PGresult **res);
/* BERT_ERR_IO with libpq's message (one line) for what. */
int pg_fail(struct pg *pg, const PGresult *res, const char *what);
void pg_rollback(struct pg *pg);

double pg_real(const PGresult *r, int row, int col);
long long pg_int(const PGresult *r, int row, int col);
void pg_str(const PGresult *r, int row, int col, char *out, size_t size);

#endif
