// SPDX-License-Identifier: MIT
/* bert/core: errors, encodings, INI loading, the clocks. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "bert/core/ini.h"
#include "bert/core/units.h"
#include "common.h"

START_TEST(test_error_detail)
{
	int rc = bert_fail(BERT_ERR_NACK, "addr 0x%02x page %02xh", 0x50, 0x11);

	ck_assert_int_eq(rc, BERT_ERR_NACK);
	ck_assert_str_eq(bert_error_detail(), "addr 0x50 page 11h");
	bert_fail_ctx(rc, "reading lane status");
	ck_assert_str_eq(bert_error_detail(), "reading lane status: addr 0x50 page 11h");
	/* a context that brings its own separator does not double it */
	bert_fail(BERT_ERR_NACK, "the module NACKs");
	bert_fail_ctx(BERT_ERR_NACK, "module refused: ");
	ck_assert_str_eq(bert_error_detail(), "module refused: the module NACKs");
	ck_assert_str_eq(bert_strerror_name(BERT_ERR_TIMEOUT), "BERT_ERR_TIMEOUT");
	ck_assert_str_ne(bert_strerror(BERT_ERR_CHECKSUM), "unknown error");
	for (rc = 0; rc >= BERT_ERR_INTERNAL; rc--)
		ck_assert_str_ne(bert_strerror(rc), "unknown error");
}
END_TEST

START_TEST(test_dbm)
{
	ck_assert_double_eq_tol(bert_mw_to_dbm(1.0), 0.0, 1e-12);
	ck_assert_double_eq_tol(bert_mw_to_dbm(0.5), -3.0103, 1e-4);
	ck_assert(isinf(bert_mw_to_dbm(0.0)));
	ck_assert_double_eq_tol(bert_dbm_to_mw(bert_mw_to_dbm(0.37)), 0.37, 1e-12);
	/* ER 3.5 dB, Pavg 1 mW: OMA = 2 (ER-1)/(ER+1) mW */
	ck_assert_double_eq_tol(bert_oma_mw(1.0, bert_db_to_ratio(3.5)),
				2.0 * (2.2387 - 1) / (2.2387 + 1), 1e-4);
}
END_TEST

static const struct {
	double value;
	uint16_t raw;
} f16_cases[] = {
	{ 5.12e-4, 0x9200 },	/* OIF-CMIS 5.x F16 format, sonic test vector */
	{ 2.4e-5, 0x88f0 },	/* OIF-CMIS 5.x F16 format emulator example */
	{ 0.0, 0x0000 },
	{ 1e-24, 0x0001 },
	{ 2047e7, 0xffff },
};

START_TEST(test_f16)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f16_cases); i++) {
		double v = bert_f16_to_double(f16_cases[i].raw);

		ck_assert_msg(fabs(v - f16_cases[i].value) <= 1e-9 * f16_cases[i].value,
			      "case %zu: decode %g", i, v);
		ck_assert_msg(bert_f16_from_double(f16_cases[i].value) == f16_cases[i].raw,
			      "case %zu: encode 0x%04x", i,
			      bert_f16_from_double(f16_cases[i].value));
	}
	/* round trip keeps 3+ significant digits over the BER range */
	for (double b = 1e-15; b < 1; b *= 3.7) {
		double r = bert_f16_to_double(bert_f16_from_double(b));

		ck_assert_msg(fabs(r - b) / b < 5e-3, "f16 round trip %g -> %g", b, r);
	}
	ck_assert_uint_eq(bert_f16_from_double(-1.0), 0);
	ck_assert_uint_eq(bert_f16_from_double(1e30), 0xffff);
}
END_TEST

