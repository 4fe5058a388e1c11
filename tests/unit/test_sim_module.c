// SPDX-License-Identifier: MIT
/* The emulated CMIS module, driven as a host drives a real one: over the sim
 * I2C bus at 400 kHz on a virtual clock. Expected values are computed here
 * from OIF-CMIS 5.x, not from the emulator's own helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "bert/core/units.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "common.h"
#include "rig.h"

#define MS BERT_NS_PER_MS

static uint64_t now(struct rig *r)
{
	return bert_clock_now(r->clk);
}

static void sleep_until(struct rig *r, uint64_t t)
{
	ck_assert_int_eq(bert_clock_sleep_until(r->clk, t), BERT_OK);
}

/* A whole page as a host reads it: [W 126, 0, page] STOP [W 128] Sr [R 128] */
static void rd_page(struct rig *r, uint8_t page, uint8_t *buf)
{
	rig_sel(r, 0, page);
	ck_assert_int_eq(rig_rd(r, 128, buf, 128), BERT_OK);
}

static unsigned dp_nibble(const uint8_t *p11, unsigned lane)
{
	return (p11[lane / 2] >> ((lane & 1) * 4)) & 0x0f;
}

static void rd_p11(struct rig *r, uint8_t *p11)
{
	rd_page(r, 0x11, p11);
}

/* ---- memory map ----------------------------------------------------------- */

START_TEST(test_identity_and_checksums)
{
	struct rig r;
	uint8_t lo[128], p00[128], p01[128], p02[128];
	unsigned i, s;

	rig_module_open(&r, NULL);
	ck_assert_int_eq(rig_rd(&r, 0, lo, 128), BERT_OK);
	ck_assert_uint_eq(lo[0], 0x18);
	ck_assert_uint_eq(lo[1], 0x52);
	ck_assert_uint_eq(lo[2] & CMIS_MEM_FLAT, 0);
	ck_assert_uint_eq(lo[85], 2);
	/* App1 11 1C 84 01, App2 0D 14 21 55, then the end marker */
	ck_assert_mem_eq(&lo[86], "\x11\x1c\x84\x01\x0d\x14\x21\x55\xff", 9);
	rd_page(&r, 0x00, p00);
	rd_page(&r, 0x01, p01);
	rd_page(&r, 0x02, p02);
	ck_assert_mem_eq(&p00[129 - 128], "BERT-SIM        ", 16);
	ck_assert_uint_eq(p00[203 - 128], 0x0c);
	ck_assert_uint_eq(p00[212 - 128], 6);
	ck_assert_uint_eq(p00[201 - 128], 40);		/* 10 W in 0.25 W */
	/* checksums, OIF-CMIS 5.x Pages 00h-02h: plain 8-bit sums over their ranges */
	for (s = 0, i = 128; i <= 221; i++)
		s += p00[i - 128];
	ck_assert_uint_eq(p00[222 - 128], s & 0xff);
	for (s = 0, i = 130; i <= 254; i++)
		s += p01[i - 128];
	ck_assert_uint_eq(p01[255 - 128], s & 0xff);
	for (s = 0, i = 128; i <= 254; i++)
		s += p02[i - 128];
	ck_assert_uint_eq(p02[255 - 128], s & 0xff);
	/* durations: PwrUp 1500 ms -> code 7 (<5 s), PwrDn 200 ms -> 5
	 * (<500 ms); DPInit 800 -> 6, DPDeinit 80 -> 4; TxOn 30 -> 3, TxOff
	 * 8 -> 2 */
	ck_assert_uint_eq(p01[167 - 128], 0x57);
	ck_assert_uint_eq(p01[144 - 128], 0x46);
	ck_assert_uint_eq(p01[168 - 128], 0x23);
	ck_assert_uint_eq(p01[176 - 128], 0x01);
	ck_assert_uint_eq(p01[177 - 128], 0x0f);
	/* bias multiplier x2 = code 1, all three lane monitors */
	ck_assert_uint_eq(p01[160 - 128], 0x0f);
	/* temperature high warning 70 degC, S16 1/256 */
	ck_assert_uint_eq(bert_get_be16(&p02[128 + 4 - 128]), 70 * 256);
	rig_close(&r);
}
END_TEST

/* Duration codes at their bounds: code = smallest bound >= duration. */
static const struct {
	double ms;
	unsigned code;
} dur_cases[] = {
	{ 0, 0 }, { 1, 0 }, { 1.001, 1 }, { 5, 1 }, { 10, 2 }, { 49, 3 },
	{ 100, 4 }, { 499, 5 }, { 1000, 6 }, { 4999, 7 }, { 10000, 8 },
	{ 60000, 9 }, { 300000, 10 }, { 600000, 11 }, { 3000000, 12 },
	{ 3000001, 13 },
};

START_TEST(test_duration_codes)
{
	struct sim_module_cfg cfg;
	struct rig r;

	sim_module_cfg_default(&cfg);
	cfg.t_pwrup_ms = dur_cases[_i].ms;
	cfg.t_txoff_ms = dur_cases[_i].ms;
	rig_module_open(&r, &cfg);
	rig_sel(&r, 0, 1);
	ck_assert_uint_eq(rig_rd1(&r, 167) & 0x0f, dur_cases[_i].code);
	ck_assert_uint_eq(rig_rd1(&r, 168) >> 4, dur_cases[_i].code);
	rig_close(&r);
}
END_TEST

START_TEST(test_paging)
{
	struct rig r;
	uint8_t a[8], b[8];

	rig_module_open(&r, NULL);
	/* page 01h, then page 00h: the upper bytes differ */
	rig_sel(&r, 0, 0x01);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0x01);
	ck_assert_int_eq(rig_rd(&r, 160, a, 8), BERT_OK);
	rig_sel(&r, 0, 0x00);
	ck_assert_int_eq(rig_rd(&r, 160, b, 8), BERT_OK);
	ck_assert_mem_ne(a, b, 8);
	/* unsupported page: PageSelect and BankSelect revert to 0 */
	rig_sel(&r, 0, 0x15);	/* 13h/14h exist now */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0x00);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_BANK_SELECT), 0x00);
	ck_assert_int_eq(rig_rd(&r, 160, a, 8), BERT_OK);
	ck_assert_mem_eq(a, b, 8);
	/* banked page 10h exists in bank 0 only */
	rig_sel(&r, 1, 0x10);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0x00);
	/* unbanked pages ignore the bank */
	rig_sel(&r, 2, 0x01);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0x01);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_BANK_SELECT), 2);
	/* BankSelect alone is pending until PageSelect is written */
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_BANK_SELECT, 1);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0x10);	/* still 10h */
	rig_wr1(&r, CMIS_PAGE_SELECT, 0x10);	/* now bank 1 is processed */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0x00);
	rig_close(&r);
}
END_TEST

