// SPDX-License-Identifier: MIT
/* bert/signal/fec: generator polynomial (docs/SOURCES.md, known answers),
 * the libfec differential test, every SIMD path against the scalar one, the
 * histogram parser and the 400GBASE-R interleave. */
#include <fec.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/signal/fec.h"
#include "bert/signal/simd.h"
#include "common.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SAN 1
#endif
#endif
#ifndef UNDER_SAN
#define UNDER_SAN 0
#endif

static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

START_TEST(test_generator)
{
	static const uint16_t want[31] = {
		1, 575, 552, 187, 230, 552, 1, 108, 565, 282, 249, 593, 132, 94,
		720, 495, 385, 942, 503, 883, 361, 788, 610, 193, 392, 127, 185,
		158, 128, 834, 523,
	};
	const uint16_t *g = bert_rs_generator();
	unsigned i;

	for (i = 0; i < 31; i++)
		ck_assert_msg(g[i] == want[i], "g%u = %u, want %u", 30 - i, g[i], want[i]);
	/* alpha^1023 = 1, x^10 = x^3 + 1 */
	ck_assert_uint_eq(bert_gf_pow(1023), 1);
	ck_assert_uint_eq(bert_gf_pow(10), 0x009);
	ck_assert_uint_eq(bert_gf_mul(bert_gf_div(77, 300), 300), 77);
}
END_TEST

static void random_cw(uint16_t *cw)
{
	unsigned i;

	for (i = 0; i < BERT_RS_K; i++)
		cw[i] = (uint16_t)(rng() & 0x3ff);
	bert_rs_encode(cw);
}

/* nerr distinct positions, random non-zero error values */
static void add_errors(uint16_t *cw, unsigned nerr)
{
	unsigned used[32], i, j;

	for (i = 0; i < nerr; i++) {
		unsigned p;

		do {
			p = (unsigned)(rng() % BERT_RS_N);
			for (j = 0; j < i && used[j] != p; j++)
				;
		} while (j < i);
		used[i] = p;
		cw[p] ^= (uint16_t)(1 + rng() % 1023);
	}
}

START_TEST(test_libfec_differential)
{
	const unsigned total = UNDER_SAN ? 4000 : 100000, batch = 256;
	void *rs = init_rs_int(10, 0x409, 0, 1, 30, 479);
	uint16_t *cw = malloc(sizeof(uint16_t) * BERT_RS_N * batch);
	uint16_t *ref = malloc(sizeof(uint16_t) * BERT_RS_N * batch);
	uint16_t *alt = malloc(sizeof(uint16_t) * BERT_RS_N * batch);
	uint8_t res[256], res2[256];
	unsigned data[BERT_RS_N], par[BERT_RS_NPAR];
	unsigned done, c, i, fails = 0, path;
	bool same;

	ck_assert_ptr_nonnull(rs);
	rng_state = 0x2400;
	for (done = 0; done < total; done += batch) {
		for (c = 0; c < batch; c++) {
			uint16_t *w = cw + c * BERT_RS_N;

			random_cw(w);
			if (c == 0) {
				/* the encoder against libfec's */
				for (i = 0; i < BERT_RS_K; i++)
					data[i] = w[i];
				encode_rs_int(rs, data, par);
				for (i = 0; i < BERT_RS_NPAR; i++)
					ck_assert_uint_eq(w[BERT_RS_K + i], par[i]);
			}
			add_errors(w, (unsigned)(rng() % 21));
		}
		memcpy(ref, cw, sizeof(uint16_t) * BERT_RS_N * batch);
		bert_rs_decode_batch(cw, batch, res);
		/* every path, same inputs, same bits */
		for (path = BERT_SIMD_SCALAR; path < BERT_SIMD_COUNT; path++) {
			if (!bert_simd_available((enum bert_simd_path)path))
				continue;
			memcpy(alt, ref, sizeof(uint16_t) * BERT_RS_N * batch);
			bert_simd_set((enum bert_simd_path)path);
			bert_rs_decode_batch(alt, batch, res2);
			ck_assert_mem_eq(res2, res, batch);
			ck_assert_mem_eq(alt, cw, sizeof(uint16_t) * BERT_RS_N * batch);
		}
		bert_simd_set(BERT_SIMD_AUTO);
		for (c = 0; c < batch; c++) {
			uint16_t *w = ref + c * BERT_RS_N;
			int r;

			for (i = 0; i < BERT_RS_N; i++)
				data[i] = w[i];
			/* libfec reports failure as a negative count */
			r = decode_rs_int(rs, data, NULL, 0);
			if (r < 0)
				r = -1;
			/* one assertion per codeword: Check logs every call */
			same = r == (res[c] == BERT_RS_UNCORRECTABLE ? -1 : res[c]);
			for (i = 0; i < BERT_RS_N; i++)
				same &= data[i] == cw[c * BERT_RS_N + i];
			if (!same)
				ck_abort_msg("codeword %u: libfec %d, ours %u",
					     done + c, r, res[c]);
			fails += r < 0;
			/* the single-codeword entry point agrees too */
			if (c % 64 == 0) {
				ck_assert_int_eq(bert_rs_decode(w), res[c]);
				ck_assert_mem_eq(w, cw + c * BERT_RS_N,
						 sizeof(uint16_t) * BERT_RS_N);
			}
		}
	}
	/* about 5/21 of the codewords carry more than 15 errors */
	ck_assert_uint_gt(fails, total / 6);
	free_rs_int(rs);
	free(cw);
	free(ref);
	free(alt);
}
END_TEST

