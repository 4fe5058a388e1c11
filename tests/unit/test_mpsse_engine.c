// SPDX-License-Identifier: MIT
/* fixtures/sim/mpsse_engine.c on its own (command parser, shift register,
 * timing, FIFO, pins) and the ftdi I2C backend over it: data, round trips,
 * every fault knob and the transaction after it. */
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "fixtures/i2c_ftdi.h"
#include "fixtures/sim/mpsse_engine.h"
#include "common.h"
#include "sim_eeprom.h"

static struct bert_clock *clk;
static struct mpsse_engine *eng;
static struct ftdi_port *port;
static struct sim_eeprom ee;

static void setup_chip(enum mpsse_chip chip)
{
	struct i2c_target t;

	clk = bert_clock_virtual_new();
	eng = mpsse_engine_new(clk, chip);
	ck_assert_ptr_nonnull(eng);
	sim_eeprom_init(&ee);
	t = sim_eeprom_target(&ee, 0x50);
	ck_assert_int_eq(mpsse_engine_attach(eng, &t), BERT_OK);
	port = mpsse_engine_port_new(eng);
}

static void setup(void)
{
	setup_chip(MPSSE_FT232H);
}

static void teardown(void)
{
	ftdi_port_free(port);
	port = NULL;
	mpsse_engine_free(eng);
	bert_clock_free(clk);
}

static void wr(const uint8_t *b, size_t n)
{
	ck_assert_int_eq(port->ops->write(port, b, n), BERT_OK);
}

static size_t rd(uint8_t *b, size_t n)
{
	int r = port->ops->read(port, b, n);

	ck_assert_int_ge(r, 0);
	return (size_t)r;
}

static void mpsse_mode(void)
{
	ck_assert_int_eq(port->ops->set_bitmode(port, 0, FTDI_BITMODE_MPSSE), BERT_OK);
}

/* ---- the chip alone ---- */

START_TEST(test_uart_mode_ignores_commands)
{
	static const uint8_t sync[] = { 0xAB, 0x87 };
	uint8_t r[4];
	uint64_t t0 = bert_clock_now(clk);

	wr(sync, 2);
	ck_assert_uint_eq(rd(r, 4), 0);
	/* one round trip plus a status-only packet after the 16 ms latency */
	ck_assert_uint_eq(bert_clock_now(clk) - t0, 125 * BERT_NS_PER_US + 16 * BERT_NS_PER_MS);
}
END_TEST

START_TEST(test_bad_command_echo)
{
	static const uint8_t cmd[] = { 0xAB, 0x9E, 0x07, 0x00, 0x90, 0x87 };
	uint8_t r[8];

	mpsse_mode();
	wr(cmd, sizeof(cmd));
	/* FT232H has 0x9E (3 bytes); 0x90 is bad */
	ck_assert_uint_eq(rd(r, 8), 4);
	ck_assert_uint_eq(r[0], 0xFA);
	ck_assert_uint_eq(r[1], 0xAB);
	ck_assert_uint_eq(r[2], 0xFA);
	ck_assert_uint_eq(r[3], 0x90);
}
END_TEST

START_TEST(test_bad_command_chip_specific)
{
	static const uint8_t cmd[] = { 0x9E, 0x83 };
	uint8_t r[8];

	teardown();
	setup_chip(MPSSE_FT4232H);
	mpsse_mode();
	wr(cmd, sizeof(cmd));
	/* no open drain, no ACBUS on FT4232H: both bad, 0x9E takes no operand */
	ck_assert_uint_eq(rd(r, 8), 4);
	ck_assert_uint_eq(r[1], 0x9E);
	ck_assert_uint_eq(r[3], 0x83);
}
END_TEST

