// SPDX-License-Identifier: MIT
/* Uploading a run into the central database: one transaction per upload,
 * keyed by the run's UUID and the steps' sequence numbers, so a repeated
 * upload (after a crash between the server's commit and the station's
 * acknowledgement) writes the same rows again and nothing else.
 *
 * The statements of one upload go out in a libpq pipeline and are answered
 * together: an upload costs one network round trip, not one per
 * measurement, which is what lets a station far from the server keep up.
 * Rows refer to their run and step by UUID and sequence number, so no
 * statement waits for another's answer; the statements before the sync
 * form one implicit transaction, committed or rolled back as a whole. */
#define LOG_PREFIX "pg"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/pg_int.h"

#define RUN_BY_UUID	"(SELECT id FROM runs WHERE uuid = $1)"
#define STEP_BY_SEQ	"(SELECT id FROM steps WHERE run_id = " RUN_BY_UUID " AND seq = $2)"

static const char sql_run[] =
	"INSERT INTO runs (uuid, record_schema, bert_version, status, verdict, "
	"message, profile, profile_hash, lanes, lanes_per_link, vendor, pn, sn, "
	"rev, firmware, station, site, fixture, host, pid, wall_start, wall_end, "
	"station_ns, local_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
	"$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, to_timestamp($21), "
	"to_timestamp($22), $23, $24) "
	"ON CONFLICT (uuid) DO UPDATE SET record_schema = EXCLUDED.record_schema, "
	"bert_version = EXCLUDED.bert_version, status = EXCLUDED.status, "
	"verdict = EXCLUDED.verdict, message = EXCLUDED.message, "
	"profile = EXCLUDED.profile, profile_hash = EXCLUDED.profile_hash, "
	"lanes = EXCLUDED.lanes, lanes_per_link = EXCLUDED.lanes_per_link, "
	"vendor = EXCLUDED.vendor, pn = EXCLUDED.pn, sn = EXCLUDED.sn, "
	"rev = EXCLUDED.rev, firmware = EXCLUDED.firmware, "
	"station = EXCLUDED.station, site = EXCLUDED.site, "
	"fixture = EXCLUDED.fixture, host = EXCLUDED.host, pid = EXCLUDED.pid, "
	"wall_start = EXCLUDED.wall_start, wall_end = EXCLUDED.wall_end, "
	"station_ns = EXCLUDED.station_ns, local_id = EXCLUDED.local_id, "
	"last_upload = now() RETURNING id";
static const char sql_del_steps[] =
	"DELETE FROM steps WHERE run_id = " RUN_BY_UUID " AND seq >= $2";
static const char sql_step[] =
	"INSERT INTO steps (run_id, seq, name, status, verdict, start_ns, end_ns, "
	"message) VALUES (" RUN_BY_UUID ", $2, $3, $4, $5, $6, $7, $8)";
static const char sql_meas[] =
	"INSERT INTO measurements (step_id, run_id, seq, name, lane, value, unit, "
	"low, high, marginal, uncertainty, guard, scale, method, verdict, message) "
	"VALUES (" STEP_BY_SEQ ", " RUN_BY_UUID ", $3, $4, $5, $6, $7, $8, $9, $10, "
	"$11, $12, $13, $14, $15, $16)";
static const char sql_ucomp[] =
	"INSERT INTO uncertainty_components (measurement_id, run_id, seq, source, u, "
	"type, note) VALUES ((SELECT m.id FROM measurements m JOIN steps s ON "
	"s.id = m.step_id WHERE s.run_id = " RUN_BY_UUID " AND s.seq = $2 AND "
	"m.seq = $3), " RUN_BY_UUID ", $4, $5, $6, $7, $8)";
static const char sql_point[] =
	"INSERT INTO sweep_points (step_id, run_id, seq, lane, atten_db, power_dbm, "
	"oma_dbm, ber, bits, errors, t_ns) VALUES (" STEP_BY_SEQ ", " RUN_BY_UUID
	", $3, $4, $5, $6, $7, $8, $9, $10, $11)";

static const char sql_trace[] =
	"UPDATE runs SET operator = $2, work_order = $3, lot = $4, date_code = $5, "
	"trace = $6::jsonb WHERE uuid = $1";

static int prepare_all(struct pg *pg)
{
	static const struct { const char *name, *sql; } st[] = {
		{ "bert_run", sql_run }, { "bert_del_steps", sql_del_steps },
		{ "bert_step", sql_step }, { "bert_meas", sql_meas },
		{ "bert_point", sql_point },
	};
	static const struct { const char *name, *sql; int since; } st3[] = {
		{ "bert_ucomp", sql_ucomp, PG_SCHEMA_UCOMP },
		{ "bert_trace", sql_trace, PG_SCHEMA_TRACE },
	};
	size_t i;
	int rc;

	if (pg->prepared)
		return BERT_OK;
	for (i = 0; i < ARRAY_SIZE(st); i++) {
		PGresult *r = PQprepare(pg->c, st[i].name, st[i].sql, 0, NULL);

		if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = pg_fail(pg, r, "preparing the upload");
			PQclear(r);
			return rc;
		}
		PQclear(r);
	}
	for (i = 0; i < ARRAY_SIZE(st3); i++) {
		PGresult *r;

		if (pg->version < st3[i].since)
			continue;
		r = PQprepare(pg->c, st3[i].name, st3[i].sql, 0, NULL);

		if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
			rc = pg_fail(pg, r, "preparing the upload");
			PQclear(r);
			return rc;
		}
		PQclear(r);
	}
	pg->prepared = true;
	return BERT_OK;
}