START_TEST(test_cmis_encodings)
{
	uint8_t b[2];

	ck_assert_double_eq_tol(bert_cmis_power_to_mw(10000), 1.0, 1e-12);
	ck_assert_uint_eq(bert_cmis_power_from_mw(0.5012), 5012);
	ck_assert_uint_eq(bert_cmis_power_from_mw(100.0), 65535);	/* saturates */
	ck_assert_uint_eq(bert_cmis_power_from_mw(-1.0), 0);
	ck_assert_double_eq_tol(bert_cmis_bias_to_ma(3000, 2), 12.0, 1e-12);
	ck_assert_uint_eq(bert_cmis_bias_from_ma(12.0, 2), 3000);
	ck_assert_double_eq_tol(bert_cmis_temp_to_c(0xff00), -1.0, 1e-12);
	ck_assert_uint_eq(bert_cmis_temp_from_c(-1.0), 0xff00);
	ck_assert_double_eq_tol(bert_cmis_temp_to_c(bert_cmis_temp_from_c(42.5)), 42.5, 1e-9);
	ck_assert_double_eq_tol(bert_cmis_vcc_to_v(33000), 3.3, 1e-12);
	ck_assert_uint_eq(bert_cmis_vcc_from_v(3.3), 33000);
	ck_assert_double_eq_tol(bert_cmis_db256_to_db(bert_cmis_db256_from_db(21.5)), 21.5, 1e-9);
	bert_put_be16(b, 0x1234);
	ck_assert_uint_eq(b[0], 0x12);
	ck_assert_uint_eq(bert_get_be16(b), 0x1234);
	bert_put_le16(b, 0x1234);
	ck_assert_uint_eq(b[0], 0x34);
	ck_assert_uint_eq(bert_get_le16(b), 0x1234);
}
END_TEST

struct ini_conf {
	double power;
	unsigned count;
	bool on;
	char name[8];
	unsigned lanes_seen;
};

static const struct bert_ini_field conf_fields[] = {
	{ "power", BERT_INI_DOUBLE, offsetof(struct ini_conf, power), -10, 10, 0 },
	{ "count", BERT_INI_UINT, offsetof(struct ini_conf, count), 0, 100, 0 },
	{ "on", BERT_INI_BOOL, offsetof(struct ini_conf, on), 0, 0, 0 },
	{ "name", BERT_INI_STRING, offsetof(struct ini_conf, name), 0, 0, 8 },
	BERT_INI_END,
};

static int conf_handler(void *user, const char *section, const char *name,
			const char *value)
{
	struct ini_conf *c = user;
	unsigned idx;
	int err;

	if (!strcmp(section, "main"))
		return bert_ini_set_field(conf_fields, c, section, name, value);
	if (bert_ini_section_index(section, "lane", 8, &idx, &err)) {
		if (err)
			return err;
		c->lanes_seen |= 1u << idx;
		return BERT_OK;
	}
	return bert_fail(BERT_ERR_CONFIG, "unknown section [%s]", section);
}

static const struct {
	const char *text;
	const char *expect;	/* NULL: parses */
} ini_cases[] = {
	{ "[main]\npower = -2.5\ncount = 0x10\non = yes\nname = abc\n[lane 3]\nx=1\n", NULL },
	{ "[main]\npower = 11\n", "t.ini:2: power: 11 is out of range [-10, 10]" },
	{ "[main]\n\npower = 1.5dB\n", "t.ini:3: power: '1.5dB' is not a number" },
	{ "[main]\ncount = -1\n", "t.ini:2: count: '-1' is not a whole number" },
	{ "[main]\ncolour = red\n", "t.ini:2: unknown key 'colour' in [main]" },
	{ "[main]\nname = toolongname\n", "t.ini:2: name: longer than 7 characters" },
	{ "[main]\non = maybe\n", "t.ini:2: on: 'maybe' is not a boolean (true/false)" },
	{ "[lane 9]\nx = 1\n", "t.ini:2: [lane 9]: lane number must be 1..8" },
	{ "[other]\nx = 1\n", "t.ini:2: unknown section [other]" },
	{ "[main]\npower = 1\nthis line has no equals\n", "t.ini:3: syntax error" },
	{ "[main]\npower = nan\n", "t.ini:2: power: 'nan' is not a number" },
};

START_TEST(test_ini)
{
	struct ini_conf c = { 0 };
	int rc;

	rc = bert_ini_parse_string("t.ini", ini_cases[_i].text, conf_handler, &c);
	if (!ini_cases[_i].expect) {
		ck_assert_int_eq(rc, BERT_OK);
		ck_assert_double_eq(c.power, -2.5);
		ck_assert_uint_eq(c.count, 16);
		ck_assert(c.on);
		ck_assert_str_eq(c.name, "abc");
		ck_assert_uint_eq(c.lanes_seen, 1u << 3);
		return;
	}
	ck_assert_int_eq(rc, BERT_ERR_CONFIG);
	ck_assert_msg(!strncmp(bert_error_detail(), ini_cases[_i].expect,
			       strlen(ini_cases[_i].expect)),
		      "case %d: got '%s'", _i, bert_error_detail());
}
END_TEST

