// SPDX-License-Identifier: MIT
/* The poll loop that serves emulators on ptys and TCP (emu_hub.h). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define LOG_PREFIX "emu-hub"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "instruments/sim/emu_hub.h"

#define HUB_MAX_LINKS 64
#define HUB_MAX_EMUS 32

enum link_type { L_FREE, L_PTY, L_FD, L_TCP_LISTEN, L_TCP_CONN, L_WATCH, L_INOTIFY };

struct link {
	enum link_type type;
	int fd, slave_fd;
	struct scpi_emu *e;
	emu_hub_cb cb;
	void *ctx;
	int wd;			/* L_PTY: inotify watch on the slave, -1 none */
	unsigned opens;		/* L_PTY: clients holding the slave now */
	bool fresh;		/* L_PTY: opened since the last line */
	size_t in_len;
	char in[1024];
};

struct emu_state {
	struct scpi_emu *e;
	int reply_link;		/* -1: replies are dropped */
	bool drop, vanish;
	unsigned tcp_clients;	/* connected now */
	unsigned max_clients;	/* at once; 0 = EMU_HUB_TCP_CLIENTS */
};

struct emu_hub {
	pthread_mutex_t lock;
	struct bert_clock *clock;
	double speed;
	uint64_t t0_real, t0_clock;
	struct link link[HUB_MAX_LINKS];
	struct emu_state emu[HUB_MAX_EMUS];
	unsigned n_emu;
	int inotify_link;	/* the link of the inotify fd, -1 none yet */
};

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * BERT_NS_PER_S + (uint64_t)ts.tv_nsec;
}

int emu_hub_new(struct bert_clock *clock, double speed, struct emu_hub **out)
{
	struct emu_hub *h;
	unsigned i;

	*out = NULL;
	if (!(speed > 0))
		return bert_fail(BERT_ERR_ARG, "hub: speed %g", speed);
	if (!bert_clock_is_virtual(clock) && speed != 1.0)
		return bert_fail(BERT_ERR_ARG, "hub: speed needs a virtual clock");
	h = calloc(1, sizeof(*h));
	if (!h)
		return bert_fail(BERT_ERR_NOMEM, "hub");
	pthread_mutex_init(&h->lock, NULL);
	h->clock = clock;
	h->speed = speed;
	h->t0_real = real_ns();
	h->t0_clock = bert_clock_now(clock);
	for (i = 0; i < HUB_MAX_LINKS; i++) {
		h->link[i].fd = h->link[i].slave_fd = -1;
		h->link[i].wd = -1;
	}
	h->inotify_link = -1;
	*out = h;
	return BERT_OK;
}

static void link_close(struct emu_hub *h, int idx)
{
	struct link *l = &h->link[idx];
	unsigned i;

	if (l->type == L_TCP_CONN)
		for (i = 0; i < h->n_emu; i++)
			if (h->emu[i].e == l->e && h->emu[i].tcp_clients)
				h->emu[i].tcp_clients--;

	if (l->type == L_PTY && l->wd >= 0 && h->inotify_link >= 0)
		inotify_rm_watch(h->link[h->inotify_link].fd, l->wd);
	if (l->type == L_INOTIFY)
		h->inotify_link = -1;
	l->wd = -1;
	l->opens = 0;
	if (l->fd >= 0 && l->type != L_WATCH)
		close(l->fd);
	if (l->slave_fd >= 0)
		close(l->slave_fd);
	l->fd = l->slave_fd = -1;
	l->type = L_FREE;
	l->in_len = 0;
	for (i = 0; i < h->n_emu; i++)
		if (h->emu[i].reply_link == idx)
			h->emu[i].reply_link = -1;
}

