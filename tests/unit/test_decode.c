// SPDX-License-Identifier: MIT
/* The pure CMIS decoder on images built here from the spec tables
 * (OIF-CMIS 5.x), the image file loader and writers, and every real
 * image in ../shared/testdata/cmis-real. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/core/units.h"
#include "common.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/cmis/decode.h"
#include "fixtures/cmis/image.h"
#include "fixtures/cmis/sff8024.h"

/* A linear image: lower page, then pages 00h-11h. */
#define NPAGES 0x12
static uint8_t img[CMIS_PAGE_SIZE * (NPAGES + 1)];
static struct cmis_page_map map;
static struct cmis_info info;

static uint8_t *pg(unsigned p)
{
	return img + CMIS_PAGE_SIZE * (p + 1);
}

/* Byte at window offset off of upper page p. */
#define UP(p, off) (pg(p)[(off) - CMIS_UPPER_BASE])

static void put_str(unsigned p, unsigned off, const char *s, size_t width)
{
	size_t n = strlen(s);

	memset(&UP(p, off), ' ', width);
	memcpy(&UP(p, off), s, n < width ? n : width);
}

static void set_app(unsigned n, uint8_t host, uint8_t media, unsigned hl,
		    unsigned ml, uint8_t opts)
{
	uint8_t *d = n <= 8 ? img + CMIS_APP_DESC + 4 * (n - 1) :
			      &UP(1, CMIS_P01_APP_DESC_9 + 4 * (n - 9));

	d[0] = host;
	d[1] = media;
	d[2] = (uint8_t)(hl << 4 | ml);
	d[3] = opts;
}

static void fix_checksums(void)
{
	cmis_checksum_fix(pg(0), 0);
	cmis_checksum_fix(pg(1), 1);
	cmis_checksum_fix(pg(2), 2);
}

/* A QSFP-DD 400G-DR4 in ModuleReady, CMIS 5.2, pages 00h, 01h, 02h, 11h. */
static void build_dr4(void)
{
	memset(img, 0, sizeof(img));
	memset(&map, 0, sizeof(map));
	img[CMIS_ID] = SFF8024_ID_QSFP_DD;
	img[CMIS_REV] = 0x52;
	img[CMIS_MOD_STATE] = CMIS_MODSTATE_READY << CMIS_MOD_STATE_SHIFT |
			      CMIS_INTL_DEASSERTED;
	img[CMIS_FW_ACTIVE] = 3;
	img[CMIS_FW_ACTIVE_MINOR] = 1;
	bert_put_be16(img + CMIS_TEMP, (uint16_t)(int16_t)(35.5 * 256));
	bert_put_be16(img + CMIS_VCC, 33000);
	img[CMIS_MEDIA_TYPE] = SFF8024_MEDIA_SMF;
	set_app(1, 0x11, 0x1c, 8, 4, 0x01);	/* 400GAUI-8 / 400GBASE-DR4 */
	set_app(2, 0x0d, 0x14, 2, 1, 0x55);	/* 100GAUI-2 / 100GBASE-DR */
	img[CMIS_APP_DESC + 8] = CMIS_APP_LIST_END;

	UP(0, CMIS_P00_ID) = SFF8024_ID_QSFP_DD;
	put_str(0, CMIS_P00_VENDOR_NAME, "ACME OPTICS", 16);
	UP(0, CMIS_P00_VENDOR_OUI) = 0x00;
	UP(0, CMIS_P00_VENDOR_OUI + 1) = 0x1c;
	UP(0, CMIS_P00_VENDOR_OUI + 2) = 0x73;
	put_str(0, CMIS_P00_VENDOR_PN, "QDD-400G-DR4", 16);
	put_str(0, CMIS_P00_VENDOR_REV, "A1", 2);
	put_str(0, CMIS_P00_VENDOR_SN, "SN12345", 16);
	put_str(0, CMIS_P00_DATE_CODE, "240719AB", 8);
	put_str(0, CMIS_P00_CLEI, "", 10);
	UP(0, CMIS_P00_POWER_CLASS) = 4 << 5;	/* class 5 */
	UP(0, CMIS_P00_MAX_POWER) = 40;		/* 10 W */
	UP(0, CMIS_P00_CONNECTOR) = 0x0c;
	UP(0, CMIS_P00_MEDIA_TECH) = 6;

	UP(1, CMIS_P01_HW_REV) = 2;
	bert_put_be16(&UP(1, CMIS_P01_WAVELENGTH), 1311 * 20);
	bert_put_be16(&UP(1, CMIS_P01_WAVELENGTH_TOL), 1300);
	UP(1, CMIS_P01_PAGES) = CMIS_P01_PAGES_DIAG;
	UP(1, CMIS_P01_DUR_DP) = 0x43;		/* DPDeinit <100 ms, DPInit <50 ms */
	UP(1, CMIS_P01_DUR_MOD) = 0x57;		/* PwrDn <500 ms, PwrUp <5 s */
	UP(1, CMIS_P01_DUR_TX) = 0x12;
	UP(1, CMIS_P01_RX_PWR_TYPE) = CMIS_P01_RX_PWR_AVG;
	UP(1, CMIS_P01_LANE_MON_SUP) = 0x07 | (1 << CMIS_P01_BIAS_MULT_SHIFT);
	UP(1, CMIS_P01_MEDIA_LANE_OPT) = 0x01;
	UP(1, CMIS_P01_MEDIA_LANE_OPT + 1) = 0x0f;

	bert_put_be16(&UP(2, CMIS_P02_TEMP + CMIS_THRESH_HA), 75 * 256);
	bert_put_be16(&UP(2, CMIS_P02_TEMP + CMIS_THRESH_LA), (uint16_t)(int16_t)(-5 * 256));
	bert_put_be16(&UP(2, CMIS_P02_VCC + CMIS_THRESH_HA), 36300);
	bert_put_be16(&UP(2, CMIS_P02_TX_BIAS + CMIS_THRESH_HA), 5000);	/* 10 mA x2 */
	bert_put_be16(&UP(2, CMIS_P02_RX_PWR + CMIS_THRESH_LW), 1000);	/* 0.1 mW */

	/* Lanes 1-8 DPActivated, ConfigSuccess; monitors on 4 media lanes. */
	memset(&UP(0x11, CMIS_P11_DP_STATE), 0x44, 4);
	memset(&UP(0x11, CMIS_P11_CONFIG_STATUS), 0x11, 4);
	UP(0x11, CMIS_P11_TX_OUT_STATUS) = 0xff;
	bert_put_be16(&UP(0x11, CMIS_P11_TX_PWR), 10000);	/* 1 mW, 0 dBm */
	bert_put_be16(&UP(0x11, CMIS_P11_TX_BIAS), 3250);	/* 6.5 mA x2 */
	bert_put_be16(&UP(0x11, CMIS_P11_RX_PWR + 2), 5012);
	for (unsigned i = 0; i < 8; i++)
		UP(0x11, CMIS_P11_ACTIVE_DPCONFIG + i) = 1 << CMIS_DPCONFIG_APPSEL_SHIFT;

	fix_checksums();
	map.lower = img;
	map.upper[0x00] = pg(0x00);
	map.upper[0x01] = pg(0x01);
	map.upper[0x02] = pg(0x02);
	map.upper[0x11] = pg(0x11);
}

