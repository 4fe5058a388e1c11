// SPDX-License-Identifier: MIT
/* The central schema, versioned: each version is one migration from the one
 * before, applied in its own transaction. bert/qual/RECORD.md documents the
 * tables. Times: wall_* are timestamptz (UTC); *_ns are station time. */
#define LOG_PREFIX "pg"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/pg_int.h"

/* Every bert database takes this advisory lock while migrating, so several
 * stations starting at once migrate one after the other. */
#define MIGRATE_LOCK	"SELECT pg_advisory_xact_lock(7426001)"
/* bert_schema_version.bert_version: the bert that applied a version (as
 * cli/bert.c reports it). */
#define WRITER_VERSION	"0.1.0"

static const char v1[] =
	"CREATE TABLE bert_schema_version ("
	"  version integer PRIMARY KEY,"
	"  applied_at timestamptz NOT NULL DEFAULT now(),"
	"  bert_version text NOT NULL DEFAULT '');"
	"CREATE TABLE runs ("
	"  id bigserial PRIMARY KEY,"
	"  uuid text NOT NULL UNIQUE,"
	"  record_schema integer NOT NULL,"
	"  bert_version text NOT NULL,"
	"  status text NOT NULL CHECK (status IN"
	"    ('running', 'complete', 'aborted', 'error')),"
	"  verdict text NOT NULL CHECK (verdict IN"
	"    ('none', 'pass', 'marginal', 'fail', 'error')),"
	"  message text NOT NULL,"
	"  profile text NOT NULL, profile_hash text NOT NULL,"
	"  lanes integer NOT NULL, lanes_per_link integer NOT NULL,"
	"  vendor text NOT NULL, pn text NOT NULL, sn text NOT NULL,"
	"  rev text NOT NULL, firmware text NOT NULL,"
	"  station text NOT NULL, site integer NOT NULL, fixture text NOT NULL,"
	"  host text NOT NULL, pid integer NOT NULL,"
	"  wall_start timestamptz NOT NULL, wall_end timestamptz,"
	"  station_ns bigint NOT NULL CHECK (station_ns >= 0),"
	"  local_id bigint NOT NULL,"
	"  first_upload timestamptz NOT NULL DEFAULT now(),"
	"  last_upload timestamptz NOT NULL DEFAULT now());"
	"CREATE INDEX runs_sn ON runs (sn);"
	"CREATE INDEX runs_pn ON runs (pn);"
	"CREATE INDEX runs_wall_start ON runs (wall_start);"
	"CREATE INDEX runs_station_site ON runs (station, site);"
	"CREATE TABLE steps ("
	"  id bigserial PRIMARY KEY,"
	"  run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq integer NOT NULL CHECK (seq >= 0),"
	"  name text NOT NULL, status text NOT NULL, verdict text NOT NULL,"
	"  start_ns bigint NOT NULL, end_ns bigint NOT NULL,"
	"  message text NOT NULL,"
	"  UNIQUE (run_id, seq));"
	"CREATE TABLE measurements ("
	"  id bigserial PRIMARY KEY,"
	"  step_id bigint NOT NULL REFERENCES steps (id) ON DELETE CASCADE,"
	"  run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq integer NOT NULL,"
	"  name text NOT NULL, lane integer NOT NULL,"
	"  value double precision, unit text NOT NULL,"
	"  low double precision, high double precision,"
	"  marginal double precision, uncertainty double precision,"
	"  guard text NOT NULL, scale text NOT NULL,"
	"  method text NOT NULL, verdict text NOT NULL, message text NOT NULL,"
	"  UNIQUE (step_id, seq));"
	"CREATE INDEX measurements_run ON measurements (run_id);"
	"CREATE INDEX measurements_name ON measurements (name, lane);"
	"CREATE TABLE sweep_points ("
	"  id bigserial PRIMARY KEY,"
	"  step_id bigint NOT NULL REFERENCES steps (id) ON DELETE CASCADE,"
	"  run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq integer NOT NULL, lane integer NOT NULL,"
	"  atten_db double precision, power_dbm double precision,"
	"  oma_dbm double precision, ber double precision,"
	"  bits bigint NOT NULL, errors bigint NOT NULL, t_ns bigint NOT NULL,"
	"  UNIQUE (step_id, seq));"
	"CREATE INDEX sweep_points_run ON sweep_points (run_id);";

/* Traceability of who built what with which instruments: the record fields
 * for these arrive with the station's operator data; the columns are there
 * for every station that sends them. */
static const char v2[] =
	"ALTER TABLE runs ADD COLUMN operator text,"
	"  ADD COLUMN work_order text, ADD COLUMN lot text;"
	"CREATE INDEX runs_lot ON runs (lot);"
	"CREATE TABLE instruments ("
	"  id bigserial PRIMARY KEY,"
	"  run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  name text NOT NULL, kind text NOT NULL, model text NOT NULL,"
	"  uri text NOT NULL, serial text NOT NULL DEFAULT '',"
	"  firmware text NOT NULL DEFAULT '',"
	"  UNIQUE (run_id, name));"
	"CREATE TABLE calibrations ("
	"  id bigserial PRIMARY KEY,"
	"  instrument_id bigint NOT NULL REFERENCES instruments (id) ON DELETE CASCADE,"
	"  quantity text NOT NULL, value double precision,"
	"  uncertainty double precision, unit text NOT NULL DEFAULT '',"
	"  done_at timestamptz, due_at timestamptz,"
	"  certificate text NOT NULL DEFAULT '');";

