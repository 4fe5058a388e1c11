// SPDX-License-Identifier: MIT
/* RS(544,514) decode throughput against libfec on the same corrupted
 * codewords. One JSON line per BER point; Gb/s of codeword bits
 * (5440 per codeword), one thread. */
#include <fec.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bert/core/bytes.h"
#include "bert/signal/fec.h"

#define NCW	100000
#define CHUNK	1024

static uint64_t rng = 0x5eed0fec2400ull;

static uint64_t next64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double unit(void)
{
	return ((next64() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Independent bit errors at rate ber over the whole set (geometric gaps). */
static void corrupt(uint16_t *cw, size_t n, double ber)
{
	double lq;
	uint64_t bit = 0, total = (uint64_t)n * BERT_RS_CW_BITS;

	if (ber <= 0)
		return;
	lq = log1p(-ber);
	for (;;) {
		bit += (uint64_t)floor(log(unit()) / lq);
		if (bit >= total)
			break;
		cw[bit / BERT_RS_SYMBITS] ^= (uint16_t)(1u << (bit % BERT_RS_SYMBITS));
		bit++;
	}
}

int main(void)
{
	static const double bers[] = { 2.4e-4, 0.0 };
	uint16_t *clean, *rx, *work;
	uint8_t *res;
	unsigned int *iw;
	void *rs;
	size_t i, k, b;

	clean = malloc(sizeof(uint16_t) * BERT_RS_N * NCW);
	rx = malloc(sizeof(uint16_t) * BERT_RS_N * NCW);
	work = malloc(sizeof(uint16_t) * BERT_RS_N * CHUNK);
	iw = malloc(sizeof(unsigned int) * BERT_RS_N * CHUNK);
	res = malloc(NCW);
	rs = init_rs_int(10, 0x409, 0, 1, 30, 479);
	if (!clean || !rx || !work || !iw || !res || !rs) {
		fprintf(stderr, "bench_fec: out of memory\n");
		return 1;
	}
	for (i = 0; i < NCW; i++) {
		uint16_t *cw = clean + i * BERT_RS_N;

		for (k = 0; k < BERT_RS_K; k++)
			cw[k] = (uint16_t)(next64() & 0x3ff);
		bert_rs_encode(cw);
	}
	for (b = 0; b < ARRAY_SIZE(bers); b++) {
		double t0, t_ours, t_lib;
		size_t mism = 0, fails = 0;

		memcpy(rx, clean, sizeof(uint16_t) * BERT_RS_N * NCW);
		corrupt(rx, NCW, bers[b]);

		t0 = now();
		for (i = 0; i < NCW; i += CHUNK) {
			size_t n = NCW - i < CHUNK ? NCW - i : CHUNK;

			memcpy(work, rx + i * BERT_RS_N, sizeof(uint16_t) * BERT_RS_N * n);
			bert_rs_decode_batch(work, n, res + i);
		}
		t_ours = now() - t0;

		t0 = now();
		for (i = 0; i < NCW; i += CHUNK) {
			size_t n = NCW - i < CHUNK ? NCW - i : CHUNK;

			for (k = 0; k < n * BERT_RS_N; k++)
				iw[k] = rx[i * BERT_RS_N + k];
			for (k = 0; k < n; k++) {
				int r = decode_rs_int(rs, iw + k * BERT_RS_N, NULL, 0);
				int ours = res[i + k] == BERT_RS_UNCORRECTABLE ? -1 : res[i + k];

				if (r < 0)	/* libfec: any negative is a failure */
					r = -1;
				mism += r != ours;
				fails += r < 0;
			}
		}
		t_lib = now() - t0;
		if (mism)
			fprintf(stderr, "bench_fec: %zu outcomes differ from libfec\n", mism);
		printf("{\"name\":\"fec_decode\",\"ber\":%g,\"ours_gbps\":%.3f,"
		       "\"libfec_gbps\":%.3f,\"ratio\":%.1f}\n", bers[b],
		       NCW * (double)BERT_RS_CW_BITS / t_ours * 1e-9,
		       NCW * (double)BERT_RS_CW_BITS / t_lib * 1e-9, t_lib / t_ours);
		fflush(stdout);
		if (mism)
			return 1;
		(void)fails;
	}
	free_rs_int(rs);
	free(clean);
	free(rx);
	free(work);
	free(iw);
	free(res);
	return 0;
}
