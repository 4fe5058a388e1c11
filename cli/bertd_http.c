// SPDX-License-Identifier: MIT
/* bertd's HTTP server (bertd_http.h) on libmicrohttpd. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sys/random.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define LOG_PREFIX "http"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "cli/bertd_http.h"

struct stream;

struct bertd_http {
	struct MHD_Daemon *mhd;
	const struct bertd_http_route *routes;
	size_t nroutes;
	char token[256];
	char csrf[BERTD_WEB_CSRF_LEN + 1];
	bool has_web;
	struct bertd_web_conf web;
	unsigned port;
	pthread_mutex_t mu;		/* the stream list */
	struct stream *streams;
	unsigned nstreams;
};

/* One event stream: what is queued for it, and whether MHD is parked. */
struct stream {
	struct bertd_http *h;
	struct MHD_Connection *conn;
	char *buf;
	size_t off, len, cap;
	bool suspended, dead;
	struct stream *next, **pprev;
};

/* One request: its body as it arrives. */
struct request {
	char body[BERTD_WEB_BODY_MAX];
	size_t len;
	bool too_long;
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
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
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

/* ---- event streams ------------------------------------------------------------ */

/* MHD's thread: copies what is queued; parks the connection when nothing is. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;
	size_t n;

	(void)pos;
	pthread_mutex_lock(&st->h->mu);
	if (st->dead) {
		pthread_mutex_unlock(&st->h->mu);
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	n = st->len - st->off;
	if (!n) {
		st->off = st->len = 0;
		st->suspended = true;
		MHD_suspend_connection(st->conn);
		pthread_mutex_unlock(&st->h->mu);
		return 0;
	}
	if (n > max)
		n = max;
	memcpy(buf, st->buf + st->off, n);
	st->off += n;
	pthread_mutex_unlock(&st->h->mu);
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *st = cls;
	struct bertd_http *h = st->h;

	pthread_mutex_lock(&h->mu);
	if (st->pprev) {
		*st->pprev = st->next;
		if (st->next)
			st->next->pprev = st->pprev;
		h->nstreams--;
	}
	pthread_mutex_unlock(&h->mu);
	log_dbg("event stream closed");
	free(st->buf);
	free(st);
}

/* Under h->mu: false when the stream's queue would pass its bound. */
static bool stream_put(struct stream *st, const char *p, size_t n)
{
	if (st->off) {
		memmove(st->buf, st->buf + st->off, st->len - st->off);
		st->len -= st->off;
		st->off = 0;
	}
	if (st->len + n > BERTD_HTTP_STREAM_MAX)
		return false;
	if (st->len + n > st->cap) {
		size_t cap = st->cap ? st->cap : 4096;
		char *nb;

		while (cap < st->len + n)
			cap *= 2;
		nb = realloc(st->buf, cap);
		if (!nb)
			return false;
		st->buf = nb;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, p, n);
	st->len += n;
	return true;
}

static void stream_wake(struct stream *st)
{
	if (st->suspended) {
		st->suspended = false;
		MHD_resume_connection(st->conn);
	}
}

void bertd_http_event(struct bertd_http *h, const char *line, size_t len)
{
	struct stream *st;

	if (!h || !h->has_web)
		return;
	if (len && line[len - 1] == '\n')
		len--;
	pthread_mutex_lock(&h->mu);
	for (st = h->streams; st; st = st->next) {
		if (st->dead)
			continue;
		/* one SSE message: "data: LINE\n\n" (a JSON line has no newline) */
		if (!stream_put(st, "data: ", 6) || !stream_put(st, line, len) ||
		    !stream_put(st, "\n\n", 2)) {
			log_info("event stream dropped: not reading its events");
			st->dead = true;
		}
		stream_wake(st);
	}
	pthread_mutex_unlock(&h->mu);
}

void bertd_http_keepalive(struct bertd_http *h)
{
	struct stream *st;

	if (!h || !h->has_web)
		return;
	pthread_mutex_lock(&h->mu);
	for (st = h->streams; st; st = st->next) {
		/* an SSE comment: a parked stream of a client gone is found */
		if (!st->dead && !stream_put(st, ":\n\n", 3))
			st->dead = true;
		stream_wake(st);
	}
	pthread_mutex_unlock(&h->mu);
}

static enum MHD_Result open_stream(struct bertd_http *h, struct MHD_Connection *c)
{
	/* the page reconnects a second after a lost stream */
	static const char hello[] = "retry: 1000\n: bertd events\n\n";
	static const char full[] = "{\"ok\":false,\"error\":{\"code\":\"unavailable\","
				   "\"message\":\"too many event streams\"}}\n";
	struct MHD_Response *r;
	struct stream *st;
	enum MHD_Result ret;

	pthread_mutex_lock(&h->mu);
	if (h->nstreams >= BERTD_HTTP_STREAMS) {
		pthread_mutex_unlock(&h->mu);
		return send_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json",
				 (char *)full, sizeof(full) - 1, false);
	}
	pthread_mutex_unlock(&h->mu);
	st = calloc(1, sizeof(*st));
	if (!st)
		return MHD_NO;
	st->h = h;
	st->conn = c;
	if (!stream_put(st, hello, sizeof(hello) - 1)) {
		free(st);
		return MHD_NO;
	}
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st,
					      stream_free);
	if (!r) {
		free(st->buf);
		free(st);
		return MHD_NO;
	}
	pthread_mutex_lock(&h->mu);
	st->next = h->streams;
	if (st->next)
		st->next->pprev = &st->next;
	st->pprev = &h->streams;
	h->streams = st;
	h->nstreams++;
	pthread_mutex_unlock(&h->mu);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	log_dbg("event stream opened");
	return ret;
}

