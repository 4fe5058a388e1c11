// SPDX-License-Identifier: MIT
/* The CMIS host driver against the emulated module on the sim bus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "common.h"
#include "rig.h"

/* The shared rig plus the host driver on its bus. */
struct drig {
	struct rig t;
	struct cmis_dev *dev;
};

/* The module held in low power, as a host holds it at insertion; open =
 * cmis_open() as well. */
static void rig_up(struct drig *r, const struct sim_module_cfg *cfg, bool open)
{
	rig_module_open(&r->t, cfg);
	sim_module_set_lpmode(r->t.m, true);
	r->dev = NULL;
	if (open)
		ck_assert_msg(cmis_open(r->t.bus, &r->dev) == BERT_OK, "open: %s",
			      bert_error_detail());
}

static void rig_down(struct drig *r)
{
	cmis_close(r->dev);
	rig_close(&r->t);
}

static uint8_t page_sum(const uint8_t *page, unsigned first, unsigned last)
{
	unsigned i, s = 0;

	for (i = first; i <= last; i++)
		s += page[i - 128];
	return (uint8_t)s;
}

START_TEST(test_snapshot_and_checksums)
{
	struct sim_module_cfg cfg;
	struct cmis_snapshot *snap = calloc(1, sizeof(*snap));
	struct drig r;

	sim_module_cfg_default(&cfg);
	rig_up(&r, &cfg, true);
	ck_assert_int_eq(cmis_snapshot_read(r.dev, snap), BERT_OK);
	ck_assert_uint_eq(snap->lower[0], 0x18);
	ck_assert_ptr_nonnull(snap->map.upper[0x00]);
	ck_assert_ptr_nonnull(snap->map.upper[0x11]);
	ck_assert_ptr_null(snap->map.upper[0x03]);
	ck_assert_uint_eq(snap->pages[0][0], 0x18);	/* 00h:128 copies the id */
	/* checksum ranges of OIF-CMIS 5.x Pages 00h, 01h, 02h */
	ck_assert_uint_eq(page_sum(snap->pages[0], 128, 221), snap->pages[0][222 - 128]);
	ck_assert_uint_eq(page_sum(snap->pages[1], 130, 254), snap->pages[1][255 - 128]);
	ck_assert_uint_eq(page_sum(snap->pages[2], 128, 254), snap->pages[2][255 - 128]);
	/* two 128-byte upper reads cost one batch each */
	ck_assert_uint_eq(r.t.bus->stats.transactions, 1 + 1 + 5);
	free(snap);
	rig_down(&r);
}
END_TEST

START_TEST(test_access_rules)
{
	struct sim_module_cfg cfg;
	uint8_t buf[200];
	struct drig r;

	sim_module_cfg_default(&cfg);
	rig_up(&r, &cfg, true);
	ck_assert_int_eq(cmis_read(r.dev, 0, 0, 128, buf, 129), BERT_ERR_ARG);
	ck_assert_int_eq(cmis_read(r.dev, 0, 0, 120, buf, 16), BERT_ERR_ARG);
	ck_assert_int_eq(cmis_write(r.dev, 0, 0x10, 145, buf, 9), BERT_ERR_ARG);
	ck_assert_int_eq(cmis_read(r.dev, 0, 0, 0, buf, 0), BERT_ERR_ARG);
	rig_down(&r);
}
END_TEST

START_TEST(test_bring_up_dr4)
{
	struct sim_module_cfg cfg;
	struct drig r;
	unsigned lane;
	uint64_t t0, expected;
	int st;

	sim_module_cfg_default(&cfg);
	rig_up(&r, &cfg, true);
	t0 = bert_clock_now(r.t.clk);
	ck_assert_msg(cmis_bring_up(r.dev, 1, 0xff) == BERT_OK, "bring-up: %s",
		      bert_error_detail());
	ck_assert_int_eq(sim_module_state(r.t.m), CMIS_MODSTATE_READY);
	for (lane = 1; lane <= 8; lane++) {
		ck_assert_int_eq(cmis_get_dp_state(r.dev, lane, &st), BERT_OK);
		ck_assert_int_eq(st, CMIS_DPSTATE_ACTIVATED);
	}
	/* It cannot have been quicker than the module's own durations. */
	expected = (uint64_t)((cfg.t_pwrup_ms + cfg.t_dpinit_ms + cfg.t_txon_ms) *
			      BERT_NS_PER_MS);
	ck_assert_uint_ge(bert_clock_now(r.t.clk) - t0, expected);
	for (lane = 1; lane <= cfg.n_lanes; lane++)
		ck_assert(sim_module_tx_enabled(r.t.m, lane));
	rig_down(&r);
}
END_TEST

