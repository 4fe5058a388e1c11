// SPDX-License-Identifier: MIT
/* bert station: the client of bertd's control socket (cli/bertd.md).
 *
 *   bert station status                       one line per site (--json: the reply)
 *   bert station start --site N|all [--profile P] [--serial S]
 *   bert station abort --site N|all
 *   bert station results [--since C]
 *   bert station reload
 *   bert station watch [--follow]             one line per site, live, until all
 *                                             are idle (--follow: until Ctrl-C or
 *                                             SIGTERM); --json: every event, one
 *                                             per line, in order
 *   bert station sim --site N [--present 0|1] [--unplugged 0|1]   emulated benches
 *
 * Every subcommand takes --socket PATH (default $BERT_STATION_SOCKET, else
 * /run/bertd/bertd.sock). Exit 0 ok, 2 usage or a refused request, 3 no
 * daemon. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/daemon/bertd_proto.h"
#include "cli/bert.h"
#include "cli/common.h"

#define DEFAULT_SOCKET "/run/bertd/bertd.sock"

struct conn {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static int conn_open(const char *path, struct conn *c)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	c->len = 0;
	if (strlen(path) >= sizeof(a.sun_path))
		return bert_fail(BERT_ERR_CONFIG, "socket path too long");
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return bert_fail(BERT_ERR_IO, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		return bert_fail(e == EACCES ? BERT_ERR_IO : BERT_ERR_NODEV,
				 "bertd at %s: %s", path, strerror(e));
	}
	return BERT_OK;
}

static int conn_send(struct conn *c, json_t *req)
{
	size_t n, off = 0;
	char *line = bertd_line(req, &n);

	if (!line)
		return bert_fail(BERT_ERR_NOMEM, "request");
	while (off < n) {
		ssize_t k = send(c->fd, line + off, n - off, MSG_NOSIGNAL);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			free(line);
			return bert_fail(BERT_ERR_IO, "send: %s", strerror(errno));
		}
		off += (size_t)k;
	}
	free(line);
	return BERT_OK;
}

/* The next line as JSON; timeout_ms < 0 waits. BERT_ERR_TIMEOUT, _IO. */
static int conn_recv(struct conn *c, json_t **out, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		json_error_t err;
		ssize_t k;

		if (nl) {
			size_t n = (size_t)(nl - c->buf);

			*out = json_loadb(c->buf, n, 0, &err);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			if (!*out)
				return bert_fail(BERT_ERR_PROTOCOL, "bertd: bad reply: %s",
						 err.text);
			return BERT_OK;
		}
		if (c->len == sizeof(c->buf))
			return bert_fail(BERT_ERR_PROTOCOL, "bertd: reply too long");
		k = poll(&p, 1, timeout_ms);
		if (k < 0 && errno == EINTR)
			return BERT_ERR_ABORTED;
		if (k == 0)
			return BERT_ERR_TIMEOUT;
		k = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (k <= 0)
			return bert_fail(BERT_ERR_IO, "bertd closed the connection");
		c->len += (size_t)k;
	}
}

/* Events that arrived while a reply was awaited: kept, in order, for the
 * caller (watch prints every one; the others drop them). */
struct evbuf {
	json_t *arr;
};

/* Sends req and returns the reply; events before it go to eb (NULL: dropped). */
static int call_ev(struct conn *c, json_t *req, json_t **reply, struct evbuf *eb)
{
	int rc = conn_send(c, req);	/* takes req */

	while (!rc) {
		rc = conn_recv(c, reply, 30000);
		if (rc)
			break;
		if (json_object_get(*reply, "ok"))
			return BERT_OK;
		if (eb && json_object_get(*reply, "event"))
			json_array_append(eb->arr, *reply);
		json_decref(*reply);
	}
	return rc == BERT_ERR_TIMEOUT ? bert_fail(rc, "bertd did not answer") : rc;
}

static int call(struct conn *c, json_t *req, json_t **reply)
{
	return call_ev(c, req, reply, NULL);
}

static int refused(json_t *r)
{
	json_t *e = json_object_get(r, "error");
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));

	/* the daemon refused the request: a usage error, in its words */
	return cli_usage_error("station: %s: %s", code ? code : "refused", msg ? msg : "");
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* "present SN X" / "empty" / "" (presence not known yet). */
static void module_words(json_t *s, char *buf, size_t size)
{
	json_t *p = json_object_get(s, "present");
	const char *sn = json_string_value(json_object_get(s, "module_serial"));

	if (!json_is_boolean(p))
		snprintf(buf, size, "presence n/a");
	else if (!json_is_true(p))
		snprintf(buf, size, "empty");
	else if (sn && sn[0])
		snprintf(buf, size, "SN %s", sn);
	else
		snprintf(buf, size, "module in");
}

