/* SPDX-License-Identifier: MIT */
/* bertd's HTTP server (libmicrohttpd, its own thread): a table of GET
 * routes, each rendering a body for the request. /metrics is the first
 * (cli/bertd_metrics.c); an operator page can be another row.
 *
 * Binding: "HOST:PORT" with HOST an IPv4 address, [IPv6] or localhost; port
 * 0 takes a free one (bertd_http_port() says which). A non-loopback address
 * needs a token: every request must then carry "Authorization: Bearer
 * TOKEN" (401 otherwise). Unknown paths get 404, other methods 405.
 */
#ifndef BERT_CLI_BERTD_HTTP_H
#define BERT_CLI_BERTD_HTTP_H

#include <stddef.h>

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

/* routes must outlive the server. token NULL/"" = none (loopback only). */
int bertd_http_start(const char *listen, const char *token,
		     const struct bertd_http_route *routes, size_t nroutes,
		     struct bertd_http **out);
unsigned bertd_http_port(const struct bertd_http *h);
void bertd_http_stop(struct bertd_http *h);

#endif
