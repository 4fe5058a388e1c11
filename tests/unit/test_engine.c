// SPDX-License-Identifier: MIT
/* bert/qual engine on the virtual bench: the good DR4 passes every step, the
 * marginal one fails at the budget point on lane 3, 100gbase-dr gives four
 * independent links, a wrong media type is refused at identify, stop on
 * fail, step errors and aborts leave the module safe, plan insertion, the
 * lane BER loop, the station parser, and the kill test of `bert qualify`
 * against the store. Virtual clock throughout; no sleeps. */
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/core/bytes.h"
#include "bert/core/figure.h"
#include "bert/qual/engine.h"
#include "bert/store/store.h"
#include "common.h"
#include "rig.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/cmis/diag.h"
#include "fixtures/fixture.h"
#include "instruments/scpi_sim.h"
#include "instruments/sim/scpi_emu.h"

static struct qrig *setup_run(const char *module, const char *profile)
{
	return qrig_setup(module, profile);
}

static const struct qual_step *step_of(const struct qual_record *rec, const char *name)
{
	size_t i;

	for (i = 0; i < rec->nsteps; i++)
		if (!strcmp(rec->steps[i]->name, name))
			return rec->steps[i];
	return NULL;
}

static const struct qual_measurement *meas(const struct qual_record *rec,
					   const char *name, unsigned lane)
{
	return qrig_find(rec, NULL, name, lane);
}

static uint8_t read_byte(struct qrig *r, uint8_t page, uint8_t off)
{
	uint8_t v = 0;

	ck_assert_int_eq(cmis_read_byte(r->io.dev, page, off, &v), BERT_OK);
	return v;
}

#define GOOD "fixtures/sim/modules/dr4-good.ini"
#define WEAK3 "fixtures/sim/modules/dr4-weak-lane3.ini"
#define DR4 "profiles/400gbase-dr4.ini"
#define DR "profiles/100gbase-dr.ini"
#define DARK2 "fixtures/sim/modules/dr4-dark-lane2.ini"
#define FACTORY "profiles/dr4-factory.ini"

