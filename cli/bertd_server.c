// SPDX-License-Identifier: MIT
/* bertd's control socket: one poll loop over the listening socket, the
 * clients, a signalfd and an eventfd the workers' progress events ring.
 *
 * Every client socket is non-blocking. Input is cut into lines; a line over
 * BERTD_LINE_MAX gets a too_long error and the rest of it is skipped, the
 * connection stays. Output (replies and, once subscribed, events) goes to a
 * per-client queue of at most BERTD_OUT_MAX bytes, flushed when the socket
 * is writable; a client that lets it fill (stops reading) is dropped, so no
 * client ever blocks the daemon or another client. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOG_PREFIX "bertd"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/daemon/bertd_proto.h"
#include "bert/report/report.h"
#include "bert/store/results_db.h"
#include "bert/store/uploader.h"
#include "cli/bertd.h"
#include "cli/bertd_http.h"
#include "cli/bertd_metrics.h"
#include "cli/bertd_web_assets.h"

struct client {
	int fd;
	bool subscribed;
	bool discarding;		/* skipping the rest of a too-long line */
	bool closing;			/* close once the output is sent */
	char in[BERTD_LINE_MAX + 1];
	size_t in_len;
	char *out;
	size_t out_len, out_cap;
};

/* Events from the workers: a queue the loop drains. */
struct evq {
	pthread_mutex_t mu;
	int efd;
	char **line;
	size_t *len;
	size_t head, n, cap;
	unsigned dropped;
	FILE *log;			/* --event-log: every event, in order */
};

struct server {
	struct bertd *d;
	struct uploader *up;		/* NULL without a central database */
	struct bertd_metrics *metrics;
	struct bertd_http *http;
	struct bertd_http_route routes[1];
	/* the socket's loop and the HTTP thread both answer requests: one at a
	 * time (the core's results store handle is not shared otherwise) */
	pthread_mutex_t api_mu;
	const char *db;			/* the station store, NULL = the default */
	int lfd, sfd;
	struct evq q;
	struct client *cl[BERTD_MAX_CLIENTS];
	unsigned ncl;
	bool stop;
};

/* ---- the event queue (any thread) ------------------------------------------ */

#define EVQ_CAP 8192
#define EVQ_MAX (1u << 20)	/* events waiting for the loop, at most */

/* Doubles the ring (under q->mu); false when it is at its bound or memory
 * ran out. */
static bool evq_grow(struct evq *q)
{
	size_t cap = q->cap * 2, i;
	char **line;
	size_t *len;

	if (cap > EVQ_MAX)
		return false;
	line = calloc(cap, sizeof(*line));
	len = calloc(cap, sizeof(*len));
	if (!line || !len) {
		free(line);
		free(len);
		return false;
	}
	for (i = 0; i < q->n; i++) {
		line[i] = q->line[(q->head + i) % q->cap];
		len[i] = q->len[(q->head + i) % q->cap];
	}
	free(q->line);
	free(q->len);
	q->line = line;
	q->len = len;
	q->head = 0;
	q->cap = cap;
	return true;
}

