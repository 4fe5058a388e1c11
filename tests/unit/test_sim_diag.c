// SPDX-License-Identifier: MIT
/* The emulated module's diagnostics (pages 13h, 14h) and VDM (20h-2Fh),
 * driven as a host drives them: over the sim I2C bus on the default bench,
 * on a virtual clock. Expected encodings are computed here from OIF-CMIS 5.x. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "bert/core/units.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/cmis_module.h"
#include "common.h"
#include "rig.h"

#define MS BERT_NS_PER_MS

static void sleep_ms(struct rig *r, double ms)
{
	ck_assert_int_eq(bert_clock_sleep(r->clk, (uint64_t)(ms * 1e6)), BERT_OK);
}

static void sel(struct rig *r, uint8_t page)
{
	rig_sel(r, 0, page);
	ck_assert_uint_eq(rig_rd1(r, CMIS_PAGE_SELECT), page);
}

/* Module to ModuleReady with every lane DPActivated (the power-on data
 * path configuration does the rest). */
static void bring_up(struct rig *r)
{
	sim_module_set_lpmode(r->m, false);
	sleep_ms(r, 3000);
	ck_assert_int_eq(sim_module_dp_state(r->m, 1), CMIS_DPSTATE_ACTIVATED);
}

/* Read-modify-write of one lane's pattern nibble, as a host does. */
static void set_pattern(struct rig *r, unsigned base, unsigned lane, unsigned pat)
{
	uint8_t off = (uint8_t)CMIS_P13_PATTERN_BYTE(base, lane);
	uint8_t v = rig_rd1(r, off);
	unsigned sh = CMIS_P13_PATTERN_SHIFT(lane);

	v = (uint8_t)((v & ~(0x0f << sh)) | pat << sh);
	rig_wr1(r, off, v);
}

/* Media generators and checkers of lanes 1-4 on PRBS31Q. */
static void prbs_on(struct rig *r, unsigned pat)
{
	unsigned l;

	sel(r, 0x13);
	for (l = 1; l <= 4; l++) {
		set_pattern(r, CMIS_P13_MEDIA_GEN_PATTERN, l, pat);
		set_pattern(r, CMIS_P13_MEDIA_CHK_PATTERN, l, pat);
	}
	rig_wr1(r, CMIS_P13_MEDIA_GEN_ENABLE, 0x0f);
	rig_wr1(r, CMIS_P13_MEDIA_CHK_ENABLE, 0x0f);
}

/* Errors and bits of media lane (1-4) from selector 0x04 after settling. */
static void counters(struct rig *r, unsigned lane, uint64_t *err, uint64_t *bits)
{
	uint8_t res[64];

	sel(r, 0x14);
	rig_wr1(r, CMIS_P14_SELECTOR, CMIS_DIAG_MEDIA_CNT_1_4);
	sleep_ms(r, CMIS_P14_SELECTOR_SETTLE_MS);
	ck_assert_int_eq(rig_rd(r, 192, res, 64), BERT_OK);
	*err = bert_get_le64(&res[CMIS_P14_CNT_ERRORS - 192 + CMIS_P14_CNT_LANE_STRIDE * (lane - 1)]);
	*bits = bert_get_le64(&res[CMIS_P14_CNT_BITS - 192 + CMIS_P14_CNT_LANE_STRIDE * (lane - 1)]);
}

/* ---- capabilities -------------------------------------------------------- */

START_TEST(test_caps)
{
	struct rig r;
	uint8_t p[128];

	rig_bench_open(&r, NULL, NULL);
	sel(&r, 0x01);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P01_PAGES) & (CMIS_P01_PAGES_DIAG | CMIS_P01_PAGES_VDM),
			  CMIS_P01_PAGES_DIAG | CMIS_P01_PAGES_VDM);
	sel(&r, 0x13);
	ck_assert_int_eq(rig_rd(&r, 128, p, 128), BERT_OK);
	ck_assert_uint_eq(p[0], 0x3f);			/* all loopback kinds, per lane */
	ck_assert_uint_eq(p[2] & 0x33, 0x33);		/* BER, counters, both SNRs */
	/* U16 LE bitmaps: byte 132 holds IDs 7-0 */
	ck_assert_uint_eq(p[132 - 128], 0x57);		/* 0 2 4 6 and PRBS31 (1) */
	ck_assert_uint_eq(p[133 - 128], 0x15);		/* 8 10 12 (SSPRQ) */
	ck_assert_uint_eq(p[138 - 128], 0x57);
	ck_assert_uint_eq(p[139 - 128], 0x05);		/* checkers: no SSPRQ */
	rig_close(&r);
}
END_TEST

