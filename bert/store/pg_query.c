// SPDX-License-Identifier: MIT
/* The results_db backend on the central PostgreSQL database: the queries
 * behind `bert results list/show/export/report --db postgresql://...`. */
#define LOG_PREFIX "pg"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/store/pg_int.h"
#include "bert/store/results_db.h"

struct pg_priv {
	struct pg *pg;
};

static struct pg *conn(struct results_db *db)
{
	return ((struct pg_priv *)db->priv)->pg;
}

static int q_open(struct results_db *db, const char *location)
{
	struct pg_priv *p = db->priv;
	int rc = pg_connect(location, &p->pg);

	if (rc)
		return rc;
	snprintf(db->where, sizeof(db->where), "%s", pg_where(p->pg));
	rc = pg_schema_check(p->pg, NULL);
	if (rc) {
		pg_close(p->pg);
		p->pg = NULL;
	}
	return rc;
}

static void q_close(struct results_db *db)
{
	pg_close(conn(db));
}

static int q_list(struct results_db *db, const struct store_filter *f,
		  const char *station, struct store_run_summary **out, size_t *n)
{
	struct pg *pg = conn(db);
	struct store_run_summary *v;
	struct pg_params p;
	char sql[1536], where[512] = "", lim[24] = "";
	size_t len = 0;
	PGresult *r;
	int rc, i, rows;

	*out = NULL;
	*n = 0;
	pg_p_reset(&p);
#define COND(test, text, bind) do { if (test) { bind; \
	len += (size_t)snprintf(where + len, sizeof(where) - len, " AND " text, p.n); } \
	} while (0)
	COND(f && f->since_id, "id > $%d", pg_p_int(&p, f->since_id));
	COND(f && f->since_time, "wall_start >= to_timestamp($%d)",
	     pg_p_int(&p, f->since_time));
	COND(f && f->sn, "sn = $%d", pg_p_text(&p, f->sn));
	COND(station, "station = $%d", pg_p_text(&p, station));
#undef COND
	if (f && f->changed_since)
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: the change cursor is a "
				 "station store's", db->where);
	if (f && f->limit) {
		pg_p_int(&p, f->limit);
		snprintf(lim, sizeof(lim), " LIMIT $%d", p.n);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT id, uuid, status, verdict, profile, vendor, pn, sn, station, "
		 "site, extract(epoch FROM wall_start)::bigint, "
		 "COALESCE(extract(epoch FROM wall_end)::bigint, 0), station_ns, "
		 "(SELECT COUNT(*) FROM steps WHERE steps.run_id = runs.id) "
		 "FROM runs WHERE true%s ORDER BY id DESC%s", where, lim);
	rc = pg_query(pg, sql, &p, "listing runs", &r);
	if (rc)
		return rc;
	rows = PQntuples(r);
	v = calloc(rows ? (size_t)rows : 1, sizeof(*v));
	if (!v) {
		PQclear(r);
		return bert_fail(BERT_ERR_NOMEM, "listing runs");
	}
	for (i = 0; i < rows; i++) {
		struct store_run_summary *s = &v[i];
		char buf[16];

		s->id = pg_int(r, i, 0);
		pg_str(r, i, 1, s->uuid, sizeof(s->uuid));
		pg_str(r, i, 2, buf, sizeof(buf));
		qual_run_status_parse(buf, &s->status);
		pg_str(r, i, 3, buf, sizeof(buf));
		qual_verdict_parse(buf, &s->verdict);
		pg_str(r, i, 4, s->profile, sizeof(s->profile));
		pg_str(r, i, 5, s->vendor, sizeof(s->vendor));
		pg_str(r, i, 6, s->pn, sizeof(s->pn));
		pg_str(r, i, 7, s->sn, sizeof(s->sn));
		pg_str(r, i, 8, s->station, sizeof(s->station));
		s->site = (unsigned)pg_int(r, i, 9);
		s->wall_start = pg_int(r, i, 10);
		s->wall_end = pg_int(r, i, 11);
		s->station_ns = (uint64_t)pg_int(r, i, 12);
		s->steps = (unsigned)pg_int(r, i, 13);
	}
	PQclear(r);
	bert_error_clear();
	*out = v;
	*n = (size_t)rows;
	return BERT_OK;
}

