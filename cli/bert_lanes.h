/* SPDX-License-Identifier: MIT */
/* Options shared by the diagnostics commands (ber, loopback): lane lists
 * and sides. */
#ifndef BERT_CLI_BERT_LANES_H
#define BERT_CLI_BERT_LANES_H

#include <stdint.h>

#include "fixtures/cmis/decode_diag.h"

/* "1-4", "1,3", "2", "1-2,5-6" -> lane mask (bit n = lane n+1, lanes 1-8).
 * Returns 0, or -1 for a malformed list or a lane outside 1-8. */
int cli_parse_lanes(const char *s, uint8_t *mask);
/* "host" / "media"; -1 otherwise. */
int cli_parse_side(const char *s, enum cmis_side *side);
/* Exit code for a refused diagnostics request: what the module does not
 * advertise is a configuration problem of the request (2), the rest as
 * cli_exit_code(). Prints the error like cli_error(). */
int cli_diag_error(int err, const char *what);

#endif
