// SPDX-License-Identifier: MIT
/* Lane lists and sides for the diagnostics commands (see bert_lanes.h). */
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "cli/bert_lanes.h"
#include "cli/common.h"

int cli_parse_lanes(const char *s, uint8_t *mask)
{
	unsigned m = 0;
	char *end;

	if (!s || !*s)
		return -1;
	for (;;) {
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s || a < 1 || a > 8)
			return -1;
		s = end;
		if (*s == '-') {
			s++;
			b = strtoul(s, &end, 10);
			if (end == s || b < a || b > 8)
				return -1;
			s = end;
		}
		for (; a <= b; a++)
			m |= 1u << (a - 1);
		if (!*s)
			break;
		if (*s++ != ',')
			return -1;
	}
	*mask = (uint8_t)m;
	return 0;
}

int cli_parse_side(const char *s, enum cmis_side *side)
{
	if (!strcmp(s, "host"))
		*side = CMIS_SIDE_HOST;
	else if (!strcmp(s, "media"))
		*side = CMIS_SIDE_MEDIA;
	else
		return -1;
	return 0;
}

int cli_diag_error(int err, const char *what)
{
	int ex = cli_error(err, what);

	return err == BERT_ERR_UNSUPPORTED ? EXIT_USAGE : ex;
}
