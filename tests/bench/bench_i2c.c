// SPDX-License-Identifier: MIT
/* i2c_page_read: one 128-byte page read (page-select write + STOP, offset
 * write, Sr, 128-byte read, STOP) through the ftdi backend over the emulated
 * MPSSE chip, at 400 kHz and 1 MHz. Prints one JSON line:
 *
 *   efficiency = bus-limited time (ideal bus time of those clocks and
 *                conditions at that SCL, i2c_batch_bus_time_ns)
 *              / (emulated bus time + USB round trips x 125 us)
 */
#include <stdio.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "fixtures/i2c_ftdi.h"
#include "fixtures/sim/mpsse_engine.h"
#include "tests/unit/sim_eeprom.h"

#define ADDR 0x50

static struct sim_eeprom ee;

/* The device under the bus; the only place that knows what it is (to be
 * replaced by the CMIS module emulator). */
static int attach_target(struct mpsse_engine *e)
{
	struct i2c_target t;

	sim_eeprom_init(&ee);
	t = sim_eeprom_target(&ee, ADDR);
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
	uint8_t sel[2] = { 127, 0x01 }, off = 128, buf[128];
	struct i2c_msg msgs[3] = {
		{ ADDR, I2C_MSG_STOP, 2, sel },
		{ ADDR, 0, 1, &off },
		{ ADDR, I2C_MSG_READ, 128, buf },
	};
	uint64_t ideal, actual;
	int rc;

	if (!clk || !e)
		return BERT_ERR_NOMEM;
	rc = attach_target(e);
	if (rc == BERT_OK)
		rc = i2c_ftdi_open(mpsse_engine_port_new(e), hz, MPSSE_SEQ_DEFAULT, &bus);
	if (rc != BERT_OK)
		goto out;
	mpsse_engine_stats(e, &s0);
	rc = i2c_xfer(bus, msgs, 3);
	if (rc != BERT_OK)
		goto out;
	mpsse_engine_stats(e, &s1);
	res->round_trips = s1.usb_round_trips - s0.usb_round_trips;
	res->clocks = s1.scl_clocks - s0.scl_clocks;
	ideal = i2c_batch_bus_time_ns(msgs, 3, hz);
	actual = (s1.bus_time_ns - s0.bus_time_ns) + res->round_trips * MPSSE_ENGINE_USB_RT_NS;
	res->efficiency = (double)ideal / (double)actual;
	if (bus->stats.usb_round_trips != res->round_trips)
		rc = bert_fail(BERT_ERR_INTERNAL, "round trips: bus %llu, chip %llu",
			       (unsigned long long)bus->stats.usb_round_trips,
			       (unsigned long long)res->round_trips);
out:
	i2c_bus_free(bus);
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
