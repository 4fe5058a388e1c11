// SPDX-License-Identifier: MIT
/* bertd's web front, the pure part (bertd_web.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/daemon/bertd_web.h"

static const char mime_json[] = "application/json";

bool bertd_web_secret_eq(const char *want, const char *got)
{
	size_t i, lw = strlen(want), lg = got ? strlen(got) : 0;
	unsigned diff = lw != lg;

	for (i = 0; i < lw; i++)
		diff |= (unsigned)(want[i] ^ (i < lg ? got[i] : 0));
	return !diff;
}

unsigned bertd_web_status(const char *code)
{
	static const struct {
		const char *code;
		unsigned status;
	} map[] = {
		{ BERTD_E_PARSE, 400 }, { BERTD_E_BAD_REQUEST, 400 }, { BERTD_E_CONFIG, 400 },
		{ BERTD_E_TOO_LONG, 413 }, { BERTD_E_UNKNOWN_CMD, 404 },
		{ BERTD_E_NOT_FOUND, 404 }, { BERTD_E_NO_SITE, 404 }, { BERTD_E_BUSY, 409 },
		{ BERTD_E_IDLE, 409 }, { BERTD_E_UNSUPPORTED, 501 },
		{ BERTD_E_UNAUTHORIZED, 401 }, { BERTD_E_FORBIDDEN, 403 },
		{ BERTD_E_METHOD, 405 }, { BERTD_E_UNAVAILABLE, 503 },
	};
	size_t i;

	if (!code)
		return 200;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(code, map[i].code))
			return map[i].status;
	return 500;
}

static void set_json(struct bertd_web_resp *r, json_t *j)
{
	json_t *err = json_object_get(j, "error");
	unsigned status = bertd_web_status(json_string_value(json_object_get(err, "code")));
	size_t n = 0;
	char *line = bertd_line(j, &n);	/* takes the reference */

	r->type = mime_json;
	r->status = line ? status : 500;
	r->body = line;
	r->len = line ? n : 0;
}

static void fail(struct bertd_web_resp *r, const struct bertd_request *req, const char *code,
		 const char *msg)
{
	set_json(r, bertd_reply_error(req, code, "%s", msg));
}

static const struct bertd_web_asset *asset(const struct bertd_web_conf *c, const char *path)
{
	size_t i;

	for (i = 0; i < c->nassets; i++)
		if (!strcmp(path, c->assets[i].path))
			return &c->assets[i];
	return NULL;
}

bool bertd_web_owns(const struct bertd_web_conf *c, const char *path)
{
	return !strncmp(path, "/api/", 5) || !strcmp(path, "/api") || asset(c, path);
}

/* A Host header naming a loopback address: 127.x.x.x, localhost or [::1],
 * with an optional port. */
static bool host_loopback(const char *h)
{
	const char *end;
	size_t n;

	if (!h || !*h)
		return false;
	if (!strncmp(h, "[::1]", 5)) {
		end = h + 5;
	} else {
		end = strchr(h, ':');
		if (!end)
			end = h + strlen(h);
		n = (size_t)(end - h);
		if (!(n == 9 && !strncmp(h, "localhost", 9))) {
			unsigned a, b, c2, d;
			char tail;
			char buf[16];

			if (n >= sizeof(buf))
				return false;
			memcpy(buf, h, n);
			buf[n] = '\0';
			if (sscanf(buf, "%u.%u.%u.%u%c", &a, &b, &c2, &d, &tail) != 4 ||
			    a != 127 || b > 255 || c2 > 255 || d > 255)
				return false;
		}
	}
	if (!*end)
		return true;
	if (*end != ':' || !end[1] || strlen(end + 1) > 5)
		return false;
	for (end++; *end; end++)
		if (*end < '0' || *end > '9')
			return false;
	return true;
}

static const char *arg(const struct bertd_web_req *q, const char *key)
{
	size_t i;

	for (i = 0; i < q->nargs; i++)
		if (!strcmp(q->args[i].key, key))
			return q->args[i].value ? q->args[i].value : "";
	return NULL;
}

/* Strict decimal integer (what JSON would carry). */
static bool int_arg(const char *s, long long *v)
{
	char *end;

	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !*end && !errno;
}

/* Runs a request object through the protocol's parser, so the web API has
 * exactly the socket's validation and replies. Takes the reference. */
static void run(const struct bertd_web_conf *c, json_t *obj, struct bertd_web_resp *r)
{
	struct bertd_request req;
	const char *code;
	char msg[256];
	size_t n = 0;
	char *line = bertd_line(obj, &n);

	if (!line) {
		fail(r, NULL, BERTD_E_INTERNAL, "cannot build the request");
		return;
	}
	if (bertd_request_parse(line, n - 1, &req, &code, msg, sizeof(msg))) {
		free(line);
		set_json(r, bertd_reply_error(&req, code, "%s", msg));
		return;
	}
	free(line);
	set_json(r, c->call(c->user, &req));
}

