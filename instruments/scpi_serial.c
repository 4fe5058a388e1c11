// SPDX-License-Identifier: MIT
/* SCPI over a serial line:
 *
 *   serial:PATH[?baud=9600&bits=8&parity=none|odd|even&stop=1|2
 *               &flow=none|xonxoff|rtscts&term=lf|crlf|cr]
 *
 * Through libserialport first. libserialport refuses pseudo-terminals: there
 * is no sysfs entry for them and the TIOCMGET it issues while reading the
 * port configuration fails on a pty. For those (bert-sim, socat) the same
 * ops fall back to plain termios on the fd.
 *
 * A device that vanishes (USB adapter unplugged, pty master closed) gives
 * BERT_ERR_NODEV; the port is closed and reopened on the next command, so a
 * replugged adapter works again without restarting the program. */
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#define LOG_PREFIX "scpi-serial"
#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "instruments/scpi_stream.h"

struct scpi_serial {
	char path[256];
	char what[280];
	unsigned baud, bits, stop;
	char parity;		/* 'n', 'o', 'e' */
	int flow;		/* SP_FLOWCONTROL_* */
	const char *term;	/* "\n", "\r\n", "\r" */
	struct sp_port *port;	/* libserialport path; NULL on termios */
	bool termios_path;	/* the last open fell back to termios */
	struct scpi_stream s;
};

/* A libserialport failure by its return code, as libsigrok's serial_libsp.c
 * maps them: SP_ERR_FAIL is an OS error (its errno and message decide),
 * SP_ERR_ARG a parameter the port refuses, SP_ERR_MEM and SP_ERR_SUPP what
 * they say. Which call failed only names the operation in the detail. */
static int sp_fail(enum sp_return r, struct scpi_serial *p, const char *op)
{
	char *msg;
	int err, rc;

	switch (r) {
	case SP_ERR_ARG:
		return bert_fail(BERT_ERR_CONFIG, "%s: %s: invalid argument (a setting "
				 "the port refuses)", p->what, op);
	case SP_ERR_MEM:
		return bert_fail(BERT_ERR_NOMEM, "%s: %s: out of memory", p->what, op);
	case SP_ERR_SUPP:
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: %s: not supported by this "
				 "port", p->what, op);
	case SP_ERR_FAIL:
	default:
		break;
	}
	err = sp_last_error_code();
	switch (err) {
	case EBUSY:
	case EAGAIN:
		rc = BERT_ERR_AGAIN;
		break;
	case EACCES:
	case EPERM:
		rc = BERT_ERR_IO;
		break;
	default:	/* ENOENT, ENODEV, ENXIO, EIO: the port is not there (any more) */
		rc = BERT_ERR_NODEV;
		break;
	}
	msg = sp_last_error_message();
	rc = bert_fail(rc, "%s: %s: %s", p->what, op, msg ? msg : "failed");
	sp_free_error_message(msg);
	return rc;
}

static int sp_io_read(void *ctx, uint8_t *buf, size_t size, unsigned timeout_ms)
{
	struct scpi_serial *p = ctx;
	enum sp_return r;

	/* timeout 0 means "forever" to sp_blocking_read_next(). */
	if (timeout_ms)
		r = sp_blocking_read_next(p->port, buf, size, timeout_ms);
	else
		r = sp_nonblocking_read(p->port, buf, size);
	if (r < 0)
		return sp_fail(r, p, "read");
	if (r == 0 && timeout_ms) {
		/* A vanished tty polls readable and reads nothing: tell a
		 * hang-up from a quiet line by asking the fd directly. */
		int fd;
		char c;

		if (sp_get_port_handle(p->port, &fd) == SP_OK &&
		    read(fd, &c, 0) < 0 && errno == EIO)
			return bert_fail(BERT_ERR_NODEV, "%s: read: %s", p->what,
					 strerror(EIO));
	}
	return (int)r;
}

static int sp_io_write(void *ctx, const uint8_t *buf, size_t size, unsigned timeout_ms)
{
	struct scpi_serial *p = ctx;
	enum sp_return r;

	r = sp_blocking_write(p->port, buf, size, timeout_ms ? timeout_ms : 1);
	if (r < 0)
		return sp_fail(r, p, "write");
	return (int)r;
}

