// SPDX-License-Identifier: MIT
/* libFuzzer: random command bytes, split at random points, into the
 * emulated MPSSE chip with an I2C memory and an INA226 on its bus, with
 * reads, purges, pin changes and fault knobs in between. Must never crash,
 * leak or hang. Input: byte 0 chip and knobs, then records of
 * [ctl][payload: ctl & 0x1f bytes]; ctl >> 5 picks an action after the
 * write. */
#include <stddef.h>
#include <stdint.h>

#include "fixtures/sim/ina226_sim.h"
#include "fixtures/sim/mpsse_engine.h"
#include "tests/unit/sim_eeprom.h"

/* SCL clocks on the bus per input: enough for a 128-byte page read (about
 * 9 clocks a byte plus the address phases, ~1 200); every clock is two bus
 * evaluations over every target, the cost of an input under the
 * sanitizers, so a larger budget only slows the fuzzer down (4 000 gave
 * ~50 executions a second) */
#define CLOCK_BUDGET 1500ull

static void load(void *user, double *v, double *i)
{
	(void)user;
	*v = 3.3;
	*i = 1.25;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sim_eeprom ee;
	struct bert_clock *clk;
	struct mpsse_engine *e;
	struct sim_ina226 *ina;
	struct ftdi_port *port;
	struct i2c_target t;
	uint8_t buf[4096];
	size_t pos = 1;

	if (!size)
		return 0;
	clk = bert_clock_virtual_new();
	e = mpsse_engine_new(clk, (enum mpsse_chip)(data[0] % 3));
	ina = sim_ina226_new(0.01, load, NULL);
	sim_eeprom_init(&ee);
	t = sim_eeprom_target(&ee, 0x50);
	mpsse_engine_attach(e, &t);
	t = sim_ina226_target(ina, 0x40);
	mpsse_engine_attach(e, &t);
	port = mpsse_engine_port_new(e);
	mpsse_engine_set_clock_limit(e, CLOCK_BUDGET);
	if (data[0] & 0x08)
		mpsse_engine_fault_addr_nack(e, 0x50, 2);
	if (data[0] & 0x10)
		mpsse_engine_fault_nack_byte(e, data[0] >> 6);
	if (data[0] & 0x20)
		mpsse_engine_fault_sda_stuck(e, 12);
	if (data[0] & 0x40)
		mpsse_engine_fault_short_reads(e, 3, 2);
	port->ops->set_bitmode(port, 0, (data[0] & 0x04) ? 0x00 : 0x02);

	while (pos < size) {
		uint8_t ctl = data[pos++];
		size_t n = ctl & 0x1f;

		if (n > size - pos)
			n = size - pos;
		port->ops->write(port, data + pos, n);
		pos += n;
		switch (ctl >> 5) {
		case 0:
		case 1:
			port->ops->read(port, buf, sizeof(buf));
			break;
		case 2:
			port->ops->read(port, buf, 1);
			break;
		case 3:
			port->ops->purge(port);
			break;
		case 4:
			mpsse_engine_set_input(e, ctl & 1, 0xff, (uint8_t)(n * 37));
			break;
		case 5:
			mpsse_engine_inject_stale(e, data + pos - n, (unsigned)n);
			break;
		case 6:
			port->ops->set_bitmode(port, (uint8_t)n, 0x02);
			break;
		default:
			if (ctl & 1) {
				mpsse_engine_unplug(e);
				port->ops->write(port, data, 1);
				mpsse_engine_replug(e);
				port->ops->reopen(port);
				port->ops->set_bitmode(port, 0, 0x02);
			} else {
				mpsse_engine_detach(e, 0x40);
			}
			break;
		}
	}
	while (port->ops->read(port, buf, sizeof(buf)) > 0)
		;
	ftdi_port_free(port);
	mpsse_engine_free(e);
	sim_ina226_free(ina);
	bert_clock_free(clk);
	return 0;
}