/* Software reset from DPActivated: the module comes back in ModuleLowPwr
 * (LPMode held) with its lanes deactivated and its controls at their
 * defaults, no sooner than its management init; a second bring-up runs.
 * A module silent past the host's 7 s times out, naming the bound. */
START_TEST(test_software_reset)
{
	struct sim_module_cfg cfg;
	struct drig r;
	unsigned lane;
	uint64_t t0;
	uint8_t v;
	int st;

	sim_module_cfg_default(&cfg);
	rig_up(&r, &cfg, true);
	ck_assert_int_eq(cmis_bring_up(r.dev, 1, 0xff), BERT_OK);
	t0 = bert_clock_now(r.t.clk);
	ck_assert_msg(cmis_software_reset(r.dev) == BERT_OK, "reset: %s",
		      bert_error_detail());
	ck_assert_uint_ge(bert_clock_now(r.t.clk) - t0,
			  (uint64_t)(cfg.t_reset_ms * BERT_NS_PER_MS));
	ck_assert_int_eq(sim_module_state(r.t.m), CMIS_MODSTATE_LOWPWR);
	for (lane = 1; lane <= 8; lane++) {
		ck_assert_int_eq(cmis_get_dp_state(r.dev, lane, &st), BERT_OK);
		ck_assert_int_eq(st, CMIS_DPSTATE_DEACTIVATED);
	}
	ck_assert_int_eq(cmis_read_byte(r.dev, 0, CMIS_MOD_CTRL, &v), BERT_OK);
	ck_assert_uint_eq(v, CMIS_CTRL_LOWPWR_ALLOW_HW);
	ck_assert_int_eq(cmis_read_byte(r.dev, 0x10, CMIS_P10_TX_DISABLE, &v), BERT_OK);
	ck_assert_uint_eq(v, 0);
	ck_assert(!sim_module_tx_enabled(r.t.m, 1));
	ck_assert_msg(cmis_bring_up(r.dev, 1, 0xff) == BERT_OK, "bring-up: %s",
		      bert_error_detail());
	ck_assert_int_eq(sim_module_state(r.t.m), CMIS_MODSTATE_READY);
	rig_down(&r);

	cfg.t_reset_ms = 8000;
	rig_up(&r, &cfg, true);
	ck_assert_int_eq(cmis_software_reset(r.dev), BERT_ERR_TIMEOUT);
	ck_assert_msg(strstr(bert_error_detail(), "not readable (NACK) after ") &&
		      strstr(bert_error_detail(), "(bound 7000 ms: host wait for a "
			     "software reset"), "detail: %s", bert_error_detail());
	rig_down(&r);
}
END_TEST

START_TEST(test_bring_up_breakout)
{
	struct sim_module_cfg cfg;
	struct drig r;
	int st;

	sim_module_cfg_default(&cfg);
	rig_up(&r, &cfg, true);
	/* AppSel 2 = 100G-DR on 2 host lanes: lanes 1-2 are one data path. */
	ck_assert_msg(cmis_bring_up(r.dev, 2, 0x03) == BERT_OK, "bring-up: %s",
		      bert_error_detail());
	ck_assert_int_eq(cmis_get_dp_state(r.dev, 1, &st), BERT_OK);
	ck_assert_int_eq(st, CMIS_DPSTATE_ACTIVATED);
	ck_assert_int_eq(cmis_get_dp_state(r.dev, 3, &st), BERT_OK);
	ck_assert_int_eq(st, CMIS_DPSTATE_DEACTIVATED);
	/* AppSel 7 is not advertised: refused before anything is written. */
	ck_assert_int_eq(cmis_bring_up(r.dev, 7, 0xff), BERT_ERR_UNSUPPORTED);
	rig_down(&r);
}
END_TEST