START_TEST(test_read_only)
{
	struct rig r;
	uint8_t before[128], after_[128], v[4] = { 0xaa, 0xbb, 0xcc, 0xdd };

	rig_module_open(&r, NULL);
	rig_wr1(&r, CMIS_ID, 0x55);			/* identifier: read-only */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_ID), 0x18);
	rig_wr1(&r, CMIS_MASKS + 1, 0x0f);		/* masks: read-write */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MASKS + 1), 0x0f);
	ck_assert_int_eq(rig_wr(&r, CMIS_PASSWORD_ENTRY, v, 4), BERT_OK);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PASSWORD_ENTRY), 0);	/* write-only */
	/* pages 00h, 01h, 02h and 11h ignore writes */
	for (unsigned p = 0; p < 4; p++) {
		uint8_t page = (uint8_t[]){ 0x00, 0x01, 0x02, 0x11 }[p];

		rd_page(&r, page, before);
		ck_assert_int_eq(rig_wr(&r, 200, v, 4), BERT_OK);
		ck_assert_int_eq(rig_wr(&r, 130, v, 4), BERT_OK);
		ck_assert_int_eq(rig_rd(&r, 128, after_, 128), BERT_OK);
		ck_assert_msg(!memcmp(before + 72, after_ + 72, 4) &&
			      !memcmp(before + 2, after_ + 2, 4),
			      "page %02xh took a write", page);
	}
	/* page 10h controls read back */
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x05);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P10_TX_DISABLE), 0x05);
	rig_close(&r);
}
END_TEST

START_TEST(test_write_length)
{
	struct rig r;
	uint8_t cfg8[9] = { 0x20, 0x20, 0x22, 0x22, 0x24, 0x24, 0x26, 0x26, 0x77 };
	uint8_t got[9];

	rig_module_open(&r, NULL);
	rig_sel(&r, 0, 0x10);
	/* 9 data bytes: the 9th is NACKed and nothing is written */
	ck_assert_int_eq(rig_wr(&r, CMIS_P10_DPCONFIG, cfg8, 9), BERT_ERR_NACK);
	ck_assert_int_eq(rig_rd(&r, CMIS_P10_DPCONFIG, got, 8), BERT_OK);
	ck_assert_uint_eq(got[0], 0x10);	/* power-on App1 config */
	/* 8 data bytes are fine */
	ck_assert_int_eq(rig_wr(&r, CMIS_P10_DPCONFIG, cfg8, 8), BERT_OK);
	ck_assert_int_eq(rig_rd(&r, CMIS_P10_DPCONFIG, got, 9), BERT_OK);
	ck_assert_mem_eq(got, cfg8, 8);
	ck_assert_uint_eq(got[8], 0);
	/* a write running past byte 255 is NACKed and discarded */
	ck_assert_int_eq(rig_wr(&r, 254, cfg8, 3), BERT_ERR_NACK);
	ck_assert_uint_eq(rig_rd1(&r, 254), 0);
	rig_close(&r);
}
END_TEST

START_TEST(test_read_wrap)
{
	struct rig r;
	uint8_t page[128], got[12];

	rig_module_open(&r, NULL);
	rd_page(&r, 0x00, page);
	/* 250..255 then 128..133 of the same page */
	ck_assert_int_eq(rig_rd(&r, 250, got, 12), BERT_OK);
	ck_assert_mem_eq(got, page + 122, 6);
	ck_assert_mem_eq(got + 6, page, 6);
	/* lower memory runs on into the selected page */
	ck_assert_int_eq(rig_rd(&r, 126, got, 4), BERT_OK);
	ck_assert_uint_eq(got[1], 0x00);
	ck_assert_mem_eq(got + 2, page, 2);
	rig_close(&r);
}
END_TEST

START_TEST(test_flat_memory)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint8_t p00[128], got[128];

	sim_module_cfg_default(&cfg);
	cfg.flat_memory = true;
	rig_module_open(&r, &cfg);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MEM_CHAR) & CMIS_MEM_FLAT, CMIS_MEM_FLAT);
	ck_assert_int_eq(rig_rd(&r, 128, p00, 128), BERT_OK);
	rig_sel(&r, 0, 0x01);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_BANK_SELECT), 0);
	ck_assert_int_eq(rig_rd(&r, 128, got, 128), BERT_OK);
	ck_assert_mem_eq(got, p00, 128);
	rig_close(&r);
}
END_TEST

/* ---- state machines -------------------------------------------------------- */

