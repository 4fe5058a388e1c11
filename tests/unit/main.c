// SPDX-License-Identifier: MIT
/* The single Check runner: every suite_<area>() in one binary, and the
 * test data paths of common.h. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "common.h"

const char *test_path(const char *rel)
{
	static _Thread_local char buf[4096];
	const char *top = getenv("BERT_TOP");

	snprintf(buf, sizeof(buf), "%s/%s", top ? top : ".", rel);
	return buf;
}

const char *test_shared_path(const char *rel)
{
	static _Thread_local char buf[4096];
	const char *top = getenv("BERT_TOP");
	struct stat st;

	snprintf(buf, sizeof(buf), "%s/../shared/testdata", top ? top : ".");
	if (stat(buf, &st) != 0) {
		/* a clone without the team's test data: say what was skipped */
		fprintf(stderr, "SKIP: ../shared/testdata/%s: no ../shared/testdata "
			"beside the tree\n", rel);
		return NULL;
	}
	snprintf(buf, sizeof(buf), "%s/../shared/testdata/%s", top ? top : ".", rel);
	/* the data set is there but this file is not: that is a failure, not
	 * a skip, or a renamed file would silently switch the test off */
	ck_assert_msg(stat(buf, &st) == 0, "expected test data missing: %s", buf);
	return buf;
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define BERT_SUITE(name) srunner_add_suite(sr, suite_##name());
#include "suites.inc"
#undef BERT_SUITE

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
