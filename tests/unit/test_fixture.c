// SPDX-License-Identifier: MIT
/* Fixtures by URI: sim:, mpsse-sim:, ftdi:// parsing, board files, board
 * lines, module power, insertion and removal. */
#include <stdlib.h>
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "fixtures/board.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/fixture.h"
#include "fixtures/fixture_ftdi.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "common.h"

static const struct {
	const char *uri;
	int rc;
	uint16_t pid;
	const char *serial;
	unsigned iface, hz;
	const char *board;
} uri_cases[] = {
	{ "ftdi://ftdi:232h:FT12345/1", BERT_OK, 0x6014, "FT12345", 0, 400000, "default" },
	{ "ftdi://ftdi:2232h/2?freq=1m&board=myboard", BERT_OK, 0x6010, "", 1, 1000000, "myboard" },
	{ "ftdi://ftdi:4232h/4?freq=100k", BERT_OK, 0x6011, "", 3, 100000, "default" },
	{ "ftdi://::SER/1?freq=250000", BERT_OK, 0, "SER", 0, 250000, "default" },
	{ "ftdi://ftdi:232h:X/5", BERT_ERR_CONFIG, 0, NULL, 0, 0, NULL },
	{ "ftdi://ftdi:232h:X", BERT_ERR_CONFIG, 0, NULL, 0, 0, NULL },
	{ "ftdi://ftdi:999q/1", BERT_ERR_CONFIG, 0, NULL, 0, 0, NULL },
	{ "ftdi://ftdi:232h/1?freq=5m", BERT_ERR_CONFIG, 0, NULL, 0, 0, NULL },
	{ "ftdi://ftdi:232h/1?speed=1", BERT_ERR_CONFIG, 0, NULL, 0, 0, NULL },
	{ "ftdi://a:b:c:d/1", BERT_ERR_CONFIG, 0, NULL, 0, 0, NULL },
	{ "ftdi:/ftdi:232h/1", BERT_ERR_CONFIG, 0, NULL, 0, 0, NULL },
};

START_TEST(test_ftdi_uri)
{
	struct ftdi_uri u;
	int rc = ftdi_uri_parse(uri_cases[_i].uri, &u);

	ck_assert_msg(rc == uri_cases[_i].rc, "%s: rc %d (%s)", uri_cases[_i].uri, rc,
		      bert_error_detail());
	if (rc)
		return;
	ck_assert_uint_eq(u.vid, 0x0403);
	ck_assert_uint_eq(u.pid, uri_cases[_i].pid);
	ck_assert_str_eq(u.serial, uri_cases[_i].serial);
	ck_assert_uint_eq(u.interface, uri_cases[_i].iface);
	ck_assert_uint_eq(u.scl_hz, uri_cases[_i].hz);
	ck_assert_str_eq(u.board, uri_cases[_i].board);
}
END_TEST

static const struct {
	const char *text;
	const char *err;	/* NULL: loads */
} board_cases[] = {
	{ "[pins]\nresetl = ACBUS0\nintl = none\n[power]\naddress = 0x41\n", NULL },
	{ "[pins]\nresetl = ADBUS1\n", "b.ini:2: resetl: ADBUS1 carries I2C" },
	{ "[pins]\nresetl = ADBUS9\n", "b.ini:2: resetl: 'ADBUS9' is not a pin" },
	{ "[pins]\nreset = ADBUS4\n", "b.ini:2: unknown key 'reset' in [pins]" },
	{ "[power]\nmonitor = ina219\n", "b.ini:2: monitor: 'ina219' is not ina226" },
	{ "[power]\nshunt_ohm = 0\n", "b.ini:2: shunt_ohm: 0 is out of range" },
	{ "[pins]\nlpmode = ADBUS4\n", "b.ini: resetl and lpmode share a pin" },
	{ "[gpio]\nx = 1\n", "b.ini:2: unknown section [gpio]" },
};