static void post(const struct bertd_web_conf *c, const struct bertd_web_req *q,
		 const char *cmd, struct bertd_web_resp *r)
{
	json_error_t err;
	json_t *obj;
	char msg[300];

	if (q->body_too_long) {
		snprintf(msg, sizeof(msg), "body: longer than %d bytes", BERTD_WEB_BODY_MAX);
		fail(r, NULL, BERTD_E_TOO_LONG, msg);
		return;
	}
	if (!q->content_type || strncmp(q->content_type, mime_json, sizeof(mime_json) - 1) ||
	    (q->content_type[sizeof(mime_json) - 1] &&
	     q->content_type[sizeof(mime_json) - 1] != ';')) {
		fail(r, NULL, BERTD_E_BAD_REQUEST, "Content-Type: must be application/json");
		return;
	}
	if (q->nargs) {
		fail(r, NULL, BERTD_E_BAD_REQUEST, "a POST takes its arguments in the body");
		return;
	}
	if (!q->body_len) {
		obj = json_object();
	} else {
		obj = json_loadb(q->body ? q->body : "", q->body_len,
				 JSON_REJECT_DUPLICATES, &err);
		if (!obj) {
			snprintf(msg, sizeof(msg), "body: byte %d (line %d column %d): %s",
				 err.position, err.line, err.column, err.text);
			fail(r, NULL, BERTD_E_PARSE, msg);
			return;
		}
		if (!json_is_object(obj)) {
			json_decref(obj);
			fail(r, NULL, BERTD_E_PARSE, "body: not a JSON object");
			return;
		}
		if (json_object_get(obj, "cmd")) {
			json_decref(obj);
			fail(r, NULL, BERTD_E_BAD_REQUEST, "body: \"cmd\" is given by the path");
			return;
		}
	}
	json_object_set_new(obj, "cmd", json_string(cmd));
	run(c, obj, r);
}

static void get_results(const struct bertd_web_conf *c, const struct bertd_web_req *q,
			struct bertd_web_resp *r)
{
	json_t *obj = json_object();
	char msg[128];
	size_t i;

	json_object_set_new(obj, "cmd", json_string("results"));
	for (i = 0; i < q->nargs; i++) {
		const char *k = q->args[i].key;
		long long v;

		if (strcmp(k, "since") && strcmp(k, "limit")) {
			snprintf(msg, sizeof(msg), "unknown query argument '%.40s'", k);
			goto bad;
		}
		if (json_object_get(obj, k)) {
			snprintf(msg, sizeof(msg), "query argument '%s' given twice", k);
			goto bad;
		}
		if (!int_arg(q->args[i].value, &v)) {
			snprintf(msg, sizeof(msg), "query argument '%s': not an integer", k);
			goto bad;
		}
		json_object_set_new(obj, k, json_integer(v));
	}
	run(c, obj, r);
	return;
bad:
	json_decref(obj);
	fail(r, NULL, BERTD_E_BAD_REQUEST, msg);
}

static void get_report(const struct bertd_web_conf *c, const struct bertd_web_req *q,
		       struct bertd_web_resp *r)
{
	const char *id_s = NULL;
	long long id;
	char msg[128];
	size_t i;
	int rc;

	for (i = 0; i < q->nargs; i++) {
		if (!strcmp(q->args[i].key, "token"))
			continue;
		if (strcmp(q->args[i].key, "id") || id_s) {
			fail(r, NULL, BERTD_E_BAD_REQUEST, "report takes one argument: id");
			return;
		}
		id_s = q->args[i].value ? q->args[i].value : "";
	}
	if (!int_arg(id_s, &id) || id < 1) {
		fail(r, NULL, BERTD_E_BAD_REQUEST, "report: id must be a run number (1..)");
		return;
	}
	if (!c->report) {
		fail(r, NULL, BERTD_E_UNSUPPORTED, "no reports here");
		return;
	}
	rc = c->report(c->user, id, &r->body, &r->len);
	if (rc) {
		free(r->body);
		r->body = NULL;
		r->len = 0;
		snprintf(msg, sizeof(msg), "run %lld: %s", id,
			 rc == BERT_ERR_RANGE ? "no such run" : bert_error_detail());
		fail(r, NULL, rc == BERT_ERR_RANGE ? BERTD_E_NOT_FOUND : BERTD_E_INTERNAL, msg);
		return;
	}
	r->status = 200;
	r->type = "text/plain; charset=utf-8";
}

static bool is_get(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD");
}

