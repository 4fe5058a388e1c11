// SPDX-License-Identifier: MIT
/* The diagnostics decoder on byte arrays built from the tables of
 * OIF-CMIS 5.x Pages 13h/14h, F16 and VDM (independent of the emulator), and the
 * diagnostics driver against a plain register file (bus discipline: what is
 * written where, read-modify-write, refusals that write nothing, NACK
 * retry, latched flags read twice). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "bert/core/units.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/decode_diag.h"
#include "fixtures/cmis/diag.h"
#include "fixtures/cmis/vdm.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "common.h"
#include "rig.h"

/* Byte at window offset off of a 128-byte page image. */
#define AT(page, off) ((page)[(off) - 128])

static void put_f16(uint8_t *page, unsigned off, double v)
{
	bert_put_be16(&AT(page, off), bert_f16_from_double(v));
}

/* ---- decoder: page 13h capabilities --------------------------------- */

START_TEST(test_caps_decode)
{
	uint8_t lower[128] = { 0 }, p01[128] = { 0 }, p13[128] = { 0 };
	struct cmis_page_map map = { .lower = lower };
	struct cmis_diag_caps c;

	AT(p01, 142) = 0x20;			/* diagnostics pages advertised */
	AT(p13, 128) = 0x01 | 0x04 | 0x20;	/* media out, host out, per-lane media */
	AT(p13, 129) = 0x80 | 0x10;		/* gating <=20 ms, periodic updates */
	AT(p13, 130) = 0x01 | 0x02 | 0x20;	/* BER, counters, media SNR */
	AT(p13, 131) = 0x20 | 0x80 | 0x02;	/* media chk pre, media gen pre, host chk pre */
	AT(p13, 132) = 0x01; AT(p13, 133) = 0x10;	/* host gen: PRBS31Q, SSPRQ */
	AT(p13, 134) = 0x41; AT(p13, 135) = 0x10;	/* media gen: 31Q, 13Q, SSPRQ */
	AT(p13, 138) = 0x41;			/* media chk: 31Q, 13Q */
	AT(p13, 140) = 0x03;			/* user pattern 8 bytes */
	AT(p13, 141) = 0x10;			/* media gen invert (unconfirmed map) */
	map.upper[0x01] = p01;
	map.upper[0x13] = p13;
	ck_assert_int_eq(cmis_diag_caps_decode(&map, &c), BERT_OK);
	ck_assert(c.present);
	ck_assert(c.loopback[CMIS_SIDE_MEDIA][CMIS_LOOPBACK_OUTPUT]);
	ck_assert(!c.loopback[CMIS_SIDE_MEDIA][CMIS_LOOPBACK_INPUT]);
	ck_assert(c.loopback[CMIS_SIDE_HOST][CMIS_LOOPBACK_OUTPUT]);
	ck_assert(!c.loopback[CMIS_SIDE_HOST][CMIS_LOOPBACK_INPUT]);
	ck_assert(c.loopback_per_lane[CMIS_SIDE_MEDIA] && !c.loopback_per_lane[CMIS_SIDE_HOST]);
	ck_assert(!c.loopback_simultaneous);
	ck_assert_uint_eq(c.gating_accuracy, 2);
	ck_assert(c.periodic_updates && !c.gating_results);
	ck_assert(c.report_ber && c.report_counters);
	ck_assert(c.report_snr[CMIS_SIDE_MEDIA] && !c.report_snr[CMIS_SIDE_HOST]);
	ck_assert(!c.report_fec[0] && !c.report_fec[1]);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_HOST][CMIS_UNIT_GENERATOR].patterns, 0x1001);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].patterns, 0x1041);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_HOST][CMIS_UNIT_CHECKER].patterns, 0);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_CHECKER].patterns, 0x0041);
	ck_assert(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_CHECKER].pre_fec);
	ck_assert(!c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_CHECKER].post_fec);
	ck_assert(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].pre_fec);
	ck_assert(c.unit[CMIS_SIDE_HOST][CMIS_UNIT_CHECKER].pre_fec);
	ck_assert(!c.unit[CMIS_SIDE_HOST][CMIS_UNIT_GENERATOR].pre_fec);
	ck_assert(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].invert);
	ck_assert(!c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].swap);
	ck_assert(!c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_CHECKER].invert);
	ck_assert_uint_eq(c.user_pattern_len, 8);

	/* Not advertised in 01h:142: absent, whatever page 13h holds. */
	AT(p01, 142) = 0x40;
	ck_assert_int_eq(cmis_diag_caps_decode(&map, &c), BERT_OK);
	ck_assert(!c.present);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].patterns, 0);
	/* Flat memory: absent. */
	AT(p01, 142) = 0x20;
	lower[2] = 0x80;
	ck_assert_int_eq(cmis_diag_caps_decode(&map, &c), BERT_OK);
	ck_assert(!c.present);
	/* No page 13h: absent. */
	lower[2] = 0;
	map.upper[0x13] = NULL;
	ck_assert_int_eq(cmis_diag_caps_decode(&map, &c), BERT_OK);
	ck_assert(!c.present);
	ck_assert_int_eq(cmis_diag_caps_decode(NULL, &c), BERT_ERR_ARG);
}
END_TEST

