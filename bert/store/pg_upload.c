// SPDX-License-Identifier: MIT
/* Uploading a run into the central database: one transaction per upload,
 * keyed by the run's UUID and the steps' sequence numbers, so a repeated
 * upload (after a crash between the server's commit and the station's
 * acknowledgement) writes the same rows again and nothing else. */
#define LOG_PREFIX "pg"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/pg_int.h"

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
	"DELETE FROM steps WHERE run_id = $1 AND seq >= $2";
static const char sql_step[] =
	"INSERT INTO steps (run_id, seq, name, status, verdict, start_ns, end_ns, "
	"message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
static const char sql_meas[] =
	"INSERT INTO measurements (step_id, run_id, seq, name, lane, value, unit, "
	"low, high, marginal, uncertainty, guard, scale, method, verdict, message) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
static const char sql_point[] =
	"INSERT INTO sweep_points (step_id, run_id, seq, lane, atten_db, power_dbm, "
	"oma_dbm, ber, bits, errors, t_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
	"$9, $10, $11)";

static int prepare_all(struct pg *pg)
{
	static const struct { const char *name, *sql; } st[] = {
		{ "bert_run", sql_run }, { "bert_del_steps", sql_del_steps },
		{ "bert_step", sql_step }, { "bert_meas", sql_meas },
		{ "bert_point", sql_point },
	};
	size_t i;
	int rc;

	if (pg->prepared)
		return BERT_OK;
	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		PGresult *r = PQprepare(pg->c, st[i].name, st[i].sql, 0, NULL);

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

static int put_step(struct pg *pg, int64_t run_id, size_t seq, const struct qual_step *s)
{
	struct pg_params p;
	PGresult *r;
	long long step_id;
	size_t i;
	int rc;

	pg_p_reset(&p);
	pg_p_int(&p, run_id);
	pg_p_int(&p, (long long)seq);
	pg_p_text(&p, s->name);
	pg_p_text(&p, qual_step_status_name(s->status));
	pg_p_text(&p, qual_verdict_name(s->verdict));
	pg_p_int(&p, (long long)s->start_ns);
	pg_p_int(&p, (long long)s->end_ns);
	pg_p_text(&p, s->message);
	rc = pg_prepared(pg, "bert_step", &p, "step", &r);
	if (rc)
		return rc;
	step_id = pg_int(r, 0, 0);
	PQclear(r);
	for (i = 0; i < s->nm; i++) {
		const struct qual_measurement *m = &s->m[i];

		pg_p_reset(&p);
		pg_p_int(&p, step_id);
		pg_p_int(&p, run_id);
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
		rc = pg_prepared(pg, "bert_meas", &p, "measurement", NULL);
		if (rc)
			return rc;
	}
	for (i = 0; i < s->npts; i++) {
		const struct qual_point *pt = &s->pts[i];

		pg_p_reset(&p);
		pg_p_int(&p, step_id);
		pg_p_int(&p, run_id);
		pg_p_int(&p, (long long)i);
		pg_p_int(&p, pt->lane);
		pg_p_real(&p, pt->atten_db);
		pg_p_real(&p, pt->power_dbm);
		pg_p_real(&p, pt->oma_dbm);
		pg_p_real(&p, pt->ber);
		pg_p_int(&p, (long long)pt->bits);
		pg_p_int(&p, (long long)pt->errors);
		pg_p_int(&p, (long long)pt->t_ns);
		rc = pg_prepared(pg, "bert_point", &p, "sweep point", NULL);
		if (rc)
			return rc;
	}
	return BERT_OK;
}

int pg_upload_run(struct pg *pg, const struct qual_record *rec, size_t from_step,
		  int64_t *central_id)
{
	struct pg_params p;
	PGresult *r;
	int64_t id;
	size_t i;
	int rc;

	rc = prepare_all(pg);
	if (rc)
		return rc;
	rc = pg_exec(pg, "BEGIN", "upload");
	if (rc)
		return rc;
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
	rc = pg_prepared(pg, "bert_run", &p, "run", &r);
	if (rc)
		goto fail;
	id = pg_int(r, 0, 0);
	PQclear(r);
	pg_p_reset(&p);
	pg_p_int(&p, id);
	pg_p_int(&p, (long long)from_step);
	rc = pg_prepared(pg, "bert_del_steps", &p, "replacing steps", NULL);
	for (i = from_step; !rc && i < rec->nsteps; i++)
		rc = put_step(pg, id, i, rec->steps[i]);
	if (!rc)
		rc = pg_exec(pg, "COMMIT", "upload");
	if (rc)
		goto fail;
	if (central_id)
		*central_id = id;
	return BERT_OK;
fail:
	pg_rollback(pg);
	return bert_fail_ctx(rc, "run %s", rec->uuid);
}
