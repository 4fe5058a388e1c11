// SPDX-License-Identifier: MIT
/* libFuzzer: the PRBS capture checker on arbitrary bytes. The first byte
 * picks the pattern, the flags and a short lock length (so the fuzzer can
 * reach the locked paths), the rest is the capture. */
#include <stddef.h>
#include <stdint.h>

#include "bert/signal/prbs.h"
#include "bert/signal/simd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bert_prbs_check_opts o = { 0 };
	struct bert_prbs_result r, r2;

	if (size < 1)
		return 0;
	o.pat = (enum bert_prbs_pattern)(data[0] % BERT_PRBS_COUNT);
	o.flags = (data[0] >> 5) & 3;
	o.lock_bits = (data[0] & 0x80) ? 8 : 0;
	bert_prbs_check(&o, data + 1, size - 1, &r);
	/* the portable path must agree with the SIMD one */
	if (bert_simd_available(BERT_SIMD_AVX2)) {
		bert_simd_set(BERT_SIMD_SCALAR);
		bert_prbs_check(&o, data + 1, size - 1, &r2);
		bert_simd_set(BERT_SIMD_AUTO);
		if (r.bit_errors != r2.bit_errors || r.bits_checked != r2.bits_checked ||
		    r.symbol_errors != r2.symbol_errors || r.locks != r2.locks)
			__builtin_trap();
	}
	if (r.bit_errors > r.bits_checked || r.bits_checked > r.bits_total)
		__builtin_trap();
	return 0;
}