START_TEST(test_ctrl_decode)
{
	uint8_t p13[128] = { 0 };
	struct cmis_diag_ctrl c;

	AT(p13, 152) = 0x0f;		/* media generator enabled on lanes 1-4 */
	AT(p13, 153) = 0x02;		/* lane 2 inverted */
	AT(p13, 156) = 0x60;		/* lane 1 PRBS31Q (0), lane 2 PRBS13Q (6) */
	AT(p13, 157) = 0xc0;		/* lane 3 PRBS31Q, lane 4 SSPRQ (12) */
	AT(p13, 172) = 0x06;		/* media checker lane 1 PRBS13Q */
	AT(p13, 177) = 0x20 | (3 << 1) | 1;	/* reset, 30 s gate, 5 s update */
	AT(p13, 181) = 0x05;		/* media input loopback lanes 1, 3 */
	AT(p13, 182) = 0x80;		/* host output loopback lane 8 */
	cmis_diag_ctrl_decode(p13, &c);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].enable, 0x0f);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].invert, 0x02);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].pattern[0], 0);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].pattern[1], 6);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].pattern[3], 12);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_MEDIA][CMIS_UNIT_CHECKER].pattern[0], 6);
	ck_assert_uint_eq(c.unit[CMIS_SIDE_HOST][CMIS_UNIT_GENERATOR].enable, 0);
	ck_assert_uint_eq(c.gating_code, 3);
	ck_assert(c.update_5s);
	ck_assert_uint_eq(c.loopback[CMIS_SIDE_MEDIA][CMIS_LOOPBACK_INPUT], 0x05);
	ck_assert_uint_eq(c.loopback[CMIS_SIDE_MEDIA][CMIS_LOOPBACK_OUTPUT], 0);
	ck_assert_uint_eq(c.loopback[CMIS_SIDE_HOST][CMIS_LOOPBACK_OUTPUT], 0x80);
}
END_TEST

/* ---- decoder: page 14h results -------------------------------------- */

START_TEST(test_results_ber)
{
	uint8_t p14[128] = { 0 };
	struct cmis_diag_results r;

	AT(p14, 128) = 0x01;
	AT(p14, 139) = 0x04;		/* media lane 3 out of lock */
	/* SPC test vector: 0x9200 = 5.12e-4 (F16), media lane 1 */
	AT(p14, 208) = 0x92; AT(p14, 209) = 0x00;
	/* 2.4e-5 = 0x88F0 (F16), media lane 2 */
	AT(p14, 210) = 0x88; AT(p14, 211) = 0xf0;
	put_f16(p14, 192, 1e-12);	/* host lane 1 */
	cmis_diag_results_decode(p14, &r);
	ck_assert(r.ber_valid && !r.snr_valid && !r.counters_valid && !r.gated);
	ck_assert_double_eq_tol(r.ber[CMIS_SIDE_MEDIA][0], 5.12e-4, 1e-16);
	ck_assert_double_eq_tol(r.ber[CMIS_SIDE_MEDIA][1], 2.4e-5, 1e-17);
	ck_assert_double_eq_tol(r.ber[CMIS_SIDE_HOST][0], 1e-12, 1e-24);
	ck_assert_double_eq(r.ber[CMIS_SIDE_MEDIA][7], 0.0);
	ck_assert_uint_eq(r.chk_lol[CMIS_SIDE_MEDIA], 0x04);
	ck_assert_uint_eq(r.chk_lol[CMIS_SIDE_HOST], 0);
	/* gated BER (0x11) decodes the same way */
	AT(p14, 128) = 0x11;
	cmis_diag_results_decode(p14, &r);
	ck_assert(r.ber_valid && r.gated);
	ck_assert_double_eq_tol(r.ber[CMIS_SIDE_MEDIA][0], 5.12e-4, 1e-16);
}
END_TEST

START_TEST(test_results_snr_counters)
{
	uint8_t p14[128] = { 0 };
	struct cmis_diag_results r;
	unsigned i;

	/* SNR is little-endian 1/256 dB: 19.5 dB = 4992 = 0x1380 -> 80 13 */
	AT(p14, 128) = 0x06;
	AT(p14, 240) = 0x80; AT(p14, 241) = 0x13;	/* media lane 1 */
	AT(p14, 222) = 0x00; AT(p14, 223) = 0x10;	/* host lane 8: 16 dB */
	cmis_diag_results_decode(p14, &r);
	ck_assert(r.snr_valid && !r.ber_valid);
	ck_assert_double_eq_tol(r.snr_db[CMIS_SIDE_MEDIA][0], 19.5, 1e-9);
	ck_assert_double_eq_tol(r.snr_db[CMIS_SIDE_HOST][7], 16.0, 1e-9);

	/* media lanes 5-8 counters: U64 LE, errors then bits per lane */
	memset(p14, 0, sizeof(p14));
	AT(p14, 128) = 0x05;
	for (i = 0; i < 8; i++) {
		AT(p14, 192 + 16 + i) = (uint8_t)(0x0102030405060708ull >> (8 * i));
		AT(p14, 200 + 16 + i) = (uint8_t)(1000000000000ull >> (8 * i));
	}
	cmis_diag_results_decode(p14, &r);
	ck_assert(r.counters_valid);
	ck_assert_int_eq(r.counters_side, CMIS_SIDE_MEDIA);
	ck_assert_uint_eq(r.counters_first_lane, 5);
	ck_assert_uint_eq(r.errors[1], 0x0102030405060708ull);
	ck_assert_uint_eq(r.bits[1], 1000000000000ull);
	ck_assert_uint_eq(r.errors[0], 0);
	AT(p14, 128) = 0x12;		/* gated host lanes 1-4 */
	cmis_diag_results_decode(p14, &r);
	ck_assert(r.counters_valid && r.gated);
	ck_assert_int_eq(r.counters_side, CMIS_SIDE_HOST);
	ck_assert_uint_eq(r.counters_first_lane, 1);
	AT(p14, 128) = 0x16;		/* not defined */
	cmis_diag_results_decode(p14, &r);
	ck_assert(!r.counters_valid && !r.snr_valid && !r.ber_valid);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(cmis_pattern_name(0), "PRBS31Q");
	ck_assert_str_eq(cmis_pattern_name(6), "PRBS13Q");
	ck_assert_str_eq(cmis_pattern_name(12), "SSPRQ");
	ck_assert_ptr_null(cmis_pattern_name(13));
	ck_assert_ptr_null(cmis_pattern_name(16));
	ck_assert_int_eq(cmis_pattern_from_name("prbs31q"), 0);
	ck_assert_int_eq(cmis_pattern_from_name("PRBS7"), 11);
	ck_assert_int_eq(cmis_pattern_from_name("PRBS11"), -1);
	ck_assert_int_eq(cmis_pattern_from_name(NULL), -1);
	ck_assert_int_eq(cmis_gating_time_s(0), 0);
	ck_assert_int_eq(cmis_gating_time_s(3), 30);
	ck_assert_int_eq(cmis_gating_time_s(6), 300);
	ck_assert_int_eq(cmis_gating_time_s(7), -1);
	ck_assert_int_eq(cmis_gating_code_for(0), 0);
	ck_assert_int_eq(cmis_gating_code_for(7), 2);
	ck_assert_int_eq(cmis_gating_code_for(120), 5);
	ck_assert_int_eq(cmis_gating_code_for(301), -1);
	ck_assert_uint_eq(cmis_diag_unit_base(CMIS_SIDE_HOST, CMIS_UNIT_GENERATOR), 144);
	ck_assert_uint_eq(cmis_diag_unit_base(CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR), 152);
	ck_assert_uint_eq(cmis_diag_unit_base(CMIS_SIDE_HOST, CMIS_UNIT_CHECKER), 160);
	ck_assert_uint_eq(cmis_diag_unit_base(CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER), 168);
}
END_TEST

