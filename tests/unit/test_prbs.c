// SPDX-License-Identifier: MIT
/* bert/signal/prbs: known answers (IEEE 802.3 120.5.11.2;
 * docs/SOURCES.md), periods, the
 * checker on clean and corrupted streams, scalar and SIMD paths alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/signal/prbs.h"
#include "bert/signal/simd.h"
#include "common.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void syms_to_str(const uint8_t *s, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = (char)('0' + s[i]);
	out[n] = 0;
}

/* docs/SOURCES.md, known answers: IEEE's first symbols */
START_TEST(test_first_symbols)
{
	static const struct {
		enum bert_prbs_pattern p;
		const char *first;
	} cases[] = {
		{ BERT_PRBS13Q, "1031320220111130103121231210012102121023131112" },
		{ BERT_PRBS31Q, "22222222222222012222222222220002222222222201201222" },
		{ BERT_SSPRQ, "2222222222222132222222222221221222222222213213222222222122222122" },
	};
	struct bert_prbs_gen g;
	uint8_t sym[64];
	char s[65];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		n = strlen(cases[i].first);
		ck_assert_int_eq(bert_prbs_gen_init(&g, cases[i].p, 0, 0), BERT_OK);
		ck_assert_int_eq(bert_prbs_gen_symbols(&g, sym, n), BERT_OK);
		syms_to_str(sym, n, s);
		ck_assert_msg(!strcmp(s, cases[i].first), "%s: %s",
			      bert_prbs_name(cases[i].p), s);
	}
}
END_TEST

/* Whole sequences against the golden files and the symbol counts of
 * docs/SOURCES.md, known answers (sha256 pinned there is of these very files). */
static void golden(enum bert_prbs_pattern p, const char *file, size_t n,
		   const unsigned counts[4])
{
	const char *path = test_shared_path(file);
	struct bert_prbs_gen g;
	uint8_t *sym = malloc(n);
	unsigned cnt[4] = { 0, 0, 0, 0 };
	size_t i;
	FILE *f;

	ck_assert_ptr_nonnull(sym);
	ck_assert_int_eq(bert_prbs_gen_init(&g, p, 0, 0), BERT_OK);
	ck_assert_int_eq(bert_prbs_gen_symbols(&g, sym, n), BERT_OK);
	for (i = 0; i < n; i++)
		cnt[sym[i]]++;
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(cnt[i], counts[i]);
	if (!path) {
		free(sym);	/* skip printed by test_shared_path() */
		return;
	}
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++) {
		int v;

		ck_assert_int_eq(fscanf(f, "%d", &v), 1);
		ck_assert_msg(v == sym[i], "%s symbol %zu: %d != %d",
			      bert_prbs_name(p), i, sym[i], v);
	}
	fclose(f);
	/* and the period: the next symbol starts over */
	{
		uint8_t again[8], first[8];
		struct bert_prbs_gen g2;

		bert_prbs_gen_symbols(&g, again, 8);
		bert_prbs_gen_init(&g2, p, 0, 0);
		bert_prbs_gen_symbols(&g2, first, 8);
		if (p == BERT_SSPRQ)
			ck_assert_mem_eq(again, first, 8);
	}
	free(sym);
}

START_TEST(test_golden_ssprq)
{
	static const unsigned c[4] = { 15215, 17553, 17552, 15215 };

	golden(BERT_SSPRQ, "patterns/ssprq_symbols.txt", 65535, c);
}
END_TEST

START_TEST(test_golden_prbs13q)
{
	static const unsigned c[4] = { 2047, 2048, 2048, 2048 };

	golden(BERT_PRBS13Q, "patterns/prbs13q_symbols.txt", 8191, c);
}
END_TEST

static unsigned bit_at(const uint8_t *b, uint64_t n)
{
	return (b[n >> 3] >> (7 - (n & 7))) & 1;
}

/* The period of each short PRBS is 2^n - 1: the stream repeats there and
 * not at any divisor-free shorter shift we probe. */
