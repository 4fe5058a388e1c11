// SPDX-License-Identifier: MIT
/* fixtures/mpsse.c: byte streams against FTDI AN_135, I2C wiring, ACK
 * decoding, first-NACK reporting, FIFO splitting. */
#include <string.h>

#include "bert/core/error.h"
#include "fixtures/mpsse.h"
#include "common.h"

#define ck_bytes(got, glen, ...) do {					\
	static const uint8_t exp_[] = { __VA_ARGS__ };			\
	size_t i_;							\
	ck_assert_uint_eq((glen), sizeof(exp_));			\
	for (i_ = 0; i_ < sizeof(exp_); i_++)				\
		ck_assert_msg((got)[i_] == exp_[i_], "byte %zu: %02x, expected %02x", \
			      i_, (got)[i_], exp_[i_]);			\
} while (0)

static struct mpsse_i2c m400(enum mpsse_seq seq)
{
	struct mpsse_i2c m;

	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT232H, 400000, seq), BERT_OK);
	return m;
}

START_TEST(test_setup_bytes)
{
	struct mpsse_i2c m = m400(MPSSE_SEQ_SPEC);
	uint8_t b[64];
	size_t n;

	n = mpsse_setup_encode(&m, b, sizeof(b));
	ck_bytes(b, n, 0x8A, 0x97, 0x8C, 0x86, 49, 0, 0x80, 0x03, 0x03,
		 0x82, 0x00, 0x00, 0x85, 0x9E, 0x07, 0x00);
	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT232H, 100000, 0), BERT_OK);
	ck_assert_uint_eq(m.divisor, 199);
	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT232H, 1000000, 0), BERT_OK);
	ck_assert_uint_eq(m.divisor, 19);
	ck_assert_int_eq(m.seq, MPSSE_SEQ_LEAN);

	/* FT2232H: tristate, no 0x9E; FT4232H: no ACBUS either */
	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT2232H, 400000, 0), BERT_OK);
	ck_assert_int_eq(m.seq, MPSSE_SEQ_TRISTATE);
	n = mpsse_setup_encode(&m, b, sizeof(b));
	ck_bytes(b, n, 0x8A, 0x97, 0x8C, 0x86, 49, 0, 0x80, 0x01, 0x01,
		 0x82, 0x00, 0x00, 0x85);
	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT4232H, 100000, 0), BERT_OK);
	n = mpsse_setup_encode(&m, b, sizeof(b));
	ck_bytes(b, n, 0x8A, 0x97, 0x8C, 0x86, 199, 0, 0x80, 0x01, 0x01, 0x85);

	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT2232H, 400000, MPSSE_SEQ_LEAN),
			 BERT_ERR_ARG);
	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT232H, 5000000, 0), BERT_ERR_ARG);
	/* snprintf-style sizing */
	ck_assert_uint_eq(mpsse_setup_encode(&m, NULL, 0), 10);
}
END_TEST

/* pyftdi's sequence, FT232H at 400 kHz (n_hd 2, n_su_sto 2, n_buf 3) */
START_TEST(test_spec_sequences_400k)
{
	struct mpsse_i2c m = m400(MPSSE_SEQ_SPEC);
	uint8_t b[128];
	size_t n;

	ck_assert_uint_eq(m.n_hd, 2);
	ck_assert_uint_eq(m.n_su_sto, 2);
	ck_assert_uint_eq(m.n_buf, 3);
	n = mpsse_i2c_encode_start(&m, false, b, sizeof(b));
	ck_bytes(b, n, 0x80, 0x01, 0x03, 0x80, 0x01, 0x03,
		 0x80, 0x00, 0x03, 0x80, 0x00, 0x03);
	n = mpsse_i2c_encode_start(&m, true, b, sizeof(b));
	ck_bytes(b, n, 0x80, 0x03, 0x03, 0x80, 0x03, 0x03, 0x80, 0x03, 0x03,
		 0x80, 0x01, 0x03, 0x80, 0x01, 0x03, 0x80, 0x00, 0x03, 0x80, 0x00, 0x03);
	n = mpsse_i2c_encode_write(&m, 0xA0, b, sizeof(b));
	ck_bytes(b, n, 0x11, 0x00, 0x00, 0xA0, 0x80, 0x02, 0x03, 0x22, 0x00);
	n = mpsse_i2c_encode_read(&m, true, b, sizeof(b));
	ck_bytes(b, n, 0x20, 0x00, 0x00, 0x13, 0x00, 0x00,
		 0x80, 0x02, 0x03, 0x80, 0x02, 0x03, 0x80, 0x02, 0x03);
	n = mpsse_i2c_encode_read(&m, false, b, sizeof(b));
	ck_bytes(b, n, 0x20, 0x00, 0x00, 0x13, 0x00, 0xFF,
		 0x80, 0x02, 0x03, 0x80, 0x02, 0x03, 0x80, 0x02, 0x03);
	n = mpsse_i2c_encode_stop(&m, b, sizeof(b));
	ck_bytes(b, n, 0x80, 0x02, 0x03, 0x80, 0x02, 0x03, 0x80, 0x00, 0x03,
		 0x80, 0x00, 0x03, 0x80, 0x01, 0x03, 0x80, 0x01, 0x03,
		 0x80, 0x03, 0x03, 0x80, 0x03, 0x03, 0x80, 0x03, 0x03);
}
END_TEST

