// SPDX-License-Identifier: MIT
/* AVX2 syndromes for up to 32 RS(544,514) codewords at once.
 *
 * Each symbol is split into a low-byte plane and a high-bits plane, so one
 * register holds symbol i of 32 codewords. Horner's step s = s * alpha^j + r
 * is then six vpshufb lookups (three input nibbles, low and high product
 * byte) with tables that serve all 32 lanes. Each syndrome runs two
 * independent chains (first and second half of the codeword) to hide the
 * shuffle latency; the first chain is moved up by alpha^(272 j) at the end. */
#include "bert/signal/fec_int.h"

#if FEC_HAVE_AVX2
#include <immintrin.h>
#include <string.h>

#define AVX2 __attribute__((target("avx2")))

struct nibv {
	__m256i l0, l1, l2, h0, h1, h2;
};

static inline AVX2 __m256i bcast16(const uint8_t *t)
{
	return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t));
}

static inline AVX2 void nib_load(struct nibv *v, const struct fec_nib *t)
{
	v->l0 = bcast16(t->lo[0]);
	v->l1 = bcast16(t->lo[1]);
	v->l2 = bcast16(t->lo[2]);
	v->h0 = bcast16(t->hi[0]);
	v->h1 = bcast16(t->hi[1]);
	v->h2 = bcast16(t->hi[2]);
}

/* (sl, sh) = (sl, sh) * c, for the constant c the tables describe */
#define NIB_MUL(v, m0f, sl, sh, ol, oh) do {					\
	__m256i i0_ = _mm256_and_si256((sl), (m0f));				\
	__m256i i1_ = _mm256_and_si256(_mm256_srli_epi16((sl), 4), (m0f));	\
	(ol) = _mm256_xor_si256(_mm256_xor_si256(				\
		_mm256_shuffle_epi8((v).l0, i0_),				\
		_mm256_shuffle_epi8((v).l1, i1_)),				\
		_mm256_shuffle_epi8((v).l2, (sh)));				\
	(oh) = _mm256_xor_si256(_mm256_xor_si256(				\
		_mm256_shuffle_epi8((v).h0, i0_),				\
		_mm256_shuffle_epi8((v).h1, i1_)),				\
		_mm256_shuffle_epi8((v).h2, (sh)));				\
} while (0)

