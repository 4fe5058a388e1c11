// SPDX-License-Identifier: MIT
/* Station time of a qualification with each sensitivity sweep:
 * the good DR4 module on the seeded default bench (`sim:`) qualified twice
 * with the full plan (bert qualify's, with the sensitivity and link_budget
 * steps), once with the smart sweep and once with the lab's fixed 0.5 dB
 * grid. smart_station_s / fixed_station_s are the station times of the whole
 * runs; smart_sweep_s / fixed_sweep_s those of the sensitivity step alone
 * (the part the method decides; every other step is the same in both). The
 * errors are the lanes' sensitivities against the bench's true ones
 * (sim_bench_lane_model: scoring only). verdicts_match says whether both
 * runs gave the same verdict on every lane, the module and the run, and
 * both passed the good module; the benchmark exits 1 when not (make bench
 * fails). One JSON line; virtual clock. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/units.h"
#include "bert/qual/engine.h"
#include "bert/qual/sweep_step.h"
#include "bert/signal/berstat.h"
#include "fixtures/fixture.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/bench.h"

static struct qual_station st;
static struct profile prof;
static struct qual_ctx ctx;

/* OMA at the receiver where the bench's BER is 2.4e-4 (floor included). */
static double true_sens(struct sim_bench *b, unsigned lane)
{
	struct sim_bench_lane lm;
	double qs = sim_bench_q_sens(b), floor, qf;

	if (sim_bench_lane_model(b, 1, lane, &lm) || !(lm.q > 0))
		return NAN;
	floor = lm.ber - sim_pam4_ber(lm.q);
	qf = bert_q_from_ber_pam4(BERT_KP4_THRESHOLD_BER - (floor > 0 ? floor : 0));
	return bert_mw_to_dbm(lm.oma_mw * qs / lm.q * qf / qs);
}

struct verdicts {
	enum qual_verdict lane[QUAL_SITE_LANES + 1];	/* [0] module */
	enum qual_verdict run;
};

static int one(enum sweep_method m, double *step_s, double *total_s, double *max_err,
	       struct verdicts *v)
{
	struct qual_site_io io;
	struct qual_record rec;
	struct qual_plan plan;
	struct sim_bench *b;
	size_t i, k;
	int rc;

	memset(&io, 0, sizeof(io));
	rc = qual_station_default("sim:", &st);
	if (!rc)
		rc = profile_load("400gbase-dr4", &prof);
	if (!rc)
		rc = qual_site_open(&st, qual_station_site(&st, 1), NULL, &io);
	if (rc)
		return rc;
	b = fixture_sim_bench(io.fixture);
	qual_record_init(&rec, "bench");
	rc = qual_plan_full(&plan, true, m);
	qual_ctx_init(&ctx);
	ctx.profile = &prof;
	ctx.station = &st;
	ctx.site = qual_station_site(&st, 1);
	ctx.io = &io;
	ctx.rec = &rec;
	if (!rc)
		rc = qual_run(&ctx, &plan);
	*step_s = NAN;
	*max_err = 0;
	*total_s = rec.station_ns / 1e9;
	qual_record_lane_verdicts(&rec, v->lane);
	v->run = rec.verdict;
	for (i = 0; !rc && i < rec.nsteps; i++) {
		const struct qual_step *s = rec.steps[i];

		if (strcmp(s->name, "sensitivity"))
			continue;
		*step_s = (s->end_ns - s->start_ns) / 1e9;
		for (k = 0; k < s->nm; k++) {
			const struct qual_measurement *q = &s->m[k];
			double t;

			if (strcmp(q->name, "rx_sensitivity_oma"))
				continue;
			t = true_sens(b, q->lane);
			if (!isfinite(q->value) || !isfinite(t))
				rc = bert_fail(BERT_ERR_INTERNAL, "lane %u: no sensitivity",
					       q->lane);
			else if (fabs(q->value - t) > *max_err)
				*max_err = fabs(q->value - t);
		}
	}
	if (!rc && !isfinite(*step_s))
		rc = bert_fail(BERT_ERR_INTERNAL, "no sensitivity step");
	qual_ctx_release_all(&ctx);
	qual_record_free(&rec);
	qual_site_close(&io);
	return rc;
}

int main(void)
{
	struct verdicts vs, vf;
	double a, b, ta, tb, e1, e2;
	bool match;
	unsigned l;
	int rc;

	memset(&vs, 0, sizeof(vs));
	memset(&vf, 0, sizeof(vf));
	rc = one(SWEEP_SMART, &a, &ta, &e1, &vs);
	if (!rc)
		rc = one(SWEEP_FIXED, &b, &tb, &e2, &vf);
	if (rc) {
		fprintf(stderr, "bench_qualify: %s\n", bert_error_detail());
		return 1;
	}
	match = vs.run == vf.run && vs.run == QUAL_PASS;
	for (l = 0; l <= prof.lanes && l <= QUAL_SITE_LANES; l++) {
		if (vs.lane[l] == vf.lane[l])
			continue;
		match = false;
		fprintf(stderr, "bench_qualify: %s %u: smart %s, fixed %s\n",
			l ? "lane" : "module", l, qual_verdict_name(vs.lane[l]),
			qual_verdict_name(vf.lane[l]));
	}
	if (vs.run != QUAL_PASS || vf.run != QUAL_PASS)
		fprintf(stderr, "bench_qualify: the good module: smart %s, fixed %s\n",
			qual_verdict_name(vs.run), qual_verdict_name(vf.run));
	printf("{\"name\":\"qualify\",\"smart_station_s\":%.3f,\"fixed_station_s\":%.3f,"
	       "\"speedup\":%.2f,\"smart_max_sens_err_db\":%.4f,"
	       "\"fixed_max_sens_err_db\":%.4f,\"smart_sweep_s\":%.3f,"
	       "\"fixed_sweep_s\":%.3f,\"sweep_speedup\":%.2f,\"smart_verdict\":\"%s\","
	       "\"fixed_verdict\":\"%s\",\"verdicts_match\":%s}\n",
	       ta, tb, tb / ta, e1, e2, a, b, b / a, qual_verdict_name(vs.run),
	       qual_verdict_name(vf.run), match ? "true" : "false");
	return match ? 0 : 1;
}