static void decode_ok(void)
{
	ck_assert_int_eq(cmis_decode(&map, &info), BERT_OK);
}

START_TEST(t_identity)
{
	build_dr4();
	decode_ok();
	ck_assert_int_eq(info.identifier_code, 0x18);
	ck_assert_str_eq(info.identifier, "QSFP-DD");
	ck_assert(info.identifier_cmis);
	ck_assert_str_eq(info.revision, "5.2");
	ck_assert_uint_eq(info.rev_major, 5);
	ck_assert_uint_eq(info.rev_minor, 2);
	ck_assert(!info.flat_mem);
	ck_assert_uint_eq(info.module_state_code, CMIS_MODSTATE_READY);
	ck_assert_str_eq(info.module_state, "ModuleReady");
	ck_assert(!info.interrupt_asserted);
	ck_assert_str_eq(info.fault_cause_name, "none");
	ck_assert_uint_eq(info.fw_major, 3);
	ck_assert_uint_eq(info.fw_minor, 1);
	ck_assert_double_eq_tol(info.temp_c, 35.5, 1e-9);
	ck_assert_double_eq_tol(info.vcc_v, 3.3, 1e-9);
	ck_assert_str_eq(info.vendor.name, "ACME OPTICS");
	ck_assert_str_eq(info.vendor.oui, "00-1c-73");
	ck_assert_str_eq(info.vendor.pn, "QDD-400G-DR4");
	ck_assert_str_eq(info.vendor.rev, "A1");
	ck_assert_str_eq(info.vendor.sn, "SN12345");
	ck_assert_str_eq(info.vendor.date_code, "240719AB");
	ck_assert_str_eq(info.vendor.date, "2024-07-19");
	ck_assert_str_eq(info.vendor.lot, "AB");
	ck_assert_str_eq(info.vendor.clei, "");
	ck_assert_str_eq(info.media_type_name, "SMF");
	ck_assert_str_eq(info.connector_name, "MPO 1x12");
	ck_assert_str_eq(info.media_tech_name, "1310 nm EML");
	ck_assert_uint_eq(info.power_class, 5);
	ck_assert_double_eq_tol(info.max_power_w, 10.0, 1e-9);
	ck_assert_int_eq(info.csum_00h, CMIS_CSUM_VALID);
	ck_assert_int_eq(info.csum_01h, CMIS_CSUM_VALID);
	ck_assert_int_eq(info.csum_02h, CMIS_CSUM_VALID);
	ck_assert_uint_eq(info.warnings, 0);

	/* Module states, interrupt and fault cause. */
	img[CMIS_MOD_STATE] = CMIS_MODSTATE_FAULT << CMIS_MOD_STATE_SHIFT;
	img[CMIS_FAULT_CAUSE] = CMIS_FAULT_TEC_RUNAWAY;
	decode_ok();
	ck_assert_str_eq(info.module_state, "ModuleFault");
	ck_assert(info.interrupt_asserted);
	ck_assert_str_eq(info.fault_cause_name, "TEC runaway");
	img[CMIS_MOD_STATE] = 7 << CMIS_MOD_STATE_SHIFT;
	decode_ok();
	ck_assert_ptr_null(info.module_state);
	ck_assert(info.warnings & CMIS_WARN_STATE_RESERVED);
}
END_TEST

