// SPDX-License-Identifier: MIT
/* The usbdevfs-level FTDI chip (ft232h_dev.h) as unmodified libftdi1 and
 * libusb see it: descriptors and strings, the vendor requests and what the
 * chip refuses, status bytes per 512-byte packet, the latency timer on the
 * virtual clock, EEPROM words, unplug (pending and new URBs) and re-plug by
 * serial. Re-executes itself under umockdev's preload library. */
#include <check.h>
#include <libftdi1/ftdi.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "fixtures/sim/mpsse_engine.h"
#include "tests/usbdev/ft232h_dev.h"

static struct bert_clock *clk;
static struct mpsse_engine *eng;
static UMockdevTestbed *tb;
static struct ft232h_dev *dev;
static struct ftdi_context *ftdi;

static void setup(void)
{
	struct mpsse_engine *engines[FT232H_DEV_MAX_IFACES] = { NULL };

	clk = bert_clock_virtual_new();
	eng = mpsse_engine_new(clk, MPSSE_FT232H);
	engines[0] = eng;
	tb = umockdev_testbed_new();
	ck_assert(umockdev_in_mock_environment());
	dev = ft232h_dev_new(tb, MPSSE_FT232H, "UT232H01", engines);
	ck_assert_ptr_nonnull(dev);
	ck_assert_int_eq(ft232h_dev_plug(dev), 0);
	ftdi = ftdi_new();
	ck_assert_ptr_nonnull(ftdi);
	ck_assert_int_eq(ftdi_usb_open_desc(ftdi, 0x0403, 0x6014, NULL, "UT232H01"), 0);
}

static void teardown(void)
{
	ftdi_usb_close(ftdi);
	ftdi_free(ftdi);
	g_object_unref(tb);
	ft232h_dev_free(dev);
	mpsse_engine_free(eng);
	bert_clock_free(clk);
}

START_TEST(test_open_and_requests)
{
	char man[32], prod[32], ser[32];
	unsigned char lat, st[2];
	unsigned short w;
	struct ft232h_stats s;
	struct ftdi_device_list *list = NULL;

	ck_assert_int_eq(ftdi->type, TYPE_232H);
	ck_assert_int_eq(ftdi->max_packet_size, 512);
	/* a context of its own: ftdi_usb_get_strings closes the handle */
	{
		struct ftdi_context *c = ftdi_new();

		ck_assert_int_eq(ftdi_usb_find_all(c, &list, 0x0403, 0x6014), 1);
		ck_assert_int_eq(ftdi_usb_get_strings(c, list->dev, man, sizeof(man), prod,
						      sizeof(prod), ser, sizeof(ser)), 0);
		ftdi_list_free(&list);
		ftdi_free(c);
	}
	ck_assert_str_eq(man, "FTDI");
	ck_assert_str_eq(prod, "Single RS232-HS");
	ck_assert_str_eq(ser, "UT232H01");
	/* latency timer: default 16 ms, set and read back */
	ck_assert_int_eq(ftdi_get_latency_timer(ftdi, &lat), 0);
	ck_assert_int_eq(lat, 16);
	ck_assert_int_eq(ftdi_set_latency_timer(ftdi, 5), 0);
	ck_assert_int_eq(ftdi_get_latency_timer(ftdi, &lat), 0);
	ck_assert_int_eq(lat, 5);
	/* the chip itself stalls latency 0 (libftdi would not send it) */
	ft232h_dev_stats(dev, &s);
	ck_assert_int_eq(s.refused, 0);
	ck_assert_int_eq(libusb_control_transfer(ftdi->usb_dev, 0x40, 0x09, 0, 1, NULL, 0, 100),
			 LIBUSB_ERROR_PIPE);
	ck_assert_int_eq(ftdi_get_latency_timer(ftdi, &lat), 0);
	ck_assert_int_eq(lat, 5);
	ft232h_dev_stats(dev, &s);
	ck_assert_int_eq(s.refused, 1);
	/* and a request it does not know */
	ck_assert_int_eq(libusb_control_transfer(ftdi->usb_dev, 0x40, 0x55, 0, 1, NULL, 0, 100),
			 LIBUSB_ERROR_PIPE);
	ck_assert_int_eq(ftdi_poll_modem_status(ftdi, (unsigned short *)st), 0);
	ck_assert_int_eq(ftdi_set_event_char(ftdi, 0x7e, 1), 0);
	ck_assert_int_eq(ftdi_set_error_char(ftdi, 0, 0), 0);
	ck_assert_int_eq(ftdi_setflowctrl(ftdi, SIO_RTS_CTS_HS), 0);
	ck_assert_int_eq(ftdi_setflowctrl(ftdi, SIO_DISABLE_FLOW_CTRL), 0);
	ck_assert_int_eq(ftdi_usb_reset(ftdi), 0);
	ck_assert_int_eq(ftdi_tcioflush(ftdi), 0);
	/* EEPROM words 1 and 2: the IDs */
	ck_assert_int_eq(ftdi_read_eeprom_location(ftdi, 1, &w), 0);
	ck_assert_int_eq(w, 0x0403);
	ck_assert_int_eq(ftdi_read_eeprom_location(ftdi, 2, &w), 0);
	ck_assert_int_eq(w, 0x6014);
}
END_TEST

