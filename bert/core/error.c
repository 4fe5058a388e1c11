// SPDX-License-Identifier: MIT
/* The thread-local error detail behind bert_fail() and bert_fail_ctx(),
 * and the names of the error codes (see error.h). */
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"

#define DETAIL_MAX 1024

static _Thread_local char detail[DETAIL_MAX];

const char *bert_strerror(int err)
{
	switch (err) {
	case BERT_OK:              return "ok";
	case BERT_ERR_ARG:         return "invalid argument";
	case BERT_ERR_NOMEM:       return "out of memory";
	case BERT_ERR_IO:          return "input/output error";
	case BERT_ERR_NACK:        return "I2C target did not acknowledge";
	case BERT_ERR_TIMEOUT:     return "timed out";
	case BERT_ERR_NODEV:       return "no such device";
	case BERT_ERR_CHECKSUM:    return "checksum mismatch";
	case BERT_ERR_UNSUPPORTED: return "not supported by the device";
	case BERT_ERR_CONFIG:      return "configuration error";
	case BERT_ERR_PROTOCOL:    return "protocol error";
	case BERT_ERR_STATE:       return "device in the wrong state";
	case BERT_ERR_AGAIN:       return "busy, try again";
	case BERT_ERR_RANGE:       return "value out of range";
	case BERT_ERR_ABORTED:     return "aborted";
	case BERT_ERR_INTERNAL:    return "internal error";
	}
	return "unknown error";
}

const char *bert_strerror_name(int err)
{
	switch (err) {
	case BERT_OK:              return "BERT_OK";
	case BERT_ERR_ARG:         return "BERT_ERR_ARG";
	case BERT_ERR_NOMEM:       return "BERT_ERR_NOMEM";
	case BERT_ERR_IO:          return "BERT_ERR_IO";
	case BERT_ERR_NACK:        return "BERT_ERR_NACK";
	case BERT_ERR_TIMEOUT:     return "BERT_ERR_TIMEOUT";
	case BERT_ERR_NODEV:       return "BERT_ERR_NODEV";
	case BERT_ERR_CHECKSUM:    return "BERT_ERR_CHECKSUM";
	case BERT_ERR_UNSUPPORTED: return "BERT_ERR_UNSUPPORTED";
	case BERT_ERR_CONFIG:      return "BERT_ERR_CONFIG";
	case BERT_ERR_PROTOCOL:    return "BERT_ERR_PROTOCOL";
	case BERT_ERR_STATE:       return "BERT_ERR_STATE";
	case BERT_ERR_AGAIN:       return "BERT_ERR_AGAIN";
	case BERT_ERR_RANGE:       return "BERT_ERR_RANGE";
	case BERT_ERR_ABORTED:     return "BERT_ERR_ABORTED";
	case BERT_ERR_INTERNAL:    return "BERT_ERR_INTERNAL";
	}
	return "BERT_ERR_UNKNOWN";
}

static int bert_failv(int err, const char *fmt, va_list ap)
{
	vsnprintf(detail, sizeof(detail), fmt, ap);
	return err;
}

int bert_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bert_failv(err, fmt, ap);
	va_end(ap);
	return err;
}

int bert_fail_ctx(int err, const char *fmt, ...)
{
	char joined[DETAIL_MAX + 256];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(joined, 256, fmt, ap);
	va_end(ap);
	if (n > 255)
		n = 255;
	/* the separator is ours: a context that brings its own loses it */
	while (n && (joined[n - 1] == ' ' || joined[n - 1] == ':'))
		joined[--n] = '\0';
	if (detail[0]) {
		memcpy(joined + n, ": ", 2);
		memcpy(joined + n + 2, detail, strlen(detail) + 1);
	}
	/* Keep the head of the chain if the whole no longer fits. */
	n = strlen(joined);
	if (n >= DETAIL_MAX)
		n = DETAIL_MAX - 1;
	memcpy(detail, joined, n);
	detail[n] = '\0';
	return err;
}

const char *bert_error_detail(void)
{
	return detail;
}

void bert_error_clear(void)
{
	detail[0] = '\0';
}