/* One line about a site from a status entry. */
static void site_line(json_t *s, char *buf, size_t size)
{
	const char *state = str(s, "state");
	json_t *last = json_object_get(s, "last");
	char mod[80], safe[4 * 80];

	module_words(s, mod, sizeof(mod));
	cli_safe(mod, safe, sizeof(safe));
	if (strcmp(state, "idle"))
		snprintf(buf, size, "site %-2lld %-9s [%lld/%lld] %-12s lane %lld  t=%6.1f s  %.60s",
			 json_integer_value(json_object_get(s, "site")), state,
			 json_integer_value(json_object_get(s, "index")),
			 json_integer_value(json_object_get(s, "of")), str(s, "step"),
			 json_integer_value(json_object_get(s, "lane")),
			 json_number_value(json_object_get(s, "t")), safe);
	else if (last)
		snprintf(buf, size, "site %-2lld idle      last run %lld: %s %s  %.60s",
			 json_integer_value(json_object_get(s, "site")),
			 json_integer_value(json_object_get(last, "id")), str(last, "status"),
			 str(last, "verdict"), safe);
	else
		snprintf(buf, size, "site %-2lld idle      %.60s",
			 json_integer_value(json_object_get(s, "site")), safe);
}

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct watch {
	struct conn *c;
	bool json, follow, tty;
	bool busy[BERTD_SITES_MAX + 1];
	bool seen_busy;
	unsigned drawn;
	char last[BERTD_SITES_MAX][400];
};

static bool none_busy(const struct watch *w)
{
	unsigned i;

	for (i = 1; i <= BERTD_SITES_MAX; i++)
		if (w->busy[i])
			return false;
	return true;
}

/* --json: the event as one line, exactly in the order bertd sent it. */
static void take_event(struct watch *w, json_t *ev)
{
	json_int_t site = json_integer_value(json_object_get(ev, "site"));

	if (w->json) {
		char *line = json_dumps(ev, JSON_COMPACT);

		if (line)
			printf("%s\n", line);
		free(line);
	}
	if (!strcmp(str(ev, "event"), "site") && site >= 1 && site <= BERTD_SITES_MAX) {
		w->busy[site] = strcmp(str(ev, "state"), "idle") != 0;
		if (w->busy[site])
			w->seen_busy = true;
	}
}

static void take_events(struct watch *w, struct evbuf *eb)
{
	json_t *ev;
	size_t i;

	json_array_foreach(eb->arr, i, ev)
		take_event(w, ev);
	json_array_clear(eb->arr);
	fflush(stdout);
}

/* The status: sites' states (and, for people, the lines redrawn). */
static int take_status(struct watch *w, struct evbuf *eb)
{
	json_t *st, *s;
	size_t i;
	int rc = call_ev(w->c, json_pack("{s:s}", "cmd", "status"), &st, eb);

	if (rc)
		return rc;
	json_array_foreach(json_object_get(st, "sites"), i, s) {
		json_int_t n = json_integer_value(json_object_get(s, "site"));

		if (n >= 1 && n <= BERTD_SITES_MAX) {
			w->busy[n] = strcmp(str(s, "state"), "idle") != 0;
			if (w->busy[n])
				w->seen_busy = true;
		}
	}
	if (!w->json) {
		if (w->tty && w->drawn)
			printf("\033[%uA", w->drawn);
		w->drawn = 0;
		json_array_foreach(json_object_get(st, "sites"), i, s) {
			char line[400];

			site_line(s, line, sizeof(line));
			if (w->tty)
				printf("\033[2K%s\n", line);
			else if (i < BERTD_SITES_MAX && strcmp(line, w->last[i]))
				printf("%s\n", line);
			if (i < BERTD_SITES_MAX)
				snprintf(w->last[i], sizeof(w->last[i]), "%s", line);
			w->drawn++;
		}
		fflush(stdout);
	}
	json_decref(st);
	return BERT_OK;
}

