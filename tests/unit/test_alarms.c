// SPDX-License-Identifier: MIT
/* Module alarms versus stimulus flags (bert/qual/alarms.h): the fixed
 * sweep drives the good module's receivers below the Rx-power-low alarm and
 * still passes, the flags recorded as stimulus flags; a module that alarms on
 * its own (case above 75 degC at nominal, or a case-temperature alarm in the
 * middle of the run that bert's own reads cleared) still fails. Virtual
 * bench and clock. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/qual/alarms.h"
#include "bert/qual/engine.h"
#include "bert/qual/sweep_step.h"
#include "common.h"
#include "fixtures/cmis/decode.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "rig.h"

static struct qrig *setup(const char *module_path, enum sweep_method m)
{
	struct qrig *r = qrig_setup(module_path, "profiles/400gbase-dr4.ini");

	ck_assert_int_eq(qual_plan_add_sweep(&r->plan, m), BERT_OK);
	return r;
}

/* The good module with the case at temp_c: a copy of dr4-good.ini. */
static const char *hot_module(double temp_c)
{
	static char path[64];
	char line[256];
	FILE *in, *out;
	int fd;

	snprintf(path, sizeof(path), "/tmp/bert-alarms-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	out = fdopen(fd, "w");
	in = fopen(test_path("fixtures/sim/modules/dr4-good.ini"), "r");
	ck_assert_ptr_nonnull(out);
	ck_assert_ptr_nonnull(in);
	while (fgets(line, sizeof(line), in)) {
		if (!strncmp(line, "temp_c", 6))
			fprintf(out, "temp_c = %.1f\n", temp_c);
		else
			fputs(line, out);
	}
	fclose(in);
	fclose(out);
	return path;
}

START_TEST(test_stimulus_flags_are_not_alarms)
{
	/* _i: 0 fixed grid (8 dB below the budget point: Rx power low alarm
	 * on three lanes), 1 smart */
	enum sweep_method m = _i ? SWEEP_SMART : SWEEP_FIXED;
	struct qrig *r = setup("fixtures/sim/modules/dr4-good.ini", m);
	const struct qual_measurement *a;
	unsigned lane, flagged = 0;

	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	a = qrig_find(&r->rec, "verdict", "dom_alarms", 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_msg(a->value == 0, "dom_alarms %g: %s", a->value, a->message);
	ck_assert_int_eq(r->rec.verdict, QUAL_PASS);
	for (lane = 1; lane <= 4; lane++) {
		const struct qual_measurement *f = qrig_find(&r->rec, "sensitivity",
							"stimulus_flags", lane);

		if (!f)
			continue;
		flagged++;
		ck_assert_int_eq(f->verdict, QUAL_PASS);
		ck_assert(qual_limits_empty(&f->lim));
		ck_assert_ptr_nonnull(strstr(f->message, "rx_power_low"));
		ck_assert_ptr_nonnull(strstr(f->message, "sensitivity sweep"));
	}
	if (m == SWEEP_FIXED)
		ck_assert_uint_ge(flagged, 3);	/* the flags were there, and recorded */
	qrig_free(r);
}
END_TEST

START_TEST(test_hot_module_fails)
{
	const char *path = hot_module(80.0);	/* above the 75 degC high alarm */
	struct qrig *r = setup(path, SWEEP_SMART);
	const struct qual_measurement *a;

	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	a = qrig_find(&r->rec, "verdict", "dom_alarms", 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->verdict, QUAL_FAIL);
	ck_assert_msg(a->value == 1, "%g %s", a->value, a->message);
	ck_assert_ptr_nonnull(strstr(a->message, "temp_high_alarm"));
	ck_assert_int_eq(r->rec.verdict, QUAL_FAIL);
	/* the verdict step reads as the run */
	ck_assert_int_eq(r->rec.steps[r->rec.nsteps - 1]->verdict, QUAL_FAIL);
	qrig_free(r);
	unlink(path);
}
END_TEST

/* The case overheats for a while during the run, then cools down before the
 * verdict: bert's own flag reads cleared the alarm, yet it was the module's. */
static int step_heat_wave(struct qual_ctx *ctx, struct qual_step *step)
{
	struct sim_module *m = fixture_sim_module(ctx->io->fixture);
	int rc;

	(void)step;
	sim_module_set_temperature(m, 82.0);
	rc = qual_ctx_sleep(ctx, 500 * BERT_NS_PER_MS);
	sim_module_set_temperature(m, 45.0);
	if (!rc)
		rc = qual_ctx_sleep(ctx, 500 * BERT_NS_PER_MS);
	return rc;
}

START_TEST(test_alarm_during_run_still_fails)
{
	static const struct qual_step_def heat = {
		.name = "heat_wave", .summary = "test", .run = step_heat_wave,
	};
	struct qrig *r = setup("fixtures/sim/modules/dr4-good.ini", SWEEP_SMART);
	const struct qual_measurement *a;

	ck_assert_int_eq(qual_plan_insert_before(&r->plan, "sensitivity", &heat), BERT_OK);
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	a = qrig_find(&r->rec, "verdict", "dom_alarms", 0);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->verdict, QUAL_FAIL);
	ck_assert_ptr_nonnull(strstr(a->message, "temp_high_alarm"));
	ck_assert_ptr_nonnull(strstr(a->message, "during the run"));
	qrig_free(r);
}
END_TEST

START_TEST(test_flag_classes)
{
	ck_assert(qual_lane_flag_from_stimulus(CMIS_LFLAG_RX_POWER_LOW_ALARM));
	ck_assert(qual_lane_flag_from_stimulus(CMIS_LFLAG_RX_LOS));
	ck_assert(!qual_lane_flag_from_stimulus(CMIS_LFLAG_TX_FAULT));
	ck_assert(!qual_lane_flag_from_stimulus(CMIS_LFLAG_TX_BIAS_HIGH_ALARM));
	ck_assert(!qual_lane_flag_from_stimulus(CMIS_LFLAG_TX_POWER_HIGH_ALARM));
}
END_TEST

Suite *suite_alarms(void)
{
	Suite *s = suite_create("alarms");
	TCase *tc = tcase_create("alarms");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_stimulus_flags_are_not_alarms, 0, 2);
	tcase_add_test(tc, test_hot_module_fails);
	tcase_add_test(tc, test_alarm_during_run_still_fails);
	tcase_add_test(tc, test_flag_classes);
	suite_add_tcase(s, tc);
	return s;
}