/* ---- decoder: VDM ---------------------------------------------------- */

START_TEST(test_vdm_decode)
{
	static uint8_t lower[128], p01[128], p20[128], p21[128], p24[128], p25[128],
		p28[128], p2c[128], p2f[128];
	struct cmis_page_map map = { .lower = lower };
	struct cmis_vdm *v = calloc(1, sizeof(*v));
	const struct cmis_vdm_obs *o;

	AT(p01, 142) = 0x40;
	AT(p2f, 128) = 0x01;			/* two groups: 20h and 21h */
	AT(p2f, 144) = 0x04;			/* a 5.4 control bit, kept */
	/* group 0: descriptor 0 = laser temperature lane 1, set 0;
	 * descriptor 1 = pre-FEC BER current media lane 3, set 1;
	 * descriptor 2 unused; descriptor 3 = pre-FEC BER max media lane 3 */
	AT(p20, 128) = 0x00; AT(p20, 129) = 4;
	AT(p20, 130) = 0x12; AT(p20, 131) = 15;
	AT(p20, 134) = 0x02; AT(p20, 135) = 11;
	bert_put_be16(&AT(p24, 128), (uint16_t)(int16_t)(45.5 * 256));
	put_f16(p24, 130, 3.2e-5);
	put_f16(p24, 134, 8.1e-5);
	/* threshold set 0 (laser temp): 75 / -5 / 70 / 0 degC */
	bert_put_be16(&AT(p28, 128), (uint16_t)(75 * 256));
	bert_put_be16(&AT(p28, 130), (uint16_t)(int16_t)(-5 * 256));
	bert_put_be16(&AT(p28, 132), (uint16_t)(70 * 256));
	bert_put_be16(&AT(p28, 134), 0);
	/* threshold set 1 (BER): high alarm 2.4e-4 */
	put_f16(p28, 136, 2.4e-4);
	/* flags: descriptor 1 (odd: high nibble of byte 128) high warning */
	AT(p2c, 128) = 0x40;
	/* group 1: descriptor 0 = eSNR media lane 2 */
	AT(p21, 128) = 0x01; AT(p21, 129) = 5;
	bert_put_be16(&AT(p25, 128), (uint16_t)(18.25 * 256));
	AT(p2c, 160) = 0x01;			/* group 1 descriptor 0: high alarm */

	map.upper[0x01] = p01;
	map.upper[0x20] = p20;
	map.upper[0x21] = p21;
	map.upper[0x24] = p24;
	map.upper[0x25] = p25;
	map.upper[0x28] = p28;
	map.upper[0x2c] = p2c;
	map.upper[0x2f] = p2f;
	ck_assert_int_eq(cmis_vdm_decode(&map, v), BERT_OK);
	ck_assert(v->present);
	ck_assert_uint_eq(v->groups, 2);
	ck_assert_uint_eq(v->count, 4);
	ck_assert(v->statistics);		/* type 11 is a statistic */
	ck_assert_uint_eq(v->freeze_ctrl, 0x04);

	o = cmis_vdm_find(v, 4, 0);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->type->name, "laser_temperature");
	ck_assert_uint_eq(o->lane, 1);
	ck_assert_double_eq_tol(o->value, 45.5, 1e-9);
	ck_assert(o->thresh_present);
	ck_assert_double_eq_tol(o->high_alarm, 75, 1e-9);
	ck_assert_double_eq_tol(o->low_alarm, -5, 1e-9);
	ck_assert_double_eq_tol(o->high_warn, 70, 1e-9);
	ck_assert_uint_eq(o->flags, 0);

	o = cmis_vdm_find(v, 15, 3);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o->thresh_set, 1);
	ck_assert_uint_eq(o->group, 0);
	ck_assert_uint_eq(o->index, 1);
	ck_assert_double_eq_tol(o->value, 3.2e-5, 1e-18);
	ck_assert_double_eq_tol(o->high_alarm, 2.4e-4, 1e-17);
	ck_assert_uint_eq(o->flags, 0x04);	/* high warning */
	ck_assert(!o->type->statistic);

	o = cmis_vdm_find(v, 11, 3);
	ck_assert_ptr_nonnull(o);
	ck_assert(o->type->statistic);
	ck_assert_double_eq_tol(o->value, 8.1e-5, 1e-18);

	o = cmis_vdm_find(v, 5, 0);
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(o->group, 1);
	ck_assert_uint_eq(o->lane, 2);
	ck_assert_double_eq_tol(o->value, 18.25, 1e-9);
	ck_assert(!o->thresh_present);		/* page 29h not given */
	ck_assert_uint_eq(o->flags, 0x01);
	ck_assert_ptr_null(cmis_vdm_find(v, 5, 1));

	/* types */
	ck_assert_ptr_null(cmis_vdm_type_info(0));
	ck_assert_ptr_null(cmis_vdm_type_info(35));
	ck_assert_str_eq(cmis_vdm_type_info(25)->name, "ferc_total_media");
	ck_assert_double_eq_tol(cmis_vdm_value(cmis_vdm_type_info(2), 32767), 100.0, 1e-9);
	ck_assert_double_eq_tol(cmis_vdm_value(cmis_vdm_type_info(3), 0xfffe), -20.0, 1e-9);

	/* not advertised */
	AT(p01, 142) = 0x20;
	ck_assert_int_eq(cmis_vdm_decode(&map, v), BERT_OK);
	ck_assert(!v->present);
	ck_assert_uint_eq(v->count, 0);
	free(v);
}
END_TEST

