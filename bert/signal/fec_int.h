/* SPDX-License-Identifier: MIT */
/* Private to fec.c and fec_simd.c: the GF(2^10) tables and the kernels. */
#ifndef BERT_SIGNAL_FEC_INT_H
#define BERT_SIGNAL_FEC_INT_H

#include <stdint.h>

#include "bert/signal/fec.h"

#define GF_Q	1024
#define GF_NN	1023u
#define FEC_BATCH 32			/* codewords per SIMD pass */
#define FEC_HALF (BERT_RS_N / 2)	/* two Horner chains per syndrome */

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FEC_HAVE_AVX2 1
#else
#define FEC_HAVE_AVX2 0
#endif

/* Multiplication by a constant c split by input nibble (bits 0-3, 4-7,
 * 8-9) so one 16-entry byte shuffle serves a whole register of symbols;
 * lo/hi are the low 8 and high 2 bits of the product. */
struct fec_nib {
	uint8_t lo[3][16];
	uint8_t hi[3][16];
};

struct fec_tables {
	uint16_t exp[2 * GF_NN + 1];
	uint16_t log[GF_Q];
	uint16_t gen_desc[BERT_RS_NPAR + 1];
	uint16_t gmul[GF_Q][BERT_RS_NPAR];	/* f * g_k, encoder */
	uint16_t mulj[BERT_RS_NPAR][GF_Q];	/* x * alpha^j, scalar syndromes */
	uint16_t qsolve[GF_Q];
	struct fec_nib nib_step[BERT_RS_NPAR];	/* alpha^j */
	struct fec_nib nib_half[BERT_RS_NPAR];	/* alpha^(272 j) */
};

extern struct fec_tables fec_tab;

#if FEC_HAVE_AVX2
void fec_syndromes_avx2(const uint16_t *cws, size_t n,
			uint16_t syn[][BERT_RS_NPAR]);
#endif

#endif