START_TEST(test_good_passes_every_step)
{
	struct qrig *r = setup_run(GOOD, DR4);
	const struct qual_measurement *m;
	unsigned lane;
	size_t i;

	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_int_eq(r->rec.status, QUAL_RUN_COMPLETE);
	ck_assert_int_eq(r->rec.verdict, QUAL_PASS);
	ck_assert_uint_eq(r->rec.nsteps, 7);
	for (i = 0; i < r->rec.nsteps; i++) {
		ck_assert_msg(r->rec.steps[i]->status == QUAL_STEP_DONE, "%s",
			      r->rec.steps[i]->name);
		ck_assert_msg(r->rec.steps[i]->verdict == QUAL_PASS ||
			      r->rec.steps[i]->verdict == QUAL_NONE, "%s %s",
			      r->rec.steps[i]->name, r->rec.steps[i]->message);
	}
	ck_assert_str_eq(r->rec.dut.sn, "SIM0000001");
	for (lane = 1; lane <= 4; lane++) {
		m = meas(&r->rec, "pre_fec_ber", lane);
		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(m->verdict, QUAL_PASS);
		ck_assert_ptr_nonnull(meas(&r->rec, "tx_oma", lane));
		ck_assert_str_eq(meas(&r->rec, "tx_power_avg", lane)->method, "meter");
		/* the closed loop puts the receiver at -0.8 - 3.5 dBm OMA */
		ck_assert_double_eq_tol(r->ctx.run.lane[lane].rx_oma_budget_dbm, -4.3, 0.05);
		/* an error-free lane's RS(544,514) figures (near 1e-89 from
		 * the model) are stored at the reporting floor, still pass */
		m = meas(&r->rec, "flr", lane);
		ck_assert_ptr_nonnull(m);
		ck_assert_double_eq(m->value, BERT_FIG_FLOOR);
		ck_assert_int_eq(m->verdict, QUAL_PASS);
		ck_assert_msg(strstr(m->message, "< 1e-15"), "%s", m->message);
		m = meas(&r->rec, "post_fec_ber", lane);
		ck_assert_ptr_nonnull(m);
		ck_assert_double_eq(m->value, BERT_FIG_FLOOR);
	}
	ck_assert_ptr_nonnull(meas(&r->rec, "module_power", 0));
	ck_assert_int_eq(meas(&r->rec, "dom_alarms", 0)->value, 0);
	/* the external meter and the DOM agree on the launch power */
	ck_assert_double_eq_tol(r->ctx.run.lane[1].tx_avg_meter_dbm, r->ctx.run.lane[1].tx_avg_dom_dbm,
				0.5);
	/* generators and checkers are off again, Tx on (normal end) */
	ck_assert_uint_eq(read_byte(r, 0x13, CMIS_P13_MEDIA_GEN_ENABLE), 0);
	ck_assert_uint_eq(read_byte(r, 0x13, CMIS_P13_MEDIA_CHK_ENABLE), 0);
	ck_assert_uint_eq(read_byte(r, 0x10, CMIS_P10_TX_DISABLE) & 0x0f, 0);
	ck_assert(r->rec.station_ns > 0);
	/* a whole qualification, 4 lanes sharing each of the site's VOA,
	 * switch and meter: one connection to each (the emulators count), not
	 * one per lane, and nothing bert sent drew an instrument error */
	{
		static const char *const names[] = { "voa1", "osw1", "opm1" };
		struct scpi_emu_stats st;
		struct scpi_emu *e;
		char arg[128];

		for (i = 0; i < 3; i++) {
			snprintf(arg, sizeof(arg), "%s@%s", names[i],
				 bert_fixture_bench(r->io.fixture));
			ck_assert_int_eq(scpi_sim_emu(arg, &e), BERT_OK);
			scpi_emu_stats(e, &st);
			ck_assert_msg(st.connections == 1, "%s: %u connections", names[i],
				      st.connections);
			ck_assert_uint_eq(st.protocol_errors, 0);
		}
	}
	qrig_free(r);
	scpi_sim_reset();
}
END_TEST

START_TEST(test_marginal_fails_lane3_at_budget_point)
{
	struct qrig *r = setup_run(WEAK3, DR4);
	enum qual_verdict v[QUAL_SITE_LANES + 1];

	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_int_eq(r->rec.verdict, QUAL_FAIL);
	ck_assert_int_eq(step_of(&r->rec, "lane_ber")->verdict, QUAL_FAIL);
	ck_assert_int_eq(meas(&r->rec, "pre_fec_ber", 3)->verdict, QUAL_FAIL);
	ck_assert(meas(&r->rec, "pre_fec_ber", 3)->value > 2.4e-4);
	qual_record_lane_verdicts(&r->rec, v);
	ck_assert_int_eq(v[1], QUAL_PASS);
	ck_assert_int_eq(v[2], QUAL_PASS);
	ck_assert_int_eq(v[3], QUAL_FAIL);
	ck_assert_int_eq(v[4], QUAL_PASS);
	qrig_free(r);
}
END_TEST

START_TEST(test_marginal_module_reference_passes)
{
	/* The receiver at the lane's own Tx - 3.5 dB: the weak lane still has
	 * about 1.3 dB over its -3.5 dBm OMA sensitivity. */
	struct qrig *r = setup_run(WEAK3, DR4);

	r->ctx.opts.budget_ref = QUAL_BUDGET_REF_MODULE;
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_int_eq(meas(&r->rec, "pre_fec_ber", 3)->verdict, QUAL_PASS);
	ck_assert_double_eq_tol(r->ctx.run.lane[3].rx_oma_budget_dbm,
				r->ctx.run.lane[3].tx_oma_dbm - 3.5, 0.05);
	qrig_free(r);
}
END_TEST