START_TEST(test_split_commands)
{
	static const uint8_t a[] = { 0x80, 0x18 }, b[] = { 0x1B, 0x81, 0x86, 0x31 },
		c[] = { 0x00, 0x8A, 0x8C, 0x11, 0x01 }, d[] = { 0x00, 0xA0 },
		e2[] = { 0x00, 0x81 };
	uint8_t r[4];

	mpsse_mode();
	wr(a, sizeof(a));		/* 0x80 missing its direction byte */
	ck_assert_uint_eq(rd(r, 4), 0);
	wr(b, sizeof(b));		/* ... completed, 0x81, half a 0x86 */
	ck_assert_uint_eq(rd(r, 4), 1);
	ck_assert_uint_eq(r[0] & 0x18, 0x18);	/* ADBUS3/4 outputs high */
	wr(c, sizeof(c));		/* divisor completed, a 2-byte 0x11 begun */
	ck_assert_uint_eq(mpsse_engine_tck_hz(eng), 600000);
	ck_assert(mpsse_engine_three_phase(eng));
	wr(d, sizeof(d));		/* one data byte of two still missing */
	ck_assert_uint_eq(rd(r, 4), 0);
	wr(e2, sizeof(e2));
	ck_assert_uint_eq(rd(r, 4), 1);
	{
		struct mpsse_engine_stats st;

		mpsse_engine_stats(eng, &st);
		ck_assert_uint_eq(st.scl_clocks, 16);
		ck_assert_uint_eq(st.bad_commands, 0);
	}
}
END_TEST

/* bit reads shift in at bit 0 over stale content (libmpsse#3: 1 then 3) */
START_TEST(test_shift_register)
{
	static const uint8_t cmd[] = { 0x80, 0x03, 0x03, 0x22, 0x00, 0x22, 0x00,
				       0x84, 0x80, 0x01, 0x03, 0x22, 0x00, 0x22, 0x01, 0x87 };
	uint8_t r[8];

	mpsse_mode();
	wr(cmd, sizeof(cmd));
	ck_assert_uint_eq(rd(r, 8), 4);
	ck_assert_uint_eq(r[0], 0x01);
	ck_assert_uint_eq(r[1], 0x03);
	/* loopback: DI = DO = 0 now */
	ck_assert_uint_eq(r[2], 0x06);
	ck_assert_uint_eq(r[3], 0x18);
}
END_TEST

START_TEST(test_timing)
{
	/* 400 kHz: div5 off, 3-phase, div 49 -> 2.5 us per bit */
	static const uint8_t cfg[] = { 0x8A, 0x8C, 0x86, 49, 0x00 };
	static const uint8_t bits[] = { 0x13, 0x07, 0xFF, 0x13, 0x00, 0xFF, 0x80, 0x03, 0x03 };
	uint64_t t0;
	struct mpsse_engine_stats st;

	mpsse_mode();
	wr(cfg, sizeof(cfg));
	t0 = bert_clock_now(clk);
	wr(bits, sizeof(bits));
	ck_assert_uint_eq(bert_clock_now(clk) - t0, 9 * 2500 + 500);
	mpsse_engine_stats(eng, &st);
	ck_assert_uint_eq(st.bus_time_ns, 9 * 2500 + 500);
	ck_assert_uint_eq(st.usb_round_trips, 0);
	/* div5 on, 2-phase: 12 MHz / 100 = 120 kHz TCK, 8.333 us per bit */
	{
		static const uint8_t slow[] = { 0x8B, 0x8D, 0x13, 0x02, 0xFF };

		t0 = bert_clock_now(clk);
		wr(slow, sizeof(slow));
		ck_assert_uint_eq(bert_clock_now(clk) - t0, 25000);
	}
}
END_TEST

/* without 0x87 the reply waits for the latency timer */
START_TEST(test_latency_without_flush)
{
	static const uint8_t get[] = { 0x81 }, get_flush[] = { 0x81, 0x87 };
	uint8_t r[2];
	uint64_t t0;

	mpsse_mode();
	ck_assert_int_eq(port->ops->set_latency(port, 2), BERT_OK);
	t0 = bert_clock_now(clk);
	wr(get, 1);
	ck_assert_uint_eq(rd(r, 2), 1);
	ck_assert_uint_eq(bert_clock_now(clk) - t0, 500 + 125000 + 2000000);
	t0 = bert_clock_now(clk);
	wr(get_flush, 2);
	ck_assert_uint_eq(rd(r, 2), 1);
	ck_assert_uint_eq(bert_clock_now(clk) - t0, 500 + 125000);
}
END_TEST

