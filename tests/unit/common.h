/* SPDX-License-Identifier: MIT */
/* Shared declarations of the Check runner. Each tests/unit/test_<area>.c
 * defines `Suite *suite_<area>(void)`; the Makefile lists them for main.c. */
#ifndef BERT_TESTS_UNIT_COMMON_H
#define BERT_TESTS_UNIT_COMMON_H

#include <check.h>

#define BERT_SUITE(name) Suite *suite_##name(void);
#include "suites.inc"
#undef BERT_SUITE

/* Absolute path of a file in the source tree (BERT_TOP, else "."); returns a
 * static buffer valid until the next call on this thread. */
const char *test_path(const char *rel);
/* ../shared/testdata/<rel>.  NULL, with a SKIP line on stderr, when the
 * clone has no ../shared/testdata at all (the test then returns); a file
 * missing from a present data set fails the calling test. */
const char *test_shared_path(const char *rel);

#endif