START_TEST(test_module_sm_timing)
{
	struct rig r;
	uint64_t t0, pwrup = 1500 * MS, pwrdn = 200 * MS;

	rig_module_open(&r, NULL);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);
	/* leaving management init latched the state change: IntL asserted */
	ck_assert(sim_module_intl_asserted(r.m));
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_STATE), CMIS_MODSTATE_LOWPWR << 1);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_FLAGS), CMIS_MOD_FLAG_STATE_CHANGED);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_FLAGS), 0);		/* cleared on read */
	ck_assert(!sim_module_intl_asserted(r.m));
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_STATE), CMIS_MODSTATE_LOWPWR << 1 |
			  CMIS_INTL_DEASSERTED);
	/* default 00:26: AllowHW = 1, and LPMode asserted keeps it low power */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_CTRL), CMIS_CTRL_LOWPWR_ALLOW_HW);
	sleep_until(&r, now(&r) + 10 * BERT_NS_PER_S);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);

	/* releasing the pin is enough */
	sim_module_set_lpmode(r.m, false);
	t0 = now(&r);
	sleep_until(&r, t0 + pwrup - 1);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_PWRUP);
	sleep_until(&r, t0 + pwrup);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_READY);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_FLAGS), CMIS_MOD_FLAG_STATE_CHANGED);

	/* LPMode again with AllowHW: PwrDn, then LowPwr exactly pwrdn later */
	sim_module_set_lpmode(r.m, true);
	t0 = now(&r);
	sleep_until(&r, t0 + pwrdn - 1);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_PWRDN);
	sleep_until(&r, t0 + pwrdn);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);

	/* the host ignores the pin (clear AllowHW): power up through byte 26 */
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	t0 = now(&r);
	sleep_until(&r, t0 + pwrup - 1);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_PWRUP);
	sleep_until(&r, t0 + pwrup);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_READY);
	/* LowPwrRequestSW */
	rig_wr1(&r, CMIS_MOD_CTRL, CMIS_CTRL_LOWPWR_SW);
	t0 = now(&r);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_PWRDN);
	sleep_until(&r, t0 + pwrdn);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);
	rig_close(&r);
}
END_TEST

/* Power-on DPConfig is App1 with DPDeinit = 0: the data path follows the
 * module up on its own, each step at exactly its duration. */
START_TEST(test_dp_sm_timing)
{
	struct rig r;
	uint64_t t0, pwrup = 1500 * MS, dpinit = 800 * MS, txon = 30 * MS,
		 txoff = 8 * MS, dpdeinit = 80 * MS;
	uint8_t p11[128];
	unsigned i;

	rig_module_open(&r, NULL);
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	t0 = now(&r);
	sleep_until(&r, t0 + pwrup - 1);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEACTIVATED);
	sleep_until(&r, t0 + pwrup);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_INIT);
	sleep_until(&r, t0 + pwrup + dpinit - 1);
	ck_assert_int_eq(sim_module_dp_state(r.m, 8), CMIS_DPSTATE_INIT);
	sleep_until(&r, t0 + pwrup + dpinit);
	ck_assert_int_eq(sim_module_dp_state(r.m, 8), CMIS_DPSTATE_TXTURNON);
	sleep_until(&r, t0 + pwrup + dpinit + txon - 1);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_TXTURNON);
	ck_assert(!sim_module_tx_enabled(r.m, 1));
	sleep_until(&r, t0 + pwrup + dpinit + txon);
	for (i = 1; i <= 8; i++)
		ck_assert_int_eq(sim_module_dp_state(r.m, i), CMIS_DPSTATE_ACTIVATED);
	ck_assert(sim_module_tx_enabled(r.m, 4));
	rd_p11(&r, p11);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(dp_nibble(p11, i), CMIS_DPSTATE_ACTIVATED);
	ck_assert_uint_eq(p11[CMIS_P11_DP_STATE_CHANGED - 128], 0xff);

	/* DPDeinit: TxTurnOff, DPDeinit, DPDeactivated */
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_DP_DEINIT, 0xff);
	t0 = now(&r);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_TXTURNOFF);
	sleep_until(&r, t0 + txoff - 1);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_TXTURNOFF);
	sleep_until(&r, t0 + txoff);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEINIT);
	sleep_until(&r, t0 + txoff + dpdeinit - 1);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEINIT);
	sleep_until(&r, t0 + txoff + dpdeinit);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEACTIVATED);
	rig_close(&r);
}
END_TEST

/* The bring-up of OIF-CMIS 5.x 6.3.2 and 6.3.3, with ConfigStatus and exact timing. */
START_TEST(test_dp_host_bringup)
{
	struct rig r;
	uint64_t t0, dpinit = 800 * MS, txon = 30 * MS, tcfg = 20 * MS;
	uint8_t cfg8[8], p11[128], v;
	unsigned i;

	rig_module_open(&r, NULL);
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_DP_DEINIT, 0xff);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x0f);
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	sleep_until(&r, now(&r) + 1500 * MS);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_READY);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEACTIVATED);

	memset(cfg8, 0x10, sizeof(cfg8));	/* App1, DataPathID 0 */
	ck_assert_int_eq(rig_wr(&r, CMIS_P10_DPCONFIG, cfg8, 8), BERT_OK);
	rig_wr1(&r, CMIS_P10_APPLY_DPINIT, 0xff);
	t0 = now(&r);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P10_APPLY_DPINIT), 0);
	rig_sel(&r, 0, 0x11);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_CONFIG_STATUS + i), 0xcc);
	sleep_until(&r, t0 + tcfg);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_CONFIG_STATUS + i), 0x11);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_ACTIVE_DPCONFIG, cfg8, 8), BERT_OK);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(cfg8[i], 0x10);

	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_DP_DEINIT, 0x00);
	t0 = now(&r);
	sleep_until(&r, t0 + dpinit - 1);
	ck_assert_int_eq(sim_module_dp_state(r.m, 3), CMIS_DPSTATE_INIT);
	sleep_until(&r, t0 + dpinit);
	ck_assert_int_eq(sim_module_dp_state(r.m, 3), CMIS_DPSTATE_INITIALIZED);
	sleep_until(&r, t0 + 10 * dpinit);	/* Tx disabled: stays there */
	ck_assert_int_eq(sim_module_dp_state(r.m, 3), CMIS_DPSTATE_INITIALIZED);
	ck_assert_double_eq(sim_module_tx_power_mw(r.m, 1), 0);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x00);
	t0 = now(&r);
	sleep_until(&r, t0 + txon - 1);
	ck_assert_int_eq(sim_module_dp_state(r.m, 3), CMIS_DPSTATE_TXTURNON);
	sleep_until(&r, t0 + txon);
	ck_assert_int_eq(sim_module_dp_state(r.m, 3), CMIS_DPSTATE_ACTIVATED);
	ck_assert_double_eq_tol(sim_module_tx_power_mw(r.m, 1),
				bert_dbm_to_mw(1.5), 1e-9);
	rd_p11(&r, p11);
	ck_assert_uint_eq(p11[CMIS_P11_DP_STATE - 128], 0x44);
	/* one lane disabled: only that lane goes dark, the data path stays up */
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x02);
	ck_assert(!sim_module_tx_enabled(r.m, 2));
	ck_assert(sim_module_tx_enabled(r.m, 1));
	ck_assert_int_eq(sim_module_dp_state(r.m, 3), CMIS_DPSTATE_ACTIVATED);
	sleep_until(&r, now(&r) + 100 * MS);
	rig_sel(&r, 0, 0x11);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_TX_PWR + 2, cfg8, 2), BERT_OK);
	ck_assert_uint_eq(bert_get_be16(cfg8), 0);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_TX_PWR, cfg8, 2), BERT_OK);
	ck_assert_uint_eq(bert_get_be16(cfg8), bert_cmis_power_from_mw(bert_dbm_to_mw(1.5)));
	v = rig_rd1(&r, CMIS_P11_TX_OUT_STATUS);
	ck_assert_uint_eq(v, 0x0d);
	rig_close(&r);
}
END_TEST

