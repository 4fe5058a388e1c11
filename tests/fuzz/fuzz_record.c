// SPDX-License-Identifier: MIT
/* libFuzzer harness for the run-record JSON parser (bert results import and
 * the daemon read records from outside): any bytes either parse into a
 * record that renders in every report format, or fail cleanly. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "bert/qual/record.h"
#include "bert/report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qual_record r;
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	FILE *f;
	int i;

	if (!j)
		return 0;
	if (qual_record_from_json(j, &r) == BERT_OK) {
		f = fopen("/dev/null", "w");
		for (i = 0; f && i < REPORT_NFORMATS; i++)
			if (report_write(f, (enum report_format)i, &r) != BERT_OK)
				abort();
		if (f)
			fclose(f);
		qual_record_free(&r);
	}
	json_decref(j);
	return 0;
}
