// SPDX-License-Identifier: MIT
/* libFuzzer harness for bertd's request parser (bert/daemon/bertd_proto.c):
 * any bytes must parse or fail with BERT_ERR_PROTOCOL and an error code, and
 * every reply built from the outcome must be one line of valid JSON (no
 * crash, leak, hang or sanitizer report). A parsed request must satisfy the
 * validation rules: known command, site in range, names and serials of the
 * allowed characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/daemon/bertd_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(json_t *reply)
{
	json_error_t err;
	size_t len;
	char *line = bertd_line(reply, &len);
	json_t *back;

	if (!line)
		abort();
	if (len < 2 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		abort();
	back = json_loadb(line, len - 1, 0, &err);
	if (!back || !json_is_object(back))
		abort();
	json_decref(back);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bertd_request req;
	const char *code = NULL;
	char msg[256];
	int rc;

	rc = bertd_request_parse((const char *)data, size, &req, &code, msg, sizeof(msg));
	if (rc == BERT_OK) {
		if (!req.cmd || !bertd_cmd_name(req.cmd)[0])
			abort();
		if (req.has_site && req.site > BERTD_SITES_MAX)
			abort();
		if (req.profile[0] && !bertd_profile_name_ok(req.profile))
			abort();
		if (req.serial[0] && !bertd_serial_ok(req.serial))
			abort();
		check_line(bertd_reply_ok(&req));
	} else {
		if (rc != BERT_ERR_PROTOCOL || !code)
			abort();
		check_line(bertd_reply_error(&req, code, "%s", msg));
	}
	return 0;
}
