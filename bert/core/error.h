/* SPDX-License-Identifier: MIT */
/* One error enum for the whole project: 0 = ok, negatives = errors, positives
 * may double as byte counts. A thread-local detail string says where. */
#ifndef BERT_CORE_ERROR_H
#define BERT_CORE_ERROR_H

#include <stdarg.h>

/* Update bert_strerror() and bert_strerror_name() (error.c) upon changes! */
enum bert_err {
	BERT_OK              = 0,
	BERT_ERR_ARG         = -1,  /* invalid argument from the caller */
	BERT_ERR_NOMEM       = -2,
	BERT_ERR_IO          = -3,  /* transport or OS failure */
	BERT_ERR_NACK        = -4,  /* I2C target did not acknowledge */
	BERT_ERR_TIMEOUT     = -5,  /* waited the allowed time, nothing happened */
	BERT_ERR_NODEV       = -6,  /* device absent or unplugged */
	BERT_ERR_CHECKSUM    = -7,
	BERT_ERR_UNSUPPORTED = -8,  /* the device does not advertise this */
	BERT_ERR_CONFIG      = -9,  /* bad file, profile, URI or option */
	BERT_ERR_PROTOCOL    = -10, /* bad bytes from a module or instrument */
	BERT_ERR_STATE       = -11, /* device in the wrong state for the request */
	BERT_ERR_AGAIN       = -12, /* busy: the caller may retry */
	BERT_ERR_RANGE       = -13, /* value out of its allowed range */
	BERT_ERR_ABORTED     = -14, /* stopped on request (signal, abort) */
	BERT_ERR_INTERNAL    = -15, /* a bug in bert */
};

const char *bert_strerror(int err);
const char *bert_strerror_name(int err);

/* Sets the thread's error detail and returns err, so callers can write
 * `return bert_fail(BERT_ERR_NACK, "addr 0x%02x page %02xh", ...)`. */
int bert_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepends context ("reading page 11h") and ": " to the current detail;
 * returns err. A trailing ": " of the context is dropped (never doubled). */
int bert_fail_ctx(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The detail of the last failure on this thread ("" when none). */
const char *bert_error_detail(void);
void bert_error_clear(void);

#endif