/* Lane 2's receiver is dark: its Rx power is n/a with the no-light reason
 * (never -inf), judged as "below 0.1 uW": the factory profile's min -6 dBm
 * fails it, the DR4 profile (no DOM limit) records it as information. */
START_TEST(test_dark_lane_no_light)
{
	static const struct {
		const char *profile;
		enum qual_verdict want;
	} c[] = { { DR4, QUAL_PASS }, { FACTORY, QUAL_FAIL } };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct qrig *r = setup_run(DARK2, c[i].profile);
		const struct qual_measurement *m, *m1;

		ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
		m = meas(&r->rec, "dom_rx_power", 2);
		m1 = meas(&r->rec, "dom_rx_power", 1);
		ck_assert_ptr_nonnull(m);
		ck_assert_ptr_nonnull(m1);
		ck_assert_msg(isnan(m->value), "%s: lane 2 Rx %g dBm", c[i].profile,
			      m->value);
		ck_assert(isnan(m->uncertainty));
		ck_assert_msg(strstr(m->message, BERT_FIG_NO_LIGHT_TEXT), "%s", m->message);
		ck_assert_msg(m->verdict == c[i].want, "%s: %s (%s)", c[i].profile,
			      qual_verdict_name(m->verdict), m->message);
		ck_assert(isfinite(m1->value) && m1->verdict == QUAL_PASS);
		ck_assert_int_eq(r->rec.verdict, QUAL_FAIL);
		qrig_free(r);
	}
}
END_TEST

START_TEST(test_100g_dr_four_links)
{
	struct qrig *r = setup_run(WEAK3, DR);
	enum qual_verdict v[QUAL_SITE_LANES + 1];
	unsigned link;

	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_uint_eq(r->ctx.run.appsel, 2);	/* the breakout application */
	ck_assert_uint_eq(r->rec.lanes, 4);
	ck_assert_uint_eq(r->rec.lanes_per_link, 1);
	qual_record_lane_verdicts(&r->rec, v);
	for (link = 1; link <= 4; link++)
		ck_assert_int_eq(qual_verdict_link(v, link, 1),
				 link == 3 ? QUAL_FAIL : QUAL_PASS);
	qrig_free(r);
}
END_TEST

START_TEST(test_media_type_refused)
{
	struct qrig *r = setup_run(GOOD, DR4);
	size_t i;

	r->prof.media_type = PROFILE_MEDIA_MMF;
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(r->rec.status, QUAL_RUN_ERROR);
	ck_assert_int_eq(r->rec.steps[0]->status, QUAL_STEP_ERROR);
	ck_assert_ptr_nonnull(strstr(r->rec.steps[0]->message, "media type"));
	for (i = 1; i < r->rec.nsteps; i++)
		ck_assert_int_eq(r->rec.steps[i]->status, QUAL_STEP_SKIPPED);
	/* nothing was brought up */
	ck_assert_int_eq(r->ctx.run.tx_touched, false);
	qrig_free(r);

	/* a media ID the module lacks is refused the same way */
	r = setup_run(GOOD, DR4);
	r->prof.media_id = 0x99;
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(r->rec.steps[0]->message, "media ID"));
	qrig_free(r);
}
END_TEST

/* A journal that takes the run and refuses the step numbered fail_at (the
 * disk filled up, the database was locked past the busy timeout). */
struct fail_journal {
	unsigned steps, fail_at, finished;
	enum qual_run_status finished_as;
};

static int fj_begin(void *user, struct qual_record *rec)
{
	(void)user;
	rec->id = 1;
	return BERT_OK;
}

static int fj_step(void *user, const struct qual_record *rec, const struct qual_step *s)
{
	struct fail_journal *j = user;

	(void)rec;
	(void)s;
	if (j->steps++ == j->fail_at)
		return bert_fail(BERT_ERR_IO, "results.db: commit step: the disk is full");
	return BERT_OK;
}

static int fj_finish(void *user, const struct qual_record *rec)
{
	struct fail_journal *j = user;

	j->finished++;
	j->finished_as = rec->status;
	return BERT_OK;
}