/* the n table of pyftdi i2c.py: 100 kHz 9/9/10, 1 MHz 1/1/2; one read byte
 * costs 36 command bytes at 100 kHz (pyftdi#181) and 15 at 400 kHz */
START_TEST(test_timing_repeats)
{
	struct mpsse_i2c m;

	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT232H, 100000, MPSSE_SEQ_SPEC), BERT_OK);
	ck_assert_uint_eq(m.n_hd, 9);
	ck_assert_uint_eq(m.n_su_sto, 9);
	ck_assert_uint_eq(m.n_buf, 10);
	ck_assert_uint_eq(mpsse_i2c_encode_read(&m, true, NULL, 0), 36);
	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT232H, 1000000, MPSSE_SEQ_SPEC), BERT_OK);
	ck_assert_uint_eq(m.n_hd, 1);
	ck_assert_uint_eq(m.n_su_sto, 1);
	ck_assert_uint_eq(m.n_buf, 2);
	m = m400(MPSSE_SEQ_SPEC);
	ck_assert_uint_eq(mpsse_i2c_encode_read(&m, true, NULL, 0), 15);
}
END_TEST

START_TEST(test_lean_and_tristate_sequences)
{
	struct mpsse_i2c m = m400(MPSSE_SEQ_LEAN);
	uint8_t b[64];
	size_t n;

	n = mpsse_i2c_encode_write(&m, 0x7E, b, sizeof(b));
	ck_bytes(b, n, 0x11, 0x00, 0x00, 0x7E, 0x33, 0x00, 0xFF);
	n = mpsse_i2c_encode_read(&m, true, b, sizeof(b));
	ck_bytes(b, n, 0x31, 0x00, 0x00, 0xFF, 0x13, 0x00, 0x00);
	n = mpsse_i2c_encode_read(&m, false, b, sizeof(b));
	ck_bytes(b, n, 0x31, 0x00, 0x00, 0xFF, 0x13, 0x00, 0xFF);

	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT2232H, 400000, 0), BERT_OK);
	n = mpsse_i2c_encode_write(&m, 0x7E, b, sizeof(b));
	ck_bytes(b, n, 0x80, 0x00, 0x03, 0x13, 0x06, 0x7E, 0x13, 0x00, 0x00,
		 0x80, 0x00, 0x01, 0x22, 0x00);
	n = mpsse_i2c_encode_write(&m, 0xA1, b, sizeof(b));
	ck_bytes(b, n, 0x80, 0x00, 0x03, 0x13, 0x06, 0xA1, 0x80, 0x00, 0x01,
		 0x13, 0x00, 0xFF, 0x22, 0x00);
	n = mpsse_i2c_encode_read(&m, true, b, sizeof(b));
	ck_bytes(b, n, 0x20, 0x00, 0x00, 0x80, 0x00, 0x03, 0x13, 0x00, 0x00,
		 0x80, 0x00, 0x01, 0x80, 0x00, 0x01, 0x80, 0x00, 0x01);
	n = mpsse_i2c_encode_stop(&m, b, sizeof(b));
	ck_bytes(b, n, 0x80, 0x00, 0x01, 0x80, 0x00, 0x01, 0x80, 0x00, 0x03,
		 0x80, 0x00, 0x03, 0x80, 0x01, 0x03, 0x80, 0x01, 0x03,
		 0x80, 0x01, 0x01, 0x80, 0x01, 0x01, 0x80, 0x01, 0x01);
}
END_TEST

