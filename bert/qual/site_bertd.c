// SPDX-License-Identifier: MIT
/* [bertd] of the station file (cli/bertd.md): the daemon's socket, database,
 * arbitration and speed. Every station-file reader checks it through
 * qual_station_load(), so the section means the same to every program. */
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/ini.h"
#include "bert/qual/site.h"

int qual_bertd_key(struct qual_bertd *b, const char *name, const char *value)
{
	static const struct bert_ini_field fields[] = {
		{ "socket", BERT_INI_STRING, offsetof(struct qual_bertd, socket), 0, 0, 256 },
		{ "socket_group", BERT_INI_STRING, offsetof(struct qual_bertd, socket_group),
		  0, 0, 64 },
		{ "db", BERT_INI_STRING, offsetof(struct qual_bertd, db), 0, 0, 256 },
		{ "arbitration", BERT_INI_STRING, offsetof(struct qual_bertd, arbitration),
		  0, 0, 16 },
		{ "speed", BERT_INI_DOUBLE, offsetof(struct qual_bertd, speed), 0, 1e6, 0 },
		{ "http", BERT_INI_STRING, offsetof(struct qual_bertd, http), 0, 0, 128 },
		{ "http_token_file", BERT_INI_STRING, offsetof(struct qual_bertd, http_token_file),
		  0, 0, 256 },
		{ "repeat", BERT_INI_UINT, offsetof(struct qual_bertd, repeat), 0, 100000, 0 },
		BERT_INI_END,
	};
	int rc;

	if (!strcmp(name, "socket_mode")) {
		char *end;
		unsigned long m = strtoul(value, &end, 8);

		if (!value[0] || *end || m > 0777)
			return bert_fail(BERT_ERR_CONFIG, "[bertd]: socket_mode '%s' is not "
					 "an octal mode", value);
		b->socket_mode = (unsigned)m;
		return BERT_OK;
	}
	rc = bert_ini_set_field(fields, b, "bertd", name, value);
	if (rc)
		return rc;	/* names the key and the section */
	if (!strcmp(name, "arbitration") && strcmp(value, "fifo") && strcmp(value, "rr"))
		return bert_fail(BERT_ERR_CONFIG, "[bertd]: arbitration '%s' is not fifo "
				 "or rr", value);
	return BERT_OK;
}