static void sink(void *user, const char *line, size_t len)
{
	struct evq *q = user;
	uint64_t one = 1;
	char *copy = malloc(len);

	if (!copy)
		return;
	memcpy(copy, line, len);
	pthread_mutex_lock(&q->mu);
	if (q->log) {
		fwrite(line, 1, len, q->log);
		fflush(q->log);
	}
	if (q->n == q->cap && !evq_grow(q)) {
		/* the loop is a million events behind: the oldest event goes */
		if (!q->dropped)
			log_warn("event queue full: dropping the oldest events");
		free(q->line[q->head]);
		q->head = (q->head + 1) % q->cap;
		q->n--;
		q->dropped++;
	}
	q->line[(q->head + q->n) % q->cap] = copy;
	q->len[(q->head + q->n) % q->cap] = len;
	q->n++;
	pthread_mutex_unlock(&q->mu);
	if (write(q->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_dbg("eventfd: %s", strerror(errno));
}

/* ---- clients -------------------------------------------------------------------- */

static void client_free(struct client *c)
{
	close(c->fd);
	free(c->out);
	free(c);
}

static void drop_client(struct server *s, unsigned i, const char *why)
{
	log_info("client %d dropped: %s", s->cl[i]->fd, why);
	client_free(s->cl[i]);
	s->cl[i] = s->cl[--s->ncl];
}

/* Queues bytes; false when the queue would pass its bound (the caller
 * drops the client). */
static bool queue(struct client *c, const char *p, size_t n)
{
	if (c->out_len + n > BERTD_OUT_MAX)
		return false;
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *nb;

		while (cap < c->out_len + n)
			cap *= 2;
		nb = realloc(c->out, cap);
		if (!nb)
			return false;
		c->out = nb;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return true;
}

static bool reply(struct client *c, json_t *j)
{
	size_t n;
	char *line = bertd_line(j, &n);
	bool ok;

	if (!line)
		return false;
	ok = queue(c, line, n);
	free(line);
	return ok;
}

static const char *err_code(int rc)
{
	switch (rc) {
	case BERT_ERR_RANGE: return BERTD_E_NO_SITE;
	case BERT_ERR_STATE: return BERTD_E_BUSY;
	case BERT_ERR_CONFIG: return BERTD_E_CONFIG;
	case BERT_ERR_UNSUPPORTED: return BERTD_E_UNSUPPORTED;
	default: return BERTD_E_INTERNAL;
	}
}

static json_t *handle(struct server *s, struct client *c, const struct bertd_request *r)
{
	json_t *j, *body;
	unsigned n = 0;
	int rc;

	switch (r->cmd) {
	case BERTD_CMD_STATUS:
		body = bertd_status(s->d);
		j = bertd_reply_ok(r);
		json_object_update(j, body);
		json_decref(body);
		return j;
	case BERTD_CMD_START:
		rc = bertd_start(s->d, r->site, r->profile, r->serial, &n);
		if (rc)
			return bertd_reply_error(r, err_code(rc), "%s", bert_error_detail());
		j = bertd_reply_ok(r);
		json_object_set_new(j, "started", json_integer(n));
		return j;
	case BERTD_CMD_ABORT:
		rc = bertd_abort(s->d, r->site);
		if (rc)
			return bertd_reply_error(r, rc == BERT_ERR_STATE ? BERTD_E_IDLE :
						 err_code(rc), "%s", bert_error_detail());
		return bertd_reply_ok(r);
	case BERTD_CMD_SUBSCRIBE:
	case BERTD_CMD_UNSUBSCRIBE:
		if (!c)	/* the web API streams at /api/events */
			return bertd_reply_error(r, BERTD_E_UNKNOWN_CMD, "unknown command");
		c->subscribed = r->cmd == BERTD_CMD_SUBSCRIBE;
		log_info("client %d %ssubscribed", c->fd, c->subscribed ? "" : "un");
		return bertd_reply_ok(r);
	case BERTD_CMD_RESULTS:
		body = bertd_results(s->d, r->since, r->limit);
		if (!body)
			return bertd_reply_error(r, BERTD_E_INTERNAL, "results store: %s",
						 bert_error_detail());
		j = bertd_reply_ok(r);
		json_object_update(j, body);
		json_decref(body);
		return j;
	case BERTD_CMD_RELOAD:
		rc = bertd_reload(s->d);
		if (rc)
			return bertd_reply_error(r, err_code(rc), "%s", bert_error_detail());
		return bertd_reply_ok(r);
	case BERTD_CMD_SIM:
		rc = r->instrument[0] ?
		     bertd_sim_instrument(s->d, r->site, r->instrument, r->fault) :
		     bertd_sim(s->d, r->site, r->present, r->unplugged);
		if (rc)
			return bertd_reply_error(r, err_code(rc), "%s", bert_error_detail());
		return bertd_reply_ok(r);
	default:
		return bertd_reply_error(r, BERTD_E_UNKNOWN_CMD, "unknown command");
	}
}

/* The web API's requests (HTTP thread): the same answers as the socket's. */
static json_t *web_call(void *user, const struct bertd_request *r)
{
	struct server *s = user;
	json_t *j;

	pthread_mutex_lock(&s->api_mu);
	j = handle(s, NULL, r);
	pthread_mutex_unlock(&s->api_mu);
	return j;
}

/* The text report of a stored run, for the page's links (HTTP thread): a
 * connection of its own to the station store. */
static int web_report(void *user, int64_t id, char **text, size_t *len)
{
	struct server *s = user;
	struct results_db *db = NULL;
	struct qual_record rec;
	FILE *f;
	int rc;

	*text = NULL;
	*len = 0;
	rc = results_db_open_existing(s->db, &db);
	if (rc)
		return rc;
	rc = results_db_load(db, id, &rec);
	results_db_close(db);
	if (rc)
		return rc;
	f = open_memstream(text, len);
	if (!f) {
		qual_record_free(&rec);
		return bert_fail(BERT_ERR_NOMEM, "report");
	}
	rc = report_text(f, &rec);
	if (fclose(f) && !rc)
		rc = bert_fail(BERT_ERR_IO, "report: cannot write");
	qual_record_free(&rec);
	return rc;
}

static bool line_in(struct server *s, struct client *c, const char *line, size_t len)
{
	struct bertd_request r;
	const char *code;
	char msg[256];

	if (len && line[len - 1] == '\r')
		len--;
	json_t *j;

	if (bertd_request_parse(line, len, &r, &code, msg, sizeof(msg)))
		return reply(c, bertd_reply_error(&r, code, "%s", msg));
	pthread_mutex_lock(&s->api_mu);
	j = handle(s, c, &r);
	pthread_mutex_unlock(&s->api_mu);
	return reply(c, j);
}

/* Reads what is there; false = drop the client. */
static bool client_read(struct server *s, struct client *c)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof(buf));
		ssize_t i, start = 0;

		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n')
				continue;
			if (c->discarding) {
				c->discarding = false;
			} else if (c->in_len + (size_t)(i - start) > BERTD_LINE_MAX) {
				if (!reply(c, bertd_reply_error(NULL, BERTD_E_TOO_LONG,
								"request longer than %d bytes",
								BERTD_LINE_MAX)))
					return false;
			} else {
				memcpy(c->in + c->in_len, buf + start, (size_t)(i - start));
				c->in_len += (size_t)(i - start);
				if (!line_in(s, c, c->in, c->in_len))
					return false;
			}
			c->in_len = 0;
			start = i + 1;
		}
		if (start < n && !c->discarding) {
			size_t rest = (size_t)(n - start);

			if (c->in_len + rest > BERTD_LINE_MAX) {
				/* over the limit: answer now, skip to the newline */
				if (!reply(c, bertd_reply_error(NULL, BERTD_E_TOO_LONG,
								"request longer than %d bytes",
								BERTD_LINE_MAX)))
					return false;
				c->in_len = 0;
				c->discarding = true;
			} else {
				memcpy(c->in + c->in_len, buf + start, rest);
				c->in_len += rest;
			}
		}
	}
}

