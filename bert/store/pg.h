/* SPDX-License-Identifier: MIT */
/* The central results database on PostgreSQL (libpq): connection, the
 * versioned schema and its migrations, and the idempotent upload of runs
 * from a station's store. The schema is documented in bert/qual/RECORD.md.
 *
 * Locations are libpq connection URIs (postgresql://[user@]host[:port]/db,
 * postgresql:///db?host=/run/postgresql for a Unix socket). Credentials are
 * never part of a location bert keeps: a password comes from PGPASSWORD,
 * PGPASSFILE / ~/.pgpass or a service (PGSERVICEFILE, ?service=NAME), and
 * pg_where() gives the URI with any password removed for messages.
 *
 * Errors: BERT_ERR_CONFIG (a malformed URI, or a password in it where the
 * caller forbids one), BERT_ERR_IO (unreachable server, authentication
 * refused, a statement failed; libpq's message in the detail),
 * BERT_ERR_UNSUPPORTED (a database whose schema is newer than this bert, or
 * older than the current one where the current one is needed).
 */
#ifndef BERT_STORE_PG_H
#define BERT_STORE_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/qual/record.h"

/* 1: runs, steps, measurements, sweep points, DUT identity, station/site.
 * 2: + operator, work order, lot on runs; instruments and calibrations.
 * 3: + the uncertainty budget of each measurement.
 * 4: + the module's date code and the run's trace (record.h, qual_trace)
 *    on runs, beside the operator, work order and lot columns of 2. */
#define PG_SCHEMA_VERSION	4
/* The first version that holds uncertainty budgets. */
#define PG_SCHEMA_UCOMP		3
/* The first version that holds the trace of a run. */
#define PG_SCHEMA_TRACE		4
#define PG_CONNECT_TIMEOUT_S	5

struct pg;

/* Connects (connect_timeout PG_CONNECT_TIMEOUT_S unless the URI sets one).
 * Does not look at the schema. */
int pg_connect(const char *uri, struct pg **out);
void pg_close(struct pg *pg);
/* The URI without its password. */
const char *pg_where(const struct pg *pg);
/* False once the connection broke (the server went away). */
bool pg_connected(struct pg *pg);
/* Writes uri without a password into out; *had_password (may be NULL)
 * says whether there was one. BERT_ERR_CONFIG for a malformed URI. */
int pg_redact(const char *uri, char *out, size_t size, bool *had_password);

/* Creates or migrates the schema up to version to (0 = PG_SCHEMA_VERSION),
 * one version per transaction, serialized across stations by an advisory
 * lock. *from / *now (may be NULL) get the versions before and after.
 * Refuses to go down. */
int pg_migrate(struct pg *pg, int to, int *from, int *now);
/* BERT_OK when the schema can take uploads and queries (version 1..current);
 * BERT_ERR_UNSUPPORTED naming `bert results db migrate` otherwise. */
int pg_schema_check(struct pg *pg, int *version);

/* Uploads a run in one transaction (after pg_schema_check or pg_migrate on
 * this connection): the run row (inserted, or updated by
 * its UUID) and its steps from seq from_step on (those already there are
 * replaced, with their measurements and sweep points). Repeating an upload
 * changes nothing. *central_id (may be NULL) gets the run's row id. A
 * database older than the record needs (a budget for a version 1 or 2
 * schema) is BERT_ERR_UNSUPPORTED naming the migration: nothing is dropped. */
int pg_upload_run(struct pg *pg, const struct qual_record *rec, size_t from_step,
		  int64_t *central_id);

#endif
