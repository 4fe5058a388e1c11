// SPDX-License-Identifier: MIT
/* The pure part of the bertd control protocol: one request line parsed
 * and validated into a struct, replies rendered (see bertd_proto.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/daemon/bertd_proto.h"

static const char *const cmd_names[] = {
	[BERTD_CMD_NONE] = "",
	[BERTD_CMD_STATUS] = "status",
	[BERTD_CMD_START] = "start",
	[BERTD_CMD_ABORT] = "abort",
	[BERTD_CMD_SUBSCRIBE] = "subscribe",
	[BERTD_CMD_UNSUBSCRIBE] = "unsubscribe",
	[BERTD_CMD_RESULTS] = "results",
	[BERTD_CMD_RELOAD] = "reload",
	[BERTD_CMD_SIM] = "sim",
};

const char *bertd_cmd_name(enum bertd_cmd c)
{
	return (unsigned)c < ARRAY_SIZE(cmd_names) ? cmd_names[c] : "";
}

bool bertd_profile_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= BERTD_NAME_MAX || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool bertd_serial_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= BERTD_SERIAL_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

/* Which keys each command takes (besides cmd and id). */
enum {
	K_SITE = 1 << 0,
	K_PROFILE = 1 << 1,
	K_SERIAL = 1 << 2,
	K_SINCE = 1 << 3,
	K_LIMIT = 1 << 4,
	K_PRESENT = 1 << 5,
	K_UNPLUGGED = 1 << 6,
	K_INSTRUMENT = 1 << 7,
	K_FAULT = 1 << 8,
};

static const struct {
	const char *name;
	unsigned bit;
} keys[] = {
	{ "site", K_SITE }, { "profile", K_PROFILE }, { "serial", K_SERIAL },
	{ "since", K_SINCE }, { "limit", K_LIMIT }, { "present", K_PRESENT },
	{ "unplugged", K_UNPLUGGED }, { "instrument", K_INSTRUMENT }, { "fault", K_FAULT },
};

static const unsigned cmd_keys[] = {
	[BERTD_CMD_STATUS] = 0,
	[BERTD_CMD_START] = K_SITE | K_PROFILE | K_SERIAL,
	[BERTD_CMD_ABORT] = K_SITE,
	[BERTD_CMD_SUBSCRIBE] = 0,
	[BERTD_CMD_UNSUBSCRIBE] = 0,
	[BERTD_CMD_RESULTS] = K_SINCE | K_LIMIT,
	[BERTD_CMD_RELOAD] = 0,
	[BERTD_CMD_SIM] = K_SITE | K_PRESENT | K_UNPLUGGED | K_INSTRUMENT | K_FAULT,
};

