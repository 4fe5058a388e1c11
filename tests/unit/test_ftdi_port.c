// SPDX-License-Identifier: MIT
/* fixtures/ftdi_port_libftdi.c without an adapter: enumeration and opening
 * an adapter that is not there go through the real libftdi1/libusb calls
 * and fail cleanly. */
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "fixtures/ftdi_port.h"
#include "common.h"

START_TEST(test_list)
{
	struct ftdi_adapter *v = NULL;
	size_t n = 99, i;
	int rc = ftdi_port_list(&v, &n);

	/* BERT_ERR_IO where libusb has no USB at all (containers) */
	ck_assert_msg(rc == BERT_OK || rc == BERT_ERR_IO, "rc %d: %s", rc, bert_error_detail());
	if (rc == BERT_OK)
		for (i = 0; i < n; i++)
			ck_assert_uint_eq(v[i].vid, 0x0403);
	else
		ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

START_TEST(test_open_absent)
{
	struct ftdi_match m = { .serial = "BERT-NO-SUCH-ADAPTER", .interface = 0 };
	struct ftdi_port *port = (struct ftdi_port *)1;
	int rc = ftdi_port_libftdi_open(&m, bert_clock_monotonic(), &port);

	ck_assert_msg(rc == BERT_ERR_NODEV || rc == BERT_ERR_IO, "rc %d", rc);
	ck_assert_ptr_null(port);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "ftdi"));
	m.interface = 4;
	ck_assert_int_eq(ftdi_port_libftdi_open(&m, bert_clock_monotonic(), &port), BERT_ERR_ARG);
}
END_TEST

Suite *suite_ftdi_port(void)
{
	Suite *s = suite_create("ftdi_port");
	TCase *tc = tcase_create("libftdi1");

	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_open_absent);
	suite_add_tcase(s, tc);
	return s;
}