START_TEST(test_board_file)
{
	struct board_desc d;
	int rc = board_desc_load_string("b.ini", board_cases[_i].text, &d);

	if (!board_cases[_i].err) {
		ck_assert_int_eq(rc, BERT_OK);
		ck_assert_uint_eq(d.pin[BOARD_RESETL].port, 1);
		ck_assert(!d.pin[BOARD_INTL].used);
		ck_assert_uint_eq(d.monitor_addr, 0x41);
		return;
	}
	ck_assert_int_eq(rc, BERT_ERR_CONFIG);
	ck_assert_msg(!strncmp(bert_error_detail(), board_cases[_i].err,
			       strlen(board_cases[_i].err)),
		      "case %d: '%s'", _i, bert_error_detail());
}
END_TEST

START_TEST(test_board_lookup)
{
	struct board_desc d;

	ck_assert_int_eq(board_desc_load(test_path("fixtures/boards/default.ini"), &d), BERT_OK);
	ck_assert_uint_eq(d.pin[BOARD_INTL].mask, 0x80);
	ck_assert_int_eq(board_desc_load("no-such-board", &d), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "no such board"));
}
END_TEST

START_TEST(test_unknown_scheme)
{
	struct bert_fixture *f;

	ck_assert_int_eq(bert_fixture_open("bogus:x", &f), BERT_ERR_CONFIG);
	ck_assert_ptr_null(f);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(),
				     "known: sim, mpsse-sim, ftdi, i2c-dev"));
	ck_assert_int_eq(bert_fixture_open("i2c-dev:", &f), BERT_ERR_CONFIG);
	ck_assert_int_eq(bert_fixture_open("mpsse-sim:?freq=9m", &f), BERT_ERR_CONFIG);
}
END_TEST

/* The same module behind sim: and mpsse-sim: reads the same, and the FTDI
 * path pays one USB round trip per transaction. */