static const struct qual_journal_ops fail_journal_ops = {
	.run_begin = fj_begin, .step_commit = fj_step, .run_finish = fj_finish,
};

START_TEST(test_journal_failure_ends_run)
{
	struct qrig *r = setup_run(GOOD, DR4);
	struct fail_journal j = { .fail_at = 2 };
	size_t i;

	r->ctx.journal.ops = &fail_journal_ops;
	r->ctx.journal.user = &j;
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_ERR_IO);
	/* a good module, but the record lacks a step: error, never pass */
	ck_assert_int_eq(r->rec.status, QUAL_RUN_ERROR);
	ck_assert_int_ne(r->rec.verdict, QUAL_PASS);
	ck_assert_int_eq(r->ctx.run.journal_error, BERT_ERR_IO);
	ck_assert_ptr_nonnull(strstr(r->rec.message, "results not stored: step dom"));
	for (i = 3; i < r->rec.nsteps; i++)
		ck_assert_int_eq(r->rec.steps[i]->status, QUAL_STEP_SKIPPED);
	ck_assert_uint_eq(j.finished, 1);
	ck_assert_int_eq(j.finished_as, QUAL_RUN_ERROR);
	qrig_free(r);
}
END_TEST

START_TEST(test_stop_on_fail)
{
	struct qrig *r = setup_run(WEAK3, DR4);

	r->ctx.opts.stop_on_fail = true;
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_int_eq(r->rec.verdict, QUAL_FAIL);
	ck_assert_int_eq(step_of(&r->rec, "module_power")->status, QUAL_STEP_SKIPPED);
	ck_assert_int_eq(step_of(&r->rec, "verdict")->status, QUAL_STEP_DONE);
	ck_assert_ptr_nonnull(strstr(r->rec.message, "stopped"));
	qrig_free(r);
}
END_TEST

static int step_io_error(struct qual_ctx *ctx, struct qual_step *step)
{
	(void)ctx;
	(void)step;
	return bert_fail(BERT_ERR_IO, "test: the instrument went away");
}

START_TEST(test_step_error_leaves_module_safe)
{
	static const struct qual_step_def bad = {
		.name = "bad", .summary = "fails", .run = step_io_error,
		.flags = QUAL_STEP_REQUIRED,
	};
	struct qrig *r = setup_run(GOOD, DR4);

	ck_assert_int_eq(qual_plan_insert_after(&r->plan, "bring_up", &bad), BERT_OK);
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_ERR_IO);
	ck_assert_int_eq(step_of(&r->rec, "bad")->status, QUAL_STEP_ERROR);
	ck_assert_int_eq(step_of(&r->rec, "bad")->verdict, QUAL_ERROR);
	ck_assert_int_eq(step_of(&r->rec, "lane_ber")->status, QUAL_STEP_SKIPPED);
	ck_assert_int_eq(r->rec.status, QUAL_RUN_ERROR);
	ck_assert_int_eq(r->rec.verdict, QUAL_ERROR);
	ck_assert_uint_eq(read_byte(r, 0x10, CMIS_P10_TX_DISABLE) & 0x0f, 0x0f);
	qrig_free(r);

	/* a non-required step error: an error verdict, the run goes on */
	r = setup_run(GOOD, DR4);
	{
		struct qual_step_def soft = bad;

		soft.flags = 0;
		ck_assert_int_eq(qual_plan_insert_after(&r->plan, "dom", &soft), BERT_OK);
	}
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_int_eq(step_of(&r->rec, "bad")->verdict, QUAL_ERROR);
	ck_assert_int_eq(step_of(&r->rec, "lane_ber")->status, QUAL_STEP_DONE);
	ck_assert_int_eq(r->rec.verdict, QUAL_ERROR);
	qrig_free(r);
}
END_TEST

static unsigned polls;

static bool abort_after_polls(void *user)
{
	struct qual_ctx *ctx = user;

	/* a few waits into the BER loop */
	return ctx->run.cur && !strcmp(ctx->run.cur->name, "lane_ber") && ++polls > 6;
}