/* A module as slow as it may be: every duration at its advertised bound
 * (OIF-CMIS 5.x Page 01h codes 100 ms, 500 ms, 1 s, 10 ms, 50 ms). The
 * tightest wait is DPTxTurnOff + DPDeinit: 60 ms, tolerance 50 ms. */
static void slow_cfg(struct sim_module_cfg *cfg)
{
	sim_module_cfg_default(cfg);
	cfg->t_pwrup_ms = 500;
	cfg->t_dpinit_ms = 1000;
	cfg->t_txon_ms = 100;
	cfg->t_txoff_ms = 10;
	cfg->t_dpdeinit_ms = 50;
}

/* One seeded run: a bring-up from low power, then a second from
 * DPActivated (through DPTxTurnOff and DPDeinit), with every I2C batch
 * delayed by up to jitter_ns each way. BERT_OK or the first error. */
static int jittered_bring_ups(const struct sim_module_cfg *cfg, uint64_t jitter_ns,
			      uint64_t seed, bool powered)
{
	struct drig r;
	int rc;

	rig_up(&r, cfg, true);
	if (powered)
		ck_assert_int_eq(cmis_set_high_power(r.dev, true), BERT_OK);
	i2c_sim_set_jitter(r.t.bus, jitter_ns, seed);
	rc = cmis_bring_up(r.dev, 1, 0xff);
	if (!rc)
		rc = cmis_bring_up(r.dev, 1, 0xff);
	rig_down(&r);
	return rc;
}

/* CMIS durations bound the module, not the host's view of it: transport
 * jitter up to the host tolerance (50 ms, cmis_host_bound_ns()) never
 * fails a module within its advertised durations. The bound
 * advertised + 1/20 (one poll period) failed here. */
START_TEST(test_bring_up_host_jitter)
{
	struct sim_module_cfg cfg;
	unsigned seed, fails = 0;
	char first[256] = "";

	slow_cfg(&cfg);
	for (seed = 1; seed <= 500; seed++)
		if (jittered_bring_ups(&cfg, 50 * BERT_NS_PER_MS, seed, false) != BERT_OK &&
		    !fails++)
			snprintf(first, sizeof(first), "seed %u: %s", seed,
				 bert_error_detail());
	ck_assert_msg(fails == 0, "%u of 500 runs (1000 bring-ups) failed, %s",
		      fails, first);
	ck_assert_uint_eq(cmis_host_bound_ns(60 * BERT_NS_PER_MS), 110 * BERT_NS_PER_MS);
	ck_assert_uint_eq(cmis_host_bound_ns(BERT_NS_PER_S), 1500 * BERT_NS_PER_MS);
}
END_TEST

/* Beyond the tolerance a module that looks late times out, and says which
 * lane, which state, how long and against which bound. */
START_TEST(test_bring_up_jitter_beyond)
{
	struct sim_module_cfg cfg;
	unsigned seed;
	int rc = BERT_OK;
	const char *d;

	slow_cfg(&cfg);
	/* 1 s each way: twice the 500 ms tolerance of ModulePwrUp */
	for (seed = 1; seed <= 50 && rc == BERT_OK; seed++)
		rc = jittered_bring_ups(&cfg, BERT_NS_PER_S, seed, false);
	ck_assert_int_eq(rc, BERT_ERR_TIMEOUT);
	d = bert_error_detail();
	ck_assert_msg(strstr(d, "module stuck in ModulePwrUp, not ModuleReady after ") &&
		      strstr(d, " ms (bound 750 ms: advertised MaxDurationModulePwrUp "
			     "500 ms + host tolerance 250 ms)"), "detail: %s", d);
	/* the same on the data-path waits, the module already powered */
	rc = BERT_OK;
	for (seed = 1; seed <= 50 && rc == BERT_OK; seed++)
		rc = jittered_bring_ups(&cfg, BERT_NS_PER_S, seed, true);
	ck_assert_int_eq(rc, BERT_ERR_TIMEOUT);
	d = bert_error_detail();
	ck_assert_msg(strstr(d, "lane ") && strstr(d, " stuck in ") &&
		      strstr(d, " after ") && strstr(d, " ms (bound ") &&
		      strstr(d, " ms + host tolerance "), "detail: %s", d);
}
END_TEST