static int fail(const char **code, const char *c, char *msg, size_t size,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(const char **code, const char *c, char *msg, size_t size,
		const char *fmt, ...)
{
	va_list ap;

	*code = c;
	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return BERT_ERR_PROTOCOL;
}

static int parse_id(json_t *v, struct bertd_request *req)
{
	if (json_is_integer(v)) {
		req->has_id = true;
		req->id_is_int = true;
		req->id_int = json_integer_value(v);
		return BERT_OK;
	}
	if (json_is_string(v) && json_string_length(v) < BERTD_ID_MAX &&
	    strlen(json_string_value(v)) == json_string_length(v)) {
		req->has_id = true;
		snprintf(req->id_str, sizeof(req->id_str), "%s", json_string_value(v));
		return BERT_OK;
	}
	return BERT_ERR_PROTOCOL;
}

/* A JSON string without NUL bytes, shorter than size. */
static const char *str_of(json_t *v, size_t size)
{
	if (!json_is_string(v) || json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

int bertd_request_parse(const char *line, size_t len, struct bertd_request *req,
			const char **code, char *msg, size_t msgsize)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key, *s;
	unsigned allowed, i;
	int rc = BERT_ERR_PROTOCOL;

	memset(req, 0, sizeof(*req));
	req->present = req->unplugged = -1;
	if (len > BERTD_LINE_MAX)
		return fail(code, BERTD_E_TOO_LONG, msg, msgsize,
			    "request longer than %d bytes", BERTD_LINE_MAX);
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return fail(code, BERTD_E_PARSE, msg, msgsize, "not JSON: %s (column %d)",
			    jerr.text, jerr.column);
	if (!json_is_object(root)) {
		rc = fail(code, BERTD_E_PARSE, msg, msgsize, "a request is a JSON object");
		goto out;
	}
	v = json_object_get(root, "id");
	if (v && parse_id(v, req)) {
		rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
			  "\"id\" must be an integer or a string of up to %d bytes",
			  BERTD_ID_MAX - 1);
		goto out;
	}
	v = json_object_get(root, "cmd");
	if (!v) {
		rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize, "missing \"cmd\"");
		goto out;
	}
	s = str_of(v, 32);
	if (!s) {
		rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize, "\"cmd\" must be a string");
		goto out;
	}
	for (i = 1; i < ARRAY_SIZE(cmd_names); i++)
		if (!strcmp(s, cmd_names[i]))
			req->cmd = (enum bertd_cmd)i;
	if (!req->cmd) {
		rc = fail(code, BERTD_E_UNKNOWN_CMD, msg, msgsize, "unknown command (status, "
			  "start, abort, subscribe, unsubscribe, results, reload, sim)");
		goto out;
	}
	allowed = cmd_keys[req->cmd];
	json_object_foreach(root, key, v) {
		unsigned bit = 0;

		if (!strcmp(key, "cmd") || !strcmp(key, "id"))
			continue;
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if (!strcmp(key, keys[i].name))
				bit = keys[i].bit;
		if (!(bit & allowed)) {
			char safe[40];
			size_t k;

			/* the key as printable ASCII, cut short */
			for (k = 0; key[k] && k < sizeof(safe) - 1; k++)
				safe[k] = key[k] >= 0x20 && key[k] < 0x7f ? key[k] : '?';
			safe[k] = '\0';
			rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
				  "%s: unknown key \"%s\"", s, safe);
			goto out;
		}
		switch (bit) {
		case K_SITE:
			if (json_is_string(v) && !strcmp(json_string_value(v), "all") &&
			    req->cmd != BERTD_CMD_SIM) {
				req->site = BERTD_SITE_ALL;
			} else if (json_is_integer(v) && json_integer_value(v) >= 1 &&
				   json_integer_value(v) <= BERTD_SITES_MAX) {
				req->site = (unsigned)json_integer_value(v);
			} else {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"site\" must be 1..%d%s", BERTD_SITES_MAX,
					  req->cmd == BERTD_CMD_SIM ? "" : " or \"all\"");
				goto out;
			}
			req->has_site = true;
			break;
		case K_PROFILE:
			s = str_of(v, BERTD_NAME_MAX);
			if (!s || !bertd_profile_name_ok(s)) {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"profile\" must be a profile name "
					  "([A-Za-z0-9._-], up to %d)", BERTD_NAME_MAX - 1);
				goto out;
			}
			snprintf(req->profile, sizeof(req->profile), "%s", s);
			break;
		case K_SERIAL:
			s = str_of(v, BERTD_SERIAL_MAX);
			if (!s || !bertd_serial_ok(s)) {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"serial\" must be 1..%d printable characters",
					  BERTD_SERIAL_MAX - 1);
				goto out;
			}
			snprintf(req->serial, sizeof(req->serial), "%s", s);
			break;
		case K_SINCE:
			if (!json_is_integer(v) || json_integer_value(v) < 0) {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"since\" must be an integer >= 0");
				goto out;
			}
			req->since = json_integer_value(v);
			break;
		case K_LIMIT:
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > 1000) {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"limit\" must be 1..1000");
				goto out;
			}
			req->limit = (unsigned)json_integer_value(v);
			break;
		case K_PRESENT:
		case K_UNPLUGGED:
			if (!json_is_boolean(v)) {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"%s\" must be true or false", key);
				goto out;
			}
			if (bit == K_PRESENT)
				req->present = json_is_true(v);
			else
				req->unplugged = json_is_true(v);
			break;
		case K_INSTRUMENT:
			s = str_of(v, sizeof(req->instrument));
			if (!s || !bertd_profile_name_ok(s)) {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"instrument\" must be an instrument name "
					  "([A-Za-z0-9._-], up to %zu)", sizeof(req->instrument) - 1);
				goto out;
			}
			snprintf(req->instrument, sizeof(req->instrument), "%s", s);
			break;
		case K_FAULT:
			s = str_of(v, sizeof(req->fault));
			if (!s || (strcmp(s, "none") && strcmp(s, "silent") &&
				   strcmp(s, "garbage") && strcmp(s, "unplugged"))) {
				rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
					  "\"fault\" must be none, silent, garbage or unplugged");
				goto out;
			}
			snprintf(req->fault, sizeof(req->fault), "%s", s);
			break;
		}
	}
	if ((req->cmd == BERTD_CMD_START || req->cmd == BERTD_CMD_ABORT ||
	     req->cmd == BERTD_CMD_SIM) && !req->has_site) {
		rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize, "%s: missing \"site\"",
			  bertd_cmd_name(req->cmd));
		goto out;
	}
	if (req->cmd == BERTD_CMD_SIM && !req->instrument[0] != !req->fault[0]) {
		rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
			  "sim: \"instrument\" and \"fault\" go together");
		goto out;
	}
	if (req->cmd == BERTD_CMD_SIM && req->instrument[0] &&
	    (req->present >= 0 || req->unplugged >= 0)) {
		rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
			  "sim: an instrument fault or a site change, not both");
		goto out;
	}
	if (req->cmd == BERTD_CMD_START && req->site == BERTD_SITE_ALL && req->serial[0]) {
		rc = fail(code, BERTD_E_BAD_REQUEST, msg, msgsize,
			  "start: one \"serial\" cannot name every site");
		goto out;
	}
	rc = BERT_OK;
out:
	json_decref(root);
	return rc;
}

static void add_id(json_t *j, const struct bertd_request *req)
{
	if (!req || !req->has_id)
		return;
	if (req->id_is_int)
		json_object_set_new(j, "id", json_integer(req->id_int));
	else
		json_object_set_new(j, "id", json_string(req->id_str));
}

json_t *bertd_reply_ok(const struct bertd_request *req)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	json_object_set_new(j, "ok", json_true());
	if (req && req->cmd)
		json_object_set_new(j, "cmd", json_string(bertd_cmd_name(req->cmd)));
	add_id(j, req);
	return j;
}

json_t *bertd_reply_error(const struct bertd_request *req, const char *code,
			  const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *j = json_object(), *e;

	if (!j)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_set_new(j, "ok", json_false());
	if (req && req->cmd)
		json_object_set_new(j, "cmd", json_string(bertd_cmd_name(req->cmd)));
	add_id(j, req);
	e = json_object();
	json_object_set_new(e, "code", json_string(code));
	/* messages may quote client bytes: printable ASCII only */
	for (char *p = msg; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	json_object_set_new(e, "message", json_string(msg));
	json_object_set_new(j, "error", e);
	return j;
}

char *bertd_line(json_t *j, size_t *len)
{
	char *s, *out;
	size_t n;

	if (!j)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	if (!s)
		return NULL;
	n = strlen(s);
	out = realloc(s, n + 2);
	if (!out) {
		free(s);
		return NULL;
	}
	out[n] = '\n';
	out[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return out;
}