/* ---- driver against a plain register file ---------------------------- */

/* A CMIS-shaped register file: lower memory plus 256 upper pages of bank
 * 0, page select at 127, no semantics except the clear-on-read of the 14h
 * checker LOL flags (which then read as `lol_now`). Counts writes per page
 * and can NACK the next n STARTs. */
struct regfile {
	uint8_t lower[128];
	uint8_t page[256][128];
	uint8_t lol_now[2];
	unsigned writes[256], lower_writes;
	unsigned nack_next;
	uint8_t ptr;
	bool have_ptr;
};

static uint8_t *rf_byte(struct regfile *r, uint8_t off)
{
	return off < 128 ? &r->lower[off] : &r->page[r->lower[127]][off - 128];
}

static bool rf_start(void *dev, bool read)
{
	struct regfile *r = dev;

	(void)read;
	if (r->nack_next) {
		r->nack_next--;
		return false;
	}
	r->have_ptr = false;
	return true;
}

static bool rf_write(void *dev, uint8_t b)
{
	struct regfile *r = dev;

	if (!r->have_ptr) {
		r->ptr = b;
		r->have_ptr = true;
		return true;
	}
	if (r->ptr < 128)
		r->lower_writes++;
	else
		r->writes[r->lower[127]]++;
	*rf_byte(r, r->ptr) = b;
	r->ptr = r->ptr == 255 ? 128 : (uint8_t)(r->ptr + 1);
	return true;
}

static uint8_t rf_read(void *dev)
{
	struct regfile *r = dev;
	uint8_t page = r->lower[127], v = *rf_byte(r, r->ptr);

	if (page == 0x14 && (r->ptr == 138 || r->ptr == 139))
		r->page[0x14][r->ptr - 128] = r->lol_now[r->ptr - 138];
	r->ptr = r->ptr == 255 ? 128 : (uint8_t)(r->ptr + 1);
	return v;
}

static void rf_stop(void *dev)
{
	(void)dev;
}

static const struct i2c_target_ops rf_ops = {
	.start = rf_start, .write = rf_write, .read = rf_read, .stop = rf_stop,
};

struct rfrig {
	struct bert_clock *clock;
	struct i2c_bus *bus;
	struct regfile *rf;
	struct cmis_dev *dev;
	struct cmis_diag *diag;
};

/* A DR4-like diagnostics advertisement. */
static void rf_up(struct rfrig *g)
{
	struct i2c_target tg = { CMIS_I2C_ADDR, &rf_ops, NULL };
	struct regfile *r = calloc(1, sizeof(*r));

	AT(r->page[0x01], 142) = 0x60;		/* diag + VDM */
	AT(r->page[0x13], 128) = 0x01 | 0x02 | 0x20;	/* media out/in, per lane */
	AT(r->page[0x13], 129) = 0x10;		/* periodic updates, no gating */
	AT(r->page[0x13], 130) = 0x01 | 0x02 | 0x20;
	AT(r->page[0x13], 134) = 0x41;		/* media gen PRBS31Q, PRBS13Q */
	AT(r->page[0x13], 138) = 0x41;		/* media chk PRBS31Q, PRBS13Q */
	AT(r->page[0x13], 141) = 0x10;		/* media gen invert only */
	g->rf = r;
	g->clock = bert_clock_virtual_new();
	g->bus = i2c_sim_new(g->clock, 400000);
	tg.dev = r;
	ck_assert_int_eq(i2c_sim_attach(g->bus, &tg), BERT_OK);
	ck_assert_int_eq(cmis_open(g->bus, &g->dev), BERT_OK);
	ck_assert_msg(cmis_diag_open(g->dev, &g->diag) == BERT_OK, "%s", bert_error_detail());
}

static void rf_down(struct rfrig *g)
{
	cmis_diag_close(g->diag);
	cmis_close(g->dev);
	i2c_bus_free(g->bus);
	bert_clock_free(g->clock);
	free(g->rf);
}

START_TEST(test_drv_pattern_rmw)
{
	struct cmis_prbs_cfg cfg = { .pattern = CMIS_PAT_PRBS13Q };
	struct rfrig g;
	uint8_t *p13;

	rf_up(&g);
	p13 = g.rf->page[0x13];
	AT(p13, 156) = 0xab;	/* lanes 1/2 hold other patterns */
	AT(p13, 157) = 0xcd;	/* lanes 3/4 */
	AT(p13, 152) = 0x80;	/* lane 8 already on */
	/* lane 2 and lane 3: one nibble of each pair changes */
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x06, &cfg), BERT_OK);
	ck_assert_uint_eq(AT(p13, 156), 0x6b);
	ck_assert_uint_eq(AT(p13, 157), 0xc6);
	ck_assert_uint_eq(AT(p13, 158), 0x00);
	ck_assert_uint_eq(AT(p13, 152), 0x86);	/* enable RMW keeps lane 8 */
	ck_assert_uint_eq(AT(p13, 153), 0x00);	/* invert cleared on 2, 3 */
	/* checker on all four media lanes, PRBS31Q: pattern bytes 0 */
	cfg.pattern = CMIS_PAT_PRBS31Q;
	AT(p13, 172) = 0x77;
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER,
					  0x0f, &cfg), BERT_OK);
	ck_assert_uint_eq(AT(p13, 172), 0x00);
	ck_assert_uint_eq(AT(p13, 168), 0x0f);
	/* invert on the generator (advertised) */
	cfg.invert = true;
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x01, &cfg), BERT_OK);
	ck_assert_uint_eq(AT(p13, 153), 0x01);
	ck_assert_uint_eq(AT(p13, 156) & 0x0f, 0);
	/* disable keeps the others */
	ck_assert_int_eq(cmis_diag_disable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					   0x02), BERT_OK);
	ck_assert_uint_eq(AT(p13, 152), 0x85);
	rf_down(&g);
}
END_TEST