/* The uncertainty budget behind each measurement's U (GUM components, k = 1),
 * as the station store keeps it. */
static const char v3[] =
	"CREATE TABLE uncertainty_components ("
	"  id bigserial PRIMARY KEY,"
	"  measurement_id bigint NOT NULL REFERENCES measurements (id) ON DELETE CASCADE,"
	"  run_id bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
	"  seq integer NOT NULL, source text NOT NULL, u double precision,"
	"  type text NOT NULL CHECK (type IN ('A', 'B')), note text NOT NULL,"
	"  UNIQUE (measurement_id, seq));"
	"CREATE INDEX uncertainty_components_run ON uncertainty_components (run_id);";

/* The run's traceability as the record carries it: the operator, work
 * order and lot fill the columns of version 2; the trace object (station
 * location, calibration used, each instrument's *IDN? and calibration date)
 * is kept whole, and the module's date code beside its identity. */
static const char v4[] =
	"ALTER TABLE runs ADD COLUMN date_code text, ADD COLUMN trace jsonb;";

static const char *const migrations[PG_SCHEMA_VERSION] = { v1, v2, v3, v4 };

static int read_version(struct pg *pg, int *version)
{
	PGresult *r;
	int rc;

	*version = 0;
	rc = pg_query(pg, "SELECT to_regclass('bert_schema_version') IS NOT NULL",
		      NULL, "schema version", &r);
	if (rc)
		return rc;
	if (strcmp(PQgetvalue(r, 0, 0), "t")) {
		PQclear(r);
		return BERT_OK;
	}
	PQclear(r);
	rc = pg_query(pg, "SELECT COALESCE(MAX(version), 0) FROM bert_schema_version",
		      NULL, "schema version", &r);
	if (rc)
		return rc;
	*version = (int)pg_int(r, 0, 0);
	PQclear(r);
	return BERT_OK;
}

int pg_migrate(struct pg *pg, int to, int *from, int *now)
{
	struct pg_params p;
	int rc, v, v0;

	if (!to)
		to = PG_SCHEMA_VERSION;
	if (to < 1 || to > PG_SCHEMA_VERSION)
		return bert_fail(BERT_ERR_ARG, "schema version %d: this bert knows "
				 "1..%d", to, PG_SCHEMA_VERSION);
	rc = pg_exec(pg, "BEGIN", "migrate");
	if (!rc)
		rc = pg_exec(pg, MIGRATE_LOCK, "migration lock");
	if (!rc)
		rc = read_version(pg, &v0);
	if (rc)
		goto fail;
	if (from)
		*from = v0;
	if (v0 > PG_SCHEMA_VERSION) {
		rc = bert_fail(BERT_ERR_UNSUPPORTED, "%s: schema version %d is newer "
			       "than this bert (%d)", pg->where, v0, PG_SCHEMA_VERSION);
		goto fail;
	}
	if (v0 > to) {
		rc = bert_fail(BERT_ERR_ARG, "%s: schema version %d is above %d "
			       "(migrations only go up)", pg->where, v0, to);
		goto fail;
	}
	for (v = v0 + 1; v <= to; v++) {
		if (v > v0 + 1) {
			/* one transaction per version: a failure keeps the last */
			rc = pg_exec(pg, "BEGIN", "migrate");
			if (!rc)
				rc = pg_exec(pg, MIGRATE_LOCK, "migration lock");
			if (rc)
				goto fail;
		}
		rc = pg_exec(pg, migrations[v - 1], "migrating");
		if (rc) {
			bert_fail_ctx(rc, "schema version %d", v);
			goto fail;
		}
		pg_p_reset(&p);
		pg_p_int(&p, v);
		pg_p_text(&p, WRITER_VERSION);
		rc = pg_query(pg, "INSERT INTO bert_schema_version (version, bert_version) "
			      "VALUES ($1, $2)", &p, "schema version", NULL);
		if (!rc)
			rc = pg_exec(pg, "COMMIT", "migrate");
		if (rc)
			goto fail;
		log_info("%s: schema version %d", pg->where, v);
	}
	if (v0 >= to && (rc = pg_exec(pg, "COMMIT", "migrate")))
		goto fail;
	if (now)
		*now = to > v0 ? to : v0;
	pg->version = to > v0 ? to : v0;
	return BERT_OK;
fail:
	pg_rollback(pg);
	return rc;
}

int pg_schema_check(struct pg *pg, int *version)
{
	int v, rc = read_version(pg, &v);

	if (rc)
		return rc;
	if (version)
		*version = v;
	pg->version = v;
	if (v == 0)
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: no bert schema (run 'bert "
				 "results db migrate --db URI' once)", pg->where);
	if (v > PG_SCHEMA_VERSION)
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: schema version %d is newer "
				 "than this bert (%d)", pg->where, v, PG_SCHEMA_VERSION);
	return BERT_OK;
}
