// SPDX-License-Identifier: MIT
/* A station failure mid-run (the fixture's adapter unplugged): the run is
 * stored with status error and the root cause first, not as a complete run
 * whose verdict is an error with only the downstream symptoms. Virtual bench
 * and clock. */
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/engine.h"
#include "bert/qual/sweep_step.h"
#include "common.h"
#include "rig.h"
#include "fixtures/fixture_sim.h"

static int step_unplug(struct qual_ctx *ctx, struct qual_step *step)
{
	(void)step;
	return fixture_sim_set_unplugged(ctx->io->fixture, true);
}

START_TEST(test_unplugged_mid_run)
{
	static const struct qual_step_def unplug = {
		.name = "unplug", .summary = "test: the adapter goes away",
		.run = step_unplug,
	};
	struct qrig *r = qrig_setup(NULL, "profiles/400gbase-dr4.ini");
	size_t i;
	int rc;

	ck_assert_int_eq(qual_plan_add_sweep(&r->plan, SWEEP_SMART), BERT_OK);
	ck_assert_int_eq(qual_plan_insert_before(&r->plan, "lane_ber", &unplug), BERT_OK);
	rc = qual_run(&r->ctx, &r->plan);
	ck_assert_int_ne(rc, BERT_OK);
	ck_assert_int_eq(r->rec.status, QUAL_RUN_ERROR);
	ck_assert_int_eq(r->rec.verdict, QUAL_ERROR);
	/* the root cause first: the step where the station failed, and what */
	ck_assert_msg(!strncmp(r->rec.message, "lane_ber: ", 10), "%s", r->rec.message);
	ck_assert_ptr_nonnull(strstr(r->rec.message, "unplugged"));
	/* nothing after it pretends to have measured */
	for (i = 0; i < r->rec.nsteps; i++)
		if (!strcmp(r->rec.steps[i]->name, "verdict"))
			ck_assert_int_eq(r->rec.steps[i]->status, QUAL_STEP_SKIPPED);
	fixture_sim_set_unplugged(r->io.fixture, false);
	qrig_free(r);
}
END_TEST

Suite *suite_run_error(void)
{
	Suite *s = suite_create("run_error");
	TCase *tc = tcase_create("run_error");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_unplugged_mid_run);
	suite_add_tcase(s, tc);
	return s;
}