START_TEST(t_apps)
{
	build_dr4();
	decode_ok();
	ck_assert_uint_eq(info.app_count, 2);
	ck_assert_uint_eq(info.apps[0].appsel, 1);
	ck_assert_uint_eq(info.apps[0].host_id, 0x11);
	ck_assert_str_eq(info.apps[0].host_name, "400GAUI-8 C2M (Annex 120E)");
	ck_assert_uint_eq(info.apps[0].media_id, 0x1c);
	ck_assert_str_eq(info.apps[0].media_name, "400GBASE-DR4 (Cl 124)");
	ck_assert_uint_eq(info.apps[0].host_lanes, 8);
	ck_assert_uint_eq(info.apps[0].media_lanes, 4);
	ck_assert_uint_eq(info.apps[0].host_lane_options, 0x01);
	ck_assert(info.apps[0].media_lane_options_present);
	ck_assert_uint_eq(info.apps[0].media_lane_options, 0x01);
	ck_assert_uint_eq(info.apps[1].appsel, 2);
	ck_assert_str_eq(info.apps[1].media_name, "100GBASE-DR (Cl 140)");
	ck_assert_uint_eq(info.apps[1].media_lane_options, 0x0f);
	ck_assert_uint_eq(info.host_lanes, 8);
	ck_assert_uint_eq(info.media_lanes, 4);
	ck_assert_uint_eq(info.lane_count, 8);

	/* The list ends at 0xFF even with page 01h descriptors behind it. */
	set_app(9, 0x0d, 0x14, 2, 1, 0x55);
	decode_ok();
	ck_assert_uint_eq(info.app_count, 2);

	/* Eight in lower memory, 9-10 from page 01h, a skipped undefined slot,
	 * unknown codes kept with NULL names; the media table follows 00:85. */
	for (unsigned n = 1; n <= 8; n++)
		set_app(n, 0x11, 0x1c, 8, 4, 0x01);
	set_app(3, CMIS_APP_UNDEFINED, 0, 0, 0, 0);
	set_app(4, 0xee, 0xee, 4, 4, 0x11);
	set_app(10, 0x4f, 0x1c, 4, 4, 0x11);
	UP(1, CMIS_P01_APP_DESC_9 + 8) = CMIS_APP_LIST_END;
	decode_ok();
	ck_assert_uint_eq(info.app_count, 9);
	ck_assert_uint_eq(info.apps[2].appsel, 4);
	ck_assert_ptr_null(info.apps[2].host_name);
	ck_assert_ptr_null(info.apps[2].media_name);
	ck_assert_uint_eq(info.apps[7].appsel, 9);
	ck_assert_uint_eq(info.apps[8].appsel, 10);
	ck_assert_str_eq(info.apps[8].host_name, "400GAUI-4-S C2M (Annex 120G)");
	img[CMIS_MEDIA_TYPE] = SFF8024_MEDIA_MMF;
	decode_ok();
	ck_assert_str_eq(info.apps[0].media_name, "128GFC-MM (FC-PI-8)");

	/* No application at all. */
	img[CMIS_APP_DESC] = CMIS_APP_LIST_END;
	decode_ok();
	ck_assert_uint_eq(info.app_count, 0);
	ck_assert(info.warnings & CMIS_WARN_NO_APPS);
	ck_assert_uint_eq(info.lane_count, 0);
	ck_assert_uint_eq(info.lanes.count, 8);	/* page 11h: the whole bank */
}
END_TEST

START_TEST(t_lane_span)
{
	/* A 2x400G module: a 4-lane application startable on lanes 1 and 5. */
	build_dr4();
	set_app(1, 0x50, 0x1c, 4, 4, 0x11);
	img[CMIS_APP_DESC + 4] = CMIS_APP_LIST_END;
	UP(1, CMIS_P01_MEDIA_LANE_OPT) = 0x11;
	decode_ok();
	ck_assert_uint_eq(info.host_lanes, 8);
	ck_assert_uint_eq(info.media_lanes, 8);
	/* Without page 01h the media side counts one instance per host start. */
	map.upper[1] = NULL;
	decode_ok();
	ck_assert(!info.apps[0].media_lane_options_present);
	ck_assert_uint_eq(info.media_lanes, 8);
	/* A 1x100G on 4 lanes. */
	set_app(1, 0x0b, 0x10, 4, 4, 0x01);
	decode_ok();
	ck_assert_uint_eq(info.host_lanes, 4);
	ck_assert_uint_eq(info.lanes.count, 4);
}
END_TEST

START_TEST(t_lanes)
{
	build_dr4();
	UP(0x11, CMIS_P11_DP_STATE + 1) = 0x27;	/* lane 3 DPInitialized, 4 DPInit */
	UP(0x11, CMIS_P11_CONFIG_STATUS + 3) = 0xc2;	/* lane 7 rejected, 8 in progress */
	UP(0x11, CMIS_P11_RX_LOS) = 0x02;		/* lane 2 */
	UP(0x11, CMIS_P11_TX_PWR_FLAGS + 2) = 0x01;	/* lane 1 Tx power high warning */
	UP(0x11, CMIS_P11_RX_PWR_FLAGS) = 0x80;		/* lane 8 Rx power high alarm */
	decode_ok();
	ck_assert(info.lanes.present);
	ck_assert_uint_eq(info.lanes.count, 8);
	ck_assert_uint_eq(info.lanes.lane[0].lane, 1);
	ck_assert_double_eq_tol(info.lanes.lane[0].tx_power_mw, 1.0, 1e-9);
	ck_assert_double_eq_tol(info.lanes.lane[0].tx_power_dbm, 0.0, 1e-9);
	ck_assert_double_eq_tol(info.lanes.lane[0].tx_bias_ma, 13.0, 1e-9);
	ck_assert_double_eq_tol(info.lanes.lane[1].rx_power_mw, 0.5012, 1e-9);
	ck_assert_double_eq_tol(info.lanes.lane[1].rx_power_dbm, -3.0, 0.01);
	ck_assert(isinf(info.lanes.lane[2].rx_power_dbm));
	ck_assert_uint_eq(info.lanes.lane[0].dp_state, CMIS_DPSTATE_ACTIVATED);
	ck_assert_str_eq(cmis_dp_state_name(info.lanes.lane[0].dp_state), "DPActivated");
	ck_assert_str_eq(cmis_dp_state_name(info.lanes.lane[2].dp_state), "DPInitialized");
	ck_assert_str_eq(cmis_dp_state_name(info.lanes.lane[3].dp_state), "DPInit");
	ck_assert_str_eq(cmis_config_status_name(info.lanes.lane[0].config_status),
			 "ConfigSuccess");
	ck_assert_uint_eq(info.lanes.lane[6].config_status, CMIS_CFGSTAT_REJECTED);
	ck_assert_uint_eq(info.lanes.lane[7].config_status, CMIS_CFGSTAT_IN_PROGRESS);
	ck_assert_uint_eq(info.lanes.lane[0].active_appsel, 1);
	ck_assert(info.lanes.lane[0].tx_output_valid);
	ck_assert(!info.lanes.lane[0].rx_output_valid);
	ck_assert_uint_eq(info.lanes.lane[1].flags, 1u << CMIS_LFLAG_RX_LOS);
	ck_assert_uint_eq(info.lanes.lane[0].flags, 1u << CMIS_LFLAG_TX_POWER_HIGH_WARN);
	ck_assert_uint_eq(info.lanes.lane[7].flags, 1u << CMIS_LFLAG_RX_POWER_HIGH_ALARM);
	ck_assert_str_eq(cmis_lane_flag_name(CMIS_LFLAG_RX_LOS), "rx_los");
	ck_assert_int_eq(cmis_lane_flag_kind(CMIS_LFLAG_RX_LOS), CMIS_FLAG_ALARM);
	ck_assert_int_eq(cmis_lane_flag_kind(CMIS_LFLAG_TX_POWER_HIGH_WARN),
			 CMIS_FLAG_WARNING);
	ck_assert_int_eq(cmis_lane_flag_kind(CMIS_LFLAG_DP_STATE_CHANGED),
			 CMIS_FLAG_EVENT);
	for (unsigned b = 0; b < CMIS_LFLAG_COUNT; b++)
		ck_assert_ptr_nonnull(cmis_lane_flag_name(b));
	ck_assert_ptr_null(cmis_lane_flag_name(CMIS_LFLAG_COUNT));

	/* No page 11h: no lanes. */
	map.upper[0x11] = NULL;
	decode_ok();
	ck_assert(!info.lanes.present);
	ck_assert_uint_eq(info.lanes.count, 0);
}
END_TEST