START_TEST(test_abort_in_ber_leaves_module_safe)
{
	struct qrig *r = setup_run(GOOD, DR4);

	r->ctx.abort = abort_after_polls;
	r->ctx.abort_user = &r->ctx;
	polls = 0;
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_ERR_ABORTED);
	ck_assert_int_eq(r->rec.status, QUAL_RUN_ABORTED);
	ck_assert_int_eq(step_of(&r->rec, "lane_ber")->status, QUAL_STEP_ABORTED);
	r->ctx.abort = NULL;
	ck_assert_uint_eq(read_byte(r, 0x13, CMIS_P13_MEDIA_GEN_ENABLE), 0);
	ck_assert_uint_eq(read_byte(r, 0x13, CMIS_P13_MEDIA_CHK_ENABLE), 0);
	ck_assert_uint_eq(read_byte(r, 0x10, CMIS_P10_TX_DISABLE) & 0x0f, 0x0f);
	qrig_free(r);
}
END_TEST

static int step_extra(struct qual_ctx *ctx, struct qual_step *step)
{
	unsigned lane;

	for (lane = 1; lane <= ctx->run.lanes; lane++)
		qual_ctx_measure(ctx, step, "link_margin", lane,
				 ctx->run.lane[lane].tx_oma_dbm - 3.5 + 6.5 - 3.5, 0.3, "test");
	/* an impossible ratio is not stored: n/a naming the value */
	qual_ctx_measure(ctx, step, "flr", 1, 2.125, NAN, "test");
	return BERT_OK;
}

START_TEST(test_plan_insertion)
{
	static const struct qual_step_def extra = {
		.name = "link_budget", .summary = "test", .run = step_extra,
	};
	struct qrig *r = setup_run(GOOD, DR4);
	const struct qual_measurement *m;

	ck_assert_int_eq(qual_plan_insert_after(&r->plan, "lane_ber", &extra), BERT_OK);
	ck_assert_int_eq(qual_plan_find(&r->plan, "link_budget"),
			 qual_plan_find(&r->plan, "lane_ber") + 1);
	ck_assert_int_eq(qual_plan_insert_after(&r->plan, "lane_ber", &extra), BERT_ERR_ARG);
	ck_assert_int_eq(qual_plan_insert_before(&r->plan, "nope", &extra), BERT_ERR_RANGE);
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_str_eq(r->rec.steps[5]->name, "link_budget");
	ck_assert_int_eq(meas(&r->rec, "link_margin", 2)->verdict, QUAL_PASS);
	m = &r->rec.steps[5]->m[r->rec.steps[5]->nm - 1];
	ck_assert_str_eq(m->name, "flr");
	ck_assert(isnan(m->value));
	ck_assert_int_eq(m->verdict, QUAL_ERROR);
	ck_assert_msg(strstr(m->message, "n/a: 2.12 is not a possible ratio"), "%s", m->message);
	ck_assert_int_eq(qual_plan_remove(&r->plan, "link_budget"), BERT_OK);
	ck_assert_uint_eq(r->plan.n, 7);
	qrig_free(r);
}
END_TEST

/* ---- lane BER loop -------------------------------------------------------------- */