START_TEST(test_caps_from_ini)
{
	struct rig r;
	FILE *f;
	char path[] = "/tmp/bert-diag-XXXXXX";
	char text[256];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("[diag]\nvdm = false\nloopback_caps = 0x03\nmedia_chk_patterns = 0x0001\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "[site 1]\nmodule = %s\n[path 1]\nfrom = 1:1\nto = 1:1\n",
		 path);
	rig_bench_open(&r, NULL, text);
	sel(&r, 0x01);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P01_PAGES) & CMIS_P01_PAGES_VDM, 0);
	sel(&r, 0x13);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P13_LOOPBACK_CAP), 0x03);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P13_MEDIA_CHK_PATTERNS), 0x01);
	/* loopback kinds not advertised are not kept */
	rig_wr1(&r, CMIS_P13_LB_HOST_INPUT_EN, 0xff);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P13_LB_HOST_INPUT_EN), 0);
	rig_wr1(&r, CMIS_P13_LB_MEDIA_INPUT_EN, 0x01);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P13_LB_MEDIA_INPUT_EN), 0x01);
	/* no VDM pages: PageSelect reverts */
	{
		uint8_t buf[3] = { CMIS_BANK_SELECT, 0, 0x20 };
		struct i2c_msg msg = { CMIS_I2C_ADDR, I2C_MSG_STOP, 3, buf };

		ck_assert_int_eq(i2c_xfer(r.bus, &msg, 1), BERT_OK);
		ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0);
	}
	rig_close(&r);
	unlink(path);
}
END_TEST

START_TEST(test_pattern_rmw)
{
	struct rig r;

	rig_bench_open(&r, NULL, NULL);
	sel(&r, 0x13);
	set_pattern(&r, CMIS_P13_MEDIA_GEN_PATTERN, 1, CMIS_PAT_PRBS31Q);
	set_pattern(&r, CMIS_P13_MEDIA_GEN_PATTERN, 2, CMIS_PAT_PRBS13Q);
	set_pattern(&r, CMIS_P13_MEDIA_GEN_PATTERN, 3, CMIS_PAT_PRBS9Q);
	ck_assert_uint_eq(rig_rd1(&r, 156), 0x60);		/* lane 2 high nibble */
	ck_assert_uint_eq(rig_rd1(&r, 157), 0x08);
	set_pattern(&r, CMIS_P13_MEDIA_GEN_PATTERN, 1, CMIS_PAT_PRBS15Q);
	ck_assert_uint_eq(rig_rd1(&r, 156), 0x64);		/* lane 2 kept */
	rig_close(&r);
}
END_TEST

/* ---- lock, LOL, counters ---------------------------------------------- */

START_TEST(test_lock_on_matching_pattern)
{
	struct rig r;
	uint64_t e, b;

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	prbs_on(&r, CMIS_PAT_PRBS31Q);
	/* lane 2's checker on another pattern, lane 3's checker inverted */
	set_pattern(&r, CMIS_P13_MEDIA_CHK_PATTERN, 2, CMIS_PAT_PRBS13Q);
	rig_wr1(&r, CMIS_P13_MEDIA_CHK_INVERT, 0x04);
	sleep_ms(&r, 100);
	sel(&r, 0x14);
	(void)rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA);		/* latched: stale */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA), 0x06);
	counters(&r, 1, &e, &b);
	ck_assert_uint_gt(b, 0);
	ck_assert_uint_eq(e, 0);			/* BER ~1e-60 */
	counters(&r, 2, &e, &b);
	ck_assert_uint_eq(b, 0);
	counters(&r, 3, &e, &b);
	ck_assert_uint_eq(b, 0);
	rig_close(&r);
}
END_TEST

