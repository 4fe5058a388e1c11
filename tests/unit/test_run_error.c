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
#include "fixtures/fixture_sim.h"

struct erun {
	struct qual_station st;
	struct profile prof;
	struct qual_site_io io;
	struct qual_record rec;
	struct qual_plan plan;
	struct qual_ctx ctx;
};

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
	struct erun *r = calloc(1, sizeof(*r));
	size_t i;
	int rc;

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(qual_station_default("sim:", &r->st), BERT_OK);
	ck_assert_int_eq(profile_load(test_path("profiles/400gbase-dr4.ini"), &r->prof),
			 BERT_OK);
	ck_assert_int_eq(qual_site_open(&r->st, &r->st.site[0], NULL, &r->io), BERT_OK);
	qual_record_init(&r->rec, "test");
	qual_plan_default(&r->plan);
	ck_assert_int_eq(qual_plan_add_sweep(&r->plan, SWEEP_SMART), BERT_OK);
	ck_assert_int_eq(qual_plan_insert_before(&r->plan, "lane_ber", &unplug), BERT_OK);
	qual_ctx_init(&r->ctx);
	r->ctx.profile = &r->prof;
	r->ctx.station = &r->st;
	r->ctx.site = &r->st.site[0];
	r->ctx.io = &r->io;
	r->ctx.rec = &r->rec;
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
	qual_ctx_release_all(&r->ctx);
	fixture_sim_set_unplugged(r->io.fixture, false);
	qual_site_close(&r->io);
	qual_record_free(&r->rec);
	free(r);
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