static void sp_io_flush(void *ctx)
{
	struct scpi_serial *p = ctx;

	sp_flush(p->port, SP_BUF_INPUT);
}

static const struct scpi_stream_io sp_io = {
	.read = sp_io_read,
	.write = sp_io_write,
	.flush = sp_io_flush,
};

/* A serial port has one user: a second open would interleave its bytes
 * with the first's. An exclusive lock on the open port (flock, which binds
 * root too, unlike TIOCEXCL, and goes with the fd, so a crashed holder
 * leaves none behind) refuses a second opener, in this process or
 * another. */
static int claim(struct scpi_serial *p, int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return bert_fail(BERT_ERR_AGAIN, "%s: already open (by this or another "
					 "program): a serial port has one user", p->what);
		return bert_fail(BERT_ERR_IO, "%s: flock: %s", p->what, strerror(errno));
	}
	return BERT_OK;
}

static int open_libsp(struct scpi_serial *p)
{
	enum sp_parity par = p->parity == 'o' ? SP_PARITY_ODD :
			     p->parity == 'e' ? SP_PARITY_EVEN : SP_PARITY_NONE;
	enum sp_return r;
	int fd, rc;

	r = sp_get_port_by_name(p->path, &p->port);
	if (r != SP_OK) {
		p->port = NULL;
		return sp_fail(r, p, "sp_get_port_by_name");
	}
	r = sp_open(p->port, SP_MODE_READ_WRITE);
	if (r != SP_OK) {
		rc = sp_fail(r, p, "sp_open");
		goto err;
	}
	if ((r = sp_set_baudrate(p->port, (int)p->baud)) != SP_OK ||
	    (r = sp_set_bits(p->port, (int)p->bits)) != SP_OK ||
	    (r = sp_set_parity(p->port, par)) != SP_OK ||
	    (r = sp_set_stopbits(p->port, (int)p->stop)) != SP_OK ||
	    (r = sp_set_flowcontrol(p->port, p->flow)) != SP_OK) {
		rc = sp_fail(r, p, "configure");
		sp_close(p->port);
		goto err;
	}
	r = sp_get_port_handle(p->port, &fd);
	if (r != SP_OK) {
		rc = sp_fail(r, p, "sp_get_port_handle");
		sp_close(p->port);
		goto err;
	}
	rc = claim(p, fd);
	if (rc) {
		sp_close(p->port);
		goto err;
	}
	scpi_stream_init(&p->s, fd, p->term[strlen(p->term) - 1], p->what, BERT_ERR_NODEV);
	p->s.io = &sp_io;
	p->s.io_ctx = p;
	return BERT_OK;
err:
	sp_free_port(p->port);
	p->port = NULL;
	return rc;
}

