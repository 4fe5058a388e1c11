// SPDX-License-Identifier: MIT
/* libFuzzer harness for the profile parser: any text must either load or
 * fail with BERT_ERR_CONFIG (never crash, leak, hang or trip a sanitizer).
 * The text stands for profiles/fuzz.ini, so includes of the shipped
 * profiles (seeds in tests/fuzz/seeds/fuzz_profile/) resolve and the include
 * machinery is exercised too. A loaded profile must give a canonical dump,
 * limits that judge, and an identity check. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct profile p;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *canon;
	size_t i;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	rc = profile_load_string("profiles/fuzz.ini", text, &p);
	free(text);
	if (rc != BERT_OK) {
		if (rc != BERT_ERR_CONFIG && rc != BERT_ERR_NOMEM)
			abort();
		return 0;
	}
	if (!p.lanes || !p.lanes_per_link || p.lanes % p.lanes_per_link ||
	    p.lanes > PROFILE_MAX_LANES || strncmp(p.hash, "fnv1a64:", 8))
		abort();
	canon = profile_canonical(&p);
	if (!canon)
		return 0;
	free(canon);
	for (i = 0; i < p.nlimits; i++) {
		struct qual_limits l = profile_limits_for(&p, p.limits[i].q->name);
		double v = isnan(l.low) ? (isnan(l.high) ? 1 : l.high) : l.low;

		if (qual_judge(v, 0.1, &l, p.limits[i].q->unit, NULL, 0) == QUAL_NONE)
			abort();
	}
	(void)profile_check_identity(&p, "BERT-SIM", "SIM-400G-DR4", "1.0");
	(void)profile_required_margin(&p);
	return 0;
}