START_TEST(test_stuck_in_pwrup)
{
	struct sim_module_cfg cfg;
	struct drig r;

	sim_module_cfg_default(&cfg);
	cfg.stuck_in_pwrup = true;
	rig_up(&r, &cfg, true);
	ck_assert_int_eq(cmis_set_high_power(r.dev, true), BERT_ERR_TIMEOUT);
	ck_assert_msg(strstr(bert_error_detail(), "stuck in ModulePwrUp") &&
		      strstr(bert_error_detail(), "MaxDurationModulePwrUp"),
		      "detail: %s", bert_error_detail());
	rig_down(&r);
}
END_TEST

START_TEST(test_module_fault)
{
	struct sim_module_cfg cfg;
	struct drig r;

	sim_module_cfg_default(&cfg);
	cfg.fault_cause = 1;	/* TEC runaway */
	cfg.fault_after_ms = 0;
	rig_up(&r, &cfg, true);
	ck_assert_int_eq(cmis_set_high_power(r.dev, true), BERT_ERR_STATE);
	ck_assert_msg(strstr(bert_error_detail(), "ModuleFault (fault cause 1)"),
		      "detail: %s", bert_error_detail());
	rig_down(&r);
}
END_TEST

START_TEST(test_nack_storm)
{
	struct sim_module_cfg cfg;
	struct drig r;
	uint64_t t0;

	sim_module_cfg_default(&cfg);
	cfg.nack_probability = 1.0;
	rig_up(&r, &cfg, false);
	t0 = bert_clock_now(r.t.clk);
	ck_assert_int_eq(cmis_open(r.t.bus, &r.dev), BERT_ERR_NACK);
	ck_assert_ptr_null(r.dev);
	/* the bounded backoff ran out: at least 25 ms, well under a second */
	ck_assert_uint_ge(bert_clock_now(r.t.clk) - t0, 25 * BERT_NS_PER_MS);
	ck_assert_uint_lt(bert_clock_now(r.t.clk) - t0, BERT_NS_PER_S);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "no module answers"));
	rig_down(&r);
}
END_TEST

START_TEST(test_nack_some)
{
	struct sim_module_cfg cfg;
	struct cmis_snapshot *snap = calloc(1, sizeof(*snap));
	struct drig r;

	sim_module_cfg_default(&cfg);
	cfg.nack_probability = 0.3;
	rig_up(&r, &cfg, true);
	ck_assert_int_eq(cmis_snapshot_read(r.dev, snap), BERT_OK);
	ck_assert_uint_eq(snap->lower[0], 0x18);
	ck_assert_uint_gt(r.t.bus->stats.transactions, 7);	/* some were retried */
	free(snap);
	rig_down(&r);
}
END_TEST

START_TEST(test_flat_memory)
{
	struct sim_module_cfg cfg;
	uint8_t b;
	struct drig r;

	sim_module_cfg_default(&cfg);
	cfg.flat_memory = true;
	rig_up(&r, &cfg, true);
	ck_assert(cmis_is_flat(r.dev));
	ck_assert_int_eq(cmis_read_byte(r.dev, 0x01, 200, &b), BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(cmis_read_byte(r.dev, 0x00, 128, &b), BERT_OK);
	ck_assert_int_eq(cmis_bring_up(r.dev, 1, 0xff), BERT_ERR_UNSUPPORTED);
	rig_down(&r);
}
END_TEST

Suite *suite_cmis_driver(void)
{
	Suite *s = suite_create("cmis_driver");
	TCase *tc = tcase_create("driver");

	tcase_add_test(tc, test_snapshot_and_checksums);
	tcase_add_test(tc, test_access_rules);
	tcase_add_test(tc, test_bring_up_dr4);
	tcase_add_test(tc, test_bring_up_breakout);
	tcase_add_test(tc, test_software_reset);
	tcase_add_test(tc, test_bring_up_host_jitter);
	tcase_add_test(tc, test_bring_up_jitter_beyond);
	tcase_add_test(tc, test_stuck_in_pwrup);
	tcase_add_test(tc, test_module_fault);
	tcase_add_test(tc, test_nack_storm);
	tcase_add_test(tc, test_nack_some);
	tcase_add_test(tc, test_flat_memory);
	suite_add_tcase(s, tc);
	return s;
}