void emu_hub_free(struct emu_hub *h)
{
	int i;

	if (!h)
		return;
	for (i = 0; i < HUB_MAX_LINKS; i++)
		if (h->link[i].type != L_FREE)
			link_close(h, i);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static struct emu_state *state_of(struct emu_hub *h, struct scpi_emu *e)
{
	unsigned i;

	for (i = 0; i < h->n_emu; i++)
		if (h->emu[i].e == e)
			return &h->emu[i];
	if (h->n_emu == HUB_MAX_EMUS)
		return NULL;
	h->emu[h->n_emu] = (struct emu_state){ .e = e, .reply_link = -1,
					       .max_clients = EMU_HUB_TCP_CLIENTS };
	return &h->emu[h->n_emu++];
}

static int add_link(struct emu_hub *h, enum link_type type, int fd, struct scpi_emu *e)
{
	int i;

	if (e && !state_of(h, e))
		return bert_fail(BERT_ERR_CONFIG, "hub: more than %d instruments", HUB_MAX_EMUS);
	for (i = 0; i < HUB_MAX_LINKS; i++)
		if (h->link[i].type == L_FREE) {
			h->link[i].type = type;
			h->link[i].fd = fd;
			h->link[i].slave_fd = -1;
			h->link[i].wd = -1;
			h->link[i].opens = 0;
			h->link[i].fresh = false;
			h->link[i].e = e;
			h->link[i].in_len = 0;
			return i;
		}
	return bert_fail(BERT_ERR_CONFIG, "hub: more than %d endpoints", HUB_MAX_LINKS);
}

/* Locked. Watches the opens of a pty's slave (inotify on the device node;
 * the hub's own open is made before the watch): a serial connection is
 * counted when the port, free before, is opened and then talks (an opener
 * that only probes it, as libserialport does a pty before refusing it, is
 * not a session). A second opener cannot be refused at the emulator, as on
 * a real port: bert refuses itself (scpi_serial.c). */
static void watch_opens(struct emu_hub *h, int idx, const char *path)
{
	if (h->inotify_link < 0) {
		int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

		if (fd < 0) {
			log_warn("inotify: %s: serial connections not counted", strerror(errno));
			return;
		}
		h->inotify_link = add_link(h, L_INOTIFY, fd, NULL);
		if (h->inotify_link < 0) {
			close(fd);
			return;
		}
	}
	h->link[idx].wd = inotify_add_watch(h->link[h->inotify_link].fd, path,
					    IN_OPEN | IN_CLOSE);
	if (h->link[idx].wd < 0)
		log_warn("inotify %s: %s: serial connections not counted", path,
			 strerror(errno));
}

static void on_inotify(struct emu_hub *h, int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			int i;

			p += sizeof(*ev) + ev->len;
			for (i = 0; i < HUB_MAX_LINKS; i++) {
				struct link *l = &h->link[i];

				if (l->type != L_PTY || l->wd != ev->wd)
					continue;
				if ((ev->mask & IN_OPEN) && !l->opens++)
					l->fresh = true;
				if ((ev->mask & IN_CLOSE) && l->opens)
					l->opens--;
			}
		}
	}
}

int emu_hub_add_pty(struct emu_hub *h, struct scpi_emu *e, char *path, size_t size)
{
	struct termios tio;
	int m, s, idx;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (m < 0)
		return bert_fail(BERT_ERR_IO, "hub: posix_openpt: %s", strerror(errno));
	if (grantpt(m) || unlockpt(m) || ptsname_r(m, path, size)) {
		close(m);
		return bert_fail(BERT_ERR_IO, "hub: pty setup: %s", strerror(errno));
	}
	/* Hold the slave open so the master never sees a hang-up between
	 * clients, and make it raw: no echo, no CR/LF rewriting. */
	s = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0 || tcgetattr(s, &tio)) {
		if (s >= 0)
			close(s);
		close(m);
		return bert_fail(BERT_ERR_IO, "hub: %s: %s", path, strerror(errno));
	}
	cfmakeraw(&tio);
	tcsetattr(s, TCSANOW, &tio);
	pthread_mutex_lock(&h->lock);
	idx = add_link(h, L_PTY, m, e);
	if (idx >= 0) {
		h->link[idx].slave_fd = s;
		watch_opens(h, idx, path);
	}
	pthread_mutex_unlock(&h->lock);
	if (idx < 0) {
		close(s);
		close(m);
		return idx;
	}
	log_dbg("%s on %s", scpi_emu_instr(e), path);
	return BERT_OK;
}