START_TEST(test_mpsse_sim_same_as_sim)
{
	struct cmis_snapshot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct bert_fixture *fs, *fm;
	struct cmis_dev *ds, *dm;
	double ws, wm;

	ck_assert_int_eq(bert_fixture_open("sim:", &fs), BERT_OK);
	ck_assert_int_eq(bert_fixture_open("mpsse-sim:", &fm), BERT_OK);
	ck_assert_int_eq(cmis_open(fs->bus, &ds), BERT_OK);
	ck_assert_int_eq(cmis_open(fm->bus, &dm), BERT_OK);
	ck_assert_int_eq(cmis_snapshot_read(ds, a), BERT_OK);
	ck_assert_int_eq(cmis_snapshot_read(dm, b), BERT_OK);
	ck_assert_mem_eq(a->pages[0], b->pages[0], CMIS_PAGE_SIZE);
	ck_assert_mem_eq(a->pages[1], b->pages[1], CMIS_PAGE_SIZE);
	ck_assert_uint_le(fm->bus->stats.usb_round_trips, fm->bus->stats.transactions);
	ck_assert_uint_gt(fm->bus->stats.usb_round_trips, 0);
	ck_assert_uint_eq(fs->bus->stats.usb_round_trips, 0);
	/* bring-up through the whole FTDI stack, then module power on both */
	ck_assert_msg(cmis_bring_up(dm, 1, 0xff) == BERT_OK, "%s", bert_error_detail());
	ck_assert_msg(cmis_bring_up(ds, 1, 0xff) == BERT_OK, "%s", bert_error_detail());
	ck_assert_int_eq(bert_fixture_power_w(fs, &ws), BERT_OK);
	ck_assert_int_eq(bert_fixture_power_w(fm, &wm), BERT_OK);
	ck_assert_double_gt(ws, 1.0);
	/* the INA226 quantises: within 1 % of the module's own figure */
	ck_assert_double_eq_tol(wm, ws, ws * 0.01);
	cmis_close(ds);
	cmis_close(dm);
	bert_fixture_close(fs);
	bert_fixture_close(fm);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_mpsse_sim_lines)
{
	struct bert_fixture *f;
	struct fixture_pins p;
	struct cmis_dev *dev;
	uint8_t v;

	ck_assert_int_eq(bert_fixture_open("mpsse-sim:", &f), BERT_OK);
	ck_assert_int_eq(bert_fixture_get_pins(f, &p), BERT_OK);
	ck_assert(p.present);
	ck_assert(p.lpmode && p.resetl);
	/* a fresh module has ModuleStateChanged latched: IntL asserted */
	ck_assert(p.intl);
	ck_assert_int_eq(cmis_open(f->bus, &dev), BERT_OK);
	ck_assert_int_eq(cmis_read_byte(dev, 0, 8, &v), BERT_OK);	/* clears */
	ck_assert_int_eq(bert_fixture_get_pins(f, &p), BERT_OK);
	ck_assert(!p.intl);
	/* LPMode released on the wire: the module powers up on its own
	 * (00:26 default allows hardware control, OIF-CMIS 5.x 6.3.2) */
	ck_assert_int_eq(bert_fixture_set_lpmode(f, false), BERT_OK);
	ck_assert_int_eq(bert_clock_sleep(f->clock, 5 * BERT_NS_PER_S), BERT_OK);
	ck_assert_int_eq(sim_module_state(fixture_mpsse_sim_module(f)), CMIS_MODSTATE_READY);
	/* ResetL low holds the module in reset: no answer on the bus */
	ck_assert_int_eq(bert_fixture_set_resetl(f, false), BERT_OK);
	ck_assert_int_eq(cmis_read_byte(dev, 0, 0, &v), BERT_ERR_NACK);
	ck_assert_int_eq(bert_fixture_set_resetl(f, true), BERT_OK);
	ck_assert_int_eq(bert_clock_sleep(f->clock, 2 * BERT_NS_PER_S), BERT_OK);
	ck_assert_int_eq(cmis_read_byte(dev, 0, 0, &v), BERT_OK);
	/* removal: ModPrsL high, the module gone from the bus; re-insertion */
	ck_assert_int_eq(fixture_mpsse_sim_set_present(f, false), BERT_OK);
	ck_assert_int_eq(bert_fixture_get_pins(f, &p), BERT_OK);
	ck_assert(!p.present);
	ck_assert_int_eq(cmis_read_byte(dev, 0, 0, &v), BERT_ERR_NACK);
	ck_assert_int_eq(fixture_mpsse_sim_set_present(f, true), BERT_OK);
	ck_assert_int_eq(bert_fixture_get_pins(f, &p), BERT_OK);
	ck_assert(p.present);
	ck_assert_int_eq(cmis_read_byte(dev, 0, 0, &v), BERT_OK);
	ck_assert_uint_eq(v, 0x18);
	cmis_close(dev);
	bert_fixture_close(f);
}
END_TEST

START_TEST(test_sim_presence)
{
	struct bert_fixture *f;
	struct fixture_pins p;
	struct cmis_dev *dev;

	ck_assert_int_eq(bert_fixture_open(NULL, &f), BERT_OK);	/* default sim: */
	ck_assert_int_eq(fixture_sim_set_present(f, false), BERT_OK);
	ck_assert_int_eq(bert_fixture_get_pins(f, &p), BERT_OK);
	ck_assert(!p.present);
	ck_assert_int_eq(cmis_open(f->bus, &dev), BERT_ERR_NACK);
	ck_assert_int_eq(fixture_sim_set_present(f, true), BERT_OK);
	ck_assert_int_eq(cmis_open(f->bus, &dev), BERT_OK);
	cmis_close(dev);
	bert_fixture_close(f);
}
END_TEST

Suite *suite_fixture(void)
{
	Suite *s = suite_create("fixture");
	TCase *tc = tcase_create("fixture");

	tcase_add_loop_test(tc, test_ftdi_uri, 0, ARRAY_SIZE(uri_cases));
	tcase_add_loop_test(tc, test_board_file, 0,
			    ARRAY_SIZE(board_cases));
	tcase_add_test(tc, test_board_lookup);
	tcase_add_test(tc, test_unknown_scheme);
	tcase_add_test(tc, test_mpsse_sim_same_as_sim);
	tcase_add_test(tc, test_mpsse_sim_lines);
	tcase_add_test(tc, test_sim_presence);
	suite_add_tcase(s, tc);
	return s;
}