START_TEST(test_periods)
{
	static const enum bert_prbs_pattern ps[] = {
		BERT_PRBS7, BERT_PRBS9, BERT_PRBS11, BERT_PRBS13, BERT_PRBS15,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ps); i++) {
		uint64_t per = bert_prbs_period_bits(ps[i]), n;
		size_t bytes = (size_t)(2 * per / 8 + 16);
		uint8_t *b = malloc(bytes);
		struct bert_prbs_gen g;
		unsigned ones = 0;

		bert_prbs_gen_init(&g, ps[i], 0, 0);
		bert_prbs_gen_bytes(&g, b, bytes);
		for (n = 0; n < per; n++) {
			ck_assert_uint_eq(bit_at(b, n), bit_at(b, n + per));
			ones += bit_at(b, n);
		}
		/* an m-sequence has 2^(n-1) ones per period */
		ck_assert_uint_eq(ones, (per + 1) / 2);
		for (n = 0; n < 64; n++)
			if (bit_at(b, n) != bit_at(b, n + per / 2))
				break;
		ck_assert_uint_lt(n, 64);
		free(b);
	}
	/* PRBS31 first bits: all-ones seed, inverted output = 28 ones */
	{
		struct bert_prbs_gen g;
		uint8_t b[8];

		bert_prbs_gen_init(&g, BERT_PRBS31, 0, 0);
		bert_prbs_gen_bytes(&g, b, 8);
		ck_assert_uint_eq(b[0], 0xff);
		ck_assert_uint_eq(b[1], 0xff);
		ck_assert_uint_eq(b[2], 0xff);
		ck_assert_uint_eq(b[3] >> 4, 0xf);
		ck_assert_uint_eq(bit_at(b, 28), 0);
	}
}
END_TEST

