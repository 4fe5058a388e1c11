/* SPDX-License-Identifier: MIT */
/* bertd's web front: the pure part of its HTTP server (cli/bertd_http.c
 * does the sockets). One request (method, path, query arguments, the few
 * headers that matter, the body) goes in; a status, a content type and a
 * body come out, or "open an event stream". No I/O, no daemon state: the
 * protocol commands go through a callback that answers as the control
 * socket does (cli/bertd.md).
 *
 * Routes:
 *   GET  /, /app.js, /app.css ...  the operator page, from an asset table
 *   GET  /api/session              {"ok":true,"csrf":..,"auth":"token"|"loopback"}
 *   GET  /api/status               as {"cmd":"status"}
 *   GET  /api/results?since=C&limit=N   as {"cmd":"results",...}
 *   POST /api/start  {"site":N|"all","profile":P,"serial":S}
 *   POST /api/abort  {"site":N|"all"}
 *   GET  /api/events               Server-Sent Events: the subscribe stream
 *   GET  /api/report?id=N          the text report of stored run N
 *
 * Safety. With a token every /api/ request carries "Authorization: Bearer
 * TOKEN" (the event stream and the report may pass ?token=, as
 * EventSource and a link cannot set headers). Without one (loopback only) the Host header must name a
 * loopback address (no DNS rebinding) and a POST must come from the page:
 * Origin equal to http://HOST and X-CSRF-Token equal to the daemon's
 * random token (from /api/session). Every POST is application/json, at
 * most BERTD_WEB_BODY_MAX bytes. Static paths are an exact-match table:
 * nothing is read from disk.
 */
#ifndef BERT_DAEMON_BERTD_WEB_H
#define BERT_DAEMON_BERTD_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/daemon/bertd_proto.h"

#define BERTD_WEB_BODY_MAX	BERTD_LINE_MAX
#define BERTD_WEB_ARGS_MAX	8	/* query arguments */
#define BERTD_WEB_CSRF_LEN	32	/* hex characters */

/* Error codes besides the protocol's (bertd_proto.h). */
#define BERTD_E_UNAUTHORIZED	"unauthorized"	/* token missing or wrong */
#define BERTD_E_FORBIDDEN	"forbidden"	/* Host, Origin or CSRF check */
#define BERTD_E_METHOD		"method"	/* method not allowed here */
#define BERTD_E_NOT_FOUND	"not_found"
#define BERTD_E_UNAVAILABLE	"unavailable"	/* too many event streams */

struct bertd_web_asset {
	const char *path;		/* "/", "/app.js" */
	const char *type;		/* Content-Type */
	const unsigned char *data;
	size_t len;
};

struct bertd_web_conf {
	const char *token;		/* "" or NULL = none (loopback only) */
	const char *csrf;		/* BERTD_WEB_CSRF_LEN hex characters */
	const struct bertd_web_asset *assets;
	size_t nassets;
	/* Answers one parsed request (status, start, abort, results) as the
	 * control socket does; a new reference, never NULL for a valid one. */
	json_t *(*call)(void *user, const struct bertd_request *r);
	/* The text report of run id: BERT_OK with *text malloc'ed, or
	 * BERT_ERR_RANGE (no such run) or another error. NULL = no reports. */
	int (*report)(void *user, int64_t id, char **text, size_t *len);
	void *user;
};

struct bertd_web_arg {
	const char *key, *value;	/* value may be NULL ("?flag") */
};

struct bertd_web_req {
	const char *method, *path;	/* path without the query, decoded */
	const struct bertd_web_arg *args;
	size_t nargs;			/* > BERTD_WEB_ARGS_MAX: refused */
	/* headers, NULL when absent */
	const char *host, *origin, *authorization, *csrf, *content_type;
	const char *body;
	size_t body_len;
	bool body_too_long;		/* more than BERTD_WEB_BODY_MAX arrived */
};

struct bertd_web_resp {
	unsigned status;
	const char *type;
	/* either owned (malloc'ed, the caller frees) or a static asset */
	char *body;
	const unsigned char *data;
	size_t len;
	const char *allow;		/* for 405: the Allow header */
	bool auth_challenge;		/* 401: WWW-Authenticate: Bearer */
	bool events;			/* open an event stream (no body) */
};

/* True for the paths this layer answers (/api/... and the assets); the
 * server keeps its other routes (/metrics). */
bool bertd_web_owns(const struct bertd_web_conf *c, const char *path);
/* Fills *r (r->body malloc'ed or NULL). Never fails: every refusal is a
 * reply with a JSON error object {"ok":false,"error":{code,message}}. */
void bertd_web_handle(const struct bertd_web_conf *c, const struct bertd_web_req *q,
		      struct bertd_web_resp *r);
/* The HTTP status of a reply's error code (200 for none). */
unsigned bertd_web_status(const char *code);
/* Compares all of both strings whatever matches first (tokens). */
bool bertd_web_secret_eq(const char *want, const char *got);

#endif