static bool client_write(struct client *c)
{
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	return true;
}

static void accept_clients(struct server *s)
{
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0)
			return;
		if (s->ncl == BERTD_MAX_CLIENTS || !(c = calloc(1, sizeof(*c)))) {
			static const char busy[] = "{\"ok\":false,\"error\":{\"code\":\"busy\","
						   "\"message\":\"too many clients\"}}\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_dbg("refusing a client: %s", strerror(errno));
			close(fd);
			continue;
		}
		c->fd = fd;
		s->cl[s->ncl++] = c;
	}
}

static void broadcast_events(struct server *s)
{
	uint64_t v;
	unsigned i;

	if (read(s->q.efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_dbg("eventfd: %s", strerror(errno));
	for (;;) {
		char *line;
		size_t len;

		pthread_mutex_lock(&s->q.mu);
		if (!s->q.n) {
			pthread_mutex_unlock(&s->q.mu);
			break;
		}
		line = s->q.line[s->q.head];
		len = s->q.len[s->q.head];
		s->q.head = (s->q.head + 1) % s->q.cap;
		s->q.n--;
		pthread_mutex_unlock(&s->q.mu);
		if (s->metrics)
			bertd_metrics_event(s->metrics, line, len);
		bertd_http_event(s->http, line, len);
		/* a step or a run was stored: upload it now, not at the next poll */
		if (s->up && (memmem(line, len, "\"event\":\"step_end\"", 18) ||
			      memmem(line, len, "\"event\":\"verdict\"", 17)))
			uploader_kick(s->up);
		for (i = 0; i < s->ncl;) {
			if (s->cl[i]->subscribed && !queue(s->cl[i], line, len)) {
				drop_client(s, i, "not reading its events");
				continue;
			}
			i++;
		}
		free(line);
	}
}

/* ---- the socket ----------------------------------------------------------------- */

static int listen_socket(const struct bertd_server_opts *o, int *out)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, rc;

	if (strlen(o->socket) >= sizeof(a.sun_path))
		return bert_fail(BERT_ERR_CONFIG, "socket path too long: %s", o->socket);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", o->socket);
	/* a stale socket of a dead daemon goes; any other file stays */
	if (!lstat(o->socket, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return bert_fail(BERT_ERR_CONFIG, "%s exists and is not a socket",
					 o->socket);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			close(fd);
			return bert_fail(BERT_ERR_STATE, "%s: another bertd is listening",
					 o->socket);
		}
		if (fd >= 0)
			close(fd);
		unlink(o->socket);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bert_fail(BERT_ERR_IO, "socket: %s", strerror(errno));
	/* created with the final mode: no window where others may connect */
	old = umask(0777 & ~o->mode);
	rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (rc) {
		rc = bert_fail(BERT_ERR_IO, "bind %s: %s", o->socket, strerror(errno));
		close(fd);
		return rc;
	}
	if (chmod(o->socket, o->mode)) {
		rc = bert_fail(BERT_ERR_IO, "chmod %s: %s", o->socket, strerror(errno));
		goto fail;
	}
	if (o->group) {
		struct group *g = getgrnam(o->group);

		if (!g || chown(o->socket, (uid_t)-1, g->gr_gid)) {
			rc = bert_fail(BERT_ERR_CONFIG, "socket group %s: %s", o->group,
				       g ? strerror(errno) : "no such group");
			goto fail;
		}
	}
	if (listen(fd, 16)) {
		rc = bert_fail(BERT_ERR_IO, "listen: %s", strerror(errno));
		goto fail;
	}
	*out = fd;
	return BERT_OK;
fail:
	close(fd);
	unlink(o->socket);
	return rc;
}

int bertd_serve(const struct bertd_server_opts *o)
{
	struct server *s = calloc(1, sizeof(*s));
	struct pollfd pfd[BERTD_MAX_CLIENTS + 3];
	sigset_t mask;
	unsigned recovered = 0, i;
	struct timespec keep;
	int rc;

	if (!s)
		return bert_fail(BERT_ERR_NOMEM, "bertd");
	s->lfd = s->sfd = s->q.efd = -1;
	/* signals: blocked in every thread (the workers inherit the mask), read
	 * from the signalfd in the loop */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	/* a file-size limit fails the store's write (EFBIG, an error the run
	 * records) instead of killing the daemon */
	signal(SIGXFSZ, SIG_IGN);
	s->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	s->q.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&s->q.mu, NULL);
	pthread_mutex_init(&s->api_mu, NULL);
	s->db = o->core.db;
	s->q.cap = EVQ_CAP;
	s->q.line = calloc(s->q.cap, sizeof(*s->q.line));
	s->q.len = calloc(s->q.cap, sizeof(*s->q.len));
	if (s->sfd < 0 || s->q.efd < 0 || !s->q.line || !s->q.len) {
		rc = bert_fail(BERT_ERR_IO, "signalfd/eventfd: %s", strerror(errno));
		goto out;
	}
	if (o->event_log && !(s->q.log = fopen(o->event_log, "a"))) {
		rc = bert_fail(BERT_ERR_CONFIG, "--event-log %s: %s", o->event_log,
			       strerror(errno));
		goto out;
	}
	rc = listen_socket(o, &s->lfd);
	if (rc)
		goto out;
	rc = bertd_open(&o->core, &s->d, &recovered);
	if (rc)
		goto out;
	bertd_set_sink(s->d, sink, &s->q);
	if (o->central) {
		const struct uploader_opts uo = {
			.store = o->core.db,
			.central = o->central,
			.poll_ns = (uint64_t)(o->upload_poll_s * 1e9),
			.retry_max_ns = (uint64_t)(o->upload_retry_max_s * 1e9),
		};

		rc = uploader_start(&uo, &s->up);
		if (rc)
			goto out;
		log_info("central database %s: uploading every stored step and run", o->central);
	}
	rc = bertd_metrics_new(s->d, o->station_file ? o->station_file : o->core.station,
			       s->up, &s->metrics);
	if (rc)
		goto out;
	if (o->http) {
		const struct bertd_web_conf web = {
			.assets = bertd_web_assets,
			.nassets = bertd_web_nassets,
			.call = web_call,
			.report = web_report,
			.user = s,
		};

		s->routes[0] = (struct bertd_http_route){ "/metrics", bertd_metrics_render,
							   s->metrics };
		rc = bertd_http_start(o->http, o->http_token, s->routes, 1, &web, &s->http);
		if (rc)
			goto out;
		log_info("http: listening on %s (port %u): the operator page /, /api/, "
			 "/metrics", o->http, bertd_http_port(s->http));
		if (o->http_token)
			log_warn("http: %s: every /api/ and /metrics request needs the access "
				 "token (Authorization: Bearer; open the page as "
				 "http://HOST:PORT/#token=TOKEN)", o->http);
	}
	log_info("station %s: %u site(s), socket %s (mode %04o%s%s), %u interrupted "
		 "run(s) marked aborted", o->core.station, bertd_sites(s->d), o->socket,
		 o->mode, o->group ? ", group " : "", o->group ? o->group : "", recovered);
	(void)bertd_poll(s->d);		/* learn who is inserted */
	clock_gettime(CLOCK_MONOTONIC, &keep);

	while (!s->stop) {
		unsigned n = 0;

		pfd[n++] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->q.efd, .events = POLLIN };
		for (i = 0; i < s->ncl; i++)
			pfd[n++] = (struct pollfd){
				.fd = s->cl[i]->fd,
				.events = (short)(POLLIN | (s->cl[i]->out_len ? POLLOUT : 0)),
			};
		if (poll(pfd, n, BERTD_POLL_MS) < 0 && errno != EINTR) {
			rc = bert_fail(BERT_ERR_IO, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					int r2 = bertd_reload(s->d);

					if (r2)
						log_err("reload: %s", bert_error_detail());
					else
						log_info("reloaded %s", o->core.station);
				} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
					log_info("signal %u: aborting running sites", si.ssi_signo);
					s->stop = true;
				}
			}
		}
		/* clients first (their fds are the tail of pfd, in order) */
		for (i = s->ncl; i-- > 0;) {
			struct client *c = s->cl[i];
			short re = pfd[3 + i].revents;
			bool ok = true;

			if (pfd[3 + i].fd != c->fd)
				continue;
			if (re & (POLLERR | POLLNVAL))
				ok = false;
			if (ok && re & (POLLIN | POLLHUP))
				ok = client_read(s, c);
			if (ok && c->out_len)
				ok = client_write(c);
			if (!ok)
				drop_client(s, i, "closed or failed");
		}
		if (pfd[2].revents & POLLIN)
			broadcast_events(s);
		if (pfd[0].revents & POLLIN)
			accept_clients(s);
		(void)bertd_poll(s->d);
		if (s->http) {
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - keep.tv_sec >= BERTD_HTTP_KEEPALIVE_S) {
				bertd_http_keepalive(s->http);
				keep = now;
			}
		}
	}
