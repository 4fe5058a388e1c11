// SPDX-License-Identifier: MIT
/* The line and block reader the byte-stream SCPI transports (serial,
 * tcp) share (see scpi_stream.h). */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "instruments/scpi_stream.h"

void scpi_stream_init(struct scpi_stream *s, int fd, char eol, const char *what,
		      int hangup_err)
{
	s->io = NULL;
	s->io_ctx = NULL;
	s->fd = fd;
	s->eol = eol;
	s->head = s->tail = 0;
	s->what = what;
	s->hangup_err = hangup_err;
	s->replied = false;
}

void scpi_stream_close(struct scpi_stream *s)
{
	if (s->fd >= 0 && !s->io)
		close(s->fd);
	s->fd = -1;
	s->head = s->tail = 0;
}

void scpi_stream_flush(struct scpi_stream *s)
{
	uint8_t junk[256];
	struct pollfd p;

	s->head = s->tail = 0;
	if (s->fd < 0)
		return;
	if (s->io) {
		s->io->flush(s->io_ctx);
		return;
	}
	p.fd = s->fd;
	p.events = POLLIN;
	while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		if (read(s->fd, junk, sizeof(junk)) <= 0)
			break;
}

int scpi_ms_left(struct scpi_dev *d, uint64_t deadline)
{
	uint64_t now = bert_clock_now(d->clock);

	if (now >= deadline)
		return 0;
	return (int)((deadline - now + BERT_NS_PER_MS - 1) / BERT_NS_PER_MS);
}

static int hangup(struct scpi_stream *s, int err, const char *op)
{
	int rc = bert_fail(s->hangup_err, "%s: %s: %s%s", s->what, op,
			   err ? strerror(err) : "peer closed the connection",
			   s->replied ? "" : " before any reply (is the instrument busy "
			   "with another client?)");

	scpi_stream_close(s);
	return rc;
}

static int wait_fd(struct scpi_dev *d, struct scpi_stream *s, short ev, uint64_t deadline,
		   const char *op)
{
	struct pollfd p = { .fd = s->fd, .events = ev };
	int n;

	for (;;) {
		if (bert_abort_requested())
			return bert_fail(BERT_ERR_ABORTED, "%s: %s", s->what, op);
		n = poll(&p, 1, scpi_ms_left(d, deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bert_fail(BERT_ERR_IO, "%s: poll: %s", s->what, strerror(errno));
		if (n == 0)
			return bert_fail(BERT_ERR_TIMEOUT, "%s: %s", s->what, op);
		if ((p.revents & (POLLERR | POLLNVAL)) ||
		    ((p.revents & POLLHUP) && !(p.revents & POLLIN)))
			return hangup(s, (p.revents & POLLNVAL) ? EBADF : EIO, op);
		return BERT_OK;
	}
}

int scpi_stream_write(struct scpi_dev *d, struct scpi_stream *s, const void *buf,
		      size_t len, uint64_t deadline)
{
	const uint8_t *p = buf;
	ssize_t n;
	int rc;

	if (s->fd < 0)
		return bert_fail(s->hangup_err, "%s: not open", s->what);
	while (len && s->io) {
		rc = s->io->write(s->io_ctx, p, len, (unsigned)scpi_ms_left(d, deadline));
		if (rc < 0) {
			scpi_stream_close(s);
			return rc;
		}
		if (rc == 0)
			return bert_fail(BERT_ERR_TIMEOUT, "%s: write", s->what);
		p += rc;
		len -= (size_t)rc;
	}
	while (len) {
		rc = wait_fd(d, s, POLLOUT, deadline, "write");
		if (rc)
			return rc;
		n = write(s->fd, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return hangup(s, errno, "write");
		p += n;
		len -= (size_t)n;
	}
	return BERT_OK;
}

static int fill(struct scpi_dev *d, struct scpi_stream *s, uint64_t deadline)
{
	ssize_t n;
	int rc;

	if (s->head == s->tail)
		s->head = s->tail = 0;
	if (s->tail == sizeof(s->buf)) {
		memmove(s->buf, s->buf + s->head, s->tail - s->head);
		s->tail -= s->head;
		s->head = 0;
	}
	if (s->tail == sizeof(s->buf))
		return bert_fail(BERT_ERR_PROTOCOL, "%s: reply longer than %zu bytes",
				 s->what, sizeof(s->buf));
	for (;;) {
		if (s->fd < 0)
			return bert_fail(s->hangup_err, "%s: not open", s->what);
		if (s->io) {
			rc = s->io->read(s->io_ctx, s->buf + s->tail, sizeof(s->buf) - s->tail,
					 (unsigned)scpi_ms_left(d, deadline));
			if (rc < 0) {
				scpi_stream_close(s);
				return rc;
			}
			if (rc == 0) {
				if (bert_clock_now(d->clock) < deadline)
					continue;
				return bert_fail(BERT_ERR_TIMEOUT, "%s: no reply", s->what);
			}
			s->tail += (size_t)rc;
			s->replied = true;
			return BERT_OK;
		}
		rc = wait_fd(d, s, POLLIN, deadline, "no reply");
		if (rc)
			return rc;
		n = read(s->fd, s->buf + s->tail, sizeof(s->buf) - s->tail);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return hangup(s, n < 0 ? errno : 0, "read");
		s->tail += (size_t)n;
		s->replied = true;
		return BERT_OK;
	}
}

int scpi_stream_line(struct scpi_dev *d, struct scpi_stream *s, char *out, size_t size,
		     uint64_t deadline)
{
	uint8_t *nl;
	size_t len;
	int rc;

	for (;;) {
		nl = memchr(s->buf + s->head, s->eol, s->tail - s->head);
		if (nl)
			break;
		rc = fill(d, s, deadline);
		if (rc)
			return rc;
	}
	len = (size_t)(nl - (s->buf + s->head));
	if (len && s->eol == '\n' && s->buf[s->head + len - 1] == '\r')
		len--;
	if (len >= size) {
		s->head = (size_t)(nl - s->buf) + 1;
		return bert_fail(BERT_ERR_PROTOCOL, "%s: reply line longer than %zu bytes",
				 s->what, size - 1);
	}
	memcpy(out, s->buf + s->head, len);
	out[len] = '\0';
	s->head = (size_t)(nl - s->buf) + 1;
	return (int)len;
}

int scpi_stream_bytes(struct scpi_dev *d, struct scpi_stream *s, uint8_t *out, size_t len,
		      uint64_t deadline)
{
	size_t k;
	int rc;

	while (len) {
		if (s->head == s->tail) {
			rc = fill(d, s, deadline);
			if (rc)
				return rc;
		}
		k = s->tail - s->head;
		if (k > len)
			k = len;
		memcpy(out, s->buf + s->head, k);
		s->head += k;
		out += k;
		len -= k;
	}
	return BERT_OK;
}