START_TEST(test_lane_ber_loop)
{
	struct qrig *r = setup_run(WEAK3, DR4);
	struct lane_ber_opts o;
	struct lane_ber_result res;
	struct cmis_diag *d;

	ck_assert_int_eq(cmis_bring_up(r->io.dev, 1, 0xff), BERT_OK);
	ck_assert_int_eq(cmis_diag_open(r->io.dev, &d), BERT_OK);
	lane_ber_opts_default(&o);
	/* lane 3 through 7 dB: fails; lane 1 passes */
	ck_assert_int_eq(qual_ctx_voa_set(&r->ctx, 3, 5.0), BERT_OK);
	o.lanes = 0x05;
	ck_assert_int_eq(lane_ber_run(d, r->io.fixture->clock, &o, &res), BERT_OK);
	ck_assert_uint_eq(res.n, 2);
	ck_assert_int_eq(lane_ber_find(&res, 1)->verdict, LANE_BER_PASS);
	ck_assert_int_eq(lane_ber_find(&res, 3)->verdict, LANE_BER_FAIL);
	ck_assert_int_eq(res.restore_rc, BERT_OK);
	ck_assert_uint_eq(read_byte(r, 0x13, CMIS_P13_MEDIA_GEN_ENABLE), 0);
	/* a pattern the module lacks is refused before anything is written */
	o.pattern = 0x0f;
	ck_assert_int_ne(lane_ber_check(d, &o), BERT_OK);
	cmis_diag_close(d);
	qrig_free(r);
}
END_TEST

/* ---- station file ------------------------------------------------------------------ */

static const char station_ok[] =
	"[station]\nname = line-3\n"
	"[instrument voa1]\nuri = sim:voa1\ntype = voa\nchannels = 4\n"
	"[instrument osw1]\nuri = sim:osw1\ntype = switch\nchannels = 4\n"
	"[instrument opm1]\nuri = sim:opm1\ntype = meter\n"
	"[site 1]\nfixture = sim:\nprofile = 400gbase-dr4\n"
	"voa = voa1\nswitch = osw1:1, osw1:2, osw1:3, osw1:4\nmeter = opm1:1\n"
	"tap_ratio = 0.05\npatch_loss_db = 0.6\nstimulus_er_db = 4.5\n"
	"[site 2]\nfixture = sim:x.ini\nvoa.1 = voa1:2\nauto_start = yes\n";

START_TEST(test_station_parse)
{
	struct qual_station *st = calloc(1, sizeof(*st));
	const struct qual_site *s;

	ck_assert_int_eq(qual_station_load_string("st.ini", station_ok, st), BERT_OK);
	ck_assert_str_eq(st->name, "line-3");
	ck_assert_uint_eq(st->nsites, 2);
	s = qual_station_site(st, 1);
	ck_assert_uint_eq(s->nlanes, 4);
	ck_assert_str_eq(s->lane[3].voa.name, "voa1");
	ck_assert_uint_eq(s->lane[3].voa.ch, 3);
	ck_assert_uint_eq(s->lane[4].sw.ch, 4);
	ck_assert_str_eq(s->lane[4].meter.name, "opm1");
	ck_assert_double_eq_tol(s->tap_loss_db, 13.0103, 1e-3);
	ck_assert_double_eq_tol(s->through_loss_db, 0.2228, 1e-3);
	ck_assert_str_eq(s->profile, "400gbase-dr4");
	s = qual_station_site(st, 2);
	ck_assert(s->auto_start);
	ck_assert_uint_eq(s->lane[1].voa.ch, 2);
	ck_assert_ptr_null(qual_station_site(st, 3));
	free(st);
}
END_TEST

static void bad_station(const char *text, const char *want)
{
	struct qual_station *st = calloc(1, sizeof(*st));
	int rc = qual_station_load_string("bad.ini", text, st);

	ck_assert_int_eq(rc, BERT_ERR_CONFIG);
	ck_assert_msg(strstr(bert_error_detail(), want), "'%s' lacks '%s'",
		      bert_error_detail(), want);
	free(st);
}

