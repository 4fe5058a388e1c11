/* SPDX-License-Identifier: MIT */
/* A sample run record for the qual, store and report suites: a 400G-DR4
 * run whose lane 3 fails its BER at the budget point, with a marginal, an
 * error, a skipped step, sweep points, NaN and infinite values, and module
 * strings that need escaping. */
#ifndef BERT_TESTS_UNIT_QUAL_SAMPLE_H
#define BERT_TESTS_UNIT_QUAL_SAMPLE_H

#include "bert/qual/record.h"

/* Fills r (qual_record_free() it). The run is finished (complete). */
void sample_record(struct qual_record *r);
/* Number of measurements sample_record() holds, and of them failures,
 * errors and marginals. */
#define SAMPLE_MEASUREMENTS	14
#define SAMPLE_FAILURES		2
#define SAMPLE_ERRORS		1
#define SAMPLE_MARGINALS	1

#endif