START_TEST(test_drv_refusals_write_nothing)
{
	struct cmis_prbs_cfg cfg = { .pattern = CMIS_PAT_SSPRQ };
	struct rfrig g;
	uint8_t before[128];
	uint64_t bw;
	double v[8];

	rf_up(&g);
	memcpy(before, g.rf->page[0x13], sizeof(before));
	bw = g.bus->stats.bytes_written;
	/* pattern not advertised */
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x0f, &cfg), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "SSPRQ"));
	/* no host-side generator at all */
	cfg.pattern = CMIS_PAT_PRBS31Q;
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_HOST, CMIS_UNIT_GENERATOR,
					  0x0f, &cfg), BERT_ERR_UNSUPPORTED);
	/* swap not advertised; invert not advertised on the checker */
	cfg.swap = true;
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x0f, &cfg), BERT_ERR_UNSUPPORTED);
	cfg.swap = false;
	cfg.invert = true;
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER,
					  0x0f, &cfg), BERT_ERR_UNSUPPORTED);
	/* gating not supported, host loopback not advertised, host SNR */
	ck_assert_int_eq(cmis_diag_set_measurement(g.diag, 2, false), BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(cmis_diag_loopback_set(g.diag, CMIS_SIDE_HOST, CMIS_LOOPBACK_INPUT,
						0x01, true), BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(cmis_diag_read_snr(g.diag, CMIS_SIDE_HOST, v), BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER,
					  0x00, &cfg), BERT_ERR_ARG);
	ck_assert_uint_eq(g.bus->stats.bytes_written, bw);
	ck_assert_uint_eq(g.rf->writes[0x13], 0);
	ck_assert_uint_eq(g.rf->writes[0x14], 0);
	ck_assert_mem_eq(before, g.rf->page[0x13], sizeof(before));
	rf_down(&g);
}
END_TEST

START_TEST(test_drv_results_and_selector)
{
	struct rfrig g;
	uint8_t *p14;
	uint64_t t0, e[8] = { 0 }, b[8] = { 0 };
	double ber[8], snr[8];
	uint8_t latched, now;
	unsigned i;

	rf_up(&g);
	p14 = g.rf->page[0x14];
	put_f16(p14, 212, 1.5e-6);		/* media lane 3 */
	t0 = bert_clock_now(g.clock);
	ck_assert_int_eq(cmis_diag_read_ber(g.diag, CMIS_SIDE_MEDIA, ber), BERT_OK);
	ck_assert_uint_eq(AT(p14, 128), 0x01);
	/* the selector changed: the settle time passed on the clock */
	ck_assert_uint_ge(bert_clock_now(g.clock) - t0, CMIS_DIAG_SELECTOR_SETTLE_NS);
	ck_assert_double_eq_tol(ber[2], 1.5e-6, 1e-18);
	/* unchanged selector: no write, no settle */
	g.rf->writes[0x14] = 0;
	t0 = bert_clock_now(g.clock);
	ck_assert_int_eq(cmis_diag_read_ber(g.diag, CMIS_SIDE_MEDIA, ber), BERT_OK);
	ck_assert_uint_eq(g.rf->writes[0x14], 0);
	ck_assert_uint_lt(bert_clock_now(g.clock) - t0, CMIS_DIAG_SELECTOR_SETTLE_NS);

	/* SNR: the register file holds the selector-6 layout after a write */
	ck_assert_int_eq(cmis_diag_read_snr(g.diag, CMIS_SIDE_MEDIA, snr), BERT_OK);
	ck_assert_uint_eq(AT(p14, 128), 0x06);

	/* counters, lanes 1-4 of the media side */
	for (i = 0; i < 8; i++) {
		AT(p14, 192 + 16 * 2 + i) = (uint8_t)(12345ull >> (8 * i));
		AT(p14, 200 + 16 * 2 + i) = (uint8_t)(5000000000000ull >> (8 * i));
	}
	ck_assert_int_eq(cmis_diag_read_counters(g.diag, CMIS_SIDE_MEDIA, 0x0f, e, b), BERT_OK);
	ck_assert_uint_eq(AT(p14, 128), 0x04);
	ck_assert_uint_eq(e[2], 12345);
	ck_assert_uint_eq(b[2], 5000000000000ull);

	/* latched LOL: the first read shows the past, the second the present */
	AT(p14, 139) = 0x06;			/* lanes 2, 3 lost lock at some time */
	g.rf->lol_now[1] = 0x04;		/* lane 3 still out */
	ck_assert_int_eq(cmis_diag_checker_lol(g.diag, CMIS_SIDE_MEDIA, &latched, &now), BERT_OK);
	ck_assert_uint_eq(latched, 0x06);
	ck_assert_uint_eq(now, 0x04);

	/* NACKs while reading 14h are retried within the window */
	g.rf->nack_next = 5;
	ck_assert_int_eq(cmis_diag_read_ber(g.diag, CMIS_SIDE_MEDIA, ber), BERT_OK);
	ck_assert_uint_eq(g.rf->nack_next, 0);
	/* ... and give up after it */
	g.rf->nack_next = 1000;
	ck_assert_int_eq(cmis_diag_read_ber(g.diag, CMIS_SIDE_MEDIA, ber), BERT_ERR_NACK);
	rf_down(&g);
}
END_TEST