START_TEST(t_module_flags)
{
	build_dr4();
	img[CMIS_MOD_FLAGS] = CMIS_MOD_FLAG_STATE_CHANGED | CMIS_MOD_FLAG_MODULE_FW_ERR;
	img[CMIS_MON_FLAGS] = CMIS_FLAG_TEMP_HA | CMIS_FLAG_VCC_LW;
	img[CMIS_AUX_FLAGS2] = 0x10;	/* custom high alarm */
	decode_ok();
	ck_assert_uint_eq(info.module_flags,
			  1u << CMIS_MFLAG_STATE_CHANGED | 1u << CMIS_MFLAG_MODULE_FW_ERROR |
			  1u << CMIS_MFLAG_TEMP_HIGH_ALARM | 1u << CMIS_MFLAG_VCC_LOW_WARN |
			  1u << CMIS_MFLAG_CUSTOM_HIGH_ALARM);
	ck_assert_str_eq(cmis_module_flag_name(CMIS_MFLAG_TEMP_HIGH_ALARM), "temp_high_alarm");
	ck_assert_str_eq(cmis_module_flag_name(CMIS_MFLAG_VCC_LOW_WARN), "vcc_low_warning");
	ck_assert_int_eq(cmis_module_flag_kind(CMIS_MFLAG_MODULE_FW_ERROR), CMIS_FLAG_ALARM);
	ck_assert_int_eq(cmis_module_flag_kind(CMIS_MFLAG_STATE_CHANGED), CMIS_FLAG_EVENT);
	for (unsigned b = 0; b < CMIS_MFLAG_COUNT; b++)
		ck_assert_ptr_nonnull(cmis_module_flag_name(b));
}
END_TEST

START_TEST(t_advert)
{
	build_dr4();
	decode_ok();
	ck_assert(info.adv.present);
	ck_assert_uint_eq(info.adv.hw_major, 2);
	ck_assert_double_eq_tol(info.adv.wavelength_nm, 1311.0, 1e-9);
	ck_assert_double_eq_tol(info.adv.wavelength_tol_nm, 6.5, 1e-9);
	ck_assert(info.adv.pages_diag);
	ck_assert(!info.adv.pages_vdm);
	ck_assert_uint_eq(info.adv.banks, 1);
	ck_assert_uint_eq(info.adv.dp_init.code, 3);
	ck_assert_uint_eq(info.adv.dp_init.max_ms, 50);
	ck_assert_uint_eq(info.adv.dp_init.min_ms, 10);
	ck_assert_uint_eq(info.adv.dp_deinit.max_ms, 100);
	ck_assert_uint_eq(info.adv.mod_pwr_up.max_ms, 5000);
	ck_assert_uint_eq(info.adv.mod_pwr_dn.max_ms, 500);
	ck_assert_uint_eq(info.adv.tx_turn_on.max_ms, 10);
	ck_assert_uint_eq(info.adv.tx_turn_off.max_ms, 5);
	ck_assert(info.adv.rx_power_avg);
	ck_assert(info.adv.mon_tx_bias && info.adv.mon_tx_power && info.adv.mon_rx_power);
	ck_assert_uint_eq(info.adv.bias_mult, 2);

	ck_assert_uint_eq(cmis_duration_code_ms(0), 1);
	ck_assert_uint_eq(cmis_duration_code_ms(9), 60000);
	ck_assert_uint_eq(cmis_duration_code_ms(12), 3000000);
	ck_assert_uint_eq(cmis_duration_code_ms(13), CMIS_DURATION_UNBOUNDED);
	ck_assert_uint_eq(cmis_duration_code_ms(15), CMIS_DURATION_UNBOUNDED);

	map.upper[1] = NULL;
	decode_ok();
	ck_assert(!info.adv.present);
	ck_assert_int_eq(info.csum_01h, CMIS_CSUM_ABSENT);
	ck_assert_double_eq_tol(info.lanes.lane[0].tx_bias_ma, 6.5, 1e-9);	/* x1 */
}
END_TEST

START_TEST(t_thresholds)
{
	build_dr4();
	decode_ok();
	ck_assert(info.thresh.present);
	ck_assert_double_eq_tol(info.thresh.temp_c.high_alarm, 75.0, 1e-9);
	ck_assert_double_eq_tol(info.thresh.temp_c.low_alarm, -5.0, 1e-9);
	ck_assert_double_eq_tol(info.thresh.vcc_v.high_alarm, 3.63, 1e-9);
	ck_assert_double_eq_tol(info.thresh.tx_bias_ma.high_alarm, 20.0, 1e-9);
	ck_assert_double_eq_tol(info.thresh.rx_power_mw.low_warn, 0.1, 1e-9);
	map.upper[2] = NULL;
	decode_ok();
	ck_assert(!info.thresh.present);
	ck_assert_int_eq(info.csum_02h, CMIS_CSUM_ABSENT);
}
END_TEST

