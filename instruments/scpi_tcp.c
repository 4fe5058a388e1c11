// SPDX-License-Identifier: MIT
/* Raw SCPI over TCP (`tcp:HOST[:PORT]`, port 5025 by default): LF-terminated
 * messages on a plain socket. Connect with a timeout, TCP keepalive so a dead
 * peer is noticed, and a reconnect on the next command after the peer reset
 * or closed the connection. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_PREFIX "scpi-tcp"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "instruments/scpi_stream.h"

struct scpi_tcp {
	char host[128], port[8];
	char what[160];
	struct scpi_stream s;
};

static int tcp_connect(struct scpi_dev *d)
{
	struct scpi_tcp *t = d->priv;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	uint64_t deadline = bert_clock_now(d->clock) + d->timeout_ns;
	int fd = -1, rc, on = 1, err = 0;
	socklen_t len;

	rc = getaddrinfo(t->host, t->port, &hints, &res);
	if (rc)
		return bert_fail(BERT_ERR_NODEV, "%s: %s", t->what, gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			err = errno;
			goto next;
		}
		p.fd = fd;
		p.events = POLLOUT;
		rc = poll(&p, 1, scpi_ms_left(d, deadline));
		if (rc == 0) {
			err = ETIMEDOUT;
			goto next;
		}
		len = sizeof(err);
		if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (!err)
			break;
next:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0 && err == ECONNRESET)
		/* accepted and reset at once: what a LAN instrument serving its
		 * one raw-socket client does to the next */
		return bert_fail(BERT_ERR_AGAIN, "%s: connect: %s: the instrument is busy "
				 "(it serves one client at a time; another program holds it)",
				 t->what, strerror(err));
	if (fd < 0)
		return bert_fail(err == ETIMEDOUT ? BERT_ERR_TIMEOUT : BERT_ERR_NODEV,
				 "%s: connect: %s", t->what, strerror(err));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	/* Keepalive: a powered-off instrument is noticed after about 10 s of
	 * silence instead of the kernel's two hours. */
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	on = 5;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &on, sizeof(on));
	on = 2;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &on, sizeof(on));
	on = 3;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &on, sizeof(on));
	scpi_stream_init(&t->s, fd, '\n', t->what, BERT_ERR_IO);
	log_dbg("%s: connected", t->what);
	return BERT_OK;
}

static int tcp_open(struct scpi_dev *d, const char *arg)
{
	struct scpi_tcp *t = d->priv;
	const char *colon;
	size_t n;

	t->s.fd = -1;
	if (arg[0] == '[') {	/* [v6 address]:port */
		const char *e = strchr(arg, ']');

		if (!e)
			return bert_fail(BERT_ERR_CONFIG, "tcp:%s: missing ']'", arg);
		n = (size_t)(e - arg - 1);
		colon = e[1] == ':' ? e + 1 : NULL;
		arg++;
	} else {
		colon = strrchr(arg, ':');
		n = colon ? (size_t)(colon - arg) : strlen(arg);
	}
	if (!n || n >= sizeof(t->host))
		return bert_fail(BERT_ERR_CONFIG, "tcp:%s: expected tcp:HOST[:PORT]", arg);
	memcpy(t->host, arg, n);
	t->host[n] = '\0';
	snprintf(t->port, sizeof(t->port), "%s", colon ? colon + 1 : "5025");
	if (!t->port[0] || strspn(t->port, "0123456789") != strlen(t->port))
		return bert_fail(BERT_ERR_CONFIG, "tcp:%s: bad port '%s'", arg, t->port);
	snprintf(t->what, sizeof(t->what), "tcp %s:%s", t->host, t->port);
	return tcp_connect(d);
}

static int tcp_send(struct scpi_dev *d, const char *cmd)
{
	struct scpi_tcp *t = d->priv;
	uint64_t deadline = bert_clock_now(d->clock) + d->timeout_ns;
	size_t n = strlen(cmd);
	char buf[SCPI_LINE_MAX + 2];
	int rc;

	if (t->s.fd < 0) {
		log_info("%s: reconnecting", t->what);
		rc = tcp_connect(d);
		if (rc)
			return rc;
	}
	if (n > SCPI_LINE_MAX)
		return bert_fail(BERT_ERR_ARG, "command too long");
	memcpy(buf, cmd, n);
	buf[n++] = '\n';
	return scpi_stream_write(d, &t->s, buf, n, deadline);
}

static int tcp_recv_line(struct scpi_dev *d, char *buf, size_t size, uint64_t deadline)
{
	struct scpi_tcp *t = d->priv;

	return scpi_stream_line(d, &t->s, buf, size, deadline);
}

static int tcp_recv_block(struct scpi_dev *d, uint8_t *buf, size_t len, uint64_t deadline)
{
	struct scpi_tcp *t = d->priv;

	return scpi_stream_bytes(d, &t->s, buf, len, deadline);
}

static int tcp_clear(struct scpi_dev *d)
{
	struct scpi_tcp *t = d->priv;

	scpi_stream_flush(&t->s);
	return BERT_OK;
}

static void tcp_close(struct scpi_dev *d)
{
	struct scpi_tcp *t = d->priv;

	scpi_stream_close(&t->s);
}

const struct scpi_transport_ops scpi_tcp_ops = {
	.prefix = "tcp",
	.summary = "raw SCPI socket, tcp:HOST[:5025]",
	.priv_size = sizeof(struct scpi_tcp),
	.open = tcp_open,
	.send = tcp_send,
	.recv_line = tcp_recv_line,
	.recv_block = tcp_recv_block,
	.clear = tcp_clear,
	.close = tcp_close,
};