START_TEST(test_rx_fifo_stall)
{
	static const uint8_t big[] = { 0x20, 0xCF, 0x07, 0x87 };	/* read 2000 */
	uint8_t r[2048];
	size_t got = 0;
	int n;

	mpsse_mode();
	ck_assert_int_eq(port->ops->write(port, big, sizeof(big)), BERT_ERR_IO);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "RX FIFO"));
	/* a reading host lets it finish */
	while ((n = port->ops->read(port, r + got, sizeof(r) - got)) > 0)
		got += (size_t)n;
	ck_assert_uint_eq(got, 2000);
}
END_TEST

/* ---- the ftdi backend over the chip ---- */

static struct i2c_bus *open_bus(unsigned hz, enum mpsse_seq seq)
{
	struct i2c_bus *bus = NULL;

	ck_assert_int_eq(i2c_ftdi_open(port, hz, seq, &bus), BERT_OK);
	port = NULL;	/* the bus owns it */
	return bus;
}

/* [W 127 page] STOP [W off] Sr [R n] STOP */
static int page_read(struct i2c_bus *bus, uint8_t page, uint8_t off, uint8_t *buf,
		     uint16_t n)
{
	uint8_t sel[2] = { 127, page };
	struct i2c_msg msgs[3] = {
		{ 0x50, I2C_MSG_STOP, 2, sel },
		{ 0x50, 0, 1, &off },
		{ 0x50, I2C_MSG_READ, n, buf },
	};

	return i2c_xfer(bus, msgs, 3);
}

static void check_page(const uint8_t *buf, uint8_t page)
{
	unsigned i;

	for (i = 0; i < 128; i++)
		ck_assert_msg(buf[i] == ee.upper[page][i], "byte %u: %02x != %02x",
			      i, buf[i], ee.upper[page][i]);
}

START_TEST(test_page_read_one_round_trip)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	struct mpsse_engine_stats st0, st;
	uint8_t buf[128];

	mpsse_engine_stats(eng, &st0);
	ck_assert_int_eq(page_read(bus, 2, 128, buf, 128), BERT_OK);
	check_page(buf, 2);
	mpsse_engine_stats(eng, &st);
	ck_assert_uint_eq(bus->stats.transactions, 1);
	ck_assert_uint_eq(bus->stats.usb_round_trips, 1);
	ck_assert_uint_eq(st.usb_round_trips - st0.usb_round_trips, 1);
	ck_assert_uint_eq(st.scl_clocks - st0.scl_clocks, 9 * (3 + 2 + 129));
	ck_assert_uint_eq(st.contentions, 0);
	ck_assert_uint_eq(bus->stats.bytes_read, 128);
	ck_assert_uint_eq(bus->stats.bus_time_ns, st.bus_time_ns - st0.bus_time_ns);
	/* the target saw exactly 128 reads and both STOPs */
	ck_assert_uint_eq(ee.reads, 128);
	ck_assert_uint_eq(ee.stops, 2);
	ck_assert_uint_eq(ee.lower[127], 2);
	i2c_bus_free(bus);
}
END_TEST

struct variant {
	enum mpsse_chip chip;
	enum mpsse_seq seq;
	unsigned hz;
};

static const struct variant variants[] = {
	{ MPSSE_FT232H, MPSSE_SEQ_LEAN, 100000 },
	{ MPSSE_FT232H, MPSSE_SEQ_LEAN, 400000 },
	{ MPSSE_FT232H, MPSSE_SEQ_LEAN, 1000000 },
	{ MPSSE_FT232H, MPSSE_SEQ_SPEC, 400000 },
	{ MPSSE_FT232H, MPSSE_SEQ_TRISTATE, 400000 },
	{ MPSSE_FT2232H, MPSSE_SEQ_TRISTATE, 100000 },
	{ MPSSE_FT2232H, MPSSE_SEQ_TRISTATE, 1000000 },
	{ MPSSE_FT4232H, MPSSE_SEQ_TRISTATE, 400000 },
};