AVX2 void fec_syndromes_avx2(const uint16_t *cws, size_t n,
			     uint16_t syn[][BERT_RS_NPAR])
{
	/* 34 KiB of planes: stays in L1 across the 30 passes */
	static _Thread_local uint8_t pl[BERT_RS_N][32] __attribute__((aligned(32)));
	static _Thread_local uint8_t ph[BERT_RS_N][32] __attribute__((aligned(32)));
	uint8_t sl[BERT_RS_NPAR][32] __attribute__((aligned(32)));
	uint8_t sh[BERT_RS_NPAR][32] __attribute__((aligned(32)));
	const __m256i m0f = _mm256_set1_epi8(0x0f);
	const __m256i m3ff = _mm256_set1_epi16(0x3ff);
	const __m256i mff = _mm256_set1_epi16(0xff);
	size_t c, g;
	unsigned i, j;

	/* Transpose in 16 x 16 blocks: row c = [low bytes | high bits] of 16
	 * symbols of codeword c; four rounds of byte interleaving of rows k and
	 * k + 8 give column s = symbol s of the 16 codewords, in both halves. */
	for (g = 0; g < FEC_BATCH / 16; g++) {
		for (i = 0; i < BERT_RS_N; i += 16) {
			__m256i r[16], t[16];
			unsigned k, round;

			for (k = 0; k < 16; k++) {
				size_t cc = g * 16 + k;
				__m256i v, pk;

				if (cc >= n) {
					r[k] = _mm256_setzero_si256();
					continue;
				}
				v = _mm256_and_si256(_mm256_loadu_si256(
					(const __m256i *)(cws + cc * BERT_RS_N + i)), m3ff);
				pk = _mm256_packus_epi16(_mm256_and_si256(v, mff),
							 _mm256_srli_epi16(v, 8));
				r[k] = _mm256_permute4x64_epi64(pk, 0xd8);
			}
			for (round = 0; round < 4; round++) {
				for (k = 0; k < 8; k++) {
					t[2 * k] = _mm256_unpacklo_epi8(r[k], r[k + 8]);
					t[2 * k + 1] = _mm256_unpackhi_epi8(r[k], r[k + 8]);
				}
				memcpy(r, t, sizeof(r));
			}
			for (k = 0; k < 16; k++) {
				_mm_store_si128((__m128i *)&pl[i + k][g * 16],
						_mm256_castsi256_si128(r[k]));
				_mm_store_si128((__m128i *)&ph[i + k][g * 16],
						_mm256_extracti128_si256(r[k], 1));
			}
		}
	}

	for (j = 0; j < BERT_RS_NPAR; j++) {
		struct nibv t, th;
		__m256i al, ah, bl, bh, tl, thh;
		const uint8_t *dummy_pl, *dummy_ph;
		unsigned long dummy_cnt;

		nib_load(&t, &fec_tab.nib_step[j]);
		/* Two Horner chains, first and second half of the codewords.
		 * Written in assembly because the compilers schedule the two
		 * chains' shuffles together and spill; in this order the
		 * out-of-order core overlaps the chains on shared temporaries. */
		__asm__ (
			"vpxor %%ymm7, %%ymm7, %%ymm7\n\t"
			"vpxor %%ymm8, %%ymm8, %%ymm8\n\t"
			"vpxor %%ymm9, %%ymm9, %%ymm9\n\t"
			"vpxor %%ymm10, %%ymm10, %%ymm10\n\t"
			"1:\n\t"
			/* chain a: symbol i */
			"vpsrlw $4, %%ymm7, %%ymm12\n\t"
			"vpand %[m], %%ymm7, %%ymm11\n\t"
			"vpand %[m], %%ymm12, %%ymm12\n\t"
			"vpshufb %%ymm11, %[l0], %%ymm13\n\t"
			"vpshufb %%ymm12, %[l1], %%ymm14\n\t"
			"vpxor %%ymm14, %%ymm13, %%ymm13\n\t"
			"vpshufb %%ymm8, %[l2], %%ymm14\n\t"
			"vpxor (%[pl]), %%ymm14, %%ymm14\n\t"
			"vpxor %%ymm14, %%ymm13, %%ymm7\n\t"
			"vpshufb %%ymm11, %[h0], %%ymm11\n\t"
			"vpshufb %%ymm12, %[h1], %%ymm12\n\t"
			"vpxor %%ymm12, %%ymm11, %%ymm11\n\t"
			"vpshufb %%ymm8, %[h2], %%ymm12\n\t"
			"vpxor (%[ph]), %%ymm12, %%ymm12\n\t"
			"vpxor %%ymm12, %%ymm11, %%ymm8\n\t"
			/* chain b: symbol i + 272 */
			"vpsrlw $4, %%ymm9, %%ymm12\n\t"
			"vpand %[m], %%ymm9, %%ymm11\n\t"
			"vpand %[m], %%ymm12, %%ymm12\n\t"
			"vpshufb %%ymm11, %[l0], %%ymm13\n\t"
			"vpshufb %%ymm12, %[l1], %%ymm14\n\t"
			"vpxor %%ymm14, %%ymm13, %%ymm13\n\t"
			"vpshufb %%ymm10, %[l2], %%ymm14\n\t"
			"vpxor 8704(%[pl]), %%ymm14, %%ymm14\n\t"
			"vpxor %%ymm14, %%ymm13, %%ymm9\n\t"
			"vpshufb %%ymm11, %[h0], %%ymm11\n\t"
			"vpshufb %%ymm12, %[h1], %%ymm12\n\t"
			"vpxor %%ymm12, %%ymm11, %%ymm11\n\t"
			"vpshufb %%ymm10, %[h2], %%ymm12\n\t"
			"vpxor 8704(%[ph]), %%ymm12, %%ymm12\n\t"
			"vpxor %%ymm12, %%ymm11, %%ymm10\n\t"
			"add $32, %[pl]\n\t"
			"add $32, %[ph]\n\t"
			"dec %[cnt]\n\t"
			"jnz 1b\n\t"
			"vmovdqa %%ymm7, %[al]\n\t"
			"vmovdqa %%ymm8, %[ah]\n\t"
			"vmovdqa %%ymm9, %[bl]\n\t"
			"vmovdqa %%ymm10, %[bh]\n\t"
			: [al] "=m" (al), [ah] "=m" (ah), [bl] "=m" (bl), [bh] "=m" (bh),
			  "=r" (dummy_pl), "=r" (dummy_ph), "=r" (dummy_cnt)
			: [l0] "x" (t.l0), [l1] "x" (t.l1), [l2] "x" (t.l2),
			  [h0] "x" (t.h0), [h1] "x" (t.h1), [h2] "x" (t.h2),
			  [m] "x" (m0f), [pl] "4" (&pl[0][0]), [ph] "5" (&ph[0][0]),
			  [cnt] "6" ((unsigned long)FEC_HALF)
			: "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			  "xmm13", "xmm14", "cc", "memory");
		nib_load(&th, &fec_tab.nib_half[j]);
		NIB_MUL(th, m0f, al, ah, tl, thh);
		_mm256_store_si256((__m256i *)sl[j], _mm256_xor_si256(tl, bl));
		_mm256_store_si256((__m256i *)sh[j], _mm256_xor_si256(thh, bh));
	}
	for (c = 0; c < n; c++)
		for (j = 0; j < BERT_RS_NPAR; j++)
			syn[c][j] = (uint16_t)(sl[j][c] | (sh[j][c] << 8));
}
#endif
