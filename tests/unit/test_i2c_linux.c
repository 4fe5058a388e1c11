// SPDX-License-Identifier: MIT
/* fixtures/i2c_linux.c without hardware: a missing node, a node that is not
 * an adapter, the listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "fixtures/i2c_linux.h"
#include "common.h"

START_TEST(test_open_missing)
{
	struct i2c_bus *bus = (struct i2c_bus *)1;

	ck_assert_int_eq(i2c_linux_open("/dev/i2c-bert-missing", NULL, &bus), BERT_ERR_NODEV);
	ck_assert_ptr_null(bus);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "No such file"));
}
END_TEST

START_TEST(test_open_not_adapter)
{
	struct i2c_bus *bus;

	ck_assert_int_eq(i2c_linux_open("/dev/null", NULL, &bus), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "not an I2C adapter"));
}
END_TEST

START_TEST(test_list)
{
	char dir[] = "/tmp/bert-i2c-XXXXXX", p[128];
	static const char *names[] = { "i2c-10", "i2c-3", "i2c-x", "i2c-", "tty0" };
	struct i2c_linux_adapter *v;
	size_t n, i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		FILE *f;

		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		f = fopen(p, "w");
		ck_assert_ptr_nonnull(f);
		fclose(f);
	}
	ck_assert_int_eq(i2c_linux_list(dir, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(v[0].nr, 3);
	ck_assert_uint_eq(v[1].nr, 10);
	snprintf(p, sizeof(p), "%s/i2c-3", dir);
	ck_assert_str_eq(v[0].path, p);
	free(v);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	ck_assert_int_eq(i2c_linux_list(dir, &v, &n), BERT_ERR_CONFIG);
	/* the real /dev lists fine, whatever it holds */
	ck_assert_int_eq(i2c_linux_list(NULL, &v, &n), BERT_OK);
	free(v);
}
END_TEST

Suite *suite_i2c_linux(void)
{
	Suite *s = suite_create("i2c_linux");
	TCase *tc = tcase_create("i2c-dev");

	tcase_add_test(tc, test_open_missing);
	tcase_add_test(tc, test_open_not_adapter);
	tcase_add_test(tc, test_list);
	suite_add_tcase(s, tc);
	return s;
}