START_TEST(test_variants_write_read)
{
	const struct variant *v = &variants[_i];
	struct i2c_bus *bus;
	struct mpsse_engine_stats st;
	uint8_t w[5] = { 0x10, 0xC0, 0xFF, 0xEE, 0x01 }, off = 0x10, r[4];
	struct i2c_msg wmsg = { 0x50, 0, 5, w };
	struct i2c_msg rmsg[2] = { { 0x50, 0, 1, &off }, { 0x50, I2C_MSG_READ, 4, r } };
	uint8_t buf[128];

	teardown();
	setup_chip(v->chip);
	bus = open_bus(v->hz, v->seq);
	ck_assert_int_eq(i2c_xfer(bus, &wmsg, 1), BERT_OK);
	ck_assert_int_eq(i2c_xfer(bus, rmsg, 2), BERT_OK);
	ck_assert(memcmp(r, w + 1, 4) == 0);
	ck_assert_int_eq(page_read(bus, 3, 128, buf, 128), BERT_OK);
	check_page(buf, 3);
	ck_assert_uint_eq(bus->stats.usb_round_trips, 3);
	mpsse_engine_stats(eng, &st);
	ck_assert_uint_eq(st.contentions, 0);
	ck_assert(mpsse_engine_sda(eng) && mpsse_engine_scl(eng));
	i2c_bus_free(bus);
}
END_TEST

/* push-pull SDA against an ACKing target is caught */
START_TEST(test_contention_detected)
{
	struct i2c_bus *bus;
	struct mpsse_engine_stats st;
	uint8_t off = 0;
	struct i2c_msg m = { 0x50, 0, 1, &off };

	teardown();
	setup_chip(MPSSE_FT2232H);
	bus = open_bus(400000, 0);
	ck_assert_int_eq(i2c_xfer(bus, &m, 1), BERT_OK);
	mpsse_engine_stats(eng, &st);
	ck_assert_uint_eq(st.contentions, 0);
	i2c_bus_free(bus);
	/* FT232H sequences without the open-drain mask: '1' bits and released
	 * SDA are driven high while the target pulls low */
	teardown();
	setup_chip(MPSSE_FT232H);
	bus = open_bus(400000, MPSSE_SEQ_LEAN);
	{
		static const uint8_t no_od[] = { 0x9E, 0x00, 0x00 };

		ck_assert_int_eq(i2c_ftdi_port(bus)->ops->write(i2c_ftdi_port(bus), no_od, 3),
				 BERT_OK);
	}
	i2c_xfer(bus, &m, 1);
	mpsse_engine_stats(eng, &st);
	ck_assert_uint_gt(st.contentions, 0);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_large_read_splits)
{
	struct i2c_bus *bus = open_bus(1000000, 0);
	static uint8_t buf[2000];
	uint8_t off = 0;
	struct i2c_msg m[2] = { { 0x50, 0, 1, &off }, { 0x50, I2C_MSG_READ, 2000, buf } };
	struct mpsse_engine_stats st;
	unsigned i;

	ck_assert_int_eq(i2c_xfer(bus, m, 2), BERT_OK);
	for (i = 0; i < 2000; i++)
		ck_assert_uint_eq(buf[i], *sim_eeprom_at(&ee, (uint8_t)i));
	ck_assert_uint_eq(bus->stats.usb_round_trips, 2);
	mpsse_engine_stats(eng, &st);
	ck_assert_uint_eq(st.stalls, 0);
	ck_assert_uint_eq(ee.reads, 2000);
	ck_assert_uint_eq(ee.stops, 1);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_fault_addr_nack)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t buf[128];

	mpsse_engine_fault_addr_nack(eng, 0x50, 1);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_ERR_NACK);
	ck_assert_str_eq(bert_error_detail(), "i2c 0x50: address not acknowledged (message 0)");
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_OK);
	check_page(buf, 1);
	/* an absent target, and an address-only probe */
	{
		struct i2c_msg probe = { 0x51, 0, 0, NULL };

		ck_assert_int_eq(i2c_xfer(bus, &probe, 1), BERT_ERR_NACK);
		probe.addr = 0x50;
		ck_assert_int_eq(i2c_xfer(bus, &probe, 1), BERT_OK);
	}
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_fault_nack_byte)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t w[4] = { 0x20, 1, 2, 3 }, buf[128];
	struct i2c_msg m = { 0x50, 0, 4, w };

	mpsse_engine_fault_nack_byte(eng, 2);
	ck_assert_int_eq(i2c_xfer(bus, &m, 1), BERT_ERR_NACK);
	ck_assert_str_eq(bert_error_detail(), "i2c 0x50: byte 2 of message 0 not acknowledged");
	ck_assert_uint_eq(ee.lower[0x20], 1);
	ck_assert_uint_eq(ee.lower[0x21], (uint8_t)(0x21 ^ 0x5a));	/* not written */
	ck_assert_int_eq(i2c_xfer(bus, &m, 1), BERT_OK);
	ck_assert_uint_eq(ee.lower[0x21], 2);
	ck_assert_int_eq(page_read(bus, 0, 128, buf, 128), BERT_OK);
	check_page(buf, 0);
	i2c_bus_free(bus);
}
END_TEST

