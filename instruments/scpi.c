// SPDX-License-Identifier: MIT
/* The common SCPI layer over the transport table. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "scpi"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "instruments/scpi.h"

extern const struct scpi_transport_ops scpi_tcp_ops;
extern const struct scpi_transport_ops scpi_serial_ops;
extern const struct scpi_transport_ops scpi_usbtmc_ops;
extern const struct scpi_transport_ops scpi_sim_ops;

/* Explicit registration: every transport is listed here. */
const struct scpi_transport_ops *const scpi_transports[] = {
	&scpi_tcp_ops,
	&scpi_serial_ops,
	&scpi_usbtmc_ops,
	&scpi_sim_ops,
	NULL,
};

int scpi_open(const char *uri, struct bert_clock *clock, struct scpi_dev **out)
{
	const struct scpi_transport_ops *const *t;
	const struct scpi_transport_ops *ops = NULL;
	struct scpi_dev *d;
	char known[128] = "";
	size_t n;
	int rc;

	*out = NULL;
	for (t = scpi_transports; *t; t++) {
		n = strlen((*t)->prefix);
		if (!strncmp(uri, (*t)->prefix, n) && uri[n] == ':') {
			ops = *t;
			break;
		}
	}
	if (!ops) {
		for (t = scpi_transports; *t; t++) {
			strcat(known, (*t)->prefix);
			strcat(known, t[1] ? ":, " : ":");
		}
		return bert_fail(BERT_ERR_CONFIG, "instrument '%s': unknown transport "
				 "(known: %s)", uri, known);
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return bert_fail(BERT_ERR_NOMEM, "scpi");
	d->ops = ops;
	d->clock = clock ? clock : bert_clock_monotonic();
	d->timeout_ns = SCPI_TIMEOUT_NS_DEFAULT;
	d->check_errors = true;
	snprintf(d->uri, sizeof(d->uri), "%s", uri);
	if (ops->priv_size && !(d->priv = calloc(1, ops->priv_size))) {
		free(d);
		return bert_fail(BERT_ERR_NOMEM, "scpi");
	}
	rc = ops->open(d, uri + strlen(ops->prefix) + 1);
	if (rc) {
		free(d->priv);
		free(d);
		return bert_fail_ctx(rc, "instrument '%s'", uri);
	}
	*out = d;
	return BERT_OK;
}

static void clear(struct scpi_dev *d);

int scpi_reopen(struct scpi_dev *d)
{
	int rc;

	if (!d->down && d->ops->close)
		d->ops->close(d);
	if (d->ops->priv_size)
		memset(d->priv, 0, d->ops->priv_size);
	rc = d->ops->open(d, d->uri + strlen(d->ops->prefix) + 1);
	d->down = rc != BERT_OK;
	if (rc)
		return bert_fail_ctx(rc, "reopening instrument '%s'", d->uri);
	/* The link went away with a query unanswered: the instrument may
	 * still hold (or send) that reply, which the first query of the new
	 * link would read as its own. A device clear drops it. */
	clear(d);
	return BERT_OK;
}

void scpi_close(struct scpi_dev *d)
{
	if (!d)
		return;
	if (!d->down && d->ops->close)
		d->ops->close(d);
	if (d->own_clock)
		bert_clock_free(d->clock);
	free(d->priv);
	free(d);
}

static int vsend(struct scpi_dev *d, const char *fmt, va_list ap)
{
	char cmd[SCPI_LINE_MAX];
	int n, rc;

	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return bert_fail(BERT_ERR_ARG, "%s: command too long", d->uri);
	snprintf(d->last_cmd, sizeof(d->last_cmd), "%.*s", (int)sizeof(d->last_cmd) - 1, cmd);
	log_spew("%s << %s", d->uri, cmd);
	if (d->down)
		return bert_fail(BERT_ERR_NODEV, "%s: not connected (reopening failed)", d->uri);
	rc = d->ops->send(d, cmd);
	if (rc)
		return bert_fail_ctx(rc, "%s: sending '%s'", d->uri, cmd);
	return BERT_OK;
}

int scpi_send(struct scpi_dev *d, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsend(d, fmt, ap);
	va_end(ap);
	return rc;
}

static void clear(struct scpi_dev *d)
{
	if (d->ops->clear)
		d->ops->clear(d);
}

static int read_line(struct scpi_dev *d, char *buf, size_t size, uint64_t timeout)
{
	uint64_t deadline = bert_clock_now(d->clock) + timeout;
	int rc = d->ops->recv_line(d, buf, size, deadline);

	if (rc >= 0)
		log_spew("%s >> %s", d->uri, buf);
	return rc;
}

/* Instrument error codes (IEEE 488.2 / SCPI 1999 chapter 21): -22x are data
 * range and value errors, -113 an undefined header. */
static int instr_err(int code)
{
	if (code <= -220 && code >= -229)
		return BERT_ERR_RANGE;
	if (code == -113)
		return BERT_ERR_UNSUPPORTED;
	return BERT_ERR_PROTOCOL;
}

/* Reads the whole queue; returns the first error as (err, detail) and logs
 * the rest. BERT_ERR_TIMEOUT etc. when the instrument does not answer. */
static int drain(struct scpi_dev *d, int *first_code, char *first, size_t size)
{
	char line[SCPI_LINE_MAX], text[SCPI_LINE_MAX];
	int code, rc, i;

	*first_code = 0;
	first[0] = '\0';
	for (i = 0; i < SCPI_ERRQ_MAX; i++) {
		rc = d->ops->send(d, "SYST:ERR?");
		if (rc)
			return rc;
		rc = read_line(d, line, sizeof(line), d->timeout_ns);
		if (rc < 0)
			return rc;
		rc = scpi_parse_error(line, &code, text, sizeof(text));
		if (rc) {
			clear(d);
			return rc;
		}
		if (code == 0)
			return BERT_OK;
		if (!*first_code) {
			*first_code = code;
			snprintf(first, size, "%d,\"%.200s\"", code, text);
		} else {
			log_warn("%s: further instrument error %d,\"%s\"", d->uri, code, text);
		}
	}
	return BERT_OK;
}

int scpi_drain_errors(struct scpi_dev *d)
{
	char text[SCPI_LINE_MAX];
	int code, rc;

	rc = drain(d, &code, text, sizeof(text));
	if (rc)
		return bert_fail_ctx(rc, "%s: reading the error queue", d->uri);
	if (code)
		return bert_fail(instr_err(code), "%s: instrument error %s", d->uri, text);
	return BERT_OK;
}

int scpi_cmd(struct scpi_dev *d, const char *fmt, ...)
{
	char cmd[sizeof(d->last_cmd)], text[SCPI_LINE_MAX];
	va_list ap;
	int code, rc;

	va_start(ap, fmt);
	rc = vsend(d, fmt, ap);
	va_end(ap);
	if (rc || !d->check_errors)
		return rc;
	snprintf(cmd, sizeof(cmd), "%s", d->last_cmd);
	rc = drain(d, &code, text, sizeof(text));
	if (rc)
		return bert_fail_ctx(rc, "%s: error queue after '%s'", d->uri, cmd);
	if (code)
		return bert_fail(instr_err(code), "%s: '%s': instrument error %s",
				 d->uri, cmd, text);
	return BERT_OK;
}

static int vquery(struct scpi_dev *d, char *buf, size_t size, const char *fmt, va_list ap)
{
	char cmd[sizeof(d->last_cmd)], text[SCPI_LINE_MAX];
	int code, rc, rc2;

	rc = vsend(d, fmt, ap);
	if (rc)
		return rc;
	snprintf(cmd, sizeof(cmd), "%s", d->last_cmd);
	rc = read_line(d, buf, size, d->timeout_ns);
	if (rc >= 0)
		return rc;
	if (rc == BERT_ERR_TIMEOUT) {
		/* A real instrument answers nothing to a query it did not
		 * understand and queues the reason: fetch it for the user. */
		unsigned ms = (unsigned)(d->timeout_ns / BERT_NS_PER_MS);

		clear(d);
		if (d->check_errors) {
			rc2 = drain(d, &code, text, sizeof(text));
			if (rc2 == BERT_OK && code)
				return bert_fail(instr_err(code), "%s: no reply to '%s': "
						 "instrument error %s", d->uri, cmd, text);
			clear(d);
		}
		return bert_fail(BERT_ERR_TIMEOUT, "%s: no reply to '%s' within %u ms",
				 d->uri, cmd, ms);
	}
	if (rc == BERT_ERR_PROTOCOL)
		clear(d);
	return bert_fail_ctx(rc, "%s: reply to '%s'", d->uri, cmd);
}

int scpi_query(struct scpi_dev *d, char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vquery(d, buf, size, fmt, ap);
	va_end(ap);
	return rc;
}

/* The outcome of a typed query: the transport's error, or the parser's with
 * the command that drew the reply named. */
static int reply_parsed(struct scpi_dev *d, int query_rc, int parse_rc)
{
	if (query_rc < 0)
		return query_rc;
	if (parse_rc)
		return bert_fail_ctx(parse_rc, "%s: reply to '%s'", d->uri, d->last_cmd);
	return BERT_OK;
}

int scpi_query_double(struct scpi_dev *d, double *out, const char *fmt, ...)
{
	char line[SCPI_LINE_MAX];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vquery(d, line, sizeof(line), fmt, ap);
	va_end(ap);
	return reply_parsed(d, rc, rc < 0 ? rc : scpi_parse_double(line, out));
}

int scpi_query_block(struct scpi_dev *d, uint8_t *buf, size_t size, size_t *len,
		     const char *fmt, ...)
{
	uint8_t hdr[12];
	char tail[8];
	size_t hdr_len, data_len, ndig;
	uint64_t deadline;
	va_list ap;
	int rc;

	*len = 0;
	va_start(ap, fmt);
	rc = vsend(d, fmt, ap);
	va_end(ap);
	if (rc)
		return rc;
	deadline = bert_clock_now(d->clock) + d->timeout_ns;
	rc = d->ops->recv_block(d, hdr, 2, deadline);
	if (rc)
		goto err;
	if (hdr[0] != '#' || hdr[1] < '1' || hdr[1] > '9') {
		rc = bert_fail(BERT_ERR_PROTOCOL, "block reply starts with 0x%02x 0x%02x, "
			       "not #<1-9>", hdr[0], hdr[1]);
		goto err;
	}
	ndig = (size_t)(hdr[1] - '0');
	rc = d->ops->recv_block(d, hdr + 2, ndig, deadline);
	if (rc)
		goto err;
	rc = scpi_parse_block_header(hdr, 2 + ndig, &hdr_len, &data_len);
	if (rc)
		goto err;
	if (data_len > size) {
		rc = bert_fail(BERT_ERR_PROTOCOL, "block of %zu bytes, room for %zu",
			       data_len, size);
		goto err;
	}
	rc = d->ops->recv_block(d, buf, data_len, deadline);
	if (rc)
		goto err;
	/* The response message terminator follows the block. */
	rc = d->ops->recv_line(d, tail, sizeof(tail), deadline);
	if (rc < 0)
		goto err;
	*len = data_len;
	return BERT_OK;
err:
	clear(d);
	return bert_fail_ctx(rc, "%s: block reply to '%s'", d->uri, d->last_cmd);
}

int scpi_opc(struct scpi_dev *d, uint64_t timeout_ns)
{
	char line[32];
	uint64_t saved = d->timeout_ns;
	long v;
	int rc;

	d->timeout_ns = timeout_ns;
	rc = scpi_query(d, line, sizeof(line), "*OPC?");
	d->timeout_ns = saved;
	if (rc < 0)
		return rc;
	rc = scpi_parse_int(line, &v);
	if (rc || v != 1)
		return bert_fail(BERT_ERR_PROTOCOL, "%s: *OPC? answered '%s'", d->uri, line);
	return BERT_OK;
}

int scpi_idn(struct scpi_dev *d, struct scpi_idn *idn)
{
	char line[SCPI_LINE_MAX];
	int rc;

	rc = scpi_query(d, line, sizeof(line), "*IDN?");
	if (rc < 0)
		return rc;
	rc = scpi_parse_idn(line, idn);
	if (rc)
		return bert_fail_ctx(rc, "%s", d->uri);
	return BERT_OK;
}

/* ---- pure parsers ---- */

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool only_blank(const char *s)
{
	return *skip_blank(s) == '\0';
}

/* Shows a reply in a message: printable, shortened. */
static const char *show(const char *s, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; s[i] && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (s[i] && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* SCPI numeric reply syntax: [+-]digits[.digits][E[+-]digits]. strtod would
 * also take hex, inf and nan; those are not SCPI replies. */
static bool scpi_number_syntax(const char *s)
{
	bool digits = false;

	if (*s == '+' || *s == '-')
		s++;
	while (isdigit((unsigned char)*s)) {
		s++;
		digits = true;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			s++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return only_blank(s);
}

int scpi_parse_double(const char *s, double *out)
{
	char shown[64];
	double v;

	s = skip_blank(s);
	if (!*s)
		return bert_fail(BERT_ERR_PROTOCOL, "empty reply where a number was expected");
	if (!scpi_number_syntax(s))
		return bert_fail(BERT_ERR_PROTOCOL, "reply '%s' is not a number",
				 show(s, shown, sizeof(shown)));
	errno = 0;
	v = strtod(s, NULL);
	if (errno == ERANGE || !isfinite(v))
		return bert_fail(BERT_ERR_PROTOCOL, "reply '%s' is out of range",
				 show(s, shown, sizeof(shown)));
	/* 9.91E37 is SCPI's NaN, and 9.9E37 the overload value instruments
	 * send when the input is beyond the range. */
	if (fabs(v) >= 9.8e37)
		return bert_fail(BERT_ERR_RANGE, "reply '%s' is the overload/not-a-number "
				 "value (input beyond the range?)", show(s, shown, sizeof(shown)));
	*out = v;
	return BERT_OK;
}

int scpi_parse_int(const char *s, long *out)
{
	char shown[64];
	double v;
	int rc;

	rc = scpi_parse_double(s, &v);
	if (rc)
		return rc;
	if (v != floor(v) || fabs(v) > 2147483647.0)
		return bert_fail(BERT_ERR_PROTOCOL, "reply '%s' is not an integer",
				 show(skip_blank(s), shown, sizeof(shown)));
	*out = (long)v;
	return BERT_OK;
}

int scpi_parse_bool(const char *s, bool *out)
{
	char w[8], shown[64];
	size_t n = 0;

	s = skip_blank(s);
	while (s[n] && s[n] != ' ' && s[n] != '\t' && n < sizeof(w) - 1) {
		w[n] = (char)toupper((unsigned char)s[n]);
		n++;
	}
	w[n] = '\0';
	if (only_blank(s + n)) {
		if (!strcmp(w, "1") || !strcmp(w, "ON") || !strcmp(w, "+1")) {
			*out = true;
			return BERT_OK;
		}
		if (!strcmp(w, "0") || !strcmp(w, "OFF") || !strcmp(w, "+0")) {
			*out = false;
			return BERT_OK;
		}
	}
	return bert_fail(BERT_ERR_PROTOCOL, "reply '%s' is not a boolean",
			 show(s, shown, sizeof(shown)));
}

static void trim_copy(char *dst, size_t size, const char *src, size_t n)
{
	while (n && (*src == ' ' || *src == '\t')) {
		src++;
		n--;
	}
	while (n && (src[n - 1] == ' ' || src[n - 1] == '\t'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int scpi_parse_idn(const char *s, struct scpi_idn *idn)
{
	char *fields[4] = { idn->vendor, idn->model, idn->serial, idn->firmware };
	const char *p = s, *c;
	char shown[96];
	int i;

	memset(idn, 0, sizeof(*idn));
	for (i = 0; i < 4; i++) {
		c = strchr(p, ',');
		if (i < 3 && !c)
			break;
		if (i == 3 && c)
			return bert_fail(BERT_ERR_PROTOCOL, "*IDN? reply '%s' has more than "
					 "four fields", show(s, shown, sizeof(shown)));
		trim_copy(fields[i], sizeof(idn->vendor), p, c ? (size_t)(c - p) : strlen(p));
		p = c ? c + 1 : p;
	}
	if (i < 4 || !idn->vendor[0] || !idn->model[0])
		return bert_fail(BERT_ERR_PROTOCOL, "*IDN? reply '%s' is not "
				 "vendor,model,serial,firmware", show(s, shown, sizeof(shown)));
	for (i = 0; i < 4; i++) {
		const char *f = fields[i];

		for (; *f; f++)
			if ((unsigned char)*f < 0x20 || (unsigned char)*f >= 0x7f)
				return bert_fail(BERT_ERR_PROTOCOL, "*IDN? reply '%s' has "
						 "non-printable bytes",
						 show(s, shown, sizeof(shown)));
	}
	return BERT_OK;
}

int scpi_parse_error(const char *s, int *code, char *text, size_t size)
{
	char num[16], shown[96];
	const char *c, *q;
	size_t n;
	long v;

	text[0] = '\0';
	c = strchr(s, ',');
	n = c ? (size_t)(c - s) : strlen(s);
	if (n >= sizeof(num))
		goto bad;
	memcpy(num, s, n);
	num[n] = '\0';
	if (scpi_parse_int(num, &v) || v < -32768 || v > 32767)
		goto bad;
	*code = (int)v;
	if (!c)
		return BERT_OK;
	c = skip_blank(c + 1);
	if (*c == '"') {
		q = strrchr(c + 1, '"');
		if (!q || !only_blank(q + 1))
			goto bad;
		trim_copy(text, size, c + 1, (size_t)(q - c - 1));
	} else {
		trim_copy(text, size, c, strlen(c));
	}
	return BERT_OK;
bad:
	return bert_fail(BERT_ERR_PROTOCOL, "SYST:ERR? reply '%s' is not "
			 "<code>,\"<text>\"", show(s, shown, sizeof(shown)));
}

int scpi_parse_block_header(const uint8_t *b, size_t n, size_t *hdr_len, size_t *data_len)
{
	size_t ndig, i, len = 0;

	if (n < 2 || b[0] != '#' || b[1] < '0' || b[1] > '9')
		return bert_fail(BERT_ERR_PROTOCOL, "block does not start with #<digit>");
	ndig = (size_t)(b[1] - '0');
	if (ndig == 0)
		return bert_fail(BERT_ERR_PROTOCOL, "indefinite-length block (#0) "
				 "not supported");
	if (n < 2 + ndig)
		return bert_fail(BERT_ERR_PROTOCOL, "block header cut short");
	for (i = 0; i < ndig; i++) {
		if (b[2 + i] < '0' || b[2 + i] > '9')
			return bert_fail(BERT_ERR_PROTOCOL, "block length digit 0x%02x",
					 b[2 + i]);
		len = len * 10 + (size_t)(b[2 + i] - '0');
	}
	*hdr_len = 2 + ndig;
	*data_len = len;
	return BERT_OK;
}

bool scpi_uri_param(const char *query, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key), vl;
	const char *p = query, *e;

	while (p && *p) {
		e = strchr(p, '&');
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			vl = (e ? (size_t)(e - p) : strlen(p)) - kl - 1;
			if (vl >= size)
				vl = size - 1;
			memcpy(out, p + kl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p = e ? e + 1 : NULL;
	}
	return false;
}
