// SPDX-License-Identifier: MIT
/* libFuzzer harness for the module INI loader: any text must either load or
 * fail with BERT_ERR_CONFIG (never crash, leak or trip a sanitizer), and a
 * loaded description must give a module that survives a power-up and a
 * data-path bring-up on the virtual clock. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/sim/cmis_module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_module_cfg cfg;
	struct bert_clock *clk;
	struct sim_module *m;
	char *text = malloc(size + 1);
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = sim_module_cfg_load_string("fuzz.ini", text, &cfg);
	free(text);
	if (rc != BERT_OK) {
		if (rc != BERT_ERR_CONFIG && rc != BERT_ERR_NOMEM)
			abort();
		return 0;
	}
	/* keep runs short: the durations are in virtual time, but the
	 * monitor period bounds how many events a second holds */
	if (cfg.t_monitor_ms < 1)
		cfg.t_monitor_ms = 1;
	clk = bert_clock_virtual_new();
	if (!clk)
		return 0;
	m = sim_module_new(&cfg, clk);
	if (m) {
		sim_module_set_lpmode(m, false);
		bert_clock_sleep(clk, 10 * BERT_NS_PER_S);
		(void)sim_module_state(m);
		(void)sim_module_dp_state(m, 1);
		(void)sim_module_power_w(m);
		sim_module_free(m);
	}
	bert_clock_free(clk);
	return 0;
}