START_TEST(test_decode_counts)
{
	uint16_t cw[BERT_RS_N], orig[BERT_RS_N], syn[BERT_RS_NPAR];
	unsigned e;

	rng_state = 99;
	for (e = 0; e <= 16; e++) {
		random_cw(orig);
		ck_assert_int_eq(bert_rs_syndromes(orig, syn), 0);
		memcpy(cw, orig, sizeof(cw));
		add_errors(cw, e);
		if (e <= BERT_RS_T) {
			ck_assert_int_eq(bert_rs_decode(cw), (int)e);
			ck_assert_mem_eq(cw, orig, sizeof(cw));
		} else {
			uint16_t keep[BERT_RS_N];

			memcpy(keep, cw, sizeof(cw));
			ck_assert_int_eq(bert_rs_decode(cw), BERT_RS_UNCORRECTABLE);
			ck_assert_mem_eq(cw, keep, sizeof(cw));
		}
	}
}
END_TEST

START_TEST(test_hist_parse)
{
	struct bert_rs_hist h;
	static const char ok[] = "100, 20,3,0,0,0,0,0,0,0,0,0,0,0,0,0,1";

	ck_assert_int_eq(bert_rs_hist_parse(ok, strlen(ok), &h), BERT_OK);
	ck_assert_uint_eq(h.bin[0], 100);
	ck_assert_uint_eq(h.bin[16], 1);
	ck_assert_int_eq(bert_rs_hist_parse("1,2,3", 5, &h), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "3 bins"));
	ck_assert_int_eq(bert_rs_hist_parse("", 0, &h), BERT_ERR_CONFIG);
	ck_assert_int_eq(bert_rs_hist_parse("1,2,x", 5, &h), BERT_ERR_CONFIG);
	ck_assert_int_eq(bert_rs_hist_parse("99999999999999999999999", 23, &h),
			 BERT_ERR_CONFIG);
	ck_assert_int_eq(bert_rs_hist_parse("0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0",
					    35, &h), BERT_ERR_CONFIG);
}
END_TEST

START_TEST(test_interleave)
{
	uint16_t a[BERT_RS_N], b[BERT_RS_N], il[BERT_RS_IL2_SYMS];
	uint16_t a2[BERT_RS_N], b2[BERT_RS_N];
	uint8_t errmap[BERT_RS_IL2_SYMS * 10 / 8];
	unsigned cnt[2], sym, i;
	int cw;

	rng_state = 5;
	random_cw(a);
	random_cw(b);
	bert_rs_interleave2(a, b, il);
	ck_assert_uint_eq(il[0], a[0]);
	ck_assert_uint_eq(il[1], b[0]);
	ck_assert_uint_eq(il[1087], b[543]);
	bert_rs_deinterleave2(il, a2, b2);
	ck_assert_mem_eq(a, a2, sizeof(a));
	ck_assert_mem_eq(b, b2, sizeof(b));
	ck_assert_int_eq(bert_rs_interleave2_locate(15, &cw, &sym), BERT_OK);
	ck_assert_int_eq(cw, 1);
	ck_assert_uint_eq(sym, 0);
	ck_assert_int_eq(bert_rs_interleave2_locate(10880, &cw, &sym), BERT_ERR_RANGE);
	/* a 40-bit burst on the lane hits 2 symbols of each codeword when it
	 * starts on a symbol boundary, and splits 3 + 2 when it does not */
	memset(errmap, 0, sizeof(errmap));
	for (i = 100; i < 140; i++)
		errmap[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	bert_rs_interleave2_count(errmap, cnt);
	ck_assert_uint_eq(cnt[0], 2);
	ck_assert_uint_eq(cnt[1], 2);
	memset(errmap, 0, sizeof(errmap));
	for (i = 105; i < 145; i++)
		errmap[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	bert_rs_interleave2_count(errmap, cnt);
	ck_assert_uint_eq(cnt[0] + cnt[1], 5);
}
END_TEST

Suite *suite_fec(void)
{
	Suite *s = suite_create("fec");
	TCase *tc = tcase_create("fec");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_generator);
	tcase_add_test(tc, test_decode_counts);
	tcase_add_test(tc, test_libfec_differential);
	tcase_add_test(tc, test_hist_parse);
	tcase_add_test(tc, test_interleave);
	suite_add_tcase(s, tc);
	return s;
}