START_TEST(test_cmis_ids)
{
	static const enum bert_prbs_pattern want[13] = {
		BERT_PRBS31Q, BERT_PRBS31, BERT_PRBS23Q, BERT_PRBS23,
		BERT_PRBS15Q, BERT_PRBS15, BERT_PRBS13Q, BERT_PRBS13,
		BERT_PRBS9Q, BERT_PRBS9, BERT_PRBS7Q, BERT_PRBS7, BERT_SSPRQ,
	};
	enum bert_prbs_pattern p;
	unsigned id;

	for (id = 0; id < 13; id++) {
		ck_assert_int_eq(bert_prbs_from_cmis(id, &p), BERT_OK);
		ck_assert_int_eq(p, want[id]);
		ck_assert_int_eq(bert_prbs_to_cmis(p), (int)id);
	}
	ck_assert_int_eq(bert_prbs_from_cmis(14, &p), BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(bert_prbs_from_name("prbs31q", &p), BERT_OK);
	ck_assert_int_eq(p, BERT_PRBS31Q);
	ck_assert_int_eq(bert_prbs_from_name("PRBS99", &p), BERT_ERR_CONFIG);
}
END_TEST

/* Checker: garbage lead-in, a clean stream with known flipped bits, both
 * packings, invert, every path; all paths must agree exactly. */
static void check_case(enum bert_prbs_pattern p, unsigned flags, size_t len,
		       unsigned nerr)
{
	uint8_t *b = malloc(len);
	struct bert_prbs_gen g;
	struct bert_prbs_result r[BERT_SIMD_COUNT];
	struct bert_prbs_check_opts o = { .pat = p, .flags = flags };
	size_t lead = 37, i;
	int path, first = -1;
	uint64_t flipped = 0;

	for (i = 0; i < lead; i++)
		b[i] = (uint8_t)rng();
	bert_prbs_gen_init(&g, p, 0, flags);
	bert_prbs_gen_bytes(&g, b + lead, len - lead);
	/* PAM4 patterns: flip one level step (both level bits of a symbol
	 * whose two bits differ = one Gray bit); binary: one bit */
	for (i = 0; i < nerr; i++) {
		uint64_t bit = (lead + 400) * 8 + rng() % ((len - lead - 800) * 8);

		if (bert_prbs_is_pam4(p)) {
			bit &= ~1ull;
			/* flipping the LSB level bit is one Gray bit error */
			bit += 1;
		}
		b[bit >> 3] ^= (uint8_t)((flags & BERT_PRBS_LSB_FIRST) ?
					 1u << (bit & 7) : 0x80u >> (bit & 7));
		flipped++;
	}
	for (path = BERT_SIMD_SCALAR; path < BERT_SIMD_COUNT; path++) {
		if (!bert_simd_available((enum bert_simd_path)path))
			continue;
		bert_simd_set((enum bert_simd_path)path);
		ck_assert_int_eq(bert_prbs_check(&o, b, len, &r[path]), BERT_OK);
		if (first < 0)
			first = path;
		else
			ck_assert_mem_eq(&r[path], &r[first], sizeof(r[0]));
	}
	bert_simd_set(BERT_SIMD_AUTO);
	ck_assert_msg(r[first].bit_errors == flipped, "%s flags %u: %llu errors, %llu flipped",
		      bert_prbs_name(p), flags,
		      (unsigned long long)r[first].bit_errors,
		      (unsigned long long)flipped);
	ck_assert_uint_eq(r[first].locks, 1);
	ck_assert_uint_eq(r[first].losses, 0);
	ck_assert(r[first].locked);
	ck_assert_uint_le(r[first].first_lock_bit, lead * 8 + 64);
	ck_assert_uint_ge(r[first].bits_checked, (len - lead - 32) * 8);
	if (bert_prbs_is_pam4(p))
		ck_assert_uint_eq(r[first].symbol_errors, flipped);
	free(b);
}

START_TEST(test_checker)
{
	static const enum bert_prbs_pattern ps[] = {
		BERT_PRBS7, BERT_PRBS9, BERT_PRBS13, BERT_PRBS15, BERT_PRBS23,
		BERT_PRBS31, BERT_PRBS31Q, BERT_PRBS13Q, BERT_PRBS20,
	};
	size_t i;
	unsigned f;

	rng_state = 42;
	for (i = 0; i < ARRAY_SIZE(ps); i++)
		for (f = 0; f < 4; f++) {
			check_case(ps[i], f, 20000 + 13 * i, 0);
			check_case(ps[i], f, 20000 + 13 * i, 1 + (unsigned)i);
		}
}
END_TEST

START_TEST(test_checker_ssprq)
{
	struct bert_prbs_gen g;
	struct bert_prbs_check_opts o = { .pat = BERT_SSPRQ };
	struct bert_prbs_result r;
	static uint8_t b[20000];

	bert_prbs_gen_init(&g, BERT_SSPRQ, 0, 0);
	bert_prbs_gen_bytes(&g, b, 5000);	/* move away from the start */
	bert_prbs_gen_bytes(&g, b, sizeof(b));
	b[9000] ^= 0x01;
	ck_assert_int_eq(bert_prbs_check(&o, b, sizeof(b), &r), BERT_OK);
	ck_assert_uint_eq(r.bit_errors, 1);
	ck_assert_uint_eq(r.symbol_errors, 1);
	ck_assert(r.locked);
}
END_TEST

START_TEST(test_checker_errors)
{
	struct bert_prbs_check_opts o = { .pat = BERT_PRBS31 };
	struct bert_prbs_result r;
	uint8_t *b = calloc(1, 65536);
	struct bert_prbs_gen g;
	size_t i;

	/* empty capture */
	ck_assert_int_eq(bert_prbs_check(&o, b, 0, &r), BERT_ERR_PROTOCOL);
	/* never locks: random bytes */
	rng_state = 7;
	for (i = 0; i < 4096; i++)
		b[i] = (uint8_t)rng();
	ck_assert_int_eq(bert_prbs_check(&o, b, 4096, &r), BERT_ERR_PROTOCOL);
	ck_assert_uint_eq(r.locks, 0);
	/* lock, then garbage: loss of lock, not 50% BER */
	bert_prbs_gen_init(&g, BERT_PRBS31, 0, 0);
	bert_prbs_gen_bytes(&g, b, 32768);
	for (i = 32768; i < 65536; i++)
		b[i] = (uint8_t)rng();
	ck_assert_int_eq(bert_prbs_check(&o, b, 65536, &r), BERT_OK);
	ck_assert_uint_ge(r.losses, 1);
	ck_assert(!r.locked);
	ck_assert_uint_lt(r.bit_errors, 300);
	/* wrong polarity does not lock on the trinomial */
	o.flags = BERT_PRBS_INVERT;
	ck_assert_int_eq(bert_prbs_check(&o, b, 32768, &r), BERT_ERR_PROTOCOL);
	free(b);
}
END_TEST

Suite *suite_prbs(void)
{
	Suite *s = suite_create("prbs");
	TCase *tc = tcase_create("prbs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_first_symbols);
	tcase_add_test(tc, test_golden_ssprq);
	tcase_add_test(tc, test_golden_prbs13q);
	tcase_add_test(tc, test_periods);
	tcase_add_test(tc, test_cmis_ids);
	tcase_add_test(tc, test_checker);
	tcase_add_test(tc, test_checker_ssprq);
	tcase_add_test(tc, test_checker_errors);
	suite_add_tcase(s, tc);
	return s;
}