/* ConfigStatus for staged sets that break the rules. */
static const struct {
	const char *what;
	uint8_t staged[8];
	uint8_t apply;
	uint8_t expect[8];	/* nibble per lane */
} cfg_cases[] = {
	{ "AppSel 3 not advertised", { 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30 },
	  0xff, { 3, 3, 3, 3, 3, 3, 3, 3 } },
	{ "App1 on 4 lanes", { 0x10, 0x10, 0x10, 0x10, 0, 0, 0, 0 },
	  0xff, { 4, 4, 4, 4, 1, 1, 1, 1 } },
	{ "App2 with one DataPathID for 8 lanes", { 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20 },
	  0xff, { 4, 4, 4, 4, 4, 4, 4, 4 } },
	{ "App2 starting on lane 2", { 0, 0x22, 0x22, 0, 0, 0, 0, 0 },
	  0x06, { 0, 4, 4, 0, 0, 0, 0, 0 } },
	{ "App1 applied to half its lanes", { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10 },
	  0x0f, { 7, 7, 7, 7, 0, 0, 0, 0 } },
	{ "App2 breakout", { 0x20, 0x20, 0x24, 0x24, 0x28, 0x28, 0x2c, 0x2c },
	  0xff, { 1, 1, 1, 1, 1, 1, 1, 1 } },
};

START_TEST(test_config_status)
{
	struct rig r;
	uint8_t st[4];
	unsigned i;

	rig_module_open(&r, NULL);
	rig_sel(&r, 0, 0x10);
	ck_assert_int_eq(rig_wr(&r, CMIS_P10_DPCONFIG, cfg_cases[_i].staged, 8), BERT_OK);
	rig_wr1(&r, CMIS_P10_APPLY_DPINIT, cfg_cases[_i].apply);
	sleep_until(&r, now(&r) + 20 * MS);
	rig_sel(&r, 0, 0x11);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_CONFIG_STATUS, st, 4), BERT_OK);
	for (i = 0; i < 8; i++)
		ck_assert_msg(dp_nibble(st, i) == cfg_cases[_i].expect[i],
			      "%s: lane %u status %u, expected %u", cfg_cases[_i].what,
			      i + 1, dp_nibble(st, i), cfg_cases[_i].expect[i]);
	rig_close(&r);
}
END_TEST

/* Breakout: four 100G data paths, each on its own media lane, brought up
 * and down independently. */
START_TEST(test_breakout)
{
	struct rig r;
	/* AppSel 2, DataPathID = first lane (bits 3-1) */
	uint8_t staged[8] = { 0x20, 0x20, 0x24, 0x24, 0x28, 0x28, 0x2c, 0x2c };
	uint8_t st[4];

	rig_module_open(&r, NULL);
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_DP_DEINIT, 0xff);
	ck_assert_int_eq(rig_wr(&r, CMIS_P10_DPCONFIG, staged, 8), BERT_OK);
	rig_wr1(&r, CMIS_P10_APPLY_DPINIT, 0x03);
	rig_wr1(&r, CMIS_P10_APPLY_DPINIT, 0x0c);	/* back to back: refused */
	sleep_until(&r, now(&r) + 20 * MS);
	rig_sel(&r, 0, 0x11);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_CONFIG_STATUS, st, 4), BERT_OK);
	ck_assert_uint_eq(st[0], 0x11);
	ck_assert_uint_eq(st[1], 0x22);
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_APPLY_DPINIT, 0xfc);
	sleep_until(&r, now(&r) + 20 * MS);
	/* bring up only the third 100G port (host lanes 5-6, media lane 3) */
	rig_wr1(&r, CMIS_P10_DP_DEINIT, 0xcf);
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	sleep_until(&r, now(&r) + (1500 + 800 + 30) * MS);
	ck_assert_int_eq(sim_module_dp_state(r.m, 5), CMIS_DPSTATE_ACTIVATED);
	ck_assert_int_eq(sim_module_dp_state(r.m, 6), CMIS_DPSTATE_ACTIVATED);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEACTIVATED);
	ck_assert(sim_module_tx_enabled(r.m, 3));
	ck_assert(!sim_module_tx_enabled(r.m, 1));
	ck_assert(!sim_module_tx_enabled(r.m, 4));
	ck_assert_double_eq_tol(sim_module_power_w(r.m), 5.0 + 1.0, 1e-9);
	rig_close(&r);
}
END_TEST

static void bring_up(struct rig *r)
{
	rig_wr1(r, CMIS_MOD_CTRL, 0x00);
	sleep_until(r, now(r) + (1500 + 800 + 30) * MS);
	ck_assert_int_eq(sim_module_dp_state(r->m, 1), CMIS_DPSTATE_ACTIVATED);
}