START_TEST(test_ini_missing_file)
{
	struct ini_conf c = { 0 };

	ck_assert_int_eq(bert_ini_parse_file("/nonexistent/x.ini", conf_handler, &c),
			 BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "/nonexistent/x.ini: cannot open"));
}
END_TEST

START_TEST(test_clock_virtual_single)
{
	struct bert_clock *c = bert_clock_virtual_new();

	ck_assert(bert_clock_is_virtual(c));
	ck_assert_uint_eq(bert_clock_now(c), 0);
	ck_assert_int_eq(bert_clock_sleep(c, 5 * BERT_NS_PER_S), BERT_OK);
	ck_assert_uint_eq(bert_clock_now(c), 5 * BERT_NS_PER_S);
	ck_assert_int_eq(bert_clock_sleep_until(c, 1), BERT_OK);	/* past: no-op */
	ck_assert_uint_eq(bert_clock_now(c), 5 * BERT_NS_PER_S);
	bert_abort_request();
	ck_assert_int_eq(bert_clock_sleep(c, 1), BERT_ERR_ABORTED);
	bert_abort_clear();
	bert_clock_free(c);
}
END_TEST

/* Three workers sleeping different periods: each sees exactly its own
 * multiples of time, whatever the thread scheduling. */
struct worker_arg {
	struct bert_clock *clock;
	uint64_t period;
	unsigned steps;
	uint64_t seen[16];
	pthread_barrier_t *start;
};

static void *worker_main(void *p)
{
	struct worker_arg *w = p;
	unsigned i;

	bert_clock_worker_add(w->clock);
	pthread_barrier_wait(w->start);
	for (i = 0; i < w->steps; i++) {
		bert_clock_sleep(w->clock, w->period);
		w->seen[i] = bert_clock_now(w->clock);
	}
	bert_clock_worker_remove(w->clock);
	return NULL;
}

START_TEST(test_clock_virtual_workers)
{
	struct bert_clock *c = bert_clock_virtual_new();
	pthread_barrier_t start;
	struct worker_arg w[3] = {
		{ .period = 3, .steps = 10 },
		{ .period = 7, .steps = 5 },
		{ .period = 11, .steps = 3 },
	};
	pthread_t th[3];
	unsigned i, k;

	/* Register all workers before any may sleep, so nobody runs ahead. */
	pthread_barrier_init(&start, NULL, 3);
	for (i = 0; i < 3; i++) {
		w[i].clock = c;
		w[i].start = &start;
		pthread_create(&th[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++)
		for (k = 0; k < w[i].steps; k++)
			ck_assert_msg(w[i].seen[k] == (k + 1) * w[i].period,
				      "worker %u step %u woke at %llu", i, k,
				      (unsigned long long)w[i].seen[k]);
	ck_assert_uint_eq(bert_clock_now(c), 35);	/* the 7 x 5 worker ends last */
	pthread_barrier_destroy(&start);
	bert_clock_free(c);
}
END_TEST

START_TEST(test_clock_monotonic)
{
	struct bert_clock *c = bert_clock_monotonic();
	uint64_t a = bert_clock_now(c), b;

	ck_assert(!bert_clock_is_virtual(c));
	ck_assert_int_eq(bert_clock_sleep(c, 1000), BERT_OK);
	b = bert_clock_now(c);
	ck_assert_uint_ge(b, a + 1000);	/* ordering only, no timing bound */
}
END_TEST

Suite *suite_core(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_error_detail);
	tcase_add_test(tc, test_dbm);
	tcase_add_test(tc, test_f16);
	tcase_add_test(tc, test_cmis_encodings);
	tcase_add_loop_test(tc, test_ini, 0, ARRAY_SIZE(ini_cases));
	tcase_add_test(tc, test_ini_missing_file);
	tcase_add_test(tc, test_clock_virtual_single);
	tcase_add_test(tc, test_clock_virtual_workers);
	tcase_add_test(tc, test_clock_monotonic);
	suite_add_tcase(s, tc);
	return s;
}