START_TEST(test_station_errors)
{
	bad_station("[site 1]\nfixture = sim:\nvoa = voa9:1\n", "bad.ini:3:");
	bad_station("[site 1]\nfixture = sim:\nvoa = voa9:1\n", "no [instrument voa9]");
	bad_station("[instrument v]\nuri = sim:v\ntype = voa\nchannels = 2\n"
		    "[site 1]\nfixture = sim:\nvoa = v:3\n", "bad.ini:7:");
	bad_station("[instrument m]\nuri = sim:m\ntype = meter\n"
		    "[site 1]\nfixture = sim:\nvoa = m:1\n", "is a opm, not a voa");
	bad_station("[site 1]\nfixture = sim:\nbogus = 1\n", "bad.ini:3:");
	bad_station("[site 1]\nfixture = sim:\ntap_ratio = 2\n", "bad.ini:3:");
	bad_station("[site 2]\nfixture = sim:\n", "[site 1] missing");
	bad_station("[site 1]\nprofile = x\n", "has no fixture");
	bad_station("[sight 1]\nfixture = sim:\n", "bad.ini:2:");
	bad_station("[site 1]\nfixture = sim:\n[site 2]\nfixture = sim:\n"
		    "[site 1]\nfixture = sim:\n", "bad.ini:5: section [site 1] appears twice (first at line 1)");
	bad_station("[station]\n", "no [site N]");
}
END_TEST

START_TEST(test_station_bertd_section)
{
	static const char text[] =
		"[bertd]\nsocket = /run/x.sock\nsocket_mode = 0640\narbitration = rr\n"
		"speed = 10\n[site 1]\nfixture = sim:\n";
	struct qual_station *st = calloc(1, sizeof(*st));

	ck_assert_int_eq(qual_station_load_string("st.ini", text, st), BERT_OK);
	ck_assert(st->bertd.present);
	ck_assert_str_eq(st->bertd.socket, "/run/x.sock");
	ck_assert_uint_eq(st->bertd.socket_mode, 0640);
	ck_assert_str_eq(st->bertd.arbitration, "rr");
	ck_assert_double_eq(st->bertd.speed, 10);
	free(st);
	/* every reader checks [bertd]: one mistake, one error everywhere */
	bad_station("[bertd]\narbitration = sometimes\n[site 1]\nfixture = sim:\n",
		    "bad.ini:2: [bertd]: arbitration 'sometimes'");
	bad_station("[bertd]\nsocket_mode = 0999\n[site 1]\nfixture = sim:\n",
		    "bad.ini:2: [bertd]: socket_mode");
	bad_station("[bertd]\nsokcet = x\n[site 1]\nfixture = sim:\n", "bad.ini:2:");
	bad_station("[bertd]\nspeed = -1\n[site 1]\nfixture = sim:\n", "bad.ini:2:");
	bad_station("[nonsense]\nx = 1\n[site 1]\nfixture = sim:\n",
		    "unknown section [nonsense]");
}
END_TEST

START_TEST(test_operator_serial)
{
	struct qrig *r = setup_run(GOOD, DR4);
	const struct qual_measurement *m;

	snprintf(r->rec.dut.operator_serial, sizeof(r->rec.dut.operator_serial), "SIM0000009");
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	/* both kept; the mismatch is a failing measurement, not a refusal */
	ck_assert_str_eq(r->rec.dut.sn, "SIM0000001");
	ck_assert_str_eq(r->rec.dut.operator_serial, "SIM0000009");
	m = meas(&r->rec, "serial_match", 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_double_eq(m->value, 0);
	ck_assert_int_eq(m->verdict, QUAL_FAIL);
	ck_assert_ptr_nonnull(strstr(m->message, "SIM0000009"));
	ck_assert_int_eq(r->rec.verdict, QUAL_FAIL);
	qrig_free(r);

	r = setup_run(GOOD, DR4);
	snprintf(r->rec.dut.operator_serial, sizeof(r->rec.dut.operator_serial), "SIM0000001");
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	m = meas(&r->rec, "serial_match", 0);
	ck_assert_ptr_nonnull(m);
	ck_assert_double_eq(m->value, 1);
	ck_assert_int_eq(m->verdict, QUAL_PASS);
	ck_assert_int_eq(r->rec.verdict, QUAL_PASS);
	qrig_free(r);

	/* none entered: no such measurement */
	r = setup_run(GOOD, DR4);
	ck_assert_int_eq(qual_run(&r->ctx, &r->plan), BERT_OK);
	ck_assert_ptr_null(meas(&r->rec, "serial_match", 0));
	qrig_free(r);
}
END_TEST

START_TEST(test_station_default)
{
	struct qual_station *st = calloc(1, sizeof(*st));

	ck_assert_int_eq(qual_station_default(NULL, st), BERT_OK);
	ck_assert(st->is_default);
	ck_assert_uint_eq(st->nsites, 1);
	ck_assert_str_eq(st->site[0].fixture, "sim:");
	ck_assert_uint_eq(st->site[0].nlanes, 4);
	ck_assert_str_eq(st->site[0].lane[2].voa.name, "voa1");
	ck_assert_ptr_nonnull(station_find(&st->instr, "opm1"));
	/* a real fixture: no instruments */
	ck_assert_int_eq(qual_station_default("i2c-dev:/dev/i2c-9", st), BERT_OK);
	ck_assert_uint_eq(st->site[0].nlanes, 0);
	ck_assert_double_eq_tol(qual_oma_offset_db(4.5), -0.2116, 1e-3);
	free(st);
}
END_TEST

/* ---- kill test: bert qualify killed mid-run ------------------------------------------ */

static int db_steps(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int n = 0;

	if (access(db, F_OK))
		return 0;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(h);
		return 0;
	}
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM steps", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return n;
}