START_TEST(test_flags_latch_and_clear)
{
	struct rig r;
	uint8_t b[2];

	rig_module_open(&r, NULL);
	rig_rd1(&r, CMIS_MOD_FLAGS);
	sim_module_set_temperature(r.m, 72.0);	/* above the 70 degC warning */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MON_FLAGS), 0);	/* not sampled yet */
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert(sim_module_intl_asserted(r.m));
	ck_assert_int_eq(rig_rd(&r, CMIS_TEMP, b, 2), BERT_OK);
	ck_assert_uint_eq(bert_get_be16(b), 72 * 256);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MON_FLAGS), CMIS_FLAG_TEMP_HW);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MON_FLAGS), 0);	/* cleared by the read */
	ck_assert(!sim_module_intl_asserted(r.m));
	sleep_until(&r, now(&r) + 100 * MS);		/* still hot: re-latched */
	ck_assert(sim_module_intl_asserted(r.m));
	/* masked (00:32 masks 00:9): IntL deasserts though the flag stays */
	rig_wr1(&r, CMIS_MASKS + 1, CMIS_FLAG_TEMP_HW);
	ck_assert(!sim_module_intl_asserted(r.m));
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_STATE) & CMIS_INTL_DEASSERTED,
			  CMIS_INTL_DEASSERTED);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MON_FLAGS), CMIS_FLAG_TEMP_HW);
	rig_wr1(&r, CMIS_MASKS + 1, 0);
	sim_module_set_temperature(r.m, 80.0);
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MON_FLAGS), CMIS_FLAG_TEMP_HW | CMIS_FLAG_TEMP_HA);
	sim_module_set_temperature(r.m, 45.0);
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MON_FLAGS), 0);
	ck_assert(!sim_module_intl_asserted(r.m));
	rig_close(&r);
}
END_TEST

START_TEST(test_lane_flags_and_los)
{
	struct rig r;
	uint8_t b[2];

	rig_module_open(&r, NULL);
	/* lanes not carrying traffic raise no lane flags */
	sim_module_set_rx_power_mw(r.m, 2, 0.0001);		/* -40 dBm */
	sleep_until(&r, now(&r) + 200 * MS);
	rig_sel(&r, 0, 0x11);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_LOS), 0);
	bring_up(&r);
	rig_rd1(&r, CMIS_MOD_FLAGS);
	rig_sel(&r, 0, 0x11);
	rig_rd1(&r, CMIS_P11_DP_STATE_CHANGED);
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_FLAG_SUMMARY) & 1, 1);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_LOS), 0x02);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_PWR_FLAGS + 1), 0x02);	/* low alarm */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_PWR_FLAGS + 3), 0x02);	/* low warn */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_OUT_STATUS), 0x0d);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_FLAG_SUMMARY) & 1, 0);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_LOS), 0);		/* cleared */
	ck_assert(!sim_module_intl_asserted(r.m));
	/* -14.5 dBm: inside the hysteresis band, LOS holds */
	sim_module_set_rx_power_mw(r.m, 2, bert_dbm_to_mw(-14.5));
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_LOS), 0x02);
	/* -12.9 dBm clears it (LOS -14 dBm + 1 dB) */
	sim_module_set_rx_power_mw(r.m, 2, bert_dbm_to_mw(-12.9));
	sleep_until(&r, now(&r) + 100 * MS);
	rig_rd1(&r, CMIS_P11_RX_LOS);
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_RX_LOS), 0);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_RX_PWR + 2, b, 2), BERT_OK);
	ck_assert_uint_eq(bert_get_be16(b), bert_cmis_power_from_mw(bert_dbm_to_mw(-12.9)));
	/* the lane mask (10h:213 + offset) silences IntL for that flag */
	sim_module_set_rx_power_mw(r.m, 2, 0.0001);
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert(sim_module_intl_asserted(r.m));
	/* masks 10h:213+k go with flags 11h:134+k: Rx LOS (147), Rx power
	 * low alarm (150) and low warning (152) */
	rig_sel(&r, 0, 0x10);
	ck_assert_int_eq(rig_wr(&r, CMIS_P10_LANE_MASKS + 13,
			    (const uint8_t[]){ 0x02, 0, 0, 0x02, 0, 0x02 }, 6), BERT_OK);
	ck_assert(!sim_module_intl_asserted(r.m));
	rig_close(&r);
}
END_TEST

START_TEST(test_tx_flags)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint8_t b[2];

	sim_module_cfg_default(&cfg);
	cfg.lane[0].tx_power_dbm = 4.5;		/* above the 4 dBm warning */
	cfg.lane[3].tx_bias_ma = 95;		/* above the 90 mA warning */
	cfg.vcc_v = 3.10;			/* below the 3.135 V warning */
	rig_module_open(&r, &cfg);
	sleep_until(&r, now(&r) + 100 * MS);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MON_FLAGS), CMIS_FLAG_VCC_LW);
	bring_up(&r);
	sleep_until(&r, now(&r) + 100 * MS);
	rig_sel(&r, 0, 0x11);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_TX_PWR_FLAGS + 0), 0);	/* HA */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_TX_PWR_FLAGS + 2), 0x01);	/* HW */
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_TX_BIAS_FLAGS + 2), 0x08);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_TX_BIAS_FLAGS + 3), 0);
	/* 95 mA at x2: 2 uA x 2 units */
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_TX_BIAS + 6, b, 2), BERT_OK);
	ck_assert_uint_eq(bert_get_be16(b), 95000 / 4);
	/* a disabled lane raises no Tx flags */
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x01);
	sleep_until(&r, now(&r) + 100 * MS);
	rig_sel(&r, 0, 0x11);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_TX_PWR_FLAGS + 2), 0);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P11_TX_PWR_FLAGS + 3), 0);
	rig_close(&r);
}
END_TEST