START_TEST(test_lock_time_and_lol_latched)
{
	struct rig r;

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	prbs_on(&r, CMIS_PAT_PRBS31Q);
	sel(&r, 0x14);
	/* not yet locked right after enabling (lock time 20 ms) */
	(void)rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA), 0x0f);
	sleep_ms(&r, 25);
	(void)rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA), 0x00);
	/* generator of lane 1 off for a moment, then on again */
	sel(&r, 0x13);
	rig_wr1(&r, CMIS_P13_MEDIA_GEN_ENABLE, 0x0e);
	sleep_ms(&r, 10);
	rig_wr1(&r, CMIS_P13_MEDIA_GEN_ENABLE, 0x0f);
	sleep_ms(&r, 100);
	sel(&r, 0x14);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA), 0x01);	/* latched */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA), 0x00);	/* relocked */
	rig_close(&r);
}
END_TEST

START_TEST(test_counters_and_reset)
{
	struct rig r;
	uint64_t e, b, b2;
	double expect;

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	prbs_on(&r, CMIS_PAT_PRBS31Q);
	sleep_ms(&r, 1020);
	counters(&r, 4, &e, &b);
	/* locked 20 ms after enabling; counted at 106.25 Gb/s since; the
	 * transactions themselves take a little bus time */
	expect = 106.25e9 * 1.2;
	ck_assert(b > expect && b < expect * 1.01);
	sel(&r, 0x13);
	rig_wr1(&r, CMIS_P13_MEAS_CTRL, CMIS_P13_MEAS_RESET_ERR);
	rig_wr1(&r, CMIS_P13_MEAS_CTRL, 0);
	counters(&r, 4, &e, &b2);
	ck_assert(b2 < b / 4);
	ck_assert(b2 > 106.25e9 * 0.2);		/* the settle time */
	rig_close(&r);
}
END_TEST

START_TEST(test_selector_settle)
{
	struct rig r;
	uint8_t res[64], zero[64] = { 0 };

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	prbs_on(&r, CMIS_PAT_PRBS31Q);
	sleep_ms(&r, 500);
	sel(&r, 0x14);
	rig_wr1(&r, CMIS_P14_SELECTOR, CMIS_DIAG_MEDIA_CNT_1_4);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_SELECTOR), CMIS_DIAG_MEDIA_CNT_1_4);
	ck_assert_int_eq(rig_rd(&r, 192, res, 64), BERT_OK);
	ck_assert_mem_eq(res, zero, 64);		/* not valid yet */
	sleep_ms(&r, CMIS_P14_SELECTOR_SETTLE_MS - 10);
	ck_assert_int_eq(rig_rd(&r, 192, res, 64), BERT_OK);
	ck_assert_mem_eq(res, zero, 64);
	sleep_ms(&r, 10);
	ck_assert_int_eq(rig_rd(&r, 192, res, 64), BERT_OK);
	ck_assert_uint_gt(bert_get_le64(&res[8]), 0);		/* lane 1 bits */
	rig_close(&r);
}
END_TEST

START_TEST(test_ber_f16_and_snr)
{
	struct rig r;
	struct sim_bench_lane lm;
	uint8_t res[64];
	unsigned l;

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	ck_assert_int_eq(sim_bench_set_extra_loss(r.b, 1, 7.0), BERT_OK);
	prbs_on(&r, CMIS_PAT_PRBS31Q);
	sleep_ms(&r, 1000);
	sel(&r, 0x14);
	rig_wr1(&r, CMIS_P14_SELECTOR, CMIS_DIAG_BER);
	sleep_ms(&r, CMIS_P14_SELECTOR_SETTLE_MS);
	ck_assert_int_eq(rig_rd(&r, 192, res, 64), BERT_OK);
	for (l = 1; l <= 4; l++) {
		/* F16, exponent byte first */
		uint16_t raw = (uint16_t)(res[16 + 2 * (l - 1)] << 8 | res[17 + 2 * (l - 1)]);
		double ber = (raw & 0x7ff) * pow(10, (raw >> 11) - 24.0);

		ck_assert_int_eq(sim_bench_lane_model(r.b, 1, l, &lm), BERT_OK);
		ck_assert(lm.ber > 1e-4 && lm.ber < 1e-3);
		/* ~3e7 errors: within 1 % (F16 keeps 3-4 digits) */
		ck_assert_msg(fabs(ber / lm.ber - 1) < 0.01, "lane %u: %g vs %g", l,
			      ber, lm.ber);
	}
	rig_wr1(&r, CMIS_P14_SELECTOR, CMIS_DIAG_SNR);
	sleep_ms(&r, CMIS_P14_SELECTOR_SETTLE_MS);
	ck_assert_int_eq(rig_rd(&r, 192, res, 64), BERT_OK);
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 1, &lm), BERT_OK);
	/* little-endian 1/256 dB: media lane 1 at 240, host lane 1 at 208 */
	ck_assert(fabs((res[48] | res[49] << 8) / 256.0 - lm.snr_db) < 0.01);
	ck_assert(fabs((res[16] | res[17] << 8) / 256.0 - 24.0) < 0.01);
	rig_close(&r);
}
END_TEST

