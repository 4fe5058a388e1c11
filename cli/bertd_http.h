/* SPDX-License-Identifier: MIT */
/* bertd's HTTP server (libmicrohttpd, its own thread): a table of GET
 * routes, each rendering a body for the request (/metrics,
 * cli/bertd_metrics.c), and the operator page with its JSON API and event
 * stream (bert/daemon/bertd_web.h decides every request of those; this
 * file does the sockets and the streams).
 *
 * Event streams (GET /api/events, Server-Sent Events): each gets the
 * events bertd_http_event() is given, queued per stream (at most
 * BERTD_HTTP_STREAM_MAX bytes unsent; a stream that lets it fill is
 * closed), at most BERTD_HTTP_STREAMS streams (503 beyond). A stream with
 * nothing to send is suspended (no thread, no polling), so streams that
 * never read cost their queue and a socket, never the daemon's time.
 *
 * Binding: "HOST:PORT" with HOST an IPv4 address, [IPv6] or localhost; port
 * 0 takes a free one (bertd_http_port() says which). A non-loopback address
 * needs a token: every request must then carry "Authorization: Bearer
 * TOKEN" (401 otherwise). Unknown paths get 404, other methods 405.
 */
#ifndef BERT_CLI_BERTD_HTTP_H
#define BERT_CLI_BERTD_HTTP_H

#include <stddef.h>

#include "bert/daemon/bertd_web.h"

#define BERTD_HTTP_CONNECTIONS	256
#define BERTD_HTTP_STREAMS	64
#define BERTD_HTTP_STREAM_MAX	(256u << 10)
#define BERTD_HTTP_HEADERS_MAX	(16u << 10)	/* request line and headers */

struct bertd_http_reply {
	char *body;			/* malloc'ed; the server frees it */
	size_t len;
	const char *content_type;
	unsigned status;		/* 200 unless set */
};

struct bertd_http_route {
	const char *path;
	/* BERT_OK with r->body set, or an error (500 with the detail) */
	int (*get)(void *user, struct bertd_http_reply *r);
	void *user;
};

struct bertd_http;

/* routes must outlive the server. token NULL/"" = none (loopback only).
 * web NULL = no page and no API; else its call, user and assets are used
 * (token and csrf are the server's own: the CSRF token is drawn from
 * getrandom() at start). */
int bertd_http_start(const char *listen, const char *token,
		     const struct bertd_http_route *routes, size_t nroutes,
		     const struct bertd_web_conf *web, struct bertd_http **out);
/* One event line (JSON plus '\n') for every open event stream; any thread,
 * never blocks. */
void bertd_http_event(struct bertd_http *h, const char *line, size_t len);
/* A comment line to every stream, so those of clients gone are closed
 * (a parked connection does not see its peer leave); every
 * BERTD_HTTP_KEEPALIVE_S. */
#define BERTD_HTTP_KEEPALIVE_S	15
void bertd_http_keepalive(struct bertd_http *h);
unsigned bertd_http_port(const struct bertd_http *h);
void bertd_http_stop(struct bertd_http *h);

#endif