/* One statement into the pipeline. */
static int send(struct pg *pg, const char *stmt, const struct pg_params *p, unsigned *n)
{
	if (!PQsendQueryPrepared(pg->c, stmt, p->n, p->v, NULL, NULL, 0))
		return pg_fail(pg, NULL, "upload");
	(*n)++;
	return BERT_OK;
}

static int send_step(struct pg *pg, const struct qual_record *rec, size_t seq,
		     const struct qual_step *s, unsigned *n)
{
	struct pg_params p;
	size_t i, k;
	int rc;

	pg_p_reset(&p);
	pg_p_text(&p, rec->uuid);
	pg_p_int(&p, (long long)seq);
	pg_p_text(&p, s->name);
	pg_p_text(&p, qual_step_status_name(s->status));
	pg_p_text(&p, qual_verdict_name(s->verdict));
	pg_p_int(&p, (long long)s->start_ns);
	pg_p_int(&p, (long long)s->end_ns);
	pg_p_text(&p, s->message);
	rc = send(pg, "bert_step", &p, n);
	for (i = 0; !rc && i < s->nm; i++) {
		const struct qual_measurement *m = &s->m[i];

		pg_p_reset(&p);
		pg_p_text(&p, rec->uuid);
		pg_p_int(&p, (long long)seq);
		pg_p_int(&p, (long long)i);
		pg_p_text(&p, m->name);
		pg_p_int(&p, m->lane);
		pg_p_real(&p, m->value);
		pg_p_text(&p, m->unit);
		pg_p_real(&p, m->lim.low);
		pg_p_real(&p, m->lim.high);
		pg_p_real(&p, m->lim.marginal);
		pg_p_real(&p, m->uncertainty);
		pg_p_text(&p, qual_guard_name(m->lim.guard));
		pg_p_text(&p, qual_scale_name(m->lim.scale));
		pg_p_text(&p, m->method);
		pg_p_text(&p, qual_verdict_name(m->verdict));
		pg_p_text(&p, m->message);
		rc = send(pg, "bert_meas", &p, n);
		for (k = 0; !rc && k < m->nucomp && k < QUAL_UCOMP_MAX; k++) {
			const struct qual_ucomp *c = &m->ucomp[k];

			pg_p_reset(&p);
			pg_p_text(&p, rec->uuid);
			pg_p_int(&p, (long long)seq);
			pg_p_int(&p, (long long)i);
			pg_p_int(&p, (long long)k);
			pg_p_text(&p, c->source);
			pg_p_real(&p, c->u);
			pg_p_text(&p, c->type == 'A' ? "A" : "B");
			pg_p_text(&p, c->note);
			rc = send(pg, "bert_ucomp", &p, n);
		}
	}
	for (i = 0; !rc && i < s->npts; i++) {
		const struct qual_point *pt = &s->pts[i];

		pg_p_reset(&p);
		pg_p_text(&p, rec->uuid);
		pg_p_int(&p, (long long)seq);
		pg_p_int(&p, (long long)i);
		pg_p_int(&p, pt->lane);
		pg_p_real(&p, pt->atten_db);
		pg_p_real(&p, pt->power_dbm);
		pg_p_real(&p, pt->oma_dbm);
		pg_p_real(&p, pt->ber);
		pg_p_int(&p, (long long)pt->bits);
		pg_p_int(&p, (long long)pt->errors);
		pg_p_int(&p, (long long)pt->t_ns);
		rc = send(pg, "bert_point", &p, n);
	}
	return rc;
}

static void text_or_null(struct pg_params *p, const char *s)
{
	if (s[0])
		pg_p_text(p, s);
	else
		pg_p_null(p);
}

static bool has_trace(const struct qual_record *rec)
{
	const struct qual_trace *t = &rec->trace;

	return t->operator_name[0] || t->work_order[0] || t->lot[0] || t->station_site[0] ||
	       t->calibration[0] || t->ninstr || rec->dut.date_code[0];
}

