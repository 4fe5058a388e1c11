// SPDX-License-Identifier: MIT
/* libFuzzer harness for the station parser (bert/qual/site.c and the
 * [instrument] sections of instruments/instr_file.c): any text must either
 * load or fail with BERT_ERR_CONFIG (never crash, leak, hang or trip a
 * sanitizer). A loaded station must be consistent: sites numbered 1..N with
 * a fixture each, every lane channel naming an instrument of the station,
 * calibrations finite where they are derived. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/site.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct qual_station st;

static void check_chan(const struct qual_chan *c)
{
	if (c->name[0] && !station_find(&st.instr, c->name))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	unsigned i, lane;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = qual_station_load_string("fuzz-station.ini", text, &st);
	free(text);
	if (rc != BERT_OK) {
		if (rc != BERT_ERR_CONFIG && rc != BERT_ERR_NOMEM)
			abort();
		return 0;
	}
	if (!st.nsites || st.nsites > QUAL_MAX_SITES)
		abort();
	for (i = 1; i <= st.nsites; i++) {
		const struct qual_site *s = qual_station_site(&st, i);

		if (!s || s->index != i || !s->fixture[0] || s->nlanes > QUAL_SITE_LANES)
			abort();
		if (s->tap_ratio > 0 && !isfinite(s->tap_loss_db))
			abort();
		for (lane = 1; lane <= s->nlanes; lane++) {
			check_chan(&s->lane[lane].voa);
			check_chan(&s->lane[lane].meter);
			check_chan(&s->lane[lane].sw);
		}
	}
	(void)qual_oma_offset_db(st.site[0].stimulus_er_db);
	return 0;
}
