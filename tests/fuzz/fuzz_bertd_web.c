// SPDX-License-Identifier: MIT
/* libFuzzer harness for bertd's web front (bert/daemon/bertd_web.c), the
 * part of its HTTP server that decides every request of the page and the
 * API. The input is one request:
 *
 *   byte 0        bit 0: the server has a token
 *   then lines    METHOD, PATH, QUERY (k=v&k=v), Host, Origin,
 *                 Authorization, X-CSRF-Token, Content-Type (an empty line
 *                 is an absent header), then the body (the rest)
 *
 * Invariants: no crash, leak or sanitizer report; every reply is a known
 * HTTP status with a body of its type (JSON replies one valid object with
 * "ok"); a request reaches the daemon (the call or report callback) only
 * when authorized: with a token, carrying it; without, from a loopback
 * Host, and a POST only with the page's Origin and CSRF token; the
 * protocol request it reaches the daemon with is valid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/daemon/bertd_web.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char TOKEN[] = "tok-0123456789abcdef";
static const char CSRF[] = "0123456789abcdef0123456789abcdef";
static const unsigned char page[] = "<!DOCTYPE html>";
static const struct bertd_web_asset assets[] = {
	{ "/", "text/html", page, sizeof(page) - 1 },
	{ "/app.js", "text/javascript", page, 3 },
};

static const struct bertd_web_req *cur;
static bool cur_token;

static void authorized(void)
{
	if (cur_token) {
		bool hdr = cur->authorization && !strncmp(cur->authorization, "Bearer ", 7) &&
			   !strcmp(cur->authorization + 7, TOKEN);
		bool query = false;
		size_t i;

		for (i = 0; i < cur->nargs; i++)
			if (!strcmp(cur->args[i].key, "token") && cur->args[i].value &&
			    !strcmp(cur->args[i].value, TOKEN))
				query = true;
		if (!hdr && !query)
			abort();
		return;
	}
	if (!cur->host)
		abort();
	if (!strcmp(cur->method, "POST")) {
		if (!cur->origin || strncmp(cur->origin, "http://", 7) ||
		    strcmp(cur->origin + 7, cur->host) || !cur->csrf || strcmp(cur->csrf, CSRF))
			abort();
	}
}

static json_t *call(void *user, const struct bertd_request *r)
{
	(void)user;
	authorized();
	if (r->cmd != BERTD_CMD_STATUS && r->cmd != BERTD_CMD_START &&
	    r->cmd != BERTD_CMD_ABORT && r->cmd != BERTD_CMD_RESULTS)
		abort();
	if (r->profile[0] && !bertd_profile_name_ok(r->profile))
		abort();
	if (r->serial[0] && !bertd_serial_ok(r->serial))
		abort();
	if (r->cmd == BERTD_CMD_START && r->site == 3)
		return bertd_reply_error(r, BERTD_E_BUSY, "site 3 is running");
	return bertd_reply_ok(r);
}

static int report(void *user, int64_t id, char **text, size_t *len)
{
	(void)user;
	authorized();
	if (id < 1)
		abort();
	if (id > 5)
		return bert_fail(BERT_ERR_RANGE, "no run %lld", (long long)id);
	*text = strdup("report\n");
	*len = 7;
	return *text ? BERT_OK : BERT_ERR_NOMEM;
}

/* The next line of [*p, end) as a NUL-terminated copy (NULL when empty). */
static char *line(const char **p, const char *end)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = NULL;

	if (n && !memchr(*p, '\0', n)) {
		s = malloc(n + 1);
		if (!s)
			abort();
		memcpy(s, *p, n);
		s[n] = '\0';
	}
	*p += n + (nl ? 1 : 0);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bertd_web_conf c = {
		.csrf = CSRF, .assets = assets, .nassets = 2, .call = call, .report = report,
	};
	struct bertd_web_arg args[BERTD_WEB_ARGS_MAX + 2];
	struct bertd_web_req q = { .args = args };
	struct bertd_web_resp r;
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	char *f[8], *query, *save = NULL, *kv;
	size_t i;

	if (size < 1)
		return 0;
	cur_token = data[0] & 1;
	c.token = cur_token ? TOKEN : "";
	for (i = 0; i < 8; i++)
		f[i] = line(&p, end);
	q.method = f[0] ? f[0] : "GET";
	q.path = f[1] ? f[1] : "/";
	query = f[2];
	for (kv = query ? strtok_r(query, "&", &save) : NULL; kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq = '\0';
		if (q.nargs < sizeof(args) / sizeof(args[0]))
			args[q.nargs] = (struct bertd_web_arg){ kv, eq ? eq + 1 : NULL };
		q.nargs++;
	}
	if (q.nargs > sizeof(args) / sizeof(args[0]))
		q.nargs = sizeof(args) / sizeof(args[0]);
	q.host = f[3];
	q.origin = f[4];
	q.authorization = f[5];
	q.csrf = f[6];
	q.content_type = f[7];
	q.body = p;
	q.body_len = (size_t)(end - p);
	if (q.body_len > BERTD_WEB_BODY_MAX) {
		q.body_len = 0;
		q.body_too_long = true;
	}
	cur = &q;
	bertd_web_handle(&c, &q, &r);
	switch (r.status) {
	case 200: case 400: case 401: case 403: case 404: case 405: case 409: case 413:
	case 500: case 501: case 503:
		break;
	default:
		abort();
	}
	if (!r.type || (r.body && r.data) || (r.status != 200 && !r.body))
		abort();
	if (r.events && (r.status != 200 || r.body))
		abort();
	if (r.events)
		authorized();
	if (r.body && !strcmp(r.type, "application/json")) {
		json_error_t err;
		json_t *j = json_loadb(r.body, r.len, 0, &err);

		if (!j || !json_is_boolean(json_object_get(j, "ok")) ||
		    r.body[r.len - 1] != '\n' || memchr(r.body, '\n', r.len - 1))
			abort();
		if (json_is_true(json_object_get(j, "ok")) != (r.status == 200))
			abort();
		json_decref(j);
	}
	free(r.body);
	for (i = 0; i < 8; i++)
		free(f[i]);
	return 0;
}
