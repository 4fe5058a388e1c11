// SPDX-License-Identifier: MIT
/* i2c_page_read: one 128-byte CMIS page read by the host driver
 * (cmis_read: BankSelect+PageSelect write + STOP, offset write, Sr, 128-byte
 * read, STOP) through the ftdi backend over the emulated MPSSE chip and the
 * emulated CMIS module, at 400 kHz and 1 MHz. Prints one JSON line:
 *
 *   efficiency = bus-limited time (ideal bus time of those clocks and
 *                conditions at that SCL, i2c_batch_bus_time_ns)
 *              / (emulated bus time + USB round trips x 125 us)
 *
 * And a second line, i2c_page_read_usb: the same read at 400 kHz through the
 * real libftdi1 and libusb (fixtures/ftdi_port_libftdi.c) against the chip
 * emulated at the usbdevfs level under umockdev (tests/usbdev/ft232h_dev.h),
 * counting the URBs that cross the bus. The physical minimum for one
 * batched transaction whose reply fits one 512-byte high-speed bulk packet
 * (2 status bytes + the ACK bits and data bytes; AN232B-04 section 3.1):
 * one bulk OUT URB (the command stream, in as many 512-byte packets as it
 * needs) and one bulk IN URB of one packet, i.e. one USB round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/i2c_ftdi.h"
#include "fixtures/sim/cmis_module.h"
#include "fixtures/sim/mpsse_engine.h"
#include "tests/usbdev/ft232h_dev.h"

#define ADDR CMIS_I2C_ADDR

static struct sim_module *module;

/* The device under the bus: the emulated good DR4 module. */
static int attach_target(struct mpsse_engine *e, struct bert_clock *clk)
{
	struct sim_module_cfg cfg;
	struct i2c_target t;

	sim_module_cfg_default(&cfg);
	module = sim_module_new(&cfg, clk);
	if (!module)
		return bert_fail(BERT_ERR_NOMEM, "module");
	t = sim_module_target(module);
	return mpsse_engine_attach(e, &t);
}

struct result {
	uint64_t round_trips, clocks;
	double efficiency;
};

static int run(unsigned hz, struct result *res)
{
	struct bert_clock *clk = bert_clock_virtual_new();
	struct mpsse_engine *e = mpsse_engine_new(clk, MPSSE_FT232H);
	struct mpsse_engine_stats s0, s1;
	struct i2c_bus *bus = NULL;
	/* The batch cmis_read() sends for an upper page (cmis.h): used only to
	 * compute the bus-limited time of exactly those clocks. */
	uint8_t sel[3] = { CMIS_BANK_SELECT, 0, 0x01 }, off = 128, buf[128];
	struct i2c_msg msgs[3] = {
		{ ADDR, I2C_MSG_STOP, 3, sel },
		{ ADDR, 0, 1, &off },
		{ ADDR, I2C_MSG_READ, 128, buf },
	};
	struct cmis_dev *dev = NULL;
	uint64_t rt0;
	uint64_t ideal, actual;
	int rc;

	if (!clk || !e)
		return BERT_ERR_NOMEM;
	rc = attach_target(e, clk);
	if (rc == BERT_OK)
		rc = i2c_ftdi_open(mpsse_engine_port_new(e), hz, MPSSE_SEQ_DEFAULT, &bus);
	if (rc == BERT_OK)
		rc = cmis_open(bus, &dev);
	if (rc != BERT_OK)
		goto out;
	mpsse_engine_stats(e, &s0);
	rt0 = bus->stats.usb_round_trips;
	rc = cmis_read(dev, 0, 0x01, 128, buf, sizeof(buf));
	if (rc != BERT_OK)
		goto out;
	mpsse_engine_stats(e, &s1);
	res->round_trips = s1.usb_round_trips - s0.usb_round_trips;
	res->clocks = s1.scl_clocks - s0.scl_clocks;
	ideal = i2c_batch_bus_time_ns(msgs, 3, hz);
	actual = (s1.bus_time_ns - s0.bus_time_ns) + res->round_trips * MPSSE_ENGINE_USB_RT_NS;
	res->efficiency = (double)ideal / (double)actual;
	if (bus->stats.usb_round_trips - rt0 != res->round_trips)
		rc = bert_fail(BERT_ERR_INTERNAL, "round trips: bus %llu, chip %llu",
			       (unsigned long long)(bus->stats.usb_round_trips - rt0),
			       (unsigned long long)res->round_trips);
out:
	cmis_close(dev);
	i2c_bus_free(bus);
	sim_module_free(module);
	mpsse_engine_free(e);
	bert_clock_free(clk);
	return rc;
}

struct usb_result {
	struct ft232h_stats d;		/* deltas over the one cmis_read */
	uint64_t bus_round_trips;	/* as the host driver counts them */
};