/* a NACK in the first segment of a split transaction: STOP, nothing more */
START_TEST(test_fault_nack_split)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	static uint8_t w[1500];
	struct i2c_msg m = { 0x50, 0, sizeof(w), w };
	struct mpsse_engine_stats st0, st;

	mpsse_engine_stats(eng, &st0);
	mpsse_engine_fault_nack_byte(eng, 100);
	ck_assert_int_eq(i2c_xfer(bus, &m, 1), BERT_ERR_NACK);
	ck_assert_str_eq(bert_error_detail(), "i2c 0x50: byte 100 of message 0 not acknowledged");
	ck_assert_uint_eq(bus->stats.usb_round_trips, 1);
	mpsse_engine_stats(eng, &st);
	ck_assert(mpsse_engine_sda(eng) && mpsse_engine_scl(eng));
	ck_assert_uint_eq(st.starts - st0.starts, 1);
	ck_assert_uint_eq(st.stops - st0.stops, 1);
	m.len = 3;
	ck_assert_int_eq(i2c_xfer(bus, &m, 1), BERT_OK);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_fault_sda_stuck)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t buf[128];

	mpsse_engine_fault_sda_stuck(eng, UINT32_MAX);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_ERR_IO);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "SDA stuck low"));
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "recovery (9 clocks + STOP) failed"));
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_ERR_IO);
	mpsse_engine_fault_sda_stuck(eng, 0);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_OK);
	check_page(buf, 1);
	/* a target that lets go within 9 clocks: recovery frees the bus */
	mpsse_engine_fault_sda_stuck(eng, 5);
	{
		struct i2c_msg probe = { 0x50, 0, 0, NULL };

		ck_assert_int_eq(i2c_xfer(bus, &probe, 1), BERT_ERR_IO);
	}
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "freed it"));
	ck_assert_int_eq(page_read(bus, 2, 128, buf, 128), BERT_OK);
	check_page(buf, 2);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_fault_short_reads)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t buf[128];

	mpsse_engine_fault_short_reads(eng, 7, 3);
	ck_assert_int_eq(page_read(bus, 3, 128, buf, 128), BERT_OK);
	check_page(buf, 3);
	ck_assert_uint_eq(bus->stats.usb_round_trips, 1);
	mpsse_engine_fault_short_reads(eng, 0, 0);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_fault_drop_reply)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t buf[128];
	uint64_t t0 = bert_clock_now(clk);

	mpsse_engine_fault_drop_reply(eng, 1);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_ERR_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "by the deadline"));
	ck_assert_uint_lt(bert_clock_now(clk) - t0, 100 * BERT_NS_PER_MS);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_OK);
	check_page(buf, 1);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_fault_stale_bytes)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	static const uint8_t junk[] = { 0x00, 0x00, 0x00 };
	uint8_t buf[128];

	mpsse_engine_inject_stale(eng, junk, sizeof(junk));
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_ERR_IO);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "out of step"));
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_OK);
	check_page(buf, 1);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_fault_unplug)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t buf[128];

	mpsse_engine_unplug(eng);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_ERR_NODEV);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_ERR_NODEV);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "device not found"));
	mpsse_engine_replug(eng);
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_OK);
	check_page(buf, 1);
	i2c_bus_free(bus);
}
END_TEST

