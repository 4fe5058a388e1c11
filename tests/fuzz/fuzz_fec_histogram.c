// SPDX-License-Identifier: MIT
/* libFuzzer: the FEC histogram parser ("c0,...,c15,cu") and what consumes
 * its output; inputs long enough also go through the RS decoder as a
 * codeword, which must never report more than t corrections. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bert/signal/berstat.h"
#include "bert/signal/fec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bert_rs_hist h;
	struct bert_hist_analysis a;
	struct bert_fec_chain ch;

	if (bert_rs_hist_parse((const char *)data, size, &h) == 0 &&
	    bert_hist_analyze(&h, BERT_FLR_FACTOR_400G, &a) == 0)
		bert_fec_chain_from_ber(a.ber_lower, BERT_FLR_FACTOR_400G, &ch);
	if (size >= 2 * BERT_RS_N) {
		uint16_t cw[BERT_RS_N];
		uint8_t res;
		int r;

		memcpy(cw, data, sizeof(cw));
		r = bert_rs_decode(cw);
		if (r < 0 || r > BERT_RS_UNCORRECTABLE)
			__builtin_trap();
		memcpy(cw, data, sizeof(cw));
		bert_rs_decode_batch(cw, 1, &res);
		if (res != r)
			__builtin_trap();
	}
	return 0;
}