static int send_all(struct pg *pg, const struct qual_record *rec, size_t from_step,
		    unsigned *n)
{
	struct pg_params p;
	size_t i;
	int rc;

	pg_p_reset(&p);
	pg_p_text(&p, rec->uuid);
	pg_p_int(&p, rec->schema);
	pg_p_text(&p, rec->bert_version);
	pg_p_text(&p, qual_run_status_name(rec->status));
	pg_p_text(&p, qual_verdict_name(rec->verdict));
	pg_p_text(&p, rec->message);
	pg_p_text(&p, rec->profile);
	pg_p_text(&p, rec->profile_hash);
	pg_p_int(&p, rec->lanes);
	pg_p_int(&p, rec->lanes_per_link);
	pg_p_text(&p, rec->dut.vendor);
	pg_p_text(&p, rec->dut.pn);
	pg_p_text(&p, rec->dut.sn);
	pg_p_text(&p, rec->dut.rev);
	pg_p_text(&p, rec->dut.firmware);
	pg_p_text(&p, rec->station);
	pg_p_int(&p, rec->site);
	pg_p_text(&p, rec->fixture);
	pg_p_text(&p, rec->host);
	pg_p_int(&p, rec->pid);
	pg_p_int(&p, rec->wall_start);
	if (rec->wall_end)
		pg_p_int(&p, rec->wall_end);
	else
		pg_p_null(&p);	/* not ended */
	pg_p_int(&p, (long long)rec->station_ns);
	pg_p_int(&p, rec->id);
	rc = send(pg, "bert_run", &p, n);
	if (rc)
		return rc;
	if (pg->version >= PG_SCHEMA_TRACE) {
		json_t *j = qual_trace_to_json(&rec->trace);
		char *t = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

		json_decref(j);
		if (!t)
			return bert_fail(BERT_ERR_NOMEM, "upload: trace");
		pg_p_reset(&p);
		pg_p_text(&p, rec->uuid);
		text_or_null(&p, rec->trace.operator_name);
		text_or_null(&p, rec->trace.work_order);
		text_or_null(&p, rec->trace.lot);
		text_or_null(&p, rec->dut.date_code);
		pg_p_text(&p, t);
		rc = send(pg, "bert_trace", &p, n);
		free(t);
		if (rc)
			return rc;
	}
	pg_p_reset(&p);
	pg_p_text(&p, rec->uuid);
	pg_p_int(&p, (long long)from_step);
	rc = send(pg, "bert_del_steps", &p, n);
	for (i = from_step; !rc && i < rec->nsteps; i++)
		rc = send_step(pg, rec, i, rec->steps[i], n);
	return rc;
}

/* Reads the answers of n statements and the sync; the first failure is
 * the error (the rest of the pipeline is skipped by the server). */
static int collect(struct pg *pg, unsigned n, int64_t *id)
{
	int rc = BERT_OK;
	unsigned k;

	for (k = 0; k < n; k++) {
		PGresult *r = PQgetResult(pg->c);
		ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;

		if (!r) {
			if (!rc)
				rc = pg_fail(pg, NULL, "upload: the server stopped answering");
			return rc;
		}
		if (s == PGRES_TUPLES_OK && k == 0 && PQntuples(r) == 1)
			*id = pg_int(r, 0, 0);
		else if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && !rc)
			rc = pg_fail(pg, r, s == PGRES_PIPELINE_ABORTED ?
				     "upload (pipeline aborted)" : "upload");
		PQclear(r);
		PQclear(PQgetResult(pg->c));	/* the NULL after each statement */
	}
	for (;;) {
		PGresult *r = PQgetResult(pg->c);

		if (!r) {
			if (!rc)
				rc = pg_fail(pg, NULL, "upload: no sync");
			return rc;
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			return rc;
		}
		PQclear(r);
	}
}

int pg_upload_run(struct pg *pg, const struct qual_record *rec, size_t from_step,
		  int64_t *central_id)
{
	int64_t id = 0;
	unsigned n = 0;
	int rc;

	if (pg->version < 1)
		return bert_fail(BERT_ERR_INTERNAL, "pg_upload_run: schema not checked");
	if (pg->version < PG_SCHEMA_UCOMP) {
		size_t i, j;

		for (i = from_step; i < rec->nsteps; i++)
			for (j = 0; j < rec->steps[i]->nm; j++)
				if (rec->steps[i]->m[j].nucomp)
					return bert_fail(BERT_ERR_UNSUPPORTED, "%s: schema version "
							 "%d has no uncertainty budgets (run %s "
							 "has them): run 'bert results db "
							 "migrate --db URI'", pg->where,
							 pg->version, rec->uuid);
	}
	if (pg->version < PG_SCHEMA_TRACE && has_trace(rec))
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: schema version %d has no "
				 "traceability of runs (run %s has it): run 'bert results "
				 "db migrate --db URI'", pg->where, pg->version, rec->uuid);
	rc = prepare_all(pg);
	if (rc)
		return rc;
	if (!PQenterPipelineMode(pg->c))
		return bert_fail_ctx(pg_fail(pg, NULL, "pipeline"), "run %s", rec->uuid);
	rc = send_all(pg, rec, from_step, &n);
	if (!PQpipelineSync(pg->c) && !rc)
		rc = pg_fail(pg, NULL, "upload sync");
	if (PQstatus(pg->c) == CONNECTION_OK) {
		int rc2 = collect(pg, n, &id);

		if (!rc)
			rc = rc2;
	}
	if (!PQexitPipelineMode(pg->c) && !rc)
		rc = pg_fail(pg, NULL, "leaving the pipeline");
	if (rc)
		return bert_fail_ctx(rc, "run %s", rec->uuid);
	if (central_id)
		*central_id = id;
	return BERT_OK;
}