START_TEST(t_checksums)
{
	build_dr4();
	ck_assert(cmis_checksum_ok(pg(0), 0));
	ck_assert(cmis_checksum_ok(pg(1), 1));
	ck_assert(cmis_checksum_ok(pg(2), 2));
	ck_assert(!cmis_checksum_ok(pg(0x11), 0x11));
	ck_assert(!cmis_checksum_ok(NULL, 0));
	ck_assert_int_eq(cmis_checksum_compute(pg(0), 3), -1);
	ck_assert_int_eq(cmis_checksum_state(NULL, 0), CMIS_CSUM_ABSENT);
	ck_assert_int_eq(cmis_checksum_fix(pg(0), 4), BERT_ERR_ARG);

	/* The ranges differ: 00h sums 128-221, bytes 223+ are outside. */
	UP(0, 230) ^= 0xff;
	ck_assert(cmis_checksum_ok(pg(0), 0));
	UP(0, 221) ^= 0x01;
	ck_assert(!cmis_checksum_ok(pg(0), 0));
	/* 01h sums 130-254: the inactive firmware bytes are outside. */
	UP(1, CMIS_P01_FW_INACTIVE) ^= 0xff;
	ck_assert(cmis_checksum_ok(pg(1), 1));
	UP(1, 130) ^= 0x01;
	ck_assert(!cmis_checksum_ok(pg(1), 1));
	UP(2, 128) ^= 0x01;
	decode_ok();
	ck_assert_int_eq(info.csum_00h, CMIS_CSUM_INVALID);
	ck_assert_int_eq(info.csum_01h, CMIS_CSUM_INVALID);
	ck_assert_int_eq(info.csum_02h, CMIS_CSUM_INVALID);
	ck_assert(info.warnings & CMIS_WARN_CSUM_00);
	ck_assert(info.warnings & CMIS_WARN_CSUM_01);
	ck_assert(info.warnings & CMIS_WARN_CSUM_02);
	/* Still decoded. */
	ck_assert_str_eq(info.vendor.pn, "QDD-400G-DR4");
	ck_assert_str_eq(cmis_warning_text(CMIS_WARN_CSUM_00), "page 00h checksum is invalid");
}
END_TEST

START_TEST(t_flat)
{
	build_dr4();
	img[CMIS_MEM_CHAR] = CMIS_MEM_FLAT;
	decode_ok();
	ck_assert(info.flat_mem);
	ck_assert(info.page00_present);
	ck_assert_int_eq(info.csum_00h, CMIS_CSUM_VALID);
	ck_assert_int_eq(info.csum_01h, CMIS_CSUM_ABSENT);
	ck_assert_int_eq(info.csum_02h, CMIS_CSUM_ABSENT);
	ck_assert(!info.adv.present);
	ck_assert(!info.thresh.present);
	ck_assert(!info.lanes.present);
	ck_assert(info.warnings & CMIS_WARN_FLAT_EXTRA);
	ck_assert(!info.apps[0].media_lane_options_present);
	map.upper[1] = map.upper[2] = map.upper[0x11] = NULL;
	decode_ok();
	ck_assert(!(info.warnings & CMIS_WARN_FLAT_EXTRA));
	ck_assert_uint_eq(info.app_count, 2);
}
END_TEST

START_TEST(t_identifiers)
{
	build_dr4();
	img[CMIS_ID] = UP(0, CMIS_P00_ID) = 0x7f;
	decode_ok();
	ck_assert_ptr_null(info.identifier);
	ck_assert(info.warnings & CMIS_WARN_ID_UNKNOWN);
	ck_assert_str_eq(info.vendor.pn, "QDD-400G-DR4");	/* generic fields */
	ck_assert_uint_eq(info.app_count, 2);
	ck_assert_ptr_nonnull(cmis_warning_text(CMIS_WARN_ID_UNKNOWN));

	img[CMIS_ID] = UP(0, CMIS_P00_ID) = SFF8024_ID_QSFP28;
	decode_ok();
	ck_assert_str_eq(info.identifier, "QSFP28");
	ck_assert(info.warnings & CMIS_WARN_ID_NOT_CMIS);

	img[CMIS_ID] = SFF8024_ID_OSFP;
	decode_ok();
	ck_assert_str_eq(info.identifier, "OSFP");
	ck_assert(info.warnings & CMIS_WARN_ID_MISMATCH);

	ck_assert_str_eq(sff8024_identifier_name(0x1e), "QSFP+ CMIS");
	ck_assert_ptr_null(sff8024_identifier_name(0xfe));
	ck_assert_ptr_null(sff8024_host_if_name(0xff));
	ck_assert_str_eq(sff8024_host_if_name(0x50), "400GAUI-4-L C2M (Annex 120G)");
	ck_assert_str_eq(sff8024_media_if_name(SFF8024_MEDIA_PASSIVE_COPPER, 1), "Copper cable");
	ck_assert_str_eq(sff8024_media_if_name(SFF8024_MEDIA_ACTIVE_CABLE, 0xbf),
			 "Active loopback module");
	ck_assert_ptr_null(sff8024_media_if_name(9, 1));
	ck_assert_str_eq(sff8024_connector_name(0x23), "No separable connector");
	ck_assert_ptr_null(sff8024_connector_name(0x0e));
	ck_assert_str_eq(sff8024_media_tech_name(0x10), "C-band tunable laser");

	/* Revision outside 3-5, and no page 00h at all. */
	img[CMIS_REV] = 0x05;
	map.upper[0] = NULL;
	decode_ok();
	ck_assert_str_eq(info.revision, "0.5");
	ck_assert(info.warnings & CMIS_WARN_REV_UNKNOWN);
	ck_assert(info.warnings & CMIS_WARN_NO_PAGE00);
	ck_assert(!info.page00_present);
	ck_assert_int_eq(info.csum_00h, CMIS_CSUM_ABSENT);

	ck_assert_int_eq(cmis_decode(NULL, &info), BERT_ERR_ARG);
	map.lower = NULL;
	ck_assert_int_eq(cmis_decode(&map, &info), BERT_ERR_ARG);
}
END_TEST

