// SPDX-License-Identifier: MIT
/* Run-time kernel selection shared by prbs.c and fec.c. */
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/signal/simd.h"

static const char *bert_simd_name(enum bert_simd_path path);

static enum bert_simd_path forced = BERT_SIMD_AUTO;

bool bert_simd_available(enum bert_simd_path path)
{
	switch (path) {
	case BERT_SIMD_AUTO:
	case BERT_SIMD_SCALAR:
		return true;
	case BERT_SIMD_AVX2:
#if defined(__x86_64__) || defined(__i386__)
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2");
#else
		return false;
#endif
	default:
		return false;
	}
}

int bert_simd_set(enum bert_simd_path path)
{
	if (path < BERT_SIMD_AUTO || path >= BERT_SIMD_COUNT)
		return bert_fail(BERT_ERR_ARG, "simd path %d", (int)path);
	if (!bert_simd_available(path))
		return bert_fail(BERT_ERR_UNSUPPORTED, "CPU lacks %s",
				 bert_simd_name(path));
	forced = path;
	return BERT_OK;
}

enum bert_simd_path bert_simd_get(void)
{
	const char *env;

	if (forced != BERT_SIMD_AUTO)
		return forced;
	/* The environment lets a user (or a CI job on a wide CPU) check the
	 * portable path without rebuilding. */
	env = getenv("BERT_SIMD");
	if (env && !strcmp(env, "scalar"))
		return BERT_SIMD_SCALAR;
	if (bert_simd_available(BERT_SIMD_AVX2))
		return BERT_SIMD_AVX2;
	return BERT_SIMD_SCALAR;
}

static const char *bert_simd_name(enum bert_simd_path path)
{
	switch (path) {
	case BERT_SIMD_AUTO:   return "auto";
	case BERT_SIMD_SCALAR: return "scalar";
	case BERT_SIMD_AVX2:   return "avx2";
	default:               return "unknown";
	}
}