START_TEST(test_drv_measurement_loopback_restore)
{
	struct cmis_prbs_cfg cfg = { .pattern = CMIS_PAT_PRBS31Q };
	struct cmis_diag_saved saved;
	struct rfrig g;
	uint8_t *p13, lanes;
	uint64_t ns;

	rf_up(&g);
	p13 = g.rf->page[0x13];
	AT(p13, 177) = 0x80;			/* StartStopIsGlobal, kept */
	AT(p13, 181) = 0x10;			/* lane 5 media input loopback */
	ck_assert_int_eq(cmis_diag_save(g.diag, &saved), BERT_OK);
	ck_assert_int_eq(cmis_diag_set_measurement(g.diag, 0, true), BERT_OK);
	ck_assert_uint_eq(AT(p13, 177), 0x81);
	ck_assert_int_eq(cmis_diag_update_period_ns(g.diag, &ns), BERT_OK);
	ck_assert_uint_eq(ns, 5 * BERT_NS_PER_S);
	ck_assert_int_eq(cmis_diag_reset_counters(g.diag), BERT_OK);
	ck_assert_uint_eq(AT(p13, 177), 0x81);	/* bit 5 went 1 then 0 */
	ck_assert_int_eq(cmis_diag_loopback_set(g.diag, CMIS_SIDE_MEDIA, CMIS_LOOPBACK_OUTPUT,
						0x03, true), BERT_OK);
	ck_assert_int_eq(cmis_diag_loopback_get(g.diag, CMIS_SIDE_MEDIA, CMIS_LOOPBACK_OUTPUT,
						&lanes), BERT_OK);
	ck_assert_uint_eq(lanes, 0x03);
	ck_assert_int_eq(cmis_diag_loopback_set(g.diag, CMIS_SIDE_MEDIA, CMIS_LOOPBACK_INPUT,
						0x10, false), BERT_OK);
	ck_assert_uint_eq(AT(p13, 181), 0x00);
	ck_assert_int_eq(cmis_diag_enable(g.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x0f, &cfg), BERT_OK);
	/* restore puts every touched byte back */
	ck_assert_int_eq(cmis_diag_restore(g.diag, &saved), BERT_OK);
	ck_assert_uint_eq(AT(p13, 177), 0x80);
	ck_assert_uint_eq(AT(p13, 180), 0x00);
	ck_assert_uint_eq(AT(p13, 181), 0x10);
	ck_assert_uint_eq(AT(p13, 152), 0x00);
	rf_down(&g);
}
END_TEST

START_TEST(test_drv_vdm_freeze)
{
	struct cmis_vdm_reading *rd = calloc(1, sizeof(*rd));
	struct rfrig g;
	uint8_t *p2f;

	rf_up(&g);
	p2f = g.rf->page[0x2f];
	AT(g.rf->page[0x20], 128) = 0x02;	/* lane 3 */
	AT(g.rf->page[0x20], 129) = 13;		/* pre-FEC BER avg media: statistic */
	put_f16(g.rf->page[0x24], 128, 7.5e-5);
	AT(p2f, 144) = 0x0c;			/* 5.4 bits to keep */
	/* The register file has no freeze machine: FreezeDone never comes. */
	ck_assert_int_eq(cmis_vdm_read(g.dev, rd), BERT_ERR_TIMEOUT);
	ck_assert_uint_eq(AT(p2f, 144), 0x0c);	/* request released, bits kept */
	/* With both status bits standing, the sequence completes. */
	AT(p2f, 145) = 0xc0;
	ck_assert_int_eq(cmis_vdm_read(g.dev, rd), BERT_OK);
	ck_assert(rd->frozen);
	ck_assert_uint_eq(AT(p2f, 144), 0x0c);
	ck_assert_uint_eq(rd->vdm.count, 1);
	ck_assert_double_eq_tol(rd->vdm.obs[0].value, 7.5e-5, 1e-18);
	ck_assert_uint_eq(rd->vdm.obs[0].lane, 3);
	/* basic observables only: no freeze request at all */
	AT(g.rf->page[0x20], 129) = 15;
	AT(p2f, 145) = 0;
	g.rf->writes[0x2f] = 0;
	ck_assert_int_eq(cmis_vdm_read(g.dev, rd), BERT_OK);
	ck_assert(!rd->frozen);
	ck_assert_uint_eq(g.rf->writes[0x2f], 0);
	/* not advertised */
	AT(g.rf->page[0x01], 142) = 0x20;
	ck_assert_int_eq(cmis_vdm_read(g.dev, rd), BERT_ERR_UNSUPPORTED);
	free(rd);
	rf_down(&g);
}
END_TEST

/* ---- driver against the emulated module ------------------------------ */

struct emurig {
	struct rig t;
	struct cmis_dev *dev;
	struct cmis_diag *diag;
};

static void emu_up(struct emurig *r, const struct sim_module_cfg *cfg, bool bring_up)
{
	rig_module_open(&r->t, cfg);
	sim_module_set_lpmode(r->t.m, true);
	ck_assert_int_eq(cmis_open(r->t.bus, &r->dev), BERT_OK);
	if (bring_up)
		ck_assert_msg(cmis_bring_up(r->dev, 1, 0xff) == BERT_OK, "bring-up: %s",
			      bert_error_detail());
	ck_assert_msg(cmis_diag_open(r->dev, &r->diag) == BERT_OK, "%s", bert_error_detail());
}

static void emu_down(struct emurig *r)
{
	cmis_diag_close(r->diag);
	cmis_close(r->dev);
	rig_close(&r->t);
}

/* Media generator and checker on lanes 1-4 with pattern gen/chk, looped
 * back inside the module (media output loopback), counters reset. */
static void emu_prbs(struct emurig *r, unsigned gen, unsigned chk)
{
	struct cmis_prbs_cfg g = { .pattern = gen }, c = { .pattern = chk };

	ck_assert_int_eq(cmis_diag_enable(r->diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x0f, &g), BERT_OK);
	ck_assert_int_eq(cmis_diag_enable(r->diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER,
					  0x0f, &c), BERT_OK);
	ck_assert_int_eq(cmis_diag_loopback_set(r->diag, CMIS_SIDE_MEDIA,
						CMIS_LOOPBACK_OUTPUT, 0x0f, true), BERT_OK);
	ck_assert_int_eq(cmis_diag_set_measurement(r->diag, 0, false), BERT_OK);
	ck_assert_int_eq(cmis_diag_reset_counters(r->diag), BERT_OK);
}