START_TEST(t_strings)
{
	build_dr4();
	memcpy(&UP(0, CMIS_P00_VENDOR_NAME), "  AB\0C\x07\\D\xff\0\0\0\0  ", 16);
	memset(&UP(0, CMIS_P00_VENDOR_SN), 0, 16);
	memset(&UP(0, CMIS_P00_VENDOR_PN), 0xff, 16);
	put_str(0, CMIS_P00_DATE_CODE, "2407xx", 8);
	decode_ok();
	ck_assert_str_eq(info.vendor.name, "AB\\x00C\\x07\\x5cD\\xff");
	ck_assert_str_eq(info.vendor.sn, "");
	ck_assert_uint_eq(strlen(info.vendor.pn), 64);
	ck_assert_str_eq(info.vendor.date, "");
	ck_assert_str_eq(info.vendor.date_code, "2407xx");
	for (const char *p = info.vendor.pn; *p; p++)
		ck_assert(*p >= 0x20 && *p < 0x7f);
}
END_TEST

START_TEST(t_names)
{
	ck_assert_str_eq(cmis_module_state_name(1), "ModuleLowPwr");
	ck_assert_str_eq(cmis_module_state_name(2), "ModulePwrUp");
	ck_assert_str_eq(cmis_module_state_name(4), "ModulePwrDn");
	ck_assert_ptr_null(cmis_module_state_name(0));
	ck_assert_ptr_null(cmis_module_state_name(6));
	ck_assert_ptr_null(cmis_module_state_name(1000));
	ck_assert_str_eq(cmis_dp_state_name(1), "DPDeactivated");
	ck_assert_str_eq(cmis_dp_state_name(3), "DPDeinit");
	ck_assert_str_eq(cmis_dp_state_name(5), "DPTxTurnOn");
	ck_assert_str_eq(cmis_dp_state_name(6), "DPTxTurnOff");
	ck_assert_ptr_null(cmis_dp_state_name(0));
	ck_assert_ptr_null(cmis_dp_state_name(8));
	ck_assert_str_eq(cmis_config_status_name(0xc), "ConfigInProgress");
	ck_assert_ptr_null(cmis_config_status_name(0xd));
	ck_assert_str_eq(cmis_fault_cause_name(6), "temperature fault");
	ck_assert_ptr_null(cmis_fault_cause_name(7));
	ck_assert_ptr_null(cmis_warning_text(0));
}
END_TEST

/* ---- image files ------------------------------------------------------ */

/* Writes data to a new temporary file; returns its path (static buffer). The
 * caller unlinks it. */
static const char *write_tmp(const char *suffix, const void *data, size_t len)
{
	static char path[64];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "/tmp/bert-test-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return path;
}

static void expect_config_error(int err, const char *needle)
{
	ck_assert_int_eq(err, BERT_ERR_CONFIG);
	ck_assert_msg(strstr(bert_error_detail(), needle),
		      "detail '%s' lacks '%s'", bert_error_detail(), needle);
}

START_TEST(t_image_bin)
{
	struct cmis_image im;
	static uint8_t big[CMIS_PAGE_SIZE * 258];

	build_dr4();
	/* 256 bytes: lower + 00h. */
	ck_assert_int_eq(cmis_image_parse(img, 256, "x.bin", &im), BERT_OK);
	ck_assert_int_eq(im.format, CMIS_IMAGE_BIN);
	ck_assert_uint_eq(im.len, 256);
	ck_assert_ptr_nonnull(im.map.lower);
	ck_assert_ptr_nonnull(im.map.upper[0]);
	ck_assert_ptr_null(im.map.upper[1]);
	ck_assert_mem_eq(im.map.upper[0], pg(0), 128);
	cmis_image_free(&im);
	ck_assert_ptr_null(im.buf);

	/* The whole image: zero pages (03h-10h) absent. */
	ck_assert_int_eq(cmis_image_parse(img, sizeof(img), "x.bin", &im), BERT_OK);
	ck_assert_ptr_nonnull(im.map.upper[2]);
	ck_assert_ptr_null(im.map.upper[3]);
	ck_assert_ptr_null(im.map.upper[0x10]);
	ck_assert_ptr_nonnull(im.map.upper[0x11]);
	ck_assert_int_eq(cmis_decode(&im.map, &info), BERT_OK);
	ck_assert_str_eq(info.vendor.pn, "QDD-400G-DR4");
	cmis_image_free(&im);

	/* 128 bytes: lower only. */
	ck_assert_int_eq(cmis_image_parse(img, 128, "x.bin", &im), BERT_OK);
	ck_assert_ptr_null(im.map.upper[0]);
	cmis_image_free(&im);

	expect_config_error(cmis_image_parse_bin(img, 0, "e.bin", &im), "e.bin: empty");
	expect_config_error(cmis_image_parse(img, 200, "t.bin", &im), "t.bin: 200 bytes");
	expect_config_error(cmis_image_parse(img, 200, "t.bin", &im), "offset 0x0080");
	big[0] = 0x18;
	expect_config_error(cmis_image_parse(big, sizeof(big), "o.bin", &im),
			    "more than the 32896");
	ck_assert_int_eq(cmis_image_parse(big, sizeof(big) - 128, "o.bin", &im), BERT_OK);
	cmis_image_free(&im);
	memset(big, 0, sizeof(big));
	expect_config_error(cmis_image_parse(big, 256, "z.bin", &im), "all 256 bytes are zero");
	ck_assert_ptr_null(im.buf);
}
END_TEST