static speed_t speed_of(unsigned baud)
{
	static const struct { unsigned baud; speed_t s; } t[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
		{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
		{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
		{ 921600, B921600 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		if (t[i].baud == baud)
			return t[i].s;
	return 0;
}

static int open_termios(struct scpi_serial *p)
{
	struct termios tio;
	int fd;

	fd = open(p->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return bert_fail(errno == ENOENT || errno == ENXIO || errno == ENODEV ?
				 BERT_ERR_NODEV : BERT_ERR_IO, "%s: open: %s", p->what,
				 strerror(errno));
	if (tcgetattr(fd, &tio) < 0) {
		close(fd);
		return bert_fail(BERT_ERR_NODEV, "%s: not a terminal: %s", p->what,
				 strerror(errno));
	}
	if (claim(p, fd)) {
		close(fd);
		return BERT_ERR_AGAIN;
	}
	cfmakeraw(&tio);
	cfsetspeed(&tio, speed_of(p->baud));
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	tio.c_cflag |= p->bits == 7 ? CS7 : CS8;
	if (p->parity != 'n')
		tio.c_cflag |= PARENB | (p->parity == 'o' ? PARODD : 0);
	if (p->stop == 2)
		tio.c_cflag |= CSTOPB;
	tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
	if (p->flow == SP_FLOWCONTROL_XONXOFF)
		tio.c_iflag |= IXON | IXOFF;
	else if (p->flow == SP_FLOWCONTROL_RTSCTS)
		tio.c_cflag |= CRTSCTS;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &tio) < 0) {
		close(fd);
		return bert_fail(BERT_ERR_IO, "%s: tcsetattr: %s", p->what, strerror(errno));
	}
	tcflush(fd, TCIFLUSH);
	scpi_stream_init(&p->s, fd, p->term[strlen(p->term) - 1], p->what, BERT_ERR_NODEV);
	return BERT_OK;
}

static int serial_connect(struct scpi_serial *p)
{
	int rc = open_libsp(p);

	if (rc == BERT_OK) {
		p->termios_path = false;
		log_dbg("%s: opened through libserialport", p->what);
		return BERT_OK;
	}
	if (rc == BERT_ERR_AGAIN || rc == BERT_ERR_NOMEM)
		return rc;	/* busy or out of memory: termios would not help */
	log_dbg("libserialport refused it (%s); trying plain termios",
		bert_error_detail());
	rc = open_termios(p);
	if (rc)
		return rc;
	p->termios_path = true;
	log_dbg("%s: opened through termios", p->what);
	return BERT_OK;
}

static int parse_opts(struct scpi_serial *p, const char *q)
{
	char v[32];
	unsigned long n;
	char *end;

	p->baud = 9600;
	p->bits = 8;
	p->stop = 1;
	p->parity = 'n';
	p->flow = SP_FLOWCONTROL_NONE;
	p->term = "\n";
	if (!q)
		return BERT_OK;
	for (const char *k = q; k && *k; k = strchr(k, '&') ? strchr(k, '&') + 1 : NULL) {
		static const char *const keys[] = { "baud", "bits", "parity", "stop",
						    "flow", "term", NULL };
		size_t kl = strcspn(k, "=&"), i;

		for (i = 0; keys[i]; i++)
			if (strlen(keys[i]) == kl && !strncmp(k, keys[i], kl))
				break;
		if (!keys[i])
			return bert_fail(BERT_ERR_CONFIG, "serial option '%.*s' unknown "
					 "(baud, bits, parity, stop, flow, term)", (int)kl, k);
	}
	if (scpi_uri_param(q, "baud", v, sizeof(v))) {
		n = strtoul(v, &end, 10);
		if (*end || !speed_of((unsigned)n))
			return bert_fail(BERT_ERR_CONFIG, "serial baud '%s' unsupported", v);
		p->baud = (unsigned)n;
	}
	if (scpi_uri_param(q, "bits", v, sizeof(v))) {
		if (strcmp(v, "7") && strcmp(v, "8"))
			return bert_fail(BERT_ERR_CONFIG, "serial bits '%s' (7 or 8)", v);
		p->bits = (unsigned)(v[0] - '0');
	}
	if (scpi_uri_param(q, "stop", v, sizeof(v))) {
		if (strcmp(v, "1") && strcmp(v, "2"))
			return bert_fail(BERT_ERR_CONFIG, "serial stop '%s' (1 or 2)", v);
		p->stop = (unsigned)(v[0] - '0');
	}
	if (scpi_uri_param(q, "parity", v, sizeof(v))) {
		if (!strcmp(v, "none") || !strcmp(v, "odd") || !strcmp(v, "even"))
			p->parity = v[0];
		else
			return bert_fail(BERT_ERR_CONFIG, "serial parity '%s' "
					 "(none, odd, even)", v);
	}
	if (scpi_uri_param(q, "flow", v, sizeof(v))) {
		if (!strcmp(v, "none"))
			p->flow = SP_FLOWCONTROL_NONE;
		else if (!strcmp(v, "xonxoff"))
			p->flow = SP_FLOWCONTROL_XONXOFF;
		else if (!strcmp(v, "rtscts"))
			p->flow = SP_FLOWCONTROL_RTSCTS;
		else
			return bert_fail(BERT_ERR_CONFIG, "serial flow '%s' "
					 "(none, xonxoff, rtscts)", v);
	}
	if (scpi_uri_param(q, "term", v, sizeof(v))) {
		if (!strcmp(v, "lf"))
			p->term = "\n";
		else if (!strcmp(v, "crlf"))
			p->term = "\r\n";
		else if (!strcmp(v, "cr"))
			p->term = "\r";
		else
			return bert_fail(BERT_ERR_CONFIG, "serial term '%s' (lf, crlf, cr)", v);
	}
	return BERT_OK;
}

static int serial_open(struct scpi_dev *d, const char *arg)
{
	struct scpi_serial *p = d->priv;
	const char *q = strchr(arg, '?');
	size_t n = q ? (size_t)(q - arg) : strlen(arg);
	int rc;

	p->s.fd = -1;
	if (!n || n >= sizeof(p->path))
		return bert_fail(BERT_ERR_CONFIG, "serial:%s: expected serial:PATH[?options]", arg);
	memcpy(p->path, arg, n);
	p->path[n] = '\0';
	snprintf(p->what, sizeof(p->what), "serial %s", p->path);
	rc = parse_opts(p, q ? q + 1 : NULL);
	if (rc)
		return rc;
	return serial_connect(p);
}

static void serial_drop(struct scpi_serial *p)
{
	scpi_stream_close(&p->s);
	if (p->port) {
		sp_close(p->port);
		sp_free_port(p->port);
		p->port = NULL;
	}
}

static int serial_send(struct scpi_dev *d, const char *cmd)
{
	struct scpi_serial *p = d->priv;
	uint64_t deadline = bert_clock_now(d->clock) + d->timeout_ns;
	char buf[SCPI_LINE_MAX + 3];
	size_t n = strlen(cmd), tl = strlen(p->term);
	int rc;

	if (p->s.fd < 0) {
		serial_drop(p);
		log_info("%s: reopening", p->what);
		rc = serial_connect(p);
		if (rc)
			return bert_fail(BERT_ERR_NODEV, "%s: gone, and reopening failed: %s",
					 p->what, bert_error_detail());
	}
	if (n > SCPI_LINE_MAX)
		return bert_fail(BERT_ERR_ARG, "command too long");
	memcpy(buf, cmd, n);
	memcpy(buf + n, p->term, tl);
	rc = scpi_stream_write(d, &p->s, buf, n + tl, deadline);
	if (rc == BERT_ERR_NODEV)
		serial_drop(p);
	return rc;
}

static int serial_recv_line(struct scpi_dev *d, char *buf, size_t size, uint64_t deadline)
{
	struct scpi_serial *p = d->priv;
	int rc = scpi_stream_line(d, &p->s, buf, size, deadline);

	if (rc == BERT_ERR_NODEV)
		serial_drop(p);
	return rc;
}

static int serial_recv_block(struct scpi_dev *d, uint8_t *buf, size_t len, uint64_t deadline)
{
	struct scpi_serial *p = d->priv;
	int rc = scpi_stream_bytes(d, &p->s, buf, len, deadline);

	if (rc == BERT_ERR_NODEV)
		serial_drop(p);
	return rc;
}

static int serial_clear(struct scpi_dev *d)
{
	struct scpi_serial *p = d->priv;

	scpi_stream_flush(&p->s);
	return BERT_OK;
}

static void serial_close(struct scpi_dev *d)
{
	serial_drop(d->priv);
}

const struct scpi_transport_ops scpi_serial_ops = {
	.prefix = "serial",
	.summary = "RS-232 / USB-serial through libserialport (termios for ptys)",
	.priv_size = sizeof(struct scpi_serial),
	.open = serial_open,
	.send = serial_send,
	.recv_line = serial_recv_line,
	.recv_block = serial_recv_block,
	.clear = serial_clear,
	.close = serial_close,
};

bool scpi_serial_uses_libserialport(struct scpi_dev *d)
{
	return d->ops == &scpi_serial_ops && ((struct scpi_serial *)d->priv)->port;
}