START_TEST(test_kill_qualify_mid_run)
{
	char dir[] = "/tmp/bert-engine-XXXXXX", db[300], bin[600], cmd[400];
	const char *build = getenv("BERT_BUILD");
	struct qual_record rec;
	struct store *st;
	unsigned n = 0;
	int64_t id;
	pid_t pid;
	int status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/results.db", dir);
	snprintf(bin, sizeof(bin), "%s/bert", build ? build : "build");
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open("/dev/null", 1);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(bin, "bert", "qualify", "--db", db, "--hold-after", "tx_power",
		      (char *)NULL);
		_exit(127);
	}
	/* Poll the database until the first four steps are in (the child then
	 * holds); the loop is bounded by the child finishing, not by time. */
	while (db_steps(db) < 4) {
		ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);
		sched_yield();
	}
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));

	ck_assert_int_eq(store_open(db, &st), BERT_OK);
	ck_assert_int_eq(store_recover(st, &n), BERT_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_run_resolve(st, "last", &id), BERT_OK);
	ck_assert_int_eq(store_run_load(st, id, &rec), BERT_OK);
	ck_assert_int_eq(rec.status, QUAL_RUN_ABORTED);
	ck_assert_uint_eq(rec.nsteps, 4);
	ck_assert_str_eq(rec.steps[0]->name, "identify");
	ck_assert_str_eq(rec.steps[3]->name, "tx_power");
	ck_assert_int_eq(rec.steps[3]->status, QUAL_STEP_DONE);
	ck_assert_str_eq(rec.dut.sn, "SIM0000001");
	qual_record_free(&rec);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_engine(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_good_passes_every_step);
	tcase_add_test(tc, test_marginal_fails_lane3_at_budget_point);
	tcase_add_test(tc, test_marginal_module_reference_passes);
	tcase_add_test(tc, test_dark_lane_no_light);
	tcase_add_test(tc, test_100g_dr_four_links);
	tcase_add_test(tc, test_media_type_refused);
	tcase_add_test(tc, test_stop_on_fail);
	tcase_add_test(tc, test_step_error_leaves_module_safe);
	tcase_add_test(tc, test_abort_in_ber_leaves_module_safe);
	tcase_add_test(tc, test_plan_insertion);
	tcase_add_test(tc, test_lane_ber_loop);
	tcase_add_test(tc, test_station_parse);
	tcase_add_test(tc, test_station_errors);
	tcase_add_test(tc, test_station_bertd_section);
	tcase_add_test(tc, test_operator_serial);
	tcase_add_test(tc, test_station_default);
	tcase_add_test(tc, test_kill_qualify_mid_run);
	tcase_add_test(tc, test_journal_failure_ends_run);
	suite_add_tcase(s, tc);
	return s;
}
