// SPDX-License-Identifier: MIT
/* The real libserialport path: an emulated VOA presented as a USB-serial
 * adapter (/dev/ttyUSB0) by umockdev. Runs with
 *   LD_PRELOAD="tiocm_shim.so libumockdev-preload.so.0"
 * (the shim first: it answers the modem-bit ioctls a pty rejects). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "instruments/scpi.h"
#include "instruments/scpi_sim.h"
#include "instruments/sim/emu_hub.h"
#include "instruments/voa.h"

static double plant_db[8];

static int p_voa_set(void *c, const char *i, unsigned ch, double db)
{
	(void)c;
	(void)i;
	plant_db[ch] = db;
	return BERT_OK;
}

static int p_voa_enable(void *c, const char *i, unsigned ch, bool on)
{
	(void)c;
	(void)i;
	(void)ch;
	(void)on;
	return BERT_OK;
}

static int p_route(void *c, const char *i, unsigned in, unsigned out)
{
	(void)c;
	(void)i;
	(void)in;
	(void)out;
	return BERT_OK;
}

static int p_route_get(void *c, const char *i, unsigned in, unsigned *out)
{
	(void)c;
	(void)i;
	(void)in;
	*out = 1;
	return BERT_OK;
}

static int p_meter(void *c, const char *i, unsigned ch, double *mw)
{
	(void)c;
	(void)i;
	(void)ch;
	*mw = 0;
	return BERT_OK;
}

static const char *p_get(void *c, const char *i, const char *key)
{
	(void)c;
	if (!strcmp(i, "voa1") && !strcmp(key, "type"))
		return "voa";
	return NULL;
}

static const struct emu_plant_ops plant_ops = {
	.voa_set = p_voa_set, .voa_enable = p_voa_enable, .switch_route = p_route,
	.switch_get = p_route_get, .meter_input_mw = p_meter, .get = p_get,
};

static volatile bool stop;

static void *hub_main(void *arg)
{
	while (!stop)
		emu_hub_run_once(arg, 20);
	return NULL;
}

START_TEST(test_libserialport_under_umockdev)
{
	UMockdevTestbed *tb;
	struct bert_clock *clock = bert_clock_virtual_new();
	struct emu_plant plant = { .ops = &plant_ops, .clock = clock };
	struct emu_hub *hub;
	struct scpi_emu *e;
	struct voa *v;
	pthread_t th;
	double db;
	int fd;

	tb = umockdev_testbed_new();
	ck_assert(umockdev_in_mock_environment());
	/* An FT232R USB-serial adapter with its tty, in umockdev's record
	 * format: the N: line makes umockdev create /dev/ttyUSB0 as a pty. */
	ck_assert(umockdev_testbed_add_from_string(tb,
		"P: /devices/usb1/1-1\n"
		"E: SUBSYSTEM=usb\n"
		"E: DEVTYPE=usb_device\n"
		"A: idVendor=0403\nA: idProduct=6001\nA: busnum=1\nA: devnum=2\n"
		"A: manufacturer=FTDI\nA: product=FT232R USB UART\nA: serial=BERT0001\n"
		"\n"
		"P: /devices/usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0\n"
		"N: ttyUSB0\n"
		"E: SUBSYSTEM=tty\n"
		"E: DEVNAME=/dev/ttyUSB0\n"
		"A: dev=188:0\n", NULL));
	fd = umockdev_testbed_get_dev_fd(tb, "/dev/ttyUSB0");
	ck_assert_int_ge(fd, 0);

	scpi_sim_set_plant(&plant);
	ck_assert_int_eq(scpi_sim_emu("voa1", &e), BERT_OK);
	ck_assert_int_eq(emu_hub_new(clock, 1000.0, &hub), BERT_OK);
	ck_assert_int_eq(emu_hub_add_fd(hub, e, dup(fd)), BERT_OK);
	stop = false;
	pthread_create(&th, NULL, hub_main, hub);

	ck_assert_msg(voa_open("serial:/dev/ttyUSB0?baud=115200&parity=none&flow=none#chan=2",
			       NULL, &v) == BERT_OK, "%s", bert_error_detail());
	/* the real libserialport path, not the termios fallback */
	ck_assert(scpi_serial_uses_libserialport(voa_instr(v)->dev));
	ck_assert_str_eq(voa_instr(v)->idn.model, "N7764A");
	ck_assert_int_eq(voa_set_attenuation(v, 6), BERT_OK);
	ck_assert_double_eq_tol(plant_db[2], 6, 0.1 + 1e-9);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	ck_assert_double_eq_tol(db, 6, 1e-3);
	/* an instrument error through libserialport */
	ck_assert_int_eq(scpi_cmd(voa_instr(v)->dev, "INP2:ATT 70"), BERT_ERR_RANGE);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	voa_close(v);

	stop = true;
	pthread_join(th, NULL);
	emu_hub_free(hub);
	scpi_sim_reset();
	g_object_unref(tb);
	bert_clock_free(clock);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("umockdev");
	TCase *tc = tcase_create("serial");
	SRunner *sr;
	int failed;

	if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "libumockdev-preload")) {
		fprintf(stderr, "umockdev_serial: not under umockdev's preload library; "
			"run through `make check`\n");
		return 77;
	}
	tcase_add_test(tc, test_libserialport_under_umockdev);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* one process: umockdev's testbed and the preload share state */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