START_TEST(test_software_reset)
{
	struct rig r;
	uint64_t t0;
	uint8_t v;

	rig_module_open(&r, NULL);
	bring_up(&r);
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x0f);
	rig_wr1(&r, CMIS_MOD_CTRL, CMIS_CTRL_SW_RESET);
	t0 = now(&r);
	ck_assert_int_eq(sim_module_state(r.m), 0);
	ck_assert_int_eq(rig_rd(&r, CMIS_MOD_STATE, &v, 1), BERT_ERR_NACK);
	sleep_until(&r, t0 + 500 * MS - 1);
	ck_assert_int_eq(sim_module_state(r.m), 0);
	sleep_until(&r, t0 + 500 * MS);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_CTRL), CMIS_CTRL_LOWPWR_ALLOW_HW);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_PAGE_SELECT), 0);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_FLAGS), CMIS_MOD_FLAG_STATE_CHANGED);
	rig_sel(&r, 0, 0x10);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_P10_TX_DISABLE), 0);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEACTIVATED);
	ck_assert(!sim_module_tx_enabled(r.m, 1));

	/* ResetL: held while low, then management init */
	bring_up(&r);
	sim_module_set_resetl(r.m, false);
	ck_assert_int_eq(sim_module_state(r.m), 0);
	sleep_until(&r, now(&r) + 5 * BERT_NS_PER_S);
	ck_assert_int_eq(rig_rd(&r, CMIS_MOD_STATE, &v, 1), BERT_ERR_NACK);
	sim_module_set_resetl(r.m, true);
	t0 = now(&r);
	sleep_until(&r, t0 + 500 * MS - 1);
	ck_assert_int_eq(sim_module_state(r.m), 0);
	sleep_until(&r, t0 + 500 * MS);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);
	ck_assert_double_eq_tol(sim_module_power_w(r.m), 1.2, 1e-9);
	rig_close(&r);
}
END_TEST

START_TEST(test_power_model)
{
	struct rig r;

	rig_module_open(&r, NULL);
	ck_assert_double_eq_tol(sim_module_power_w(r.m), 1.2, 1e-9);
	bring_up(&r);
	ck_assert_double_eq_tol(sim_module_power_w(r.m), 5.0 + 4 * 1.0, 1e-9);
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x01);
	ck_assert_double_eq_tol(sim_module_power_w(r.m), 5.0 + 3 * 1.0, 1e-9);
	ck_assert_double_eq(sim_module_tx_power_mw(r.m, 1), 0);
	rig_close(&r);
}
END_TEST

/* ---- fault knobs ------------------------------------------------------------ */

START_TEST(test_fault_nack_while_busy)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint64_t t0;
	uint8_t v;

	sim_module_cfg_default(&cfg);
	cfg.nack_while_busy = true;
	rig_module_open(&r, &cfg);
	ck_assert_int_eq(rig_rd(&r, CMIS_MOD_STATE, &v, 1), BERT_OK);
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	t0 = now(&r);
	ck_assert_int_eq(rig_rd(&r, CMIS_MOD_STATE, &v, 1), BERT_ERR_NACK);	/* PwrUp */
	sleep_until(&r, t0 + 1500 * MS + 400 * MS);
	ck_assert_int_eq(rig_rd(&r, CMIS_MOD_STATE, &v, 1), BERT_ERR_NACK);	/* DPInit */
	sleep_until(&r, t0 + (1500 + 800 + 30) * MS);
	ck_assert_int_eq(rig_rd(&r, CMIS_MOD_STATE, &v, 1), BERT_OK);
	ck_assert_uint_eq(v >> 1, CMIS_MODSTATE_READY);
	rig_close(&r);
}
END_TEST

static uint64_t nack_pattern(uint64_t seed, unsigned *count)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint64_t bits = 0;
	unsigned i;
	uint8_t v;

	sim_module_cfg_default(&cfg);
	cfg.nack_probability = 0.3;
	cfg.seed = seed;
	rig_module_open(&r, &cfg);
	*count = 0;
	for (i = 0; i < 256; i++) {
		struct i2c_msg msg = { CMIS_I2C_ADDR, I2C_MSG_READ | I2C_MSG_STOP, 1, &v };
		int rc = i2c_xfer(r.bus, &msg, 1);	/* one START each */

		if (rc == BERT_ERR_NACK) {
			(*count)++;
			if (i < 64)
				bits |= 1ull << i;
		} else {
			ck_assert_int_eq(rc, BERT_OK);
		}
	}
	rig_close(&r);
	return bits;
}

START_TEST(test_fault_nack_probability)
{
	unsigned n1, n2, n3;
	uint64_t a = nack_pattern(7, &n1), b = nack_pattern(7, &n2),
		 c = nack_pattern(8, &n3);

	ck_assert_uint_eq(a, b);		/* same seed, same NACKs */
	ck_assert_uint_eq(n1, n2);
	ck_assert_uint_ne(a, c);
	ck_assert_msg(n1 > 40 && n1 < 120, "%u NACKs of 256 at p = 0.3", n1);
}
END_TEST

START_TEST(test_fault_checksum)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint8_t p[128];
	unsigned i, s, k;
	static const struct { uint8_t page; unsigned first, last, at; } cs[] = {
		{ 0x00, 128, 221, 222 }, { 0x01, 130, 254, 255 }, { 0x02, 128, 254, 255 },
	};

	sim_module_cfg_default(&cfg);
	cfg.corrupt_checksum_mask = 0x5;	/* 00h and 02h */
	rig_module_open(&r, &cfg);
	for (k = 0; k < 3; k++) {
		rd_page(&r, cs[k].page, p);
		for (s = 0, i = cs[k].first; i <= cs[k].last; i++)
			s += p[i - 128];
		if (cfg.corrupt_checksum_mask & (1u << k))
			ck_assert_uint_ne(p[cs[k].at - 128], s & 0xff);
		else
			ck_assert_uint_eq(p[cs[k].at - 128], s & 0xff);
	}
	rig_close(&r);
}
END_TEST

START_TEST(test_fault_stuck_in_pwrup)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint64_t t0;

	sim_module_cfg_default(&cfg);
	cfg.stuck_in_pwrup = true;
	rig_module_open(&r, &cfg);
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	sleep_until(&r, now(&r) + 100 * 1500 * MS);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_PWRUP);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_STATE) >> 1, CMIS_MODSTATE_PWRUP);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEACTIVATED);
	/* the host gives up and asks for low power */
	rig_wr1(&r, CMIS_MOD_CTRL, CMIS_CTRL_LOWPWR_SW);
	t0 = now(&r);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_PWRDN);
	sleep_until(&r, t0 + 200 * MS);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);
	rig_close(&r);
}
END_TEST