static unsigned gpio_calls;
static uint8_t gpio_last;

static void on_gpio(void *user, unsigned p, uint8_t levels)
{
	(void)user;
	if (p == 0) {
		gpio_calls++;
		gpio_last = levels;
	}
}

START_TEST(test_gpio)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t lo, hi, buf[128];

	mpsse_engine_on_output(eng, on_gpio, NULL);
	/* ADBUS4 out high (ResetL), ADBUS5 out low (LPMode), ADBUS6 in */
	ck_assert_int_eq(i2c_ftdi_set_gpio(bus, 0x10, 0x30, 0x01, 0x01), BERT_OK);
	ck_assert_uint_eq(gpio_calls, 1);
	ck_assert_uint_eq(gpio_last & 0x30, 0x10);
	ck_assert_uint_eq(mpsse_engine_pins(eng, 1) & 0x01, 0x01);
	mpsse_engine_set_input(eng, 0, 0x40, 0x00);	/* ModPrsL asserted */
	ck_assert_int_eq(i2c_ftdi_get_gpio(bus, &lo, &hi), BERT_OK);
	ck_assert_uint_eq(lo & 0x70, 0x10);
	ck_assert_uint_eq(lo & 0x07, 0x07);		/* bus idle */
	ck_assert_uint_eq(hi & 0x01, 0x01);
	/* I2C traffic keeps them */
	ck_assert_int_eq(page_read(bus, 1, 128, buf, 128), BERT_OK);
	ck_assert_uint_eq(mpsse_engine_pins(eng, 0) & 0x30, 0x10);
	ck_assert_uint_eq(gpio_calls, 1);
	i2c_bus_free(bus);
}
END_TEST

START_TEST(test_zero_length_read_rejected)
{
	struct i2c_bus *bus = open_bus(400000, 0);
	uint8_t b;
	struct i2c_msg m = { 0x50, I2C_MSG_READ, 0, &b };

	ck_assert_int_eq(i2c_xfer(bus, &m, 1), BERT_ERR_ARG);
	i2c_bus_free(bus);
}
END_TEST

Suite *suite_mpsse_engine(void)
{
	Suite *s = suite_create("mpsse_engine");
	TCase *tc = tcase_create("chip");
	TCase *tb = tcase_create("ftdi backend");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_uart_mode_ignores_commands);
	tcase_add_test(tc, test_bad_command_echo);
	tcase_add_test(tc, test_bad_command_chip_specific);
	tcase_add_test(tc, test_split_commands);
	tcase_add_test(tc, test_shift_register);
	tcase_add_test(tc, test_timing);
	tcase_add_test(tc, test_latency_without_flush);
	tcase_add_test(tc, test_rx_fifo_stall);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_add_test(tb, test_page_read_one_round_trip);
	tcase_add_loop_test(tb, test_variants_write_read, 0,
			    (int)(ARRAY_SIZE(variants)));
	tcase_add_test(tb, test_contention_detected);
	tcase_add_test(tb, test_large_read_splits);
	tcase_add_test(tb, test_fault_addr_nack);
	tcase_add_test(tb, test_fault_nack_byte);
	tcase_add_test(tb, test_fault_nack_split);
	tcase_add_test(tb, test_fault_sda_stuck);
	tcase_add_test(tb, test_fault_short_reads);
	tcase_add_test(tb, test_fault_drop_reply);
	tcase_add_test(tb, test_fault_stale_bytes);
	tcase_add_test(tb, test_fault_unplug);
	tcase_add_test(tb, test_gpio);
	tcase_add_test(tb, test_zero_length_read_rejected);
	suite_add_tcase(s, tb);
	return s;
}
