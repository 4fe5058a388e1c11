// SPDX-License-Identifier: MIT
/* i2c_page_read: one 128-byte CMIS page read by the host driver
 * (cmis_read: BankSelect+PageSelect write + STOP, offset write, Sr, 128-byte
 * read, STOP) through the ftdi backend over the emulated MPSSE chip and the
 * emulated CMIS module, at 400 kHz and 1 MHz. Prints one JSON line:
 *
 *   efficiency = bus-limited time (ideal bus time of those clocks and
 *                conditions at that SCL, i2c_batch_bus_time_ns)
 *              / (emulated bus time + USB round trips x 125 us)
 */
#include <stdio.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/i2c_ftdi.h"
#include "fixtures/sim/cmis_module.h"
#include "fixtures/sim/mpsse_engine.h"

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

int main(void)
{
	struct result r400, r1m;
	int rc = run(400000, &r400);

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
	return EXIT_SUCCESS;
}
