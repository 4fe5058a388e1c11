/* SPDX-License-Identifier: MIT */
/* RS(544,514) "KP4" FEC over GF(2^10) (IEEE 802.3 Clauses 91 and 119):
 * p(x) = x^10 + x^3 + 1, generator roots alpha^0..alpha^29, t = 15.
 *
 * A codeword is 544 symbols, one per uint16_t (low 10 bits used), the
 * highest-degree coefficient first: cw[0..513] message, cw[514..543] parity.
 * That is libfec's layout for init_rs_int(10, 0x409, 0, 1, 30, 479). */
#ifndef BERT_SIGNAL_FEC_H
#define BERT_SIGNAL_FEC_H

#include <stddef.h>
#include <stdint.h>

#define BERT_RS_N		544
#define BERT_RS_K		514
#define BERT_RS_NPAR		30
#define BERT_RS_T		15
#define BERT_RS_SYMBITS		10
#define BERT_RS_CW_BITS		(BERT_RS_N * BERT_RS_SYMBITS)	/* 5440 */
/* Decode result for a codeword with more than t errors. It doubles as the
 * histogram bin index, so `hist.bin[bert_rs_decode(cw)]++` just works. */
#define BERT_RS_UNCORRECTABLE	16
#define BERT_RS_HIST_BINS	17

/* GF(2^10) arithmetic (alpha = 0x002). */
uint16_t bert_gf_mul(uint16_t a, uint16_t b);
uint16_t bert_gf_div(uint16_t a, uint16_t b);	/* b != 0 */
uint16_t bert_gf_pow(int exponent);		/* alpha^exponent, any sign */

/* Generator polynomial, descending g30 (= 1) .. g0: 31 coefficients. */
const uint16_t *bert_rs_generator(void);

/* Fills cw[514..543] with parity for the message in cw[0..513]. */
void bert_rs_encode(uint16_t cw[BERT_RS_N]);
/* The 30 syndromes S_j = r(alpha^j); returns 0 when all are zero. */
int bert_rs_syndromes(const uint16_t cw[BERT_RS_N], uint16_t syn[BERT_RS_NPAR]);
/* Corrects cw in place. Returns the number of corrected symbols (0..15) or
 * BERT_RS_UNCORRECTABLE, leaving cw untouched in that case. Error-free
 * codewords cost only the syndrome pass. */
int bert_rs_decode(uint16_t cw[BERT_RS_N]);
/* n codewords back to back; result[i] as bert_rs_decode(). Runs the SIMD
 * kernel across codewords when the CPU has one (bert/signal/simd.h). */
void bert_rs_decode_batch(uint16_t *cws, size_t n, uint8_t *result);

/* Codeword error histogram: bin k = codewords with k corrected symbols,
 * bin 16 = uncorrectable (the SAI/SONiC S0..S16 counters). */
struct bert_rs_hist {
	uint64_t bin[BERT_RS_HIST_BINS];
};

/* Parses "c0,c1,...,c15,cu": exactly 17 non-negative decimal integers
 * separated by commas (blanks allowed). BERT_ERR_CONFIG with a detail on
 * anything else. buf need not be NUL-terminated. */
int bert_rs_hist_parse(const char *buf, size_t len, struct bert_rs_hist *h);

/* 400GBASE-R (IEEE 802.3 Clauses 91 and 119): two codewords A and B distributed
 * 10-bit round robin, A symbol 0, B symbol 0, A symbol 1, ... */
#define BERT_RS_IL2_SYMS	(2 * BERT_RS_N)
void bert_rs_interleave2(const uint16_t *a, const uint16_t *b, uint16_t *out);
void bert_rs_deinterleave2(const uint16_t *in, uint16_t *a, uint16_t *b);
/* Maps bit `bit` of the interleaved stream (symbols MSB first) to its
 * codeword (0 = A, 1 = B) and symbol index. BERT_ERR_RANGE past the end. */
int bert_rs_interleave2_locate(size_t bit, int *cw, unsigned *sym);
/* Counts the erroneous symbols per codeword for a bit error map of the
 * interleaved stream (errmap: BERT_RS_IL2_SYMS * 10 bits, MSB first), as the
 * two decoders would see them: count[0] for A, count[1] for B. */
void bert_rs_interleave2_count(const uint8_t *errmap, unsigned count[2]);

#endif
