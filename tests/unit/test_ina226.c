// SPDX-License-Identifier: MIT
/* INA226 emulator and host reader, on the sim bus and through the full
 * MPSSE path (ftdi backend over the emulated chip). */
#include <math.h>

#include "bert/core/error.h"
#include "fixtures/i2c_ftdi.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/ina226.h"
#include "fixtures/sim/ina226_sim.h"
#include "fixtures/sim/mpsse_engine.h"
#include "common.h"

struct load {
	double v, i;
};

static void sample(void *user, double *v, double *i)
{
	struct load *l = user;

	*v = l->v;
	*i = l->i;
}

static void check_reading(struct i2c_bus *bus, struct load *l)
{
	struct ina226_reading r;

	ck_assert_int_eq(ina226_probe(bus, 0x40), BERT_OK);
	ck_assert_int_eq(ina226_read(bus, 0x40, 0.01, &r), BERT_OK);
	ck_assert_double_eq_tol(r.bus_v, 3.3, 1.25e-3);
	ck_assert_double_eq_tol(r.shunt_v, 0.035, 2.5e-6);
	ck_assert_double_eq_tol(r.current_a, 3.5, 1e-3);
	ck_assert_double_eq_tol(r.power_w, 11.55, 0.01);
	/* the load changes: a new reading follows */
	l->i = 0.5;
	ck_assert_int_eq(ina226_read(bus, 0x40, 0.01, &r), BERT_OK);
	ck_assert_double_eq_tol(r.power_w, 1.65, 0.005);
	/* reverse current reads negative (signed shunt register) */
	l->i = -0.1;
	ck_assert_int_eq(ina226_read(bus, 0x40, 0.01, &r), BERT_OK);
	ck_assert_double_eq_tol(r.current_a, -0.1, 1e-3);
	ck_assert_int_eq(ina226_read(bus, 0x40, 0.0, &r), BERT_ERR_ARG);
}

START_TEST(test_ina226_sim_bus)
{
	struct bert_clock *clk = bert_clock_virtual_new();
	struct load l = { 3.3, 3.5 };
	struct sim_ina226 *dev = sim_ina226_new(0.01, sample, &l);
	struct i2c_bus *bus = i2c_sim_new(clk, 400000);
	struct i2c_target t = sim_ina226_target(dev, 0x40);

	ck_assert_int_eq(i2c_sim_attach(bus, &t), BERT_OK);
	check_reading(bus, &l);
	ck_assert_int_eq(ina226_probe(bus, 0x41), BERT_ERR_NACK);
	i2c_bus_free(bus);
	sim_ina226_free(dev);
	bert_clock_free(clk);
}
END_TEST

START_TEST(test_ina226_mpsse)
{
	struct bert_clock *clk = bert_clock_virtual_new();
	struct mpsse_engine *e = mpsse_engine_new(clk, MPSSE_FT232H);
	struct load l = { 3.3, 3.5 };
	struct sim_ina226 *dev = sim_ina226_new(0.01, sample, &l);
	struct i2c_target t = sim_ina226_target(dev, 0x40);
	struct i2c_bus *bus = NULL;
	uint64_t rt;

	ck_assert_int_eq(mpsse_engine_attach(e, &t), BERT_OK);
	ck_assert_int_eq(i2c_ftdi_open(mpsse_engine_port_new(e), 400000, 0, &bus), BERT_OK);
	check_reading(bus, &l);
	/* one round trip per reading */
	rt = bus->stats.usb_round_trips;
	ck_assert_uint_eq(rt, bus->stats.transactions);
	i2c_bus_free(bus);
	sim_ina226_free(dev);
	mpsse_engine_free(e);
	bert_clock_free(clk);
}
END_TEST

START_TEST(test_ina226_registers)
{
	struct bert_clock *clk = bert_clock_virtual_new();
	struct load l = { 12.0, 2.0 };
	struct sim_ina226 *dev = sim_ina226_new(0.002, sample, &l);
	struct i2c_bus *bus = i2c_sim_new(clk, 400000);
	struct i2c_target t = sim_ina226_target(dev, 0x45);
	/* Current_LSB 1 mA, R 2 mOhm: CAL = 0.00512 / (1e-3 * 0.002) = 2560 */
	uint8_t cal[3] = { 0x05, 0x0A, 0x00 }, ptr, v[2];
	struct i2c_msg w = { 0x45, 0, 3, cal };
	struct i2c_msg r[2] = { { 0x45, 0, 1, &ptr }, { 0x45, I2C_MSG_READ, 2, v } };

	ck_assert_int_eq(i2c_sim_attach(bus, &t), BERT_OK);
	ck_assert_uint_eq(sim_ina226_reg(dev, 0x00), 0x4127);
	ck_assert_int_eq(i2c_xfer(bus, &w, 1), BERT_OK);
	ck_assert_uint_eq(sim_ina226_reg(dev, 0x05), 2560);
	ptr = 0x04;	/* current: 2 A / 1 mA */
	ck_assert_int_eq(i2c_xfer(bus, r, 2), BERT_OK);
	ck_assert_uint_eq(v[0] << 8 | v[1], 2000);
	ptr = 0x03;	/* power: 24 W / 25 mW */
	ck_assert_int_eq(i2c_xfer(bus, r, 2), BERT_OK);
	ck_assert_uint_eq(v[0] << 8 | v[1], 960);
	ptr = 0xFE;
	ck_assert_int_eq(i2c_xfer(bus, r, 2), BERT_OK);
	ck_assert_uint_eq(v[0] << 8 | v[1], 0x5449);
	/* config bit 15: reset */
	cal[0] = 0x00;
	cal[1] = 0x80;
	ck_assert_int_eq(i2c_xfer(bus, &w, 1), BERT_OK);
	ck_assert_uint_eq(sim_ina226_reg(dev, 0x05), 0);
	ck_assert_uint_eq(sim_ina226_reg(dev, 0x00), 0x4127);
	i2c_bus_free(bus);
	sim_ina226_free(dev);
	bert_clock_free(clk);
}
END_TEST

Suite *suite_ina226(void)
{
	Suite *s = suite_create("ina226");
	TCase *tc = tcase_create("ina226");

	tcase_add_test(tc, test_ina226_sim_bus);
	tcase_add_test(tc, test_ina226_mpsse);
	tcase_add_test(tc, test_ina226_registers);
	suite_add_tcase(s, tc);
	return s;
}