void bertd_web_handle(const struct bertd_web_conf *c, const struct bertd_web_req *q,
		      struct bertd_web_resp *r)
{
	const bool token = c->token && c->token[0];
	const struct bertd_web_asset *a;
	const char *path = q->path ? q->path : "";
	const char *method = q->method ? q->method : "";
	bool want_post;

	memset(r, 0, sizeof(*r));
	if (!token && !host_loopback(q->host)) {
		/* a loopback server answers only to loopback names: a page of
		 * another site resolving its name to 127.0.0.1 gets nothing */
		fail(r, NULL, BERTD_E_FORBIDDEN, "Host: not a loopback address");
		return;
	}
	if (q->nargs > BERTD_WEB_ARGS_MAX) {
		fail(r, NULL, BERTD_E_BAD_REQUEST, "too many query arguments");
		return;
	}
	a = asset(c, path);
	if (a) {
		if (!is_get(method)) {
			r->allow = "GET, HEAD";
			fail(r, NULL, BERTD_E_METHOD, "GET only");
			return;
		}
		r->status = 200;
		r->type = a->type;
		r->data = a->data;
		r->len = a->len;
		return;
	}
	if (strncmp(path, "/api/", 5)) {
		fail(r, NULL, BERTD_E_NOT_FOUND, "no such page");
		return;
	}
	if (token) {
		const char *auth = q->authorization;
		bool ok = auth && !strncmp(auth, "Bearer ", 7) &&
			  bertd_web_secret_eq(c->token, auth + 7);

		/* EventSource and links cannot set headers: the stream and the
		 * report may name the token */
		if (!ok && (!strcmp(path, "/api/events") || !strcmp(path, "/api/report")) &&
		    arg(q, "token"))
			ok = bertd_web_secret_eq(c->token, arg(q, "token"));
		if (!ok) {
			r->auth_challenge = true;
			fail(r, NULL, BERTD_E_UNAUTHORIZED, "a bearer token is required");
			return;
		}
	}
	want_post = !strcmp(path, "/api/start") || !strcmp(path, "/api/abort");
	if (!strcmp(path, "/api/status") || !strcmp(path, "/api/results") ||
	    !strcmp(path, "/api/events") || !strcmp(path, "/api/session") ||
	    !strcmp(path, "/api/report")) {
		if (!is_get(method)) {
			r->allow = "GET, HEAD";
			fail(r, NULL, BERTD_E_METHOD, "GET only");
			return;
		}
	} else if (want_post) {
		if (strcmp(method, "POST")) {
			r->allow = "POST";
			fail(r, NULL, BERTD_E_METHOD, "POST only");
			return;
		}
	} else {
		fail(r, NULL, BERTD_E_UNKNOWN_CMD, "no such API endpoint");
		return;
	}
	if (want_post && !token) {
		char origin[300];

		/* same origin: the page of this server, and a CSRF token it read */
		snprintf(origin, sizeof(origin), "http://%s", q->host);
		if (!q->origin || strcmp(q->origin, origin)) {
			fail(r, NULL, BERTD_E_FORBIDDEN, "Origin: not this server's page");
			return;
		}
		if (!c->csrf || !bertd_web_secret_eq(c->csrf, q->csrf)) {
			fail(r, NULL, BERTD_E_FORBIDDEN,
			     "X-CSRF-Token: missing or wrong (GET /api/session)");
			return;
		}
	}
	if (!strcmp(path, "/api/session")) {
		json_t *j = json_object();

		json_object_set_new(j, "ok", json_true());
		json_object_set_new(j, "cmd", json_string("session"));
		json_object_set_new(j, "csrf", json_string(c->csrf ? c->csrf : ""));
		json_object_set_new(j, "auth", json_string(token ? "token" : "loopback"));
		set_json(r, j);
		return;
	}
	if (!strcmp(path, "/api/events")) {
		size_t i;

		for (i = 0; i < q->nargs; i++)
			if (strcmp(q->args[i].key, "token")) {
				fail(r, NULL, BERTD_E_BAD_REQUEST, "unknown query argument");
				return;
			}
		r->status = 200;
		r->type = "text/event-stream";
		r->events = true;
		return;
	}
	if (!strcmp(path, "/api/report")) {
		get_report(c, q, r);
		return;
	}
	if (!strcmp(path, "/api/status")) {
		json_t *obj;

		if (q->nargs) {
			fail(r, NULL, BERTD_E_BAD_REQUEST, "status takes no arguments");
			return;
		}
		obj = json_object();
		json_object_set_new(obj, "cmd", json_string("status"));
		run(c, obj, r);
		return;
	}
	if (!strcmp(path, "/api/results")) {
		get_results(c, q, r);
		return;
	}
	post(c, q, path + 5, r);
}