START_TEST(test_unsupported_pattern)
{
	struct rig r;

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	/* SSPRQ: generators support it, checkers do not */
	prbs_on(&r, CMIS_PAT_SSPRQ);
	ck_assert_uint_eq(rig_rd1(&r, 156), 0xcc);		/* the nibble is stored */
	/* lane 4's generator on the reserved ID 13 */
	set_pattern(&r, CMIS_P13_MEDIA_GEN_PATTERN, 4, CMIS_PAT_RESERVED);
	sleep_ms(&r, 500);
	sel(&r, 0x14);
	(void)rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA), 0x0f);	/* never locks */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_GEN_LOL_MEDIA), 0x08);
	rig_close(&r);
}
END_TEST

START_TEST(test_media_output_loopback)
{
	struct rig r;
	uint64_t e, b;

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	/* the plant is dark (VOA shutter closed) but the near-end loopback
	 * brings lane 1's generator back to its checker */
	ck_assert_int_eq(sim_bench_voa_enable(r.b, "voa1", 1, false), BERT_OK);
	ck_assert_int_eq(sim_bench_voa_enable(r.b, "voa1", 2, false), BERT_OK);
	prbs_on(&r, CMIS_PAT_PRBS31Q);
	rig_wr1(&r, CMIS_P13_LB_MEDIA_OUTPUT_EN, 0x01);
	sleep_ms(&r, 100);
	sel(&r, 0x14);
	(void)rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_CHK_LOL_MEDIA), 0x02);
	counters(&r, 2, &e, &b);
	ck_assert_uint_eq(b, 0);
	rig_close(&r);
}
END_TEST

START_TEST(test_gating)
{
	struct rig r;
	uint8_t res[64];

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	prbs_on(&r, CMIS_PAT_PRBS31Q);
	sleep_ms(&r, 100);
	/* 5 s gate, started by ResetErrorInformation */
	rig_wr1(&r, CMIS_P13_MEAS_CTRL, CMIS_P13_MEAS_RESET_ERR |
	    CMIS_GATING_5S << CMIS_P13_MEAS_GATING_SHIFT);
	sleep_ms(&r, 4000);
	sel(&r, 0x14);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_GATING_DONE_MEDIA), 0);
	sleep_ms(&r, 1500);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_GATING_DONE_MEDIA), 0x0f);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P14_GATING_DONE_MEDIA), 0);	/* cleared */
	rig_wr1(&r, CMIS_P14_SELECTOR, CMIS_DIAG_GATED_MEDIA_CNT_1_4);
	sleep_ms(&r, CMIS_P14_SELECTOR_SETTLE_MS);
	ck_assert_int_eq(rig_rd(&r, 192, res, 64), BERT_OK);
	/* exactly the 5 s gate at 106.25 Gb/s */
	ck_assert(fabs((double)bert_get_le64(&res[8]) - 5 * 106.25e9) < 2);
	rig_close(&r);
}
END_TEST

/* ---- VDM --------------------------------------------------------------- */

START_TEST(test_vdm_descriptors)
{
	struct rig r;
	uint8_t p[128];

	rig_bench_open(&r, NULL, NULL);
	sel(&r, 0x2f);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P2F_GROUPS) & CMIS_P2F_GROUPS_MASK, 1);
	sel(&r, 0x20);
	ck_assert_int_eq(rig_rd(&r, 128, p, 128), BERT_OK);
	ck_assert_uint_eq(p[1], CMIS_VDM_BER_CUR_MEDIA);
	ck_assert_uint_eq(p[0] & CMIS_VDM_DESC_LANE_MASK, 0);	/* lane 1 */
	ck_assert_uint_eq(p[2 * 8 + 1], CMIS_VDM_FERC_MEDIA);
	ck_assert_uint_eq(p[2 * 11 + 1], CMIS_VDM_LASER_TEMP);
	ck_assert_uint_eq(p[2 * 12 + 1], CMIS_VDM_BER_CUR_MEDIA);
	ck_assert_uint_eq(p[2 * 12] & CMIS_VDM_DESC_LANE_MASK, 1);	/* lane 2 */
	sel(&r, 0x21);
	ck_assert_int_eq(rig_rd(&r, 128, p, 128), BERT_OK);
	ck_assert_uint_eq(p[1], CMIS_VDM_BER_CUR_HOST);
	rig_close(&r);
}
END_TEST