static int count_ids(struct pg *pg, const char *sql, struct pg_params *p,
		     int64_t *id, int *count)
{
	PGresult *r;
	int rc = pg_query(pg, sql, p, "finding the run", &r);

	if (rc)
		return rc;
	*count = PQntuples(r);
	if (*count)
		*id = pg_int(r, 0, 0);
	PQclear(r);
	return BERT_OK;
}

static int q_resolve(struct results_db *db, const char *run, int64_t *id)
{
	static const char by_prefix[] =
		"SELECT id FROM runs WHERE substr(uuid, 1, $1) = $2 LIMIT 2";
	struct pg *pg = conn(db);
	size_t len = run ? strlen(run) : 0, i;
	bool digits = len > 0 && len < 19;
	struct pg_params p;
	int rc, count = 0;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)run[i]))
			digits = false;
	if (!len)
		return bert_fail(BERT_ERR_ARG, "no run given");
	pg_p_reset(&p);
	if (!strcmp(run, "last")) {
		rc = count_ids(pg, "SELECT id FROM runs ORDER BY id DESC LIMIT 1", NULL,
			       id, &count);
	} else if (digits) {
		pg_p_text(&p, run);
		rc = count_ids(pg, "SELECT id FROM runs WHERE id = $1::bigint", &p, id,
			       &count);
	} else if (len < 4 || len >= QUAL_UUID_MAX) {
		return bert_fail(BERT_ERR_ARG, "'%s' is not a run (an id, 'last', or 4 "
				 "or more characters of a UUID)", run);
	} else {
		pg_p_int(&p, (long long)len);
		pg_p_text(&p, run);
		rc = count_ids(pg, by_prefix, &p, id, &count);
	}
	if (!rc && digits && !count && len >= 4 && len < QUAL_UUID_MAX) {
		pg_p_reset(&p);
		pg_p_int(&p, (long long)len);
		pg_p_text(&p, run);
		rc = count_ids(pg, by_prefix, &p, id, &count);
	}
	if (rc)
		return rc;
	if (count == 0)
		return bert_fail(BERT_ERR_RANGE, "no run '%s' in %s", run, db->where);
	if (count > 1)
		return bert_fail(BERT_ERR_ARG, "'%s' matches more than one run", run);
	return BERT_OK;
}

static int load_run(struct pg *pg, int64_t id, struct qual_record *r, const char *where)
{
	struct pg_params p;
	PGresult *res;
	char buf[32];
	int rc;

	pg_p_reset(&p);
	pg_p_int(&p, id);
	rc = pg_query(pg, "SELECT uuid, record_schema, bert_version, status, verdict, "
		      "message, profile, profile_hash, lanes, lanes_per_link, vendor, pn, "
		      "sn, rev, firmware, station, site, fixture, "
		      "extract(epoch FROM wall_start)::bigint, "
		      "COALESCE(extract(epoch FROM wall_end)::bigint, 0), station_ns, "
		      "host, pid FROM runs WHERE id = $1", &p, "loading run", &res);
	if (rc)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return bert_fail(BERT_ERR_RANGE, "no run %lld in %s", (long long)id, where);
	}
	r->id = id;
	pg_str(res, 0, 0, r->uuid, sizeof(r->uuid));
	r->schema = (int)pg_int(res, 0, 1);
	pg_str(res, 0, 2, r->bert_version, sizeof(r->bert_version));
	pg_str(res, 0, 3, buf, sizeof(buf));
	qual_run_status_parse(buf, &r->status);
	pg_str(res, 0, 4, buf, sizeof(buf));
	qual_verdict_parse(buf, &r->verdict);
	pg_str(res, 0, 5, r->message, sizeof(r->message));
	pg_str(res, 0, 6, r->profile, sizeof(r->profile));
	pg_str(res, 0, 7, r->profile_hash, sizeof(r->profile_hash));
	r->lanes = (unsigned)pg_int(res, 0, 8);
	r->lanes_per_link = (unsigned)pg_int(res, 0, 9);
	pg_str(res, 0, 10, r->dut.vendor, sizeof(r->dut.vendor));
	pg_str(res, 0, 11, r->dut.pn, sizeof(r->dut.pn));
	pg_str(res, 0, 12, r->dut.sn, sizeof(r->dut.sn));
	pg_str(res, 0, 13, r->dut.rev, sizeof(r->dut.rev));
	pg_str(res, 0, 14, r->dut.firmware, sizeof(r->dut.firmware));
	pg_str(res, 0, 15, r->station, sizeof(r->station));
	r->site = (unsigned)pg_int(res, 0, 16);
	pg_str(res, 0, 17, r->fixture, sizeof(r->fixture));
	r->wall_start = pg_int(res, 0, 18);
	r->wall_end = pg_int(res, 0, 19);
	r->station_ns = (uint64_t)pg_int(res, 0, 20);
	pg_str(res, 0, 21, r->host, sizeof(r->host));
	r->pid = (int)pg_int(res, 0, 22);
	PQclear(res);
	if (pg->version < PG_SCHEMA_TRACE)
		return BERT_OK;
	rc = pg_query(pg, "SELECT date_code, trace::text FROM runs WHERE id = $1", &p,
		      "loading the trace", &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 1) {
		pg_str(res, 0, 0, r->dut.date_code, sizeof(r->dut.date_code));
		if (!PQgetisnull(res, 0, 1)) {
			json_t *j = json_loads(PQgetvalue(res, 0, 1), 0, NULL);

			rc = j ? qual_trace_from_json(j, &r->trace) :
			     bert_fail(BERT_ERR_PROTOCOL, "runs.trace: not JSON");
			json_decref(j);
			if (rc)
				rc = bert_fail_ctx(rc, "run %lld in %s", (long long)id, where);
		}
	}
	PQclear(res);
	return rc;
}

