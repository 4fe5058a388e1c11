// SPDX-License-Identifier: MIT
/* The captured-memory module (fixtures/sim/image_module.h) on the sim bus:
 * bytes served as the file holds them, the pointer rules, what it refuses
 * and counts, bad files. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/image_module.h"
#include "common.h"

static char path[64];
static uint8_t img[128 * 3];	/* lower, 00h, 01h */
static struct bert_clock *clk;
static struct i2c_bus *bus;
static struct sim_image_module *mod;

static void write_image(uint8_t mem_char)
{
	FILE *f;
	unsigned i;

	for (i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 7 + 1);
	img[CMIS_MEM_CHAR] = mem_char;
	img[CMIS_BANK_SELECT] = 0x00;
	img[CMIS_PAGE_SELECT] = 0x23;	/* as captured: not what a host reads */
	snprintf(path, sizeof(path), "/tmp/bert_image_%d.bin", (int)getpid());
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(img, 1, sizeof(img), f), sizeof(img));
	fclose(f);
}

static void open_module(uint8_t mem_char)
{
	struct i2c_target t;

	write_image(mem_char);
	clk = bert_clock_virtual_new();
	bus = i2c_sim_new(clk, 400000);
	ck_assert_int_eq(sim_image_module_load(path, &mod), BERT_OK);
	t = sim_image_module_target(mod);
	ck_assert_int_eq(i2c_sim_attach(bus, &t), BERT_OK);
}

static void close_module(void)
{
	i2c_bus_free(bus);
	sim_image_module_free(mod);
	bert_clock_free(clk);
	unlink(path);
}

static int wr(const uint8_t *b, uint16_t n)
{
	struct i2c_msg m = { CMIS_I2C_ADDR, I2C_MSG_STOP, n, (uint8_t *)b };

	return i2c_xfer(bus, &m, 1);
}

static int rd(uint8_t off, uint8_t *buf, uint16_t n)
{
	struct i2c_msg m[2] = { { CMIS_I2C_ADDR, 0, 1, &off },
				{ CMIS_I2C_ADDR, I2C_MSG_READ | I2C_MSG_STOP, n, buf } };

	return i2c_xfer(bus, m, 2);
}

START_TEST(test_image_served)
{
	static const uint8_t sel01[3] = { CMIS_BANK_SELECT, 0, 0x01 };
	static const uint8_t sel05[3] = { CMIS_BANK_SELECT, 0, 0x05 };
	struct sim_image_module_stats st;
	uint8_t buf[256], want[128];

	open_module(0);
	/* lower + page 00h in one read; the select bytes read back live */
	ck_assert_int_eq(rd(0, buf, 256), BERT_OK);
	memcpy(want, img, 128);
	want[CMIS_PAGE_SELECT] = 0;
	ck_assert_mem_eq(buf, want, 128);
	ck_assert_mem_eq(buf + 128, img + 128, 128);
	/* page 01h; a read past 255 wraps to 128 of the same page */
	ck_assert_int_eq(wr(sel01, 3), BERT_OK);
	ck_assert_int_eq(rd(250, buf, 10), BERT_OK);
	ck_assert_mem_eq(buf, img + 256 + 122, 6);
	ck_assert_mem_eq(buf + 6, img + 256, 4);
	ck_assert_int_eq(rd(CMIS_PAGE_SELECT, buf, 1), BERT_OK);
	ck_assert_uint_eq(buf[0], 0x01);
	sim_image_module_stats(mod, &st);
	ck_assert_uint_eq(st.refused_writes, 0);
	ck_assert_uint_eq(st.absent_reads, 0);
	/* a page the capture lacks reads as zeros, counted */
	ck_assert_int_eq(wr(sel05, 3), BERT_OK);
	ck_assert_int_eq(rd(128, buf, 4), BERT_OK);
	ck_assert_uint_eq(buf[0] | buf[1] | buf[2] | buf[3], 0);
	sim_image_module_stats(mod, &st);
	ck_assert_uint_eq(st.absent_reads, 4);
	close_module();
}
END_TEST

START_TEST(test_image_refuses_writes)
{
	static const uint8_t ctl[2] = { 26, 0x10 };	/* LowPwrAllowRequestHW */
	static const uint8_t sel01[3] = { CMIS_BANK_SELECT, 0, 0x01 };
	static const uint8_t sel00[3] = { CMIS_BANK_SELECT, 0, 0x00 };
	struct sim_image_module_stats st;
	uint8_t b;

	open_module(0);
	ck_assert_int_eq(wr(ctl, 2), BERT_ERR_NACK);
	ck_assert_int_eq(rd(26, &b, 1), BERT_OK);
	ck_assert_uint_eq(b, img[26]);
	sim_image_module_stats(mod, &st);
	ck_assert_uint_eq(st.refused_writes, 1);
	close_module();
	/* flat memory: page 00h only */
	open_module(CMIS_MEM_FLAT);
	ck_assert_int_eq(wr(sel00, 3), BERT_OK);
	ck_assert_int_eq(wr(sel01, 3), BERT_ERR_NACK);
	ck_assert_int_eq(rd(CMIS_PAGE_SELECT, &b, 1), BERT_OK);
	ck_assert_uint_eq(b, 0);
	ck_assert_int_eq(rd(128, &b, 1), BERT_OK);
	ck_assert_uint_eq(b, img[128]);
	sim_image_module_stats(mod, &st);
	ck_assert_uint_eq(st.refused_writes, 1);
	close_module();
}
END_TEST

START_TEST(test_image_bad_file)
{
	struct sim_image_module *m = (struct sim_image_module *)1;

	ck_assert_int_eq(sim_image_module_load("/nonexistent/x.bin", &m), BERT_ERR_CONFIG);
	ck_assert_ptr_null(m);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "/nonexistent/x.bin"));
}
END_TEST

Suite *suite_image_module(void)
{
	Suite *s = suite_create("image_module");
	TCase *tc = tcase_create("image_module");

	tcase_add_test(tc, test_image_served);
	tcase_add_test(tc, test_image_refuses_writes);
	tcase_add_test(tc, test_image_bad_file);
	suite_add_tcase(s, tc);
	return s;
}
