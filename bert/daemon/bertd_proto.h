/* SPDX-License-Identifier: MIT */
/* The bertd control protocol: newline-delimited JSON over a Unix socket
 * (cli/bertd.md). This file is the pure part: parsing and validating one
 * request line, and building replies. No I/O, no daemon state.
 *
 * Requests (one JSON object per line, at most BERTD_LINE_MAX bytes):
 *
 *   {"cmd":"status"}
 *   {"cmd":"start","site":N|"all","profile":"NAME","serial":"SN"}
 *   {"cmd":"abort","site":N|"all"}
 *   {"cmd":"subscribe"}            progress events follow on this connection
 *   {"cmd":"unsubscribe"}
 *   {"cmd":"results","since":C,"limit":N}   runs changed after cursor C
 *   {"cmd":"reload"}
 *   {"cmd":"sim","site":N,"present":B,"unplugged":B}   emulated sites only
 *
 * Every request may carry "id" (a string of up to 64 bytes or an integer),
 * echoed in the reply. Unknown commands, unknown keys, wrong types, values
 * out of range, duplicate keys and anything that is not one JSON object are
 * errors; the reply is {"ok":false,"error":{"code":C,"message":M}} and the
 * connection stays usable.
 */
#ifndef BERT_DAEMON_BERTD_PROTO_H
#define BERT_DAEMON_BERTD_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BERTD_LINE_MAX		4096	/* a request line, without the newline */
#define BERTD_SITE_ALL		0	/* "site":"all" */
#define BERTD_SITES_MAX		16
#define BERTD_NAME_MAX		64	/* profile name */
#define BERTD_SERIAL_MAX	17	/* 16 printable characters (CMIS SN) */
#define BERTD_ID_MAX		65

enum bertd_cmd {
	BERTD_CMD_NONE = 0,
	BERTD_CMD_STATUS,
	BERTD_CMD_START,
	BERTD_CMD_ABORT,
	BERTD_CMD_SUBSCRIBE,
	BERTD_CMD_UNSUBSCRIBE,
	BERTD_CMD_RESULTS,
	BERTD_CMD_RELOAD,
	BERTD_CMD_SIM,
};

/* Error codes of replies. */
#define BERTD_E_PARSE		"parse"		/* not JSON / not an object */
#define BERTD_E_TOO_LONG	"too_long"	/* line over BERTD_LINE_MAX */
#define BERTD_E_BAD_REQUEST	"bad_request"	/* wrong keys, types, values */
#define BERTD_E_UNKNOWN_CMD	"unknown_cmd"
#define BERTD_E_NO_SITE		"no_site"
#define BERTD_E_BUSY		"busy"		/* site running */
#define BERTD_E_IDLE		"idle"		/* nothing to abort */
#define BERTD_E_CONFIG		"config"	/* profile, station */
#define BERTD_E_INTERNAL	"internal"
#define BERTD_E_UNSUPPORTED	"unsupported"

struct bertd_request {
	enum bertd_cmd cmd;
	bool has_id;
	bool id_is_int;
	int64_t id_int;
	char id_str[BERTD_ID_MAX];
	unsigned site;			/* 1.., BERTD_SITE_ALL */
	bool has_site;
	char profile[BERTD_NAME_MAX];	/* "" = the site's */
	char serial[BERTD_SERIAL_MAX];	/* "" = from the module */
	int64_t since;			/* results: change cursor, 0 = all */
	unsigned limit;			/* results: 0 = default */
	int present, unplugged;		/* sim: -1 = unchanged, 0, 1 */
	char instrument[32];		/* sim: an instrument of the station, "" = none */
	char fault[16];			/* sim: none, silent, garbage, unplugged */
};

/* Parses one line (len bytes, no newline; need not be NUL-terminated).
 * BERT_OK, or BERT_ERR_PROTOCOL with *code (a BERTD_E_*) and msg set; when
 * the id could be read it is kept in req so the error reply carries it. */
int bertd_request_parse(const char *line, size_t len, struct bertd_request *req,
			const char **code, char *msg, size_t msgsize);
const char *bertd_cmd_name(enum bertd_cmd c);

/* A profile name a client may ask for: 1..63 of [A-Za-z0-9._-], not
 * starting with '.', so it names a profile of the search path, never a file
 * elsewhere. */
bool bertd_profile_name_ok(const char *s);
/* A serial number: 1..16 printable ASCII characters, no quotes or '\\'. */
bool bertd_serial_ok(const char *s);

/* Replies: {"ok":true,"cmd":..., "id":...} to which the caller adds; and
 * the error reply. Both new references. */
json_t *bertd_reply_ok(const struct bertd_request *req);
json_t *bertd_reply_error(const struct bertd_request *req, const char *code,
			  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* One line: compact JSON plus '\n', malloc'ed; NULL on failure. Takes the
 * reference. */
char *bertd_line(json_t *j, size_t *len);

#endif
