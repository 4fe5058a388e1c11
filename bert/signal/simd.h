/* SPDX-License-Identifier: MIT */
/* Which kernel the signal engine runs: the portable scalar code or a SIMD
 * path picked at run time from the CPU's flags. Every path gives the same
 * bits; the tests run each available one on the same inputs. */
#ifndef BERT_SIGNAL_SIMD_H
#define BERT_SIGNAL_SIMD_H

#include <stdbool.h>

enum bert_simd_path {
	BERT_SIMD_AUTO = 0,	/* best available (BERT_SIMD=scalar forces scalar) */
	BERT_SIMD_SCALAR,	/* portable C, runs everywhere */
	BERT_SIMD_AVX2,		/* x86-64 AVX2 (vpshufb split tables) */
	BERT_SIMD_COUNT,
};

/* True when this CPU (and this build) can run path. */
bool bert_simd_available(enum bert_simd_path path);
/* Forces a path for the whole process (tests, benchmarks); AUTO restores the
 * default. Returns BERT_ERR_UNSUPPORTED when the CPU lacks it. Not thread
 * safe: call it before starting work. */
int bert_simd_set(enum bert_simd_path path);
/* The path in effect: never AUTO. */
enum bert_simd_path bert_simd_get(void);

#endif