out:
	/* the HTTP thread reads the core and the metrics: it goes first */
	bertd_http_stop(s->http);
	s->http = NULL;
	if (s->d) {
		/* SIGTERM: stop the runs (modules left safe, records stored) */
		bertd_close(s->d);
		s->d = NULL;
		broadcast_events(s);
		for (i = 0; i < s->ncl; i++)
			client_write(s->cl[i]);
	}
	while (s->ncl)
		drop_client(s, 0, "daemon exits");
	/* what the last runs stored and is not acknowledged waits in the store
	 * for the next start */
	uploader_stop(s->up);
	bertd_metrics_free(s->metrics);
	if (s->lfd >= 0) {
		close(s->lfd);
		unlink(o->socket);
	}
	if (s->sfd >= 0)
		close(s->sfd);
	if (s->q.efd >= 0)
		close(s->q.efd);
	if (s->q.line) {
		while (s->q.n) {
			free(s->q.line[s->q.head]);
			s->q.head = (s->q.head + 1) % s->q.cap;
			s->q.n--;
		}
	}
	free(s->q.line);
	free(s->q.len);
	if (s->q.log)
		fclose(s->q.log);
	pthread_mutex_destroy(&s->q.mu);
	pthread_mutex_destroy(&s->api_mu);
	free(s);
	return rc;
}