/* watch: every event (--json, one a line, in order) or the sites' lines
 * redrawn on every event (a plain line per change when stdout is not a
 * terminal), until every site is idle after having run; with follow until
 * Ctrl-C or SIGTERM. Events that arrive while the status is asked are
 * kept, so none is lost. */
static int watch(struct conn *c, bool json, bool follow)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct evbuf eb = { .arr = json_array() };
	struct sigaction sa = { .sa_handler = on_sigint };
	json_t *r;
	int rc, ex = EXIT_OK;

	if (!w || !eb.arr) {
		free(w);
		json_decref(eb.arr);
		return cli_error(BERT_ERR_NOMEM, "station watch");
	}
	w->c = c;
	w->json = json;
	w->follow = follow;
	w->tty = cli_ansi(stdout);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = call_ev(c, json_pack("{s:s}", "cmd", "subscribe"), &r, NULL);
	if (rc) {
		ex = cli_error(rc, "station watch");
		goto out;
	}
	if (!json_is_true(json_object_get(r, "ok"))) {
		ex = refused(r);
		json_decref(r);
		goto out;
	}
	json_decref(r);
	rc = take_status(w, &eb);
	while (!rc && !interrupted) {
		take_events(w, &eb);
		if (!w->follow && none_busy(w) && w->seen_busy)
			break;
		/* the next event; without --follow, give up when nothing runs */
		rc = conn_recv(c, &r, w->seen_busy || w->follow ? 1000 : 200);
		if (rc == BERT_ERR_TIMEOUT) {
			rc = BERT_OK;
			if (!w->seen_busy && !w->follow)
				break;	/* nothing running and nothing started */
			continue;
		}
		if (rc)
			break;
		if (json_object_get(r, "event"))
			json_array_append(eb.arr, r);
		json_decref(r);
		if (!w->json) {
			take_events(w, &eb);
			rc = take_status(w, &eb);
		}
	}
	take_events(w, &eb);
	if (rc && rc != BERT_ERR_ABORTED)
		ex = cli_error(rc, "station watch");
out:
	json_decref(eb.arr);
	free(w);
	return ex;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bert station status|start|abort|watch|results|reload|sim [OPTIONS]\n\n"
		"Talks to bertd, the station daemon, over its control socket.\n"
		"  status                          one line per site (--json: the reply)\n"
		"  start --site N|all [--profile P] [--serial S]\n"
		"  abort --site N|all\n"
		"  watch [--follow]                sites live until all are idle (with\n"
		"                                  --follow until Ctrl-C: waits for\n"
		"                                  insertions); --json: every event, one\n"
		"                                  per line, in the daemon's order\n"
		"  results [--since CURSOR]        runs changed after the cursor\n"
		"  reload                          re-read the station file\n"
		"  sim --site N [--present 0|1] [--unplugged 0|1]   emulated benches\n"
		"  --socket PATH                   (default $BERT_STATION_SOCKET or %s)\n"
		"Exit 0 ok, 2 usage or a refused request, 3 no daemon.\n", DEFAULT_SOCKET);
}