/* ---- requests ----------------------------------------------------------------- */

struct args {
	struct bertd_web_arg a[BERTD_WEB_ARGS_MAX];
	size_t n;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct args *a = cls;

	(void)kind;
	if (a->n < BERTD_WEB_ARGS_MAX)
		a->a[a->n] = (struct bertd_web_arg){ key, value };
	a->n++;	/* over the bound: refused by bertd_web_handle() */
	return MHD_YES;
}

static enum MHD_Result web(struct bertd_http *h, struct MHD_Connection *c, const char *url,
			   const char *method, struct request *rq)
{
	struct bertd_web_req q = { .method = method, .path = url };
	struct bertd_web_resp r;
	struct MHD_Response *resp;
	struct args args = { .n = 0 };
	enum MHD_Result ret;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
	q.args = args.a;
	q.nargs = args.n;
	q.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	q.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	q.authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_AUTHORIZATION);
	q.csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	q.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	q.body = rq->body;
	q.body_len = rq->len;
	q.body_too_long = rq->too_long;
	bertd_web_handle(&h->web, &q, &r);
	if (r.events)
		return open_stream(h, c);
	if (r.body)
		resp = MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(r.len, (void *)r.data,
						       MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(r.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	/* the page loads only itself: no inline script, nothing from elsewhere */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; "
				"frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
	if (r.allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r.allow);
	if (r.auth_challenge)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	ret = MHD_queue_response(c, r.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version,
			       const char *upload_data, size_t *upload_size, void **req)
{
	struct bertd_http *h = cls;
	struct bertd_http_reply rep;
	struct request *rq = *req;
	size_t i;
	int rc;

	(void)version;
	if (!rq) {
		/* the first call only announces the headers */
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		*req = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		/* a body: kept up to its bound, the rest read and dropped */
		if (rq->len + *upload_size > sizeof(rq->body))
			rq->too_long = true;
		else
			memcpy(rq->body + rq->len, upload_data, *upload_size);
		if (!rq->too_long)
			rq->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (h->has_web && bertd_web_owns(&h->web, url))
		return web(h, c, url, method, rq);
	if (h->token[0]) {
		const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							       MHD_HTTP_HEADER_AUTHORIZATION);

		if (!auth || strncmp(auth, "Bearer ", 7) ||
		    !bertd_web_secret_eq(h->token, auth + 7))
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

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Percent-decoding of the path and the query, in place; an escaped NUL
 * (%00) stays as it is, so "/app.js%00" is no asset's name. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)c;
	while (*r) {
		int hi, lo;

		if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 &&
		    (hi || lo)) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* libmicrohttpd's own messages (a client gone mid-stream ...): debug. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_dbg("libmicrohttpd: %s", msg);
}

static void completed(void *cls, struct MHD_Connection *c, void **req,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*req);
	*req = NULL;
}

/* "127.0.0.1:8080", "[::1]:8080", "localhost:8080"; ":8080" is
 * 127.0.0.1:8080 (loopback unless an address is named). */
static int parse_listen(const char *s, struct sockaddr_storage *ss, bool *loopback)
{
	char host[128];
	const char *colon;
	unsigned long port;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == ':') {
		snprintf(host, sizeof(host), "127.0.0.1");
		colon = s;
	} else if (s[0] == '[') {
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
	return bert_fail(BERT_ERR_CONFIG, "http '%s': not [HOST]:PORT (an IPv4 address, "
			 "[IPv6] or localhost, port 0..65535; no HOST = 127.0.0.1)", s);
}

int bertd_http_start(const char *listen, const char *token,
		     const struct bertd_http_route *routes, size_t nroutes,
		     const struct bertd_web_conf *web, struct bertd_http **out)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct bertd_http *h;
	bool loopback = false;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
			 MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
	unsigned char rnd[BERTD_WEB_CSRF_LEN / 2];
	size_t i;
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
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		free(h);
		return bert_fail(BERT_ERR_IO, "http: getrandom: %s", strerror(errno));
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(h->csrf + 2 * i, 3, "%02x", rnd[i]);
	pthread_mutex_init(&h->mu, NULL);
	if (web) {
		h->has_web = true;
		h->web = *web;
		h->web.token = h->token;
		h->web.csrf = h->csrf;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, handler, h,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)BERTD_HTTP_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t)BERTD_HTTP_HEADERS_MAX,
				  MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				  MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_END);
	if (!h->mhd) {
		pthread_mutex_destroy(&h->mu);
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
	struct stream *st;

	if (!h)
		return;
	/* MHD must not stop with parked connections: wake them to end */
	pthread_mutex_lock(&h->mu);
	for (st = h->streams; st; st = st->next) {
		st->dead = true;
		stream_wake(st);
	}
	pthread_mutex_unlock(&h->mu);
	MHD_stop_daemon(h->mhd);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