START_TEST(test_fault_module_fault)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint64_t t0;

	sim_module_cfg_default(&cfg);
	cfg.fault_cause = 4;		/* Tx fault */
	cfg.fault_after_ms = 2000;
	rig_module_open(&r, &cfg);
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	t0 = now(&r);
	sleep_until(&r, t0 + (1500 + 1000) * MS);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_FAULT_CAUSE), 0);
	rig_rd1(&r, CMIS_MOD_FLAGS);
	/* no bus traffic from here: it would move the clock */
	sleep_until(&r, t0 + (1500 + 2000) * MS - 1);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_READY);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_ACTIVATED);
	sleep_until(&r, t0 + (1500 + 2000) * MS);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_FAULT);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_STATE) >> 1, CMIS_MODSTATE_FAULT);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_FAULT_CAUSE), 4);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_MOD_FLAGS), CMIS_MOD_FLAG_STATE_CHANGED);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_DEACTIVATED);
	ck_assert(!sim_module_tx_enabled(r.m, 1));
	/* stays there until reset */
	rig_wr1(&r, CMIS_MOD_CTRL, CMIS_CTRL_LOWPWR_SW);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_FAULT);
	rig_wr1(&r, CMIS_MOD_CTRL, CMIS_CTRL_SW_RESET);
	sleep_until(&r, now(&r) + 500 * MS);
	ck_assert_int_eq(sim_module_state(r.m), CMIS_MODSTATE_LOWPWR);
	ck_assert_uint_eq(rig_rd1(&r, CMIS_FAULT_CAUSE), 0);
	rig_close(&r);
}
END_TEST

/* ---- module INI files ------------------------------------------------------ */

START_TEST(test_ini_shipped)
{
	static const char *const files[] = {
		"dr4-good.ini", "dr4-weak-lane3.ini", "dr4-marginal.ini", "dr1-100g.ini",
		"faults-busy.ini", "faults-stuck.ini", "faults-fault.ini",
	};
	struct sim_module_cfg cfg, def;
	char rel[128];
	unsigned i;

	sim_module_cfg_default(&def);
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(rel, sizeof(rel), "fixtures/sim/modules/%s", files[i]);
		ck_assert_msg(sim_module_cfg_load(test_path(rel), &cfg) == BERT_OK,
			      "%s: %s", files[i], bert_error_detail());
	}
	/* dr4-good is the built-in default, apart from per-lane spread */
	ck_assert_int_eq(sim_module_cfg_load(test_path("fixtures/sim/modules/dr4-good.ini"),
					     &cfg), BERT_OK);
	ck_assert_uint_eq(cfg.identifier, def.identifier);
	ck_assert_uint_eq(cfg.n_apps, 2);
	ck_assert_uint_eq(cfg.apps[1].host_lane_mask, 0x55);
	ck_assert_double_eq(cfg.t_pwrup_ms, def.t_pwrup_ms);
	ck_assert_double_eq(cfg.lane[0].sens_oma_dbm, -6.5);
	ck_assert_double_eq(cfg.lane[1].sens_oma_dbm, -6.7);	/* [lane 2] wins */
	ck_assert_double_eq(cfg.lane[1].tx_bias_ma, 60);		/* from [lanes] */

	ck_assert_int_eq(sim_module_cfg_load(test_path("fixtures/sim/modules/dr4-weak-lane3.ini"),
					     &cfg), BERT_OK);
	for (i = 0; i < 4; i++) {
		if (i == 2)	/* outside the IEEE -4.4 dBm OMA limit */
			ck_assert(cfg.lane[i].sens_oma_dbm > -4.4);
		else
			ck_assert(cfg.lane[i].sens_oma_dbm < -6.0);
	}
	ck_assert(cfg.lane[2].sens_oma_dbm - cfg.lane[0].sens_oma_dbm >= 2.5);
	ck_assert(cfg.temp_c < cfg.th_temp[2] && cfg.temp_c > cfg.th_temp[2] - 2.5);

	ck_assert_int_eq(sim_module_cfg_load(test_path("fixtures/sim/modules/dr1-100g.ini"),
					     &cfg), BERT_OK);
	ck_assert_uint_eq(cfg.identifier, 0x1e);
	ck_assert_uint_eq(cfg.n_lanes, 1);
	ck_assert_uint_eq(cfg.n_apps, 1);
	ck_assert_uint_eq(cfg.apps[0].media_id, 0x14);
}
END_TEST

/* The 100G module comes up on its own App1 (host lanes 1-2, media lane 1). */
START_TEST(test_dr1_module)
{
	struct sim_module_cfg cfg;
	struct rig r;
	uint8_t lo[128];

	ck_assert_int_eq(sim_module_cfg_load(test_path("fixtures/sim/modules/dr1-100g.ini"),
					     &cfg), BERT_OK);
	rig_module_open(&r, &cfg);
	ck_assert_int_eq(rig_rd(&r, 0, lo, 128), BERT_OK);
	ck_assert_uint_eq(lo[0], 0x1e);
	ck_assert_uint_eq(lo[1], 0x40);
	ck_assert_mem_eq(&lo[86], "\x0d\x14\x21\x01\xff", 5);
	rig_wr1(&r, CMIS_MOD_CTRL, 0x00);
	sleep_until(&r, now(&r) + (400 + 300 + 20) * MS);
	ck_assert_int_eq(sim_module_dp_state(r.m, 1), CMIS_DPSTATE_ACTIVATED);
	ck_assert_int_eq(sim_module_dp_state(r.m, 2), CMIS_DPSTATE_ACTIVATED);
	ck_assert_int_eq(sim_module_dp_state(r.m, 3), CMIS_DPSTATE_DEACTIVATED);
	ck_assert(sim_module_tx_enabled(r.m, 1));
	ck_assert(!sim_module_tx_enabled(r.m, 2));	/* no such media lane */
	rig_close(&r);
}
END_TEST