START_TEST(test_emu_caps)
{
	struct sim_module_cfg cfg;
	const struct cmis_diag_caps *c;
	struct emurig r;

	sim_module_cfg_default(&cfg);
	emu_up(&r, &cfg, false);
	c = cmis_diag_caps(r.diag);
	ck_assert(c->present);
	ck_assert_uint_eq(c->unit[CMIS_SIDE_MEDIA][CMIS_UNIT_GENERATOR].patterns, cfg.pat_media_gen);
	ck_assert_uint_eq(c->unit[CMIS_SIDE_MEDIA][CMIS_UNIT_CHECKER].patterns, cfg.pat_media_chk);
	ck_assert_uint_eq(c->unit[CMIS_SIDE_HOST][CMIS_UNIT_CHECKER].patterns, cfg.pat_host_chk);
	ck_assert_uint_eq(c->loopback_raw, cfg.loopback_caps);
	ck_assert(c->report_ber && c->report_counters);
	emu_down(&r);

	/* a module without the pages: refused at open, nothing written */
	cfg.diag = false;
	r.t.clk = bert_clock_virtual_new();
	r.t.bus = i2c_sim_new(r.t.clk, 400000);
	r.t.m = sim_module_new(&cfg, r.t.clk);
	{
		struct i2c_target tg = sim_module_target(r.t.m);

		ck_assert_int_eq(i2c_sim_attach(r.t.bus, &tg), BERT_OK);
	}
	ck_assert_int_eq(cmis_open(r.t.bus, &r.dev), BERT_OK);
	{
		uint64_t tr = r.t.bus->stats.transactions;

		ck_assert_int_eq(cmis_diag_open(r.dev, &r.diag), BERT_ERR_UNSUPPORTED);
		/* one read of 01h:142, nothing else */
		ck_assert_uint_eq(r.t.bus->stats.transactions, tr + 1);
	}
	ck_assert_ptr_null(r.diag);
	emu_down(&r);
}
END_TEST

START_TEST(test_emu_lock_counters_ber)
{
	struct sim_module_cfg cfg;
	uint64_t e[8] = { 0 }, b[8] = { 0 }, e2[8] = { 0 }, b2[8] = { 0 };
	uint8_t latched, now;
	double ber[8], snr[8];
	struct emurig r;
	unsigned l;

	sim_module_cfg_default(&cfg);
	emu_up(&r, &cfg, true);
	emu_prbs(&r, CMIS_PAT_PRBS31Q, CMIS_PAT_PRBS31Q);
	ck_assert_int_eq(bert_clock_sleep(r.t.clk, 2 * BERT_NS_PER_S), BERT_OK);
	ck_assert_int_eq(cmis_diag_checker_lol(r.diag, CMIS_SIDE_MEDIA, &latched, &now), BERT_OK);
	ck_assert_uint_eq(now & 0x0f, 0);		/* locked now */
	ck_assert_int_eq(cmis_diag_read_counters(r.diag, CMIS_SIDE_MEDIA, 0x0f, e, b), BERT_OK);
	for (l = 0; l < 4; l++)
		ck_assert_msg(b[l] > 100000000000ull, "lane %u: %llu bits", l + 1,
			      (unsigned long long)b[l]);
	ck_assert_int_eq(bert_clock_sleep(r.t.clk, 2 * BERT_NS_PER_S), BERT_OK);
	ck_assert_int_eq(cmis_diag_read_counters(r.diag, CMIS_SIDE_MEDIA, 0x0f, e2, b2), BERT_OK);
	for (l = 0; l < 4; l++) {
		ck_assert_uint_gt(b2[l], b[l]);
		ck_assert_uint_ge(e2[l], e[l]);
	}
	ck_assert_int_eq(cmis_diag_read_ber(r.diag, CMIS_SIDE_MEDIA, ber), BERT_OK);
	for (l = 0; l < 4; l++)
		ck_assert(ber[l] >= 0 && ber[l] < 1e-6);
	/* host lanes: the module INI's host SNR; the selector moved to 6 */
	ck_assert_int_eq(cmis_diag_read_snr(r.diag, CMIS_SIDE_HOST, snr), BERT_OK);
	for (l = 0; l < 8; l++)
		ck_assert_msg(fabs(snr[l] - cfg.host_snr_db) < 0.01, "host lane %u SNR %g",
			      l + 1, snr[l]);
	/* counters reset */
	ck_assert_int_eq(cmis_diag_reset_counters(r.diag), BERT_OK);
	ck_assert_int_eq(cmis_diag_read_counters(r.diag, CMIS_SIDE_MEDIA, 0x0f, e, b), BERT_OK);
	for (l = 0; l < 4; l++)
		ck_assert_uint_lt(b[l], b2[l]);
	emu_down(&r);
}
END_TEST

START_TEST(test_emu_never_locks_and_lock_lost)
{
	struct cmis_prbs_cfg p13q = { .pattern = CMIS_PAT_PRBS13Q };
	struct sim_module_cfg cfg;
	uint64_t e[8] = { 0 }, b[8] = { 0 };
	uint8_t latched, now;
	struct emurig r;

	sim_module_cfg_default(&cfg);
	emu_up(&r, &cfg, true);
	/* mismatched patterns: the checker never locks, counts nothing */
	emu_prbs(&r, CMIS_PAT_PRBS31Q, CMIS_PAT_PRBS13Q);
	ck_assert_int_eq(bert_clock_sleep(r.t.clk, 3 * BERT_NS_PER_S), BERT_OK);
	ck_assert_int_eq(cmis_diag_checker_lol(r.diag, CMIS_SIDE_MEDIA, &latched, &now), BERT_OK);
	ck_assert_uint_eq(now & 0x0f, 0x0f);
	ck_assert_int_eq(cmis_diag_read_counters(r.diag, CMIS_SIDE_MEDIA, 0x0f, e, b), BERT_OK);
	ck_assert_uint_eq(b[0] + b[1] + b[2] + b[3], 0);

	/* match them: lock; then change lane 2's generator: lock lost */
	ck_assert_int_eq(cmis_diag_enable(r.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x0f, &p13q), BERT_OK);
	ck_assert_int_eq(bert_clock_sleep(r.t.clk, 1 * BERT_NS_PER_S), BERT_OK);
	ck_assert_int_eq(cmis_diag_checker_lol(r.diag, CMIS_SIDE_MEDIA, &latched, &now), BERT_OK);
	ck_assert_uint_eq(now & 0x0f, 0);
	p13q.pattern = CMIS_PAT_PRBS31Q;
	ck_assert_int_eq(cmis_diag_enable(r.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x02, &p13q), BERT_OK);
	ck_assert_int_eq(bert_clock_sleep(r.t.clk, 1 * BERT_NS_PER_S), BERT_OK);
	ck_assert_int_eq(cmis_diag_checker_lol(r.diag, CMIS_SIDE_MEDIA, &latched, &now), BERT_OK);
	ck_assert_uint_eq(latched & 0x0f, 0x02);
	ck_assert_uint_eq(now & 0x0f, 0x02);
	emu_down(&r);
}
END_TEST