START_TEST(t_image_hex)
{
	struct cmis_image im;
	static const char ethtool[] =
		"Offset\t\tValues\n"
		"------\t\t------\n"
		"0x0000:\t\t18 52 00 07 00 00 00 00 00 00 00 00 00 00 00 00 \n"
		"0x0010:\t\t00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 \n";
	char text[4096];
	size_t n;
	unsigned i;

	/* The ethtool form with a gap to 0x0070 (zeros), then page 00h. */
	n = (size_t)snprintf(text, sizeof(text), "%s0x0070:\t\t", ethtool);
	for (i = 0; i < 16; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%02x ", i);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\n0x0080:\t\t");
	for (i = 0; i < 128; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%02X%s", i ^ 0x5a,
				      i % 16 == 15 ? "\n" : " ");
	ck_assert(cmis_image_is_hex(text, n));
	ck_assert_int_eq(cmis_image_parse(text, n, "x.hex", &im), BERT_OK);
	ck_assert_int_eq(im.format, CMIS_IMAGE_HEX);
	ck_assert_uint_eq(im.len, 256);
	ck_assert_uint_eq(im.map.lower[0], 0x18);
	ck_assert_uint_eq(im.map.lower[1], 0x52);
	ck_assert_uint_eq(im.map.lower[0x20], 0);
	ck_assert_uint_eq(im.map.lower[0x71], 1);
	ck_assert_uint_eq(im.map.upper[0][5], 5 ^ 0x5a);
	cmis_image_free(&im);

	/* Plain whitespace-separated bytes, optional 0x on each. */
	n = 0;
	for (i = 0; i < 256; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, i & 1 ? "0x%02x\t" : "%x ",
				      i == 0 ? 0x19 : (i & 0x7f));
	ck_assert_int_eq(cmis_image_parse(text, n, "p.txt", &im), BERT_OK);
	ck_assert_uint_eq(im.map.lower[0], 0x19);
	ck_assert_uint_eq(im.map.upper[0][3], 0x03);
	cmis_image_free(&im);

	/* Errors name the file and the line. */
	expect_config_error(cmis_image_parse("0x0000: 18 zz\n", 14, "b.hex", &im),
			    "b.hex: line 1, column 12: 'zz' is not a hex byte");
	expect_config_error(cmis_image_parse("00 01\n0x0000: 02\n", 17, "g.hex", &im),
			    "g.hex: line 2: address 0x0000 goes back");
	expect_config_error(cmis_image_parse("18 52 00\n", 9, "s.hex", &im),
			    "s.hex: 3 bytes of hex image is not a whole number");
	expect_config_error(cmis_image_parse("Offset Values\n\n", 15, "h.hex", &im),
			    "h.hex: no hex bytes");
	expect_config_error(cmis_image_parse("# a README\n", 11, "r.txt", &im),
			    "r.txt: line 1, column 1: '#'");
	expect_config_error(cmis_image_parse("0x9999999: 00\n", 14, "a.hex", &im),
			    "a.hex: line 1: bad address");
	ck_assert(!cmis_image_is_hex("\x18\x40", 2));
	ck_assert(!cmis_image_is_hex("", 0));
}
END_TEST

START_TEST(t_image_roundtrip)
{
	struct cmis_image im, im2;
	const char *path;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	build_dr4();
	/* bin */
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(cmis_image_write_bin(f, &map), BERT_OK);
	fclose(f);
	ck_assert_uint_eq(len, sizeof(img));
	ck_assert_uint_eq(cmis_image_linear_len(&map), sizeof(img));
	ck_assert_mem_eq(buf, img, sizeof(img));
	path = write_tmp(".bin", buf, len);
	ck_assert_int_eq(cmis_image_load(path, &im), BERT_OK);
	unlink(path);
	free(buf);
	/* hex from the loaded map, read back equal */
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(cmis_image_write_hex(f, &im.map), BERT_OK);
	fclose(f);
	ck_assert(!strncmp(buf, "Offset\t\tValues\n------\t\t------\n0x0000:\t\t18 52 00 07", 48));
	path = write_tmp(".hex", buf, len);
	ck_assert_int_eq(cmis_image_load(path, &im2), BERT_OK);
	unlink(path);
	ck_assert_int_eq(im2.format, CMIS_IMAGE_HEX);
	ck_assert_uint_eq(im2.len, im.len);
	ck_assert_mem_eq(im2.buf, im.buf, im.len);
	free(buf);
	cmis_image_free(&im);
	cmis_image_free(&im2);

	/* A flat map writes 256 bytes; a map without lower is refused. */
	map.upper[1] = map.upper[2] = map.upper[0x11] = NULL;
	ck_assert_uint_eq(cmis_image_linear_len(&map), 256);
	map.lower = NULL;
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(cmis_image_write_bin(f, &map), BERT_ERR_ARG);
	fclose(f);
	free(buf);

	/* File errors. */
	expect_config_error(cmis_image_load("/nonexistent/m.bin", &im), "/nonexistent/m.bin: No such");
	path = write_tmp(".bin", "", 0);
	expect_config_error(cmis_image_load(path, &im), "empty");
	unlink(path);
}
END_TEST

/* ---- real modules ----------------------------------------------------- */

struct real {
	const char *file;
	uint8_t id;
	const char *vendor, *pn, *sn;
	const char *rev;
	unsigned apps;
	enum cmis_csum c00, c01, c02;
	const char *state;
};