/* every 0x80 carries the GPIO bits; 0x82 carries ACBUS */
START_TEST(test_gpio_preserved)
{
	struct mpsse_i2c m = m400(MPSSE_SEQ_SPEC);
	struct i2c_msg msg[2];
	uint8_t wr = 0x10, rd[2], b[512];
	size_t n, i;

	mpsse_i2c_set_gpio(&m, 0x17, 0x37, 0xA5, 0x0F);	/* bits 0..2 ignored */
	ck_assert_uint_eq(m.gpio_val, 0x10);
	ck_assert_uint_eq(m.gpio_dir, 0x30);
	msg[0] = (struct i2c_msg){ 0x50, 0, 1, &wr };
	msg[1] = (struct i2c_msg){ 0x50, I2C_MSG_READ, 2, rd };
	n = mpsse_i2c_encode(&m, msg, 2, 0, mpsse_i2c_units(msg, 2), b, sizeof(b));
	ck_assert_uint_le(n, sizeof(b));
	for (i = 0; i < n; i++) {
		switch (b[i]) {
		case 0x80:
			ck_assert_uint_eq(b[i + 1] & 0xF8, 0x10);
			ck_assert_uint_eq(b[i + 2] & 0xF8, 0x30);
			i += 2;
			break;
		case 0x11: case 0x31:
			i += 3;
			break;
		case 0x13: case 0x20: case 0x33:
			i += 2;
			break;
		case 0x22:
			i += 1;
			break;
		default:
			break;
		}
	}
	n = mpsse_gpio_encode(&m, b, sizeof(b));
	ck_bytes(b, n, 0x80, 0x13, 0x33, 0x82, 0xA5, 0x0F);
	n = mpsse_gpio_read_encode(&m, b, sizeof(b));
	ck_bytes(b, n, 0x81, 0x83, 0x87);
}
END_TEST