START_TEST(test_bulk_status_bytes_and_latency)
{
	uint8_t cmd[700], in[4096];
	struct ft232h_stats s0, s1;
	uint64_t t0;
	int n, i;

	ck_assert_int_eq(ftdi_set_latency_timer(ftdi, 5), 0);
	ck_assert_int_eq(ftdi_set_bitmode(ftdi, 0, BITMODE_MPSSE), 0);
	/* a bad opcode: 0xFA + the opcode, pushed by 0x87 */
	cmd[0] = 0xab;
	cmd[1] = 0x87;
	ck_assert_int_eq(ftdi_write_data(ftdi, cmd, 2), 2);
	ck_assert_int_eq(libusb_bulk_transfer(ftdi->usb_dev, 0x81, in, sizeof(in), &n, 1000), 0);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(in[0], 0x32);
	ck_assert_int_eq(in[1], 0x60);
	ck_assert_int_eq(in[2], 0xfa);
	ck_assert_int_eq(in[3], 0xab);
	/* nothing to send: after one latency period, the status bytes only */
	ft232h_dev_stats(dev, &s0);
	t0 = bert_clock_now(clk);
	ck_assert_int_eq(libusb_bulk_transfer(ftdi->usb_dev, 0x81, in, sizeof(in), &n, 1000), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(bert_clock_now(clk) - t0, 5 * BERT_NS_PER_MS);
	ft232h_dev_stats(dev, &s1);
	ck_assert_uint_eq(s1.in_status_only - s0.in_status_only, 1);
	/* one reply byte without 0x87: sent when the latency timer expires */
	cmd[0] = 0x81;
	ck_assert_int_eq(ftdi_write_data(ftdi, cmd, 1), 1);
	t0 = bert_clock_now(clk);
	ck_assert_int_eq(libusb_bulk_transfer(ftdi->usb_dev, 0x81, in, sizeof(in), &n, 1000), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_ge(bert_clock_now(clk) - t0, 5 * BERT_NS_PER_MS);
	/* 600 reply bytes: a full packet (2 + 510) then 2 + 90, status bytes
	 * at the start of each */
	for (i = 0; i < 600; i++)
		cmd[i] = 0x81;
	cmd[600] = 0x87;
	ck_assert_int_eq(ftdi_write_data(ftdi, cmd, 601), 601);
	ck_assert_int_eq(libusb_bulk_transfer(ftdi->usb_dev, 0x81, in, sizeof(in), &n, 1000), 0);
	ck_assert_int_eq(n, 512 + 92);
	ck_assert_int_eq(in[512], 0x32);
	ck_assert_int_eq(in[513], 0x60);
	/* through libftdi: the status bytes stripped */
	ck_assert_int_eq(ftdi_write_data(ftdi, cmd, 601), 601);
	n = 0;
	for (i = 0; i < 10 && n < 600; i++) {
		int r = ftdi_read_data(ftdi, in + n, 600 - n);

		ck_assert_int_ge(r, 0);
		n += r;
	}
	ck_assert_int_eq(n, 600);
	/* an endpoint the chip does not have */
	ck_assert_int_ne(libusb_bulk_transfer(ftdi->usb_dev, 0x83, in, 64, &n, 100), 0);
}
END_TEST

static void on_done(struct libusb_transfer *t)
{
	*(int *)t->user_data = 1;
}

START_TEST(test_unplug_replug)
{
	struct libusb_transfer *t = libusb_alloc_transfer(0);
	struct ftdi_context *again;
	uint8_t in[512], b = 0x87;
	struct ft232h_stats s;
	int done = 0;

	ck_assert_str_eq(ft232h_dev_node(dev), "/dev/bus/usb/001/002");
	/* a pending IN URB, then the cable is pulled */
	libusb_fill_bulk_transfer(t, ftdi->usb_dev, 0x81, in, sizeof(in), on_done, &done, 1000);
	ck_assert_int_eq(libusb_submit_transfer(t), 0);
	ft232h_dev_unplug(dev);
	while (!done)
		ck_assert_int_eq(libusb_handle_events_completed(ftdi->usb_ctx, &done), 0);
	ck_assert_int_eq(t->status, LIBUSB_TRANSFER_NO_DEVICE);
	libusb_free_transfer(t);
	/* new URBs */
	ck_assert_int_lt(ftdi_write_data(ftdi, &b, 1), 0);
	ck_assert_int_eq(ftdi_read_data(ftdi, in, sizeof(in)), LIBUSB_ERROR_NO_DEVICE);
	ft232h_dev_stats(dev, &s);
	ck_assert_uint_gt(s.nodev, 0);
	ck_assert_int_eq(s.unplugs, 1);
	ck_assert(!ft232h_dev_plugged(dev));
	/* gone from sysfs: no adapter to open */
	again = ftdi_new();
	ck_assert_int_eq(ftdi_usb_open_desc(again, 0x0403, 0x6014, NULL, "UT232H01"), -3);
	/* back, at the next address, with the same serial */
	ck_assert_int_eq(ft232h_dev_plug(dev), 0);
	ck_assert_str_eq(ft232h_dev_node(dev), "/dev/bus/usb/001/003");
	ck_assert_int_eq(ftdi_usb_open_desc(again, 0x0403, 0x6014, NULL, "UT232H01"), 0);
	ck_assert_int_eq(libusb_get_device_address(libusb_get_device(again->usb_dev)), 3);
	ck_assert_int_eq(ftdi_set_bitmode(again, 0, BITMODE_MPSSE), 0);
	ftdi_usb_close(again);
	ftdi_free(again);
}
END_TEST

/* An armed unplug completes from the main loop after the URB that triggers
 * it. If the program exits before that idle runs, the runner's next @plug
 * (unplug, then plug) must complete it, not leave it to pull the new
 * device out from under the next program. */
START_TEST(test_armed_unplug_then_plug)
{
	struct ftdi_context *again = ftdi_new();
	struct ft232h_stats s;
	uint8_t b = 0x87;

	ft232h_dev_arm_unplug(dev, 1);
	ck_assert_int_lt(ftdi_write_data(ftdi, &b, 1), 0);	/* that URB meets the unplug */
	ck_assert(!ft232h_dev_plugged(dev));
	ft232h_dev_unplug(dev);
	ck_assert_int_eq(ft232h_dev_plug(dev), 0);
	while (g_main_context_iteration(NULL, FALSE))
		;
	ck_assert(ft232h_dev_plugged(dev));
	ft232h_dev_stats(dev, &s);
	ck_assert_int_eq(s.unplugs, 1);
	ck_assert_int_eq(ftdi_usb_open_desc(again, 0x0403, 0x6014, NULL, "UT232H01"), 0);
	ck_assert_int_eq(ftdi_set_bitmode(again, 0, BITMODE_MPSSE), 0);
	ftdi_usb_close(again);
	ftdi_free(again);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("ft232h_usb");
	TCase *tc = tcase_create("usbdevfs");
	SRunner *sr;
	int failed;

	(void)argc;
	if (ft232h_reexec_preloaded(argv)) {
		printf("SKIP: ft232h_usb: cannot re-execute under umockdev's preload library\n");
		return EXIT_SUCCESS;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_and_requests);
	tcase_add_test(tc, test_bulk_status_bytes_and_latency);
	tcase_add_test(tc, test_unplug_replug);
	tcase_add_test(tc, test_armed_unplug_then_plug);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* one process: the testbed, its handler thread and libusb share it */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
