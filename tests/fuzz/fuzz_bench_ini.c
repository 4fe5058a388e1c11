// SPDX-License-Identifier: MIT
/* libFuzzer harness for the bench INI loader: any text must either load or
 * fail with BERT_ERR_CONFIG (never crash, leak or trip a sanitizer), and a
 * loaded bench must survive a power-up, a PRBS run on every media lane and
 * the instruments' calls on the virtual clock. Module paths in the text are
 * taken as they are (mostly absent files: a config error). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/cmis_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bert_clock *clk = bert_clock_virtual_new();
	struct sim_bench *b;
	char *text = malloc(size + 1);
	unsigned s, i;
	int rc;

	if (!text || !clk) {
		free(text);
		bert_clock_free(clk);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	rc = sim_bench_load_string("fuzz.ini", text, clk, &b);
	free(text);
	if (rc != BERT_OK) {
		if (rc != BERT_ERR_CONFIG && rc != BERT_ERR_NOMEM)
			abort();
		bert_clock_free(clk);
		return 0;
	}
	for (s = 1; s <= sim_bench_sites(b); s++)
		sim_module_set_lpmode(sim_bench_module(b, s), false);
	bert_clock_sleep(clk, 4 * BERT_NS_PER_S);
	for (i = 0; i < sim_bench_instruments(b); i++) {
		const char *n = sim_bench_instrument_name(b, i);
		double mw;
		unsigned out;

		(void)sim_bench_voa_set(b, n, 1, 3.0);
		(void)sim_bench_voa_enable(b, n, 1, true);
		(void)sim_bench_switch_route(b, n, 1, 1);
		(void)sim_bench_switch_get(b, n, 1, &out);
		(void)sim_bench_meter_input_mw(b, n, 1, &mw);
		(void)sim_bench_instrument_get(b, n, "type");
	}
	for (s = 1; s <= sim_bench_sites(b); s++) {
		struct sim_bench_lane lm;

		(void)sim_bench_set_extra_loss(b, s, 5);
		(void)sim_bench_lane_model(b, s, 1, &lm);
		(void)sim_module_state(sim_bench_module(b, s));
	}
	bert_clock_sleep(clk, 2 * BERT_NS_PER_S);
	sim_bench_free(b);
	bert_clock_free(clk);
	return 0;
}
