// SPDX-License-Identifier: MIT
/* bertd's HTTP server (bertd_http.h) on libmicrohttpd. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define LOG_PREFIX "http"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "cli/bertd_http.h"

struct bertd_http {
	struct MHD_Daemon *mhd;
	const struct bertd_http_route *routes;
	size_t nroutes;
	char token[256];
	unsigned port;
};

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status,
				 const char *type, char *body, size_t len, bool owned)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return send_text(c, status, "text/plain; charset=utf-8", (char *)msg, strlen(msg),
			 false);
}

/* Compares all of both strings, whatever matches first. */
static bool token_ok(const char *want, const char *got)
{
	size_t i, lw = strlen(want), lg = got ? strlen(got) : 0;
	unsigned diff = lw != lg;

	for (i = 0; i < lw; i++)
		diff |= (unsigned)(want[i] ^ (i < lg ? got[i] : 0));
	return !diff;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version,
			       const char *upload_data, size_t *upload_size, void **req)
{
	struct bertd_http *h = cls;
	struct bertd_http_reply rep;
	size_t i;
	int rc;

	(void)version;
	(void)upload_data;
	if (!*req) {
		/* the first call only announces the headers */
		*req = h;
		return MHD_YES;
	}
	if (*upload_size) {
		/* a body: read and dropped; the method check below answers */
		*upload_size = 0;
		return MHD_YES;
	}
	if (h->token[0]) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_AUTHORIZATION);

		if (!auth || strncmp(auth, "Bearer ", 7) || !token_ok(h->token, auth + 7))
			return plain(c, MHD_HTTP_UNAUTHORIZED, "a bearer token is required\n");
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return plain(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	for (i = 0; i < h->nroutes; i++) {
		if (strcmp(url, h->routes[i].path))
			continue;
		memset(&rep, 0, sizeof(rep));
		rc = h->routes[i].get(h->routes[i].user, &rep);
		if (rc) {
			char msg[512];

			free(rep.body);
			snprintf(msg, sizeof(msg), "%s\n", bert_error_detail());
			return plain(c, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
		}
		return send_text(c, rep.status ? rep.status : MHD_HTTP_OK,
				 rep.content_type ? rep.content_type : "text/plain",
				 rep.body, rep.len, true);
	}
	return plain(c, MHD_HTTP_NOT_FOUND, "no such page\n");
}

/* "127.0.0.1:8080", "[::1]:8080", "localhost:8080". */
static int parse_listen(const char *s, struct sockaddr_storage *ss, bool *loopback)
{
	char host[128];
	const char *colon;
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
	}
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port > 65535)
		goto bad;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
		return BERT_OK;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		return BERT_OK;
	}
bad:
	return bert_fail(BERT_ERR_CONFIG, "http '%s': not HOST:PORT (an IPv4 address, "
			 "[IPv6] or localhost, port 0..65535)", s);
}

int bertd_http_start(const char *listen, const char *token,
		     const struct bertd_http_route *routes, size_t nroutes,
		     struct bertd_http **out)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct bertd_http *h;
	bool loopback = false;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	int rc;

	*out = NULL;
	rc = parse_listen(listen, &ss, &loopback);
	if (rc)
		return rc;
	if (!loopback && !(token && token[0]))
		return bert_fail(BERT_ERR_CONFIG, "http %s is not a loopback address: set "
				 "http_token_file (clients send Authorization: Bearer)", listen);
	if (token && strlen(token) >= sizeof(h->token))
		return bert_fail(BERT_ERR_CONFIG, "http token longer than %zu bytes",
				 sizeof(h->token) - 1);
	h = calloc(1, sizeof(*h));
	if (!h)
		return bert_fail(BERT_ERR_NOMEM, "http");
	h->routes = routes;
	h->nroutes = nroutes;
	snprintf(h->token, sizeof(h->token), "%s", token ? token : "");
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, h,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT, 32u,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_END);
	if (!h->mhd) {
		free(h);
		return bert_fail(BERT_ERR_IO, "http %s: cannot listen (address in use or "
				 "not available)", listen);
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	*out = h;
	return BERT_OK;
}

unsigned bertd_http_port(const struct bertd_http *h)
{
	return h->port;
}

void bertd_http_stop(struct bertd_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	free(h);
}