/* A CMIS page read batch: [W 127, page] STOP [W off] Sr [R 3] STOP */
START_TEST(test_batch_layout)
{
	struct mpsse_i2c m = m400(MPSSE_SEQ_SPEC);
	uint8_t sel[2] = { 127, 0x11 }, off = 0x80, rd[3];
	struct i2c_msg msg[3] = {
		{ 0x50, I2C_MSG_STOP, 2, sel },
		{ 0x50, 0, 1, &off },
		{ 0x50, I2C_MSG_READ, 3, rd },
	};
	uint8_t b[1024], exp[1024];
	size_t n, k = 0, units = mpsse_i2c_units(msg, 3);

	ck_assert_uint_eq(units, 3 + 2 + 4);
	ck_assert_uint_eq(mpsse_i2c_split(&m, msg, 3, 0), units);
	n = mpsse_i2c_encode(&m, msg, 3, 0, units, b, sizeof(b));
	exp[k++] = 0x81;
	k += mpsse_i2c_encode_start(&m, false, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_write(&m, 0xA0, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_write(&m, 127, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_write(&m, 0x11, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_stop(&m, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_start(&m, false, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_write(&m, 0xA0, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_write(&m, 0x80, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_start(&m, true, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_write(&m, 0xA1, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_read(&m, true, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_read(&m, true, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_read(&m, false, exp + k, sizeof(exp) - k);
	k += mpsse_i2c_encode_stop(&m, exp + k, sizeof(exp) - k);
	exp[k++] = 0xAB;
	exp[k++] = 0x87;
	ck_assert_uint_eq(n, k);
	ck_assert(memcmp(b, exp, k) == 0);
	ck_assert_uint_eq(b[n - 1], 0x87);
	ck_assert_uint_eq(mpsse_i2c_reply_len(0, units), units + 3);
}
END_TEST

START_TEST(test_decode)
{
	uint8_t sel[2] = { 127, 0x11 }, off = 0x80, rd[3];
	struct i2c_msg msg[3] = {
		{ 0x50, I2C_MSG_STOP, 2, sel },
		{ 0x51, 0, 1, &off },
		{ 0x51, I2C_MSG_READ, 3, rd },
	};
	/* pins, 3 ACKs, 2 ACKs, addr ACK, 3 data, marker; stale upper bits in
	 * the ACK bytes (shift register) must be ignored */
	uint8_t r[] = { 0x07, 0x00, 0xFE, 0x02, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE,
			0xFA, 0xAB };
	size_t nack = 99;

	ck_assert_int_eq(mpsse_i2c_decode(msg, 3, 0, 9, r, sizeof(r), &nack), BERT_OK);
	ck_assert_uint_eq(rd[0], 0xDE);
	ck_assert_uint_eq(rd[2], 0xBE);
	ck_assert_uint_eq(nack, 99);

	r[5] = 0x01;	/* offset byte of message 1 */
	ck_assert_int_eq(mpsse_i2c_decode(msg, 3, 0, 9, r, sizeof(r), &nack), BERT_ERR_NACK);
	ck_assert_uint_eq(nack, 4);
	ck_assert_str_eq(bert_error_detail(), "i2c 0x51: byte 0 of message 1 not acknowledged");
	r[6] = 0x03;	/* a later NACK does not hide the first */
	ck_assert_int_eq(mpsse_i2c_decode(msg, 3, 0, 9, r, sizeof(r), &nack), BERT_ERR_NACK);
	ck_assert_uint_eq(nack, 4);
	r[1] = 0xFF;	/* address of message 0 */
	ck_assert_int_eq(mpsse_i2c_decode(msg, 3, 0, 9, r, sizeof(r), &nack), BERT_ERR_NACK);
	ck_assert_str_eq(bert_error_detail(), "i2c 0x50: address not acknowledged (message 0)");
	r[1] = r[5] = r[6] = 0;

	r[0] = 0x03;	/* SDA_I low before START */
	ck_assert_int_eq(mpsse_i2c_decode(msg, 3, 0, 9, r, sizeof(r), NULL), BERT_ERR_IO);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "SDA stuck low"));
	r[0] = 0x07;
	r[10] = 0x00;	/* marker shifted: stale bytes */
	ck_assert_int_eq(mpsse_i2c_decode(msg, 3, 0, 9, r, sizeof(r), NULL), BERT_ERR_PROTOCOL);
	ck_assert_int_eq(mpsse_i2c_decode(msg, 3, 0, 9, r, 5, NULL), BERT_ERR_PROTOCOL);
	/* a segment starting mid-transaction does not check the pins */
	r[10] = 0xFA;
	ck_assert(!mpsse_i2c_starts_idle(msg, 3, 6));
	ck_assert(mpsse_i2c_starts_idle(msg, 3, 3));
	ck_assert(!mpsse_i2c_starts_idle(msg, 3, 5));
}
END_TEST

START_TEST(test_split)
{
	struct mpsse_i2c m = m400(0);	/* FT232H: 1024-byte FIFO */
	static uint8_t big[2000], a[400], b[400], c[400];
	uint8_t off = 0;
	struct i2c_msg three[3] = {
		{ 0x50, I2C_MSG_READ | I2C_MSG_STOP, 400, a },
		{ 0x50, I2C_MSG_READ | I2C_MSG_STOP, 400, b },
		{ 0x50, I2C_MSG_READ | I2C_MSG_STOP, 400, c },
	};
	struct i2c_msg one[2] = {
		{ 0x50, 0, 1, &off },
		{ 0x50, I2C_MSG_READ, 2000, big },
	};
	size_t u;

	/* whole transactions: 401 + 401 fit, the third goes alone */
	u = mpsse_i2c_split(&m, three, 3, 0);
	ck_assert_uint_eq(u, 802);
	ck_assert_uint_le(mpsse_i2c_reply_len(0, u), m.fifo);
	ck_assert_uint_eq(mpsse_i2c_split(&m, three, 3, u), 1203);
	/* one transaction over the FIFO: byte boundaries, full segments */
	u = mpsse_i2c_split(&m, one, 2, 0);
	ck_assert_uint_eq(mpsse_i2c_reply_len(0, u), m.fifo);
	ck_assert_uint_eq(mpsse_i2c_split(&m, one, 2, u), 2003);
	ck_assert(!mpsse_i2c_starts_idle(one, 2, u));
	/* FT2232H: 4 KiB, all in one */
	ck_assert_int_eq(mpsse_i2c_init(&m, MPSSE_FT2232H, 400000, 0), BERT_OK);
	ck_assert_uint_eq(mpsse_i2c_split(&m, one, 2, 0), 2003);
}
END_TEST

Suite *suite_mpsse(void)
{
	Suite *s = suite_create("mpsse");
	TCase *tc = tcase_create("encoder");

	tcase_add_test(tc, test_setup_bytes);
	tcase_add_test(tc, test_spec_sequences_400k);
	tcase_add_test(tc, test_timing_repeats);
	tcase_add_test(tc, test_lean_and_tristate_sequences);
	tcase_add_test(tc, test_gpio_preserved);
	tcase_add_test(tc, test_batch_layout);
	tcase_add_test(tc, test_decode);
	tcase_add_test(tc, test_split);
	suite_add_tcase(s, tc);
	return s;
}