int emu_hub_add_fd(struct emu_hub *h, struct scpi_emu *e, int fd)
{
	char slave[64];
	int idx, s = -1;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* A pty master (umockdev's /dev/ttyUSB0): hold its slave open too, or
	 * the master reads EIO until a client opens the device. */
	if (!ptsname_r(fd, slave, sizeof(slave)))
		s = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	pthread_mutex_lock(&h->lock);
	idx = add_link(h, L_FD, fd, e);
	if (idx >= 0)
		h->link[idx].slave_fd = s;
	pthread_mutex_unlock(&h->lock);
	if (idx < 0 && s >= 0)
		close(s);
	return idx < 0 ? idx : BERT_OK;
}

int emu_hub_add_tcp(struct emu_hub *h, struct scpi_emu *e, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd, on = 1, idx;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return bert_fail(BERT_ERR_IO, "hub: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(*port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4) ||
	    getsockname(fd, (struct sockaddr *)&a, &al)) {
		int err = errno;

		close(fd);
		return bert_fail(BERT_ERR_IO, "hub: tcp port %u: %s", *port, strerror(err));
	}
	*port = ntohs(a.sin_port);
	pthread_mutex_lock(&h->lock);
	idx = add_link(h, L_TCP_LISTEN, fd, e);
	pthread_mutex_unlock(&h->lock);
	if (idx < 0) {
		close(fd);
		return idx;
	}
	log_dbg("%s on 127.0.0.1:%u", scpi_emu_instr(e), *port);
	return BERT_OK;
}

int emu_hub_watch(struct emu_hub *h, int fd, emu_hub_cb cb, void *ctx)
{
	int idx;

	pthread_mutex_lock(&h->lock);
	idx = add_link(h, L_WATCH, fd, NULL);
	if (idx >= 0) {
		h->link[idx].cb = cb;
		h->link[idx].ctx = ctx;
	}
	pthread_mutex_unlock(&h->lock);
	return idx < 0 ? idx : BERT_OK;
}

int emu_hub_set_max_clients(struct emu_hub *h, struct scpi_emu *e, unsigned n)
{
	struct emu_state *s;

	if (n < 1 || n > HUB_MAX_LINKS)
		return bert_fail(BERT_ERR_RANGE, "hub: %u TCP clients (1..%d)", n,
				 HUB_MAX_LINKS);
	pthread_mutex_lock(&h->lock);
	s = state_of(h, e);
	if (s)
		s->max_clients = n;
	pthread_mutex_unlock(&h->lock);
	return s ? BERT_OK : bert_fail(BERT_ERR_CONFIG, "hub: more than %d instruments",
				       HUB_MAX_EMUS);
}

void emu_hub_fault_drop(struct emu_hub *h, struct scpi_emu *e)
{
	struct emu_state *s;

	pthread_mutex_lock(&h->lock);
	s = state_of(h, e);
	if (s)
		s->drop = true;
	pthread_mutex_unlock(&h->lock);
}

void emu_hub_fault_vanish(struct emu_hub *h, struct scpi_emu *e)
{
	struct emu_state *s;

	pthread_mutex_lock(&h->lock);
	s = state_of(h, e);
	if (s)
		s->vanish = true;
	pthread_mutex_unlock(&h->lock);
}

static uint64_t step_clock(struct emu_hub *h)
{
	uint64_t target;

	if (bert_clock_is_virtual(h->clock)) {
		target = h->t0_clock + (uint64_t)((double)(real_ns() - h->t0_real) * h->speed);
		if (target > bert_clock_now(h->clock))
			bert_clock_sleep_until(h->clock, target);
	}
	return bert_clock_now(h->clock);
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	struct pollfd pf = { .fd = fd, .events = POLLOUT };
	ssize_t k;

	while (n) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			if (poll(&pf, 1, 100) <= 0)
				return;
			continue;
		}
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

static void send_replies(struct emu_hub *h, uint64_t now)
{
	uint8_t buf[300];
	size_t len;
	unsigned i;

	for (i = 0; i < h->n_emu; i++) {
		struct emu_state *s = &h->emu[i];

		while (scpi_emu_output(s->e, now, buf, sizeof(buf) - 1, &len)) {
			if (s->reply_link < 0)
				continue;
			buf[len++] = '\n';
			write_all(h->link[s->reply_link].fd, buf, len);
		}
	}
}

static void reset_conn(struct emu_hub *h, int idx)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(h->link[idx].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	link_close(h, idx);
}

/* Feeds complete lines of link idx to its emulator. */
static void feed(struct emu_hub *h, int idx)
{
	struct link *l = &h->link[idx];
	struct emu_state *s = state_of(h, l->e);
	char *nl;

	while ((nl = memchr(l->in, '\n', l->in_len))) {
		size_t n = (size_t)(nl - l->in);

		if (s && s->drop && l->type == L_TCP_CONN) {
			s->drop = false;
			reset_conn(h, idx);
			return;
		}
		if (s && s->vanish && (l->type == L_PTY || l->type == L_FD)) {
			s->vanish = false;
			link_close(h, idx);
			return;
		}
		*nl = '\0';
		if (l->type == L_PTY && l->fresh) {
			l->fresh = false;
			scpi_emu_count_connection(l->e);
		}
		if (s)
			s->reply_link = idx;
		scpi_emu_input(l->e, l->in);
		memmove(l->in, nl + 1, l->in_len - n - 1);
		l->in_len -= n + 1;
	}
	if (l->in_len == sizeof(l->in))
		l->in_len = 0;	/* a line too long for any instrument: dropped */
}

/* A client that closed its socket in the same poll round as the next one
 * connected is not busy any more: its EOF is read before the newcomer is
 * judged (lines it sent before closing are still served). */
static void reap_closed(struct emu_hub *h, struct scpi_emu *e)
{
	char b;
	int i;

	for (i = 0; i < HUB_MAX_LINKS; i++) {
		struct link *k = &h->link[i];
		ssize_t n;

		if (k->type != L_TCP_CONN || k->e != e)
			continue;
		n = recv(k->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n > 0) {
			n = read(k->fd, k->in + k->in_len, sizeof(k->in) - k->in_len);
			if (n > 0) {
				k->in_len += (size_t)n;
				feed(h, i);
			}
			if (h->link[i].type != L_TCP_CONN)
				continue;
			n = recv(k->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
		}
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			link_close(h, i);
	}
}

static void on_readable(struct emu_hub *h, int idx, short rev)
{
	struct link *l = &h->link[idx];
	ssize_t n;
	int c;

	switch (l->type) {
	case L_TCP_LISTEN: {
		struct emu_state *s = state_of(h, l->e);
		int k;

		c = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return;
		if (s && s->tcp_clients >= s->max_clients)
			reap_closed(h, l->e);
		if (s && s->tcp_clients >= s->max_clients) {
			/* busy: as a LAN instrument serving its one client does,
			 * the newcomer is reset at once */
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(c);
			scpi_emu_count_refused(l->e);
			log_dbg("%s: TCP client refused (%u connected)", scpi_emu_instr(l->e),
				s->tcp_clients);
			return;
		}
		k = add_link(h, L_TCP_CONN, c, l->e);
		if (k < 0) {
			close(c);
			return;
		}
		if (s)
			s->tcp_clients++;
		scpi_emu_count_connection(l->e);
		return;
	}
	case L_INOTIFY:
		on_inotify(h, l->fd);
		return;
	case L_WATCH:
		pthread_mutex_unlock(&h->lock);
		c = l->cb(l->ctx, l->fd);
		pthread_mutex_lock(&h->lock);
		if (c)
			link_close(h, idx);
		return;
	default:
		break;
	}
	n = read(l->fd, l->in + l->in_len, sizeof(l->in) - l->in_len);
	if (n > 0) {
		l->in_len += (size_t)n;
		feed(h, idx);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF / error: a TCP client left; a pty master only gets here when
	 * its slave closed, which our held slave fd prevents. */
	if (l->type == L_TCP_CONN || l->type == L_FD || (rev & POLLERR))
		link_close(h, idx);
}

int emu_hub_run_once(struct emu_hub *h, int max_wait_ms)
{
	struct pollfd pf[HUB_MAX_LINKS];
	int map[HUB_MAX_LINKS];
	uint64_t now, next = UINT64_MAX, t;
	unsigned i, n = 0;
	int wait = max_wait_ms, rc;

	pthread_mutex_lock(&h->lock);
	now = step_clock(h);
	send_replies(h, now);
	for (i = 0; i < h->n_emu; i++) {
		t = scpi_emu_next_ready(h->emu[i].e);
		if (t < next)
			next = t;
	}
	if (next != UINT64_MAX) {
		double ms = (double)(next > now ? next - now : 0) / h->speed / 1e6;

		if (ms < wait)
			wait = (int)ms + 1;
	}
	for (i = 0; i < HUB_MAX_LINKS; i++)
		if (h->link[i].type != L_FREE) {
			pf[n].fd = h->link[i].fd;
			pf[n].events = POLLIN;
			map[n++] = (int)i;
		}
	pthread_mutex_unlock(&h->lock);
	rc = poll(pf, n, wait);
	if (rc < 0 && errno != EINTR)
		return bert_fail(BERT_ERR_IO, "hub: poll: %s", strerror(errno));
	pthread_mutex_lock(&h->lock);
	for (i = 0; rc > 0 && i < n; i++)
		if (pf[i].revents && h->link[map[i]].fd == pf[i].fd)
			on_readable(h, map[i], pf[i].revents);
	now = step_clock(h);
	send_replies(h, now);
	pthread_mutex_unlock(&h->lock);
	return BERT_OK;
}