int cmd_station(int argc, char **argv)
{
	enum { O_SOCKET = 0x200, O_SITE, O_PROFILE, O_SERIAL, O_SINCE, O_PRESENT, O_UNPLUG,
	       O_FOLLOW };
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "site", required_argument, NULL, O_SITE },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "serial", required_argument, NULL, O_SERIAL },
		{ "since", required_argument, NULL, O_SINCE },
		{ "present", required_argument, NULL, O_PRESENT },
		{ "unplugged", required_argument, NULL, O_UNPLUG },
		{ "follow", no_argument, NULL, O_FOLLOW },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	const char *sock = getenv("BERT_STATION_SOCKET"), *sub, *site = NULL;
	const char *profile = NULL, *serial = NULL;
	long long since = -1;
	bool follow = false;
	int present = -1, unplugged = -1, c, rc, ex = EXIT_OK;
	struct conn *cn;
	json_t *req, *r;

	if (!sock)
		sock = DEFAULT_SOCKET;
	if (argc < 2 || argv[1][0] == '-') {
		usage(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc >= 2 && !strcmp(argv[1], "--help") ? EXIT_OK : EXIT_USAGE;
	}
	sub = argv[1];
	argc--;
	argv++;
	cli_argv = argv;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case O_SOCKET: sock = optarg; break;
		case O_SITE: site = optarg; break;
		case O_PROFILE: profile = optarg; break;
		case O_SERIAL: serial = optarg; break;
		case O_SINCE: since = atoll(optarg); break;
		case O_PRESENT: present = atoi(optarg) != 0; break;
		case O_UNPLUG: unplugged = atoi(optarg) != 0; break;
		case O_FOLLOW: follow = true; break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("station: unexpected argument '%s'", argv[optind]);
	cli_setup_logging(&o);

	req = json_object();
	json_object_set_new(req, "cmd", json_string(sub));
	if (!strcmp(sub, "start") || !strcmp(sub, "abort") || !strcmp(sub, "sim")) {
		char *end;
		long v;

		if (!site) {
			json_decref(req);
			return cli_usage_error("station %s: --site N%s is required", sub,
					       strcmp(sub, "sim") ? "|all" : "");
		}
		v = strtol(site, &end, 10);
		if (!strcmp(site, "all"))
			json_object_set_new(req, "site", json_string("all"));
		else if (!*end && v >= 1 && v <= BERTD_SITES_MAX)
			json_object_set_new(req, "site", json_integer(v));
		else {
			json_decref(req);
			return cli_usage_error("--site: '%s' is not 1..%d or all", site,
					       BERTD_SITES_MAX);
		}
	}
	if (profile)
		json_object_set_new(req, "profile", json_string(profile));
	if (serial)
		json_object_set_new(req, "serial", json_string(serial));
	if (since >= 0)
		json_object_set_new(req, "since", json_integer(since));
	if (present >= 0)
		json_object_set_new(req, "present", json_boolean(present));
	if (unplugged >= 0)
		json_object_set_new(req, "unplugged", json_boolean(unplugged));
	if (strcmp(sub, "status") && strcmp(sub, "start") && strcmp(sub, "abort") &&
	    strcmp(sub, "watch") && strcmp(sub, "results") && strcmp(sub, "reload") &&
	    strcmp(sub, "sim")) {
		json_decref(req);
		return cli_usage_error("station: unknown subcommand '%s'", sub);
	}
	cn = calloc(1, sizeof(*cn));
	if (!cn) {
		json_decref(req);
		return cli_error(BERT_ERR_NOMEM, "station");
	}
	rc = conn_open(sock, cn);
	if (rc) {
		json_decref(req);
		free(cn);
		return cli_error(rc, "station");
	}
	if (!strcmp(sub, "watch")) {
		json_decref(req);
		ex = watch(cn, o.json, follow);
		goto out;
	}
	rc = call(cn, req, &r);
	if (rc) {
		ex = cli_error(rc, "station");
		goto out;
	}
	if (!json_is_true(json_object_get(r, "ok"))) {
		ex = refused(r);
	} else if (o.json) {
		cli_print_json(json_incref(r));
	} else if (o.quiet) {
		/* status: "SITE STATE" per site; results: run ids; the rest act */
		json_t *e;
		size_t i;

		if (!strcmp(sub, "status"))
			json_array_foreach(json_object_get(r, "sites"), i, e)
				printf("%lld %s\n", json_integer_value(json_object_get(e, "site")),
				       str(e, "state"));
		else if (!strcmp(sub, "results"))
			json_array_foreach(json_object_get(r, "runs"), i, e)
				printf("%lld\n", json_integer_value(json_object_get(e, "id")));
	} else if (!strcmp(sub, "status")) {
		json_t *s;
		size_t i;

		printf("station %s (%s)\n", str(r, "station"), str(r, "config"));
		json_array_foreach(json_object_get(r, "sites"), i, s) {
			char line[400];

			site_line(s, line, sizeof(line));
			printf("%s\n", line);
		}
	} else if (!strcmp(sub, "start")) {
		printf("started %lld site(s)\n", json_integer_value(json_object_get(r, "started")));
	} else if (!strcmp(sub, "results")) {
		json_t *run;
		size_t i;

		json_array_foreach(json_object_get(r, "runs"), i, run)
			printf("%6lld  site %-2lld %-9s %-9s %-16s %s\n",
			       json_integer_value(json_object_get(run, "id")),
			       json_integer_value(json_object_get(run, "site")),
			       str(run, "status"), str(run, "verdict"), str(run, "serial"),
			       str(run, "profile"));
		printf("cursor %lld\n", json_integer_value(json_object_get(r, "cursor")));
	}
	json_decref(r);
out:
	close(cn->fd);
	free(cn);
	return ex;
}
