// SPDX-License-Identifier: MIT
/* The PostgreSQL connection (libpq): connecting with the credentials the
 * environment provides, redacting URIs for messages, and the statement and
 * parameter helpers the rest of the backend uses. */
#define LOG_PREFIX "pg"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/pg_int.h"

/* libpq's messages end in a newline and may span lines: keep one line. */
static void one_line(const char *msg, char *out, size_t size)
{
	size_t i, k = 0;

	for (i = 0; msg && msg[i] && k + 1 < size; i++) {
		char c = msg[i] == '\n' || msg[i] == '\t' ? ' ' : msg[i];

		if (c == ' ' && (k == 0 || out[k - 1] == ' '))
			continue;
		out[k++] = c;
	}
	while (k && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

int pg_redact(const char *uri, char *out, size_t size, bool *had_password)
{
	PQconninfoOption *opts, *o;
	char *err = NULL, line[512];
	const char *at, *colon, *scheme_end;

	if (had_password)
		*had_password = false;
	opts = PQconninfoParse(uri, &err);
	if (!opts) {
		one_line(err ? err : "out of memory", line, sizeof(line));
		PQfreemem(err);
		return bert_fail(BERT_ERR_CONFIG, "'%s' is not a PostgreSQL URI: %s",
				 uri, line);
	}
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && o->val[0] && had_password)
			*had_password = true;
	PQconninfoFree(opts);
	/* postgresql://user:secret@host/db -> postgresql://user@host/db;
	 * ?password=... is dropped from the query */
	snprintf(out, size, "%s", uri);
	scheme_end = strstr(out, "://");
	if (scheme_end) {
		const char *auth = scheme_end + 3;
		const char *slash = strchr(auth, '/');

		at = strchr(auth, '@');
		if (at && (!slash || at < slash)) {
			colon = memchr(auth, ':', (size_t)(at - auth));
			if (colon)
				memmove((char *)colon, at, strlen(at) + 1);
		}
	}
	for (;;) {
		char *q = strstr(out, "password=");

		if (!q || (q != out && q[-1] != '?' && q[-1] != '&'))
			break;
		{
			char *end = strchr(q, '&');

			if (end)
				memmove(q, end + 1, strlen(end + 1) + 1);
			else
				*(q > out ? q - 1 : q) = '\0';
		}
	}
	return BERT_OK;
}

int pg_connect(const char *uri, struct pg **out)
{
	char timeout[16], line[512];
	/* a server that vanishes mid-statement (a cut cable) is noticed by the
	 * keepalives within about 30 s instead of the kernel's hours */
	const char *keys[] = { "connect_timeout", "application_name", "keepalives",
			       "keepalives_idle", "keepalives_interval", "keepalives_count",
			       "dbname", NULL };
	const char *vals[] = { timeout, "bert", "1", "10", "5", "4", uri, NULL };
	struct pg *pg;
	int rc;

	*out = NULL;
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return bert_fail(BERT_ERR_NOMEM, "pg");
	rc = pg_redact(uri, pg->where, sizeof(pg->where), NULL);
	if (rc) {
		free(pg);
		return rc;
	}
	/* dbname last and expanded: the URI's own settings (its
	 * connect_timeout too) override the defaults before it */
	snprintf(timeout, sizeof(timeout), "%d", PG_CONNECT_TIMEOUT_S);
	pg->c = PQconnectdbParams(keys, vals, 1);
	if (!pg->c || PQstatus(pg->c) != CONNECTION_OK) {
		one_line(pg->c ? PQerrorMessage(pg->c) : "out of memory", line, sizeof(line));
		rc = bert_fail(BERT_ERR_IO, "%s: %s", pg->where, line);
		pg_close(pg);
		return rc;
	}
	/* quiet NOTICEs (IF NOT EXISTS) and exact doubles both ways */
	rc = pg_exec(pg, "SET client_min_messages = warning; "
		     "SET extra_float_digits = 3; SET TIME ZONE 'UTC'; "
		     "SET statement_timeout = '120s'; "
		     "SET idle_in_transaction_session_timeout = '120s'", "session");
	if (rc) {
		pg_close(pg);
		return rc;
	}
	*out = pg;
	return BERT_OK;
}

void pg_close(struct pg *pg)
{
	if (!pg)
		return;
	if (pg->c)
		PQfinish(pg->c);
	free(pg);
}

const char *pg_where(const struct pg *pg)
{
	return pg->where;
}

bool pg_connected(struct pg *pg)
{
	return pg && pg->c && PQstatus(pg->c) == CONNECTION_OK;
}

int pg_fail(struct pg *pg, const PGresult *res, const char *what)
{
	char line[512];
	const char *msg = res ? PQresultErrorMessage(res) : NULL;

	if (!msg || !msg[0])
		msg = PQerrorMessage(pg->c);
	one_line(msg, line, sizeof(line));
	return bert_fail(BERT_ERR_IO, "%s: %s: %s", pg->where, what, line);
}

void pg_rollback(struct pg *pg)
{
	PGresult *r;

	if (PQstatus(pg->c) != CONNECTION_OK)
		return;
	r = PQexec(pg->c, "ROLLBACK");
	PQclear(r);
}

static int check(struct pg *pg, PGresult *r, const char *what, PGresult **res)
{
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	int rc;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		if (res)
			*res = r;
		else
			PQclear(r);
		return BERT_OK;
	}
	rc = pg_fail(pg, r, what);
	PQclear(r);
	return rc;
}

int pg_exec(struct pg *pg, const char *sql, const char *what)
{
	return check(pg, PQexec(pg->c, sql), what, NULL);
}

int pg_query(struct pg *pg, const char *sql, const struct pg_params *p,
	     const char *what, PGresult **res)
{
	if (res)
		*res = NULL;
	return check(pg, PQexecParams(pg->c, sql, p ? p->n : 0, NULL,
				      p ? p->v : NULL, NULL, NULL, 0), what, res);
}

void pg_p_reset(struct pg_params *p)
{
	p->n = 0;
}

void pg_p_text(struct pg_params *p, const char *s)
{
	if (p->n < PG_MAX_PARAMS)
		p->v[p->n++] = s ? s : "";
}

void pg_p_null(struct pg_params *p)
{
	if (p->n < PG_MAX_PARAMS)
		p->v[p->n++] = NULL;
}

void pg_p_int(struct pg_params *p, long long v)
{
	if (p->n >= PG_MAX_PARAMS)
		return;
	snprintf(p->buf[p->n], sizeof(p->buf[0]), "%lld", v);
	p->v[p->n] = p->buf[p->n];
	p->n++;
}

void pg_p_real(struct pg_params *p, double v)
{
	if (p->n >= PG_MAX_PARAMS)
		return;
	if (isnan(v))
		p->v[p->n] = NULL;
	else if (isinf(v))
		p->v[p->n] = v > 0 ? "Infinity" : "-Infinity";
	else {
		snprintf(p->buf[p->n], sizeof(p->buf[0]), "%.17g", v);
		p->v[p->n] = p->buf[p->n];
	}
	p->n++;
}

double pg_real(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NAN;
	return strtod(PQgetvalue(r, row, col), NULL);
}

long long pg_int(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return 0;
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void pg_str(const PGresult *r, int row, int col, char *out, size_t size)
{
	snprintf(out, size, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}