static const struct real reals[] = {
	{ "arista_qsfpdd_400g_xdr4.bin", 0x18, "Arista Networks", "QDD-400G-XDR4",
	  "XKT231212112", "4.0", 2, CMIS_CSUM_VALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID,
	  "ModuleReady" },
	{ "arista_osfp_2x400g_xdr4.bin", 0x19, "Arista Networks", "FB-P800G-2XDR4-1",
	  "XKT242913953", "5.0", 4, CMIS_CSUM_VALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID,
	  "ModuleReady" },
	{ "juniper_osfp_800g_dr8.bin", 0x19, "JUNIPER-1G1", "740-174932",
	  "1G1TK1AA350AZ", "5.1", 10, CMIS_CSUM_VALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID,
	  "ModuleReady" },
	{ "credo_osfp_800g_aec_port0.bin", 0x19, "Credo", "CAC845301A2NC2XA",
	  "BL8J4455150007V", "5.0", 6, CMIS_CSUM_VALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID,
	  "ModuleReady" },
	{ "credo_osfp_800g_aec_port21.bin", 0x19, "Credo", "CAC845301A2NC2XA",
	  "BL8J4455150002L", "5.0", 6, CMIS_CSUM_VALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID,
	  "ModuleReady" },
	{ "mellanox_qsfpdd_dac_mcp1660.bin", 0x18, "Mellanox", "MCP1660-W00AE30",
	  "MT2019VS04795", "3.0", 8, CMIS_CSUM_VALID, CMIS_CSUM_ABSENT, CMIS_CSUM_ABSENT,
	  "ModuleLowPwr" },
	{ "hisense_qsfp_cmis_2x100g_aoc.bin", 0x1e, "Hisense", "DEF8504-2C02-MB3",
	  "VEMDBT0200A-A", "5.2", 1, CMIS_CSUM_VALID, CMIS_CSUM_ABSENT, CMIS_CSUM_ABSENT,
	  "ModuleReady" },
	/* Its publisher edited the vendor name, so the 00h checksum is off. */
	{ "fboss_800g_zr_osfp.bin", 0x19, "METAZR", "DP08SFP8-ZRB-29B",
	  "251356640", "5.3", 15, CMIS_CSUM_INVALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID,
	  "ModuleReady" },
	{ "fboss_synth_cmis_200g_fr4.bin", 0x1e, "FACETEST", "", "", "4.0", 2,
	  CMIS_CSUM_VALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID, "ModuleReady" },
	{ "fboss_synth_cmis_200g_fr4_bad_checksum.bin", 0x1e, "FACETEST", "", "", "4.0", 2,
	  CMIS_CSUM_INVALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID, "ModuleReady" },
	{ "fboss_synth_cmis_400g_dr4.bin", 0x18, "FACETEST", "", "", "4.0", 2,
	  CMIS_CSUM_INVALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID, "ModuleReady" },
	{ "fboss_synth_cmis_400g_lr4.bin", 0x18, "FACETEST", "", "", "4.0", 4,
	  CMIS_CSUM_VALID, CMIS_CSUM_VALID, CMIS_CSUM_VALID, "ModuleReady" },
	{ "fboss_synth_cmis_400g_cr8.bin", 0x18, "FACETEST", "", "", "0.5", 4,
	  CMIS_CSUM_INVALID, CMIS_CSUM_ABSENT, CMIS_CSUM_ABSENT, "ModuleReady" },
	{ "fboss_synth_cmis_flatmem.bin", 0x18, "FACETEST", "", "", "4.0", 0,
	  CMIS_CSUM_INVALID, CMIS_CSUM_ABSENT, CMIS_CSUM_ABSENT, "ModuleLowPwr" },
};

START_TEST(t_real)
{
	const struct real *r = &reals[_i];
	struct cmis_image im;
	char rel[128];
	const char *path;

	snprintf(rel, sizeof(rel), "cmis-real/%s", r->file);
	path = test_shared_path(rel);
	if (!path)
		return;		/* skip printed by test_shared_path() */
	ck_assert_msg(cmis_image_load(path, &im) == BERT_OK, "%s: %s", r->file,
		      bert_error_detail());
	ck_assert_int_eq(cmis_decode(&im.map, &info), BERT_OK);
	ck_assert_uint_eq(info.identifier_code, r->id);
	ck_assert_ptr_nonnull(info.identifier);
	ck_assert_str_eq(info.vendor.name, r->vendor);
	ck_assert_str_eq(info.vendor.pn, r->pn);
	ck_assert_str_eq(info.vendor.sn, r->sn);
	ck_assert_str_eq(info.revision, r->rev);
	ck_assert_msg(info.app_count == r->apps, "%s: %u apps", r->file, info.app_count);
	ck_assert_msg(info.csum_00h == r->c00, "%s: csum 00h %d", r->file, info.csum_00h);
	ck_assert_int_eq(info.csum_01h, r->c01);
	ck_assert_int_eq(info.csum_02h, r->c02);
	ck_assert_str_eq(info.module_state, r->state);
	cmis_image_free(&im);
}
END_TEST

START_TEST(t_real_details)
{
	const char *path = test_shared_path("cmis-real/arista_qsfpdd_400g_xdr4.bin");
	struct cmis_image im;

	if (!path)
		return;
	ck_assert_int_eq(cmis_image_load(path, &im), BERT_OK);
	ck_assert_int_eq(cmis_decode(&im.map, &info), BERT_OK);
	ck_assert_str_eq(info.identifier, "QSFP-DD");
	ck_assert_str_eq(info.vendor.oui, "00-1c-73");
	ck_assert_str_eq(info.vendor.rev, "41");
	ck_assert_str_eq(info.vendor.date, "2023-03-25");
	ck_assert_str_eq(info.apps[0].host_name, "400GAUI-8 C2M (Annex 120E)");
	ck_assert_str_eq(info.apps[0].media_name, "400GBASE-DR4 (Cl 124)");
	ck_assert_uint_eq(info.host_lanes, 8);
	ck_assert_uint_eq(info.media_lanes, 4);
	ck_assert_str_eq(info.connector_name, "MPO 1x12");
	ck_assert(info.lanes.present);
	cmis_image_free(&im);

	path = test_shared_path("cmis-real/mellanox_qsfpdd_dac_mcp1660.bin");
	ck_assert_ptr_nonnull(path);
	ck_assert_int_eq(cmis_image_load(path, &im), BERT_OK);
	ck_assert_int_eq(cmis_decode(&im.map, &info), BERT_OK);
	ck_assert(info.flat_mem);
	ck_assert_str_eq(info.media_type_name, "Passive copper");
	ck_assert_str_eq(info.apps[0].host_name, "400G CR8");
	ck_assert_str_eq(info.apps[0].media_name, "Copper cable");
	cmis_image_free(&im);
}
END_TEST

Suite *suite_decode(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, t_identity);
	tcase_add_test(tc, t_apps);
	tcase_add_test(tc, t_lane_span);
	tcase_add_test(tc, t_lanes);
	tcase_add_test(tc, t_module_flags);
	tcase_add_test(tc, t_advert);
	tcase_add_test(tc, t_thresholds);
	tcase_add_test(tc, t_checksums);
	tcase_add_test(tc, t_flat);
	tcase_add_test(tc, t_identifiers);
	tcase_add_test(tc, t_strings);
	tcase_add_test(tc, t_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("image");
	tcase_add_test(tc, t_image_bin);
	tcase_add_test(tc, t_image_hex);
	tcase_add_test(tc, t_image_roundtrip);
	suite_add_tcase(s, tc);
	tc = tcase_create("real");
	tcase_add_loop_test(tc, t_real, 0, ARRAY_SIZE(reals));
	tcase_add_test(tc, t_real_details);
	suite_add_tcase(s, tc);
	return s;
}