static const struct {
	const char *text;
	const char *expect;	/* prefix of the detail; NULL: loads */
} bad_ini[] = {
	{ "[module]\nidentifier = 0x18\n[app 1]\nhost_id = 0x11\nmedia_id = 0x1c\n"
	  "host_lanes = 8\nmedia_lanes = 4\nhost_lane_options = 1\n", NULL },
	{ "[module]\ncolour = red\n", "m.ini:2: unknown key 'colour' in [module]" },
	{ "[timing]\n\nt_pwrup_ms = fast\n", "m.ini:3: t_pwrup_ms: 'fast' is not a number" },
	{ "[timing]\nt_pwrup_ms = -5\n", "m.ini:2: t_pwrup_ms: -5 is out of range" },
	{ "[module]\nidentifier = 256\n", "m.ini:2: identifier: 256 is out of range [0, 255]" },
	{ "[faults]\nnack_probability = 1.5\n", "m.ini:2: nack_probability: 1.5 is out of range" },
	{ "[faults]\nstuck_in_pwrup = maybe\n", "m.ini:2: stuck_in_pwrup: 'maybe' is not a boolean" },
	{ "[modul]\nidentifier = 0x18\n", "m.ini:2: unknown section [modul]" },
	{ "[lane 9]\ntx_power_dbm = 0\n", "m.ini:2: [lane 9]: lane number must be 1..8" },
	{ "[lanes]\ntx_powr_dbm = 0\n", "m.ini:2: unknown key 'tx_powr_dbm' in [lanes]" },
	{ "[app 2]\nhost_id = 0x11\n", "m.ini:2: [app 2] before [app 1]" },
	{ "[module]\nvendor = ABCDEFGHIJKLMNOPQ\n", "m.ini:2: vendor: longer than 16" },
	{ "[module]\nvendor_oui = 0x1000000\n", "m.ini:2: vendor_oui: 0x1000000 is out of range" },
	{ "[module]\nidentifier 0x18\n", "m.ini:2: syntax error" },
	{ "[thresholds]\ntemp_high_warn_c = 80\n", "m.ini: [thresholds] temp: need" },
	{ "[app 1]\nhost_id = 0x11\nhost_lanes = 8\n", "m.ini: [app 1]: host_lanes must be" },
	{ "[monitors]\ntx_bias_multiplier = 3\n", "m.ini: [monitors] tx_bias_multiplier" },
	{ "[module]\nmedia_lanes = 1\n[app 1]\nhost_id = 1\nhost_lanes = 3\nmedia_lanes = 1\n"
	  "host_lane_options = 0x21\n", "m.ini: [app 1]: host lane 6 needs media lanes beyond 1" },
	{ "[app 1]\nhost_id = 0xff\n", "m.ini:2: host_id: 0xff is out of range" },
	{ "[faults]\nseed = 18446744073709551616\n", "m.ini:2: seed: '18446744073709551616' is not" },
};

START_TEST(test_ini_errors)
{
	struct sim_module_cfg cfg;
	int rc;

	memset(&cfg, 0x5a, sizeof(cfg));
	rc = sim_module_cfg_load_string("m.ini", bad_ini[_i].text, &cfg);
	if (!bad_ini[_i].expect) {
		ck_assert_msg(rc == BERT_OK, "case %d: %s", _i, bert_error_detail());
		ck_assert_uint_eq(cfg.n_apps, 1);
		return;
	}
	ck_assert_int_eq(rc, BERT_ERR_CONFIG);
	ck_assert_msg(!strncmp(bert_error_detail(), bad_ini[_i].expect,
			       strlen(bad_ini[_i].expect)),
		      "case %d: got '%s'", _i, bert_error_detail());
}
END_TEST

START_TEST(test_ini_file_line)
{
	char path[] = "/tmp/bert-module-XXXXXX";
	struct sim_module_cfg cfg;
	int fd = mkstemp(path);
	const char text[] = "; comment\n[module]\nidentifier = 0x18\n\n[timing]\n"
			    "t_dpinit_ms = 12ms\n";
	char expect[128];

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	ck_assert_int_eq(sim_module_cfg_load(path, &cfg), BERT_ERR_CONFIG);
	snprintf(expect, sizeof(expect), "%s:6: t_dpinit_ms: '12ms'", path);
	ck_assert_msg(!strncmp(bert_error_detail(), expect, strlen(expect)),
		      "got '%s'", bert_error_detail());
	unlink(path);
	ck_assert_int_eq(sim_module_cfg_load("/nonexistent/m.ini", &cfg), BERT_ERR_CONFIG);
}
END_TEST

Suite *suite_sim_module(void)
{
	Suite *s = suite_create("sim_module");
	TCase *map = tcase_create("memory map");
	TCase *sm = tcase_create("state machines");
	TCase *mon = tcase_create("monitors");
	TCase *flt = tcase_create("faults");
	TCase *ini = tcase_create("ini");

	tcase_add_test(map, test_identity_and_checksums);
	tcase_add_loop_test(map, test_duration_codes, 0,
			    ARRAY_SIZE(dur_cases));
	tcase_add_test(map, test_paging);
	tcase_add_test(map, test_read_only);
	tcase_add_test(map, test_write_length);
	tcase_add_test(map, test_read_wrap);
	tcase_add_test(map, test_flat_memory);
	suite_add_tcase(s, map);

	tcase_add_test(sm, test_module_sm_timing);
	tcase_add_test(sm, test_dp_sm_timing);
	tcase_add_test(sm, test_dp_host_bringup);
	tcase_add_loop_test(sm, test_config_status, 0,
			    ARRAY_SIZE(cfg_cases));
	tcase_add_test(sm, test_breakout);
	tcase_add_test(sm, test_software_reset);
	suite_add_tcase(s, sm);

	tcase_add_test(mon, test_flags_latch_and_clear);
	tcase_add_test(mon, test_lane_flags_and_los);
	tcase_add_test(mon, test_tx_flags);
	tcase_add_test(mon, test_power_model);
	suite_add_tcase(s, mon);

	tcase_add_test(flt, test_fault_nack_while_busy);
	tcase_add_test(flt, test_fault_nack_probability);
	tcase_add_test(flt, test_fault_checksum);
	tcase_add_test(flt, test_fault_stuck_in_pwrup);
	tcase_add_test(flt, test_fault_module_fault);
	suite_add_tcase(s, flt);

	tcase_add_test(ini, test_ini_shipped);
	tcase_add_test(ini, test_dr1_module);
	tcase_add_loop_test(ini, test_ini_errors, 0, ARRAY_SIZE(bad_ini));
	tcase_add_test(ini, test_ini_file_line);
	suite_add_tcase(s, ini);
	return s;
}