/* Steps, then every measurement and point of the run in (step, seq) order,
 * merged: three queries whatever the size of the run. */
static int load_steps(struct pg *pg, struct qual_record *r)
{
	PGresult *s = NULL, *m = NULL, *pt = NULL, *u = NULL;
	struct pg_params p;
	int rc, i, im = 0, ip = 0, iu = 0, nm, np, nu = 0;
	char buf[32];

	pg_p_reset(&p);
	pg_p_int(&p, r->id);
	rc = pg_query(pg, "SELECT id, name, status, verdict, start_ns, end_ns, message "
		      "FROM steps WHERE run_id = $1 ORDER BY seq", &p, "loading steps", &s);
	if (!rc)
		rc = pg_query(pg, "SELECT m.step_id, m.name, m.lane, m.value, m.unit, m.low, "
			      "m.high, m.marginal, m.uncertainty, m.guard, m.scale, m.method, "
			      "m.verdict, m.message, m.id FROM measurements m JOIN steps s ON "
			      "s.id = m.step_id WHERE m.run_id = $1 ORDER BY s.seq, m.seq",
			      &p, "loading measurements", &m);
	if (!rc)
		rc = pg_query(pg, "SELECT p.step_id, p.lane, p.atten_db, p.power_dbm, "
			      "p.oma_dbm, p.ber, p.bits, p.errors, p.t_ns FROM sweep_points p "
			      "JOIN steps s ON s.id = p.step_id WHERE p.run_id = $1 ORDER BY "
			      "s.seq, p.seq", &p, "loading sweep points", &pt);
	if (!rc && pg->version >= PG_SCHEMA_UCOMP)
		rc = pg_query(pg, "SELECT u.measurement_id, u.source, u.u, u.type, u.note "
			      "FROM uncertainty_components u JOIN measurements m ON "
			      "m.id = u.measurement_id JOIN steps s ON s.id = m.step_id "
			      "WHERE u.run_id = $1 ORDER BY s.seq, m.seq, u.seq", &p,
			      "loading uncertainty budgets", &u);
	if (rc)
		goto out;
	nm = PQntuples(m);
	nu = u ? PQntuples(u) : 0;
	np = PQntuples(pt);
	for (i = 0; i < PQntuples(s); i++) {
		long long sid = pg_int(s, i, 0);
		enum qual_verdict v = QUAL_NONE;
		char name[QUAL_STEP_NAME_MAX];
		struct qual_step *q;

		pg_str(s, i, 1, name, sizeof(name));
		q = qual_record_step_begin(r, name, (uint64_t)pg_int(s, i, 4));
		if (!q) {
			rc = bert_fail(BERT_ERR_NOMEM, "loading steps");
			goto out;
		}
		pg_str(s, i, 2, buf, sizeof(buf));
		qual_step_status_parse(buf, &q->status);
		pg_str(s, i, 3, buf, sizeof(buf));
		qual_verdict_parse(buf, &v);
		q->end_ns = (uint64_t)pg_int(s, i, 5);
		pg_str(s, i, 6, q->message, sizeof(q->message));
		for (; im < nm && pg_int(m, im, 0) == sid; im++) {
			struct qual_measurement x;

			memset(&x, 0, sizeof(x));
			pg_str(m, im, 1, x.name, sizeof(x.name));
			x.lane = (unsigned)pg_int(m, im, 2);
			x.value = pg_real(m, im, 3);
			pg_str(m, im, 4, x.unit, sizeof(x.unit));
			x.lim.low = pg_real(m, im, 5);
			x.lim.high = pg_real(m, im, 6);
			x.lim.marginal = pg_real(m, im, 7);
			if (isnan(x.lim.marginal))
				x.lim.marginal = 0;
			x.uncertainty = pg_real(m, im, 8);
			pg_str(m, im, 9, buf, sizeof(buf));
			qual_guard_parse(buf, &x.lim.guard);
			pg_str(m, im, 10, buf, sizeof(buf));
			qual_scale_parse(buf, &x.lim.scale);
			pg_str(m, im, 11, x.method, sizeof(x.method));
			pg_str(m, im, 12, buf, sizeof(buf));
			qual_verdict_parse(buf, &x.verdict);
			pg_str(m, im, 13, x.message, sizeof(x.message));
			for (; iu < nu && pg_int(u, iu, 0) == pg_int(m, im, 14); iu++) {
				struct qual_ucomp *c;

				if (x.nucomp == QUAL_UCOMP_MAX)
					continue;
				c = &x.ucomp[x.nucomp++];
				pg_str(u, iu, 1, c->source, sizeof(c->source));
				c->u = pg_real(u, iu, 2);
				c->type = PQgetvalue(u, iu, 3)[0] == 'A' ? 'A' : 'B';
				pg_str(u, iu, 4, c->note, sizeof(c->note));
			}
			rc = qual_step_add(q, &x);
			if (rc)
				goto out;
		}
		for (; ip < np && pg_int(pt, ip, 0) == sid; ip++) {
			struct qual_point x = {
				.lane = (unsigned)pg_int(pt, ip, 1),
				.atten_db = pg_real(pt, ip, 2),
				.power_dbm = pg_real(pt, ip, 3),
				.oma_dbm = pg_real(pt, ip, 4),
				.ber = pg_real(pt, ip, 5),
				.bits = (uint64_t)pg_int(pt, ip, 6),
				.errors = (uint64_t)pg_int(pt, ip, 7),
				.t_ns = (uint64_t)pg_int(pt, ip, 8),
			};

			rc = qual_step_add_point(q, &x);
			if (rc)
				goto out;
		}
		q->verdict = v;	/* as stored, not recomputed */
	}
out:
	PQclear(s);
	PQclear(m);
	PQclear(pt);
	PQclear(u);
	return rc;
}

static int q_load(struct results_db *db, int64_t id, struct qual_record *rec)
{
	struct pg *pg = conn(db);
	int rc;

	memset(rec, 0, sizeof(*rec));
	/* one snapshot while stations upload */
	rc = pg_exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin read");
	if (rc)
		return rc;
	rc = load_run(pg, id, rec, db->where);
	if (!rc)
		rc = load_steps(pg, rec);
	pg_rollback(pg);
	if (rc) {
		qual_record_free(rec);
		bert_fail_ctx(rc, "run %lld", (long long)id);
	}
	return rc;
}

const struct results_db_ops results_db_pg = {
	.name = "postgresql",
	.priv_size = sizeof(struct pg_priv),
	.open = q_open,
	.close = q_close,
	.list = q_list,
	.resolve = q_resolve,
	.load = q_load,
};