static int run_usb(struct usb_result *res)
{
	struct bert_clock *clk = bert_clock_virtual_new();
	struct mpsse_engine *e = clk ? mpsse_engine_new(clk, MPSSE_FT232H) : NULL;
	struct mpsse_engine *engines[FT232H_DEV_MAX_IFACES] = { e };
	struct ftdi_match match = { .vid = 0x0403, .pid = 0x6014, .serial = "BENCH232H" };
	UMockdevTestbed *tb = NULL;
	struct ft232h_dev *d = NULL;
	struct ftdi_port *port = NULL;
	struct i2c_bus *bus = NULL;
	struct cmis_dev *dev = NULL;
	struct ft232h_stats s0, s1;
	uint8_t buf[128];
	uint64_t rt0;
	int rc;

	if (!e)
		return bert_fail(BERT_ERR_NOMEM, "bench_i2c");
	rc = attach_target(e, clk);
	if (rc)
		goto out;
	tb = umockdev_testbed_new();
	d = ft232h_dev_new(tb, MPSSE_FT232H, "BENCH232H", engines);
	if (!d || ft232h_dev_plug(d)) {
		rc = bert_fail(BERT_ERR_IO, "bench_i2c: cannot set up the emulated FT232H");
		goto out;
	}
	rc = ftdi_port_libftdi_open(&match, clk, &port);
	if (rc == BERT_OK)
		rc = i2c_ftdi_open(port, 400000, MPSSE_SEQ_DEFAULT, &bus);
	if (rc == BERT_OK)
		rc = cmis_open(bus, &dev);
	if (rc != BERT_OK)
		goto out;
	ft232h_dev_stats(d, &s0);
	rt0 = bus->stats.usb_round_trips;
	rc = cmis_read(dev, 0, 0x01, 128, buf, sizeof(buf));
	if (rc != BERT_OK)
		goto out;
	ft232h_dev_stats(d, &s1);
	res->bus_round_trips = bus->stats.usb_round_trips - rt0;
	res->d.urbs_bulk_out = s1.urbs_bulk_out - s0.urbs_bulk_out;
	res->d.urbs_bulk_in = s1.urbs_bulk_in - s0.urbs_bulk_in;
	res->d.urbs_control = s1.urbs_control - s0.urbs_control;
	res->d.out_packets = s1.out_packets - s0.out_packets;
	res->d.in_packets = s1.in_packets - s0.in_packets;
	res->d.in_status_only = s1.in_status_only - s0.in_status_only;
	res->d.bytes_out = s1.bytes_out - s0.bytes_out;
	res->d.bytes_in = s1.bytes_in - s0.bytes_in;
	res->d.usb_round_trips = s1.usb_round_trips - s0.usb_round_trips;
out:
	cmis_close(dev);
	i2c_bus_free(bus);	/* frees the port: libusb_close, libusb_exit */
	if (tb)
		g_object_unref(tb);
	ft232h_dev_free(d);
	sim_module_free(module);
	module = NULL;
	mpsse_engine_free(e);
	bert_clock_free(clk);
	return rc;
}

int main(int argc, char **argv)
{
	struct result r400, r1m;
	struct usb_result u = { 0 };
	int rc;

	(void)argc;
	/* the USB line needs umockdev's preload library; without it the
	 * in-process lines still run and the USB one says why */
	ft232h_reexec_preloaded(argv);
	rc = run(400000, &r400);
	if (rc == BERT_OK)
		rc = run(1000000, &r1m);
	if (rc != BERT_OK) {
		fprintf(stderr, "bench_i2c: %s: %s\n", bert_strerror(rc), bert_error_detail());
		return EXIT_FAILURE;
	}
	printf("{\"name\":\"i2c_page_read\",\"usb_round_trips\":%llu,\"bus_clocks\":%llu,"
	       "\"efficiency_400k\":%.3f,\"efficiency_1m\":%.3f}\n",
	       (unsigned long long)r400.round_trips, (unsigned long long)r400.clocks,
	       r400.efficiency, r1m.efficiency);
	if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "libumockdev-preload")) {
		printf("{\"name\":\"i2c_page_read_usb\",\"urbs_out\":null,\"urbs_in\":null,"
		       "\"usb_round_trips\":null,\"reason\":\"umockdev's preload library "
		       "could not be loaded\"}\n");
		return EXIT_SUCCESS;
	}
	rc = run_usb(&u);
	if (rc != BERT_OK) {
		fprintf(stderr, "bench_i2c: usb: %s: %s\n", bert_strerror(rc), bert_error_detail());
		return EXIT_FAILURE;
	}
	/* the bar: one bulk OUT, one bulk IN of one packet, nothing else */
	{
		/* the reply (ACK bits, pin reads, 128 data bytes) must fit one
		 * packet after its 2 status bytes for the minimum to hold */
		bool met = u.d.bytes_in + 2 <= 512 &&
			   u.d.urbs_bulk_out == 1 && u.d.urbs_bulk_in == 1 &&
			   u.d.in_packets == 1 && u.d.usb_round_trips == 1 &&
			   !u.d.urbs_control && !u.d.in_status_only;

		printf("{\"name\":\"i2c_page_read_usb\",\"urbs_out\":%llu,\"urbs_in\":%llu,"
		       "\"usb_round_trips\":%llu,\"urbs_control\":%llu,\"packets_out\":%llu,"
		       "\"packets_in\":%llu,\"status_only_in\":%llu,\"bytes_out\":%llu,"
		       "\"bytes_in\":%llu,\"min_urbs_out\":1,"
		       "\"min_urbs_in\":1,\"min_round_trips\":1,\"meets_minimum\":%s}\n",
		       (unsigned long long)u.d.urbs_bulk_out, (unsigned long long)u.d.urbs_bulk_in,
		       (unsigned long long)u.d.usb_round_trips, (unsigned long long)u.d.urbs_control,
		       (unsigned long long)u.d.out_packets, (unsigned long long)u.d.in_packets,
		       (unsigned long long)u.d.in_status_only, (unsigned long long)u.d.bytes_out,
		       (unsigned long long)u.d.bytes_in, met ? "true" : "false");
		if (u.bus_round_trips != u.d.usb_round_trips) {
			fprintf(stderr, "bench_i2c: usb: the driver counted %llu round trips, "
				"the device %llu\n", (unsigned long long)u.bus_round_trips,
				(unsigned long long)u.d.usb_round_trips);
			return EXIT_FAILURE;
		}
	}
	return EXIT_SUCCESS;
}