START_TEST(test_vdm_freeze)
{
	struct rig r;
	uint8_t v1[32], v2[32];

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	ck_assert_int_eq(sim_bench_set_extra_loss(r.b, 1, 5.0), BERT_OK);
	sleep_ms(&r, 3000);
	sel(&r, 0x2f);
	/* RMW: the other bits of 144 survive */
	rig_wr1(&r, CMIS_P2F_CTRL, 0x14);
	rig_wr1(&r, CMIS_P2F_CTRL, rig_rd1(&r, CMIS_P2F_CTRL) | CMIS_P2F_FREEZE_REQUEST);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P2F_STATUS), 0);		/* within tVDMF */
	sleep_ms(&r, 5);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P2F_STATUS), CMIS_P2F_FREEZE_DONE);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P2F_CTRL), 0x94);
	sel(&r, 0x24);
	ck_assert_int_eq(rig_rd(&r, 128, v1, 32), BERT_OK);
	sleep_ms(&r, 3000);
	ck_assert_int_eq(rig_rd(&r, 128, v2, 32), BERT_OK);
	/* statistics (min, max, avg: descriptors 1-3) held; current moves */
	ck_assert_mem_eq(&v1[2], &v2[2], 6);
	ck_assert_mem_ne(&v1[0], &v2[0], 2);
	ck_assert(bert_f16_to_double((uint16_t)(v1[6] << 8 | v1[7])) > 1e-9);
	sel(&r, 0x2f);
	rig_wr1(&r, CMIS_P2F_CTRL, rig_rd1(&r, CMIS_P2F_CTRL) & ~CMIS_P2F_FREEZE_REQUEST);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P2F_STATUS), 0);
	sleep_ms(&r, 5);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P2F_STATUS), CMIS_P2F_UNFREEZE_DONE);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P2F_CTRL), 0x14);
	rig_close(&r);
}
END_TEST

START_TEST(test_vdm_flags)
{
	struct rig r;
	uint8_t f;

	rig_bench_open(&r, NULL, NULL);
	bring_up(&r);
	ck_assert_int_eq(sim_bench_set_extra_loss(r.b, 1, 8.5), BERT_OK);
	sleep_ms(&r, 2000);
	sel(&r, 0x2c);
	/* descriptor 0 (BER current, lane 1): BER ~5e-3 > 1e-3 high alarm */
	f = rig_rd1(&r, 128);
	ck_assert_uint_eq(f & (CMIS_VDM_FLAG_HA | CMIS_VDM_FLAG_HW),
			  CMIS_VDM_FLAG_HA | CMIS_VDM_FLAG_HW);
	ck_assert_uint_eq(rig_rd1(&r, 128), 0);	/* clear on read */
	rig_close(&r);
}
END_TEST

Suite *suite_sim_diag(void)
{
	Suite *s = suite_create("sim_diag");
	TCase *tc = tcase_create("13h-14h");

	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_caps_from_ini);
	tcase_add_test(tc, test_pattern_rmw);
	tcase_add_test(tc, test_lock_on_matching_pattern);
	tcase_add_test(tc, test_lock_time_and_lol_latched);
	tcase_add_test(tc, test_counters_and_reset);
	tcase_add_test(tc, test_selector_settle);
	tcase_add_test(tc, test_ber_f16_and_snr);
	tcase_add_test(tc, test_unsupported_pattern);
	tcase_add_test(tc, test_media_output_loopback);
	tcase_add_test(tc, test_gating);
	suite_add_tcase(s, tc);
	tc = tcase_create("vdm");
	tcase_add_test(tc, test_vdm_descriptors);
	tcase_add_test(tc, test_vdm_freeze);
	tcase_add_test(tc, test_vdm_flags);
	suite_add_tcase(s, tc);
	return s;
}