START_TEST(test_emu_unsupported_pattern_writes_nothing)
{
	struct cmis_prbs_cfg cfg = { .pattern = CMIS_PAT_SSPRQ };
	struct sim_module_cfg mc;
	uint8_t before[128], after[128];
	struct emurig r;
	uint64_t bw;

	sim_module_cfg_default(&mc);
	emu_up(&r, &mc, true);
	ck_assert_int_eq(cmis_read(r.dev, 0, 0x13, 128, before, 128), BERT_OK);
	bw = r.t.bus->stats.bytes_written;
	/* SSPRQ: the media generator has it, the media checker does not */
	ck_assert_int_eq(cmis_diag_check(r.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					 0x0f, &cfg), BERT_OK);
	ck_assert_int_eq(cmis_diag_enable(r.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER,
					  0x0f, &cfg), BERT_ERR_UNSUPPORTED);
	cfg.pattern = CMIS_PAT_PRBS7;
	ck_assert_int_eq(cmis_diag_enable(r.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR,
					  0x0f, &cfg), BERT_ERR_UNSUPPORTED);
	ck_assert_uint_eq(r.t.bus->stats.bytes_written, bw);
	ck_assert_int_eq(cmis_read(r.dev, 0, 0x13, 128, after, 128), BERT_OK);
	ck_assert_mem_eq(before, after, 128);
	emu_down(&r);
}
END_TEST

START_TEST(test_emu_nack_while_reading_14h)
{
	struct sim_module_cfg cfg;
	uint64_t e[8] = { 0 }, b[8] = { 0 };
	double ber[8];
	struct emurig r;
	unsigned i;

	/* the module NACKs a tenth of the STARTs (seeded), bring-up included */
	sim_module_cfg_default(&cfg);
	cfg.nack_probability = 0.1;
	cfg.seed = 7;
	emu_up(&r, &cfg, true);
	emu_prbs(&r, CMIS_PAT_PRBS31Q, CMIS_PAT_PRBS31Q);
	for (i = 0; i < 20; i++) {
		ck_assert_msg(cmis_diag_read_ber(r.diag, CMIS_SIDE_MEDIA, ber) == BERT_OK,
			      "BER read %u: %s", i, bert_error_detail());
		ck_assert_msg(cmis_diag_read_counters(r.diag, CMIS_SIDE_MEDIA, 0x0f, e, b) == BERT_OK,
			      "counter read %u: %s", i, bert_error_detail());
	}
	ck_assert_uint_gt(b[0], 0);
	emu_down(&r);
}
END_TEST

START_TEST(test_emu_vdm)
{
	struct cmis_vdm_reading *rd = calloc(1, sizeof(*rd));
	const struct cmis_vdm_obs *o;
	struct sim_module_cfg cfg;
	struct emurig r;
	uint8_t ctrl;

	sim_module_cfg_default(&cfg);
	emu_up(&r, &cfg, true);
	emu_prbs(&r, CMIS_PAT_PRBS31Q, CMIS_PAT_PRBS31Q);
	ck_assert_int_eq(bert_clock_sleep(r.t.clk, 3 * BERT_NS_PER_S), BERT_OK);
	ck_assert_msg(cmis_vdm_read(r.dev, rd) == BERT_OK, "%s", bert_error_detail());
	ck_assert(rd->vdm.present);
	ck_assert(rd->frozen);			/* statistics are configured */
	ck_assert_uint_gt(rd->vdm.count, 4);
	o = cmis_vdm_find(&rd->vdm, CMIS_VDM_LASER_TEMP, 1);
	ck_assert_ptr_nonnull(o);
	ck_assert_msg(o->value > 0 && o->value < 100, "laser temperature %g", o->value);
	ck_assert(o->thresh_present);
	ck_assert_ptr_nonnull(cmis_vdm_find(&rd->vdm, CMIS_VDM_BER_AVG_MEDIA, 4));
	ck_assert_ptr_nonnull(cmis_vdm_find(&rd->vdm, CMIS_VDM_FERC_MEDIA, 1));
	/* released afterwards */
	ck_assert_int_eq(cmis_read_byte(r.dev, CMIS_VDM_CTRL_PAGE, CMIS_P2F_CTRL, &ctrl), BERT_OK);
	ck_assert_uint_eq(ctrl & CMIS_P2F_FREEZE_REQUEST, 0);
	free(rd);
	emu_down(&r);
}
END_TEST

Suite *suite_cmis_diag(void)
{
	Suite *s = suite_create("cmis_diag");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_caps_decode);
	tcase_add_test(tc, test_ctrl_decode);
	tcase_add_test(tc, test_results_ber);
	tcase_add_test(tc, test_results_snr_counters);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_vdm_decode);
	suite_add_tcase(s, tc);
	tc = tcase_create("driver");
	tcase_add_test(tc, test_drv_pattern_rmw);
	tcase_add_test(tc, test_drv_refusals_write_nothing);
	tcase_add_test(tc, test_drv_results_and_selector);
	tcase_add_test(tc, test_drv_measurement_loopback_restore);
	tcase_add_test(tc, test_drv_vdm_freeze);
	suite_add_tcase(s, tc);
	tc = tcase_create("emulator");
	tcase_add_test(tc, test_emu_caps);
	tcase_add_test(tc, test_emu_lock_counters_ber);
	tcase_add_test(tc, test_emu_never_locks_and_lock_lost);
	tcase_add_test(tc, test_emu_unsupported_pattern_writes_nothing);
	tcase_add_test(tc, test_emu_nack_while_reading_14h);
	tcase_add_test(tc, test_emu_vdm);
	suite_add_tcase(s, tc);
	return s;
}
