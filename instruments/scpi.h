/* SPDX-License-Identifier: MIT */
/* The SCPI layer: one device handle over an explicit table of transports
 * (libsigrok's scpi_devs[] pattern), chosen by the URI prefix:
 *
 *   tcp:HOST[:PORT]                      raw socket, port 5025 by default
 *   serial:PATH[?baud=N&parity=none|odd|even&bits=8&stop=1&flow=none|xonxoff|rtscts&term=lf|crlf|cr]
 *   usbtmc:VID:PID[:SERIAL]              USB Test & Measurement Class over libusb
 *   sim:NAME[@BENCH]                     an emulated instrument of a bench in process
 *
 * On top of the transport: commands, queries with a timeout measured on the
 * device's clock, *IDN? parsed into its four fields, *OPC? synchronisation,
 * the SYST:ERR? queue drained after each command (the instrument's own error
 * text ends up in the error detail), IEEE 488.2 definite-length blocks, and
 * numeric parsing that refuses garbage (nan, the 9.91E37 overload value,
 * empty replies).
 *
 * The reply parsers (scpi_parse_*) are pure functions over strings and bytes,
 * exercised by tests/fuzz/fuzz_scpi_reply.c. */
#ifndef BERT_INSTRUMENTS_SCPI_H
#define BERT_INSTRUMENTS_SCPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/core/clock.h"

#define SCPI_LINE_MAX 512		/* longest response line we accept */
#define SCPI_TIMEOUT_NS_DEFAULT (2 * BERT_NS_PER_S)
#define SCPI_ERRQ_MAX 32		/* SYST:ERR? reads per drain, at most */

struct scpi_dev;

/* A transport. Every op but the optional ones is required. Ops return
 * BERT_OK or a negative BERT_ERR_* with the detail set (bert_fail), having
 * translated the library's own error (libserialport, libusb, errno) and kept
 * its message in the detail. */
struct scpi_transport_ops {
	const char *prefix;	/* URI prefix before the first ':' */
	const char *summary;
	size_t priv_size;	/* zeroed private state, d->priv */
	/* arg is the URI after "prefix:". Sets up the link; may set d->clock
	 * when the transport brings its own (sim). BERT_ERR_CONFIG for a
	 * malformed arg, BERT_ERR_NODEV when the device is absent. */
	int (*open)(struct scpi_dev *d, const char *arg);
	/* Sends one program message (no terminator in cmd; the transport adds
	 * its own: LF, CR LF, or the USBTMC EOM bit). A device that vanished
	 * gives BERT_ERR_NODEV; transports that can reopen (serial) try once
	 * here before failing, so the next command after a replug works. */
	int (*send)(struct scpi_dev *d, const char *cmd);
	/* Receives one response message up to its terminator (stripped, NUL
	 * terminated, at most size-1 bytes kept; longer lines are
	 * BERT_ERR_PROTOCOL). Waits until the clock reaches deadline, then
	 * BERT_ERR_TIMEOUT. Returns the length (>= 0). */
	int (*recv_line)(struct scpi_dev *d, char *buf, size_t size, uint64_t deadline);
	/* Receives exactly len raw bytes (binary block contents), same
	 * deadline rule. Returns BERT_OK. */
	int (*recv_block)(struct scpi_dev *d, uint8_t *buf, size_t len, uint64_t deadline);
	/* Optional: device clear after a timeout or a garbled reply (USBTMC
	 * abort + INITIATE_CLEAR; byte streams discard pending input) so the
	 * next exchange starts clean. */
	int (*clear)(struct scpi_dev *d);
	/* Optional. Releases what open acquired (not priv itself). */
	void (*close)(struct scpi_dev *d);
};

/* The transports, NULL-terminated (explicit registration). */
extern const struct scpi_transport_ops *const scpi_transports[];

struct scpi_idn {
	char vendor[64], model[64], serial[64], firmware[64];
};

struct scpi_dev {
	const struct scpi_transport_ops *ops;
	void *priv;
	struct bert_clock *clock;	/* what timeouts are measured on */
	bool own_clock;			/* freed with the device */
	uint64_t timeout_ns;		/* per query */
	bool check_errors;		/* drain SYST:ERR? after each command */
	char uri[256];
	char last_cmd[128];		/* for error messages */
	bool down;			/* a reopen failed: closed until the next one */
};

/* Opens uri (the transport part; no model prefix). clock NULL = the
 * monotonic clock, unless the transport brings its own. BERT_ERR_CONFIG for
 * an unknown prefix, naming the known ones. */
int scpi_open(const char *uri, struct bert_clock *clock, struct scpi_dev **out);
void scpi_close(struct scpi_dev *d);
/* Closes the transport and opens it again on the same URI (after the link
 * was lost: port vanished, TCP reset); the handle stays valid. On failure
 * the device stays closed (every exchange BERT_ERR_NODEV) until a reopen
 * succeeds. */
int scpi_reopen(struct scpi_dev *d);

/* Raw send of one program message, nothing read back. */
int scpi_send(struct scpi_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sends a command, then (when d->check_errors) drains the error queue: an
 * instrument error gives BERT_ERR_RANGE for -22x data errors, else
 * BERT_ERR_PROTOCOL, the detail carrying the instrument's code and text. */
int scpi_cmd(struct scpi_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sends a query and reads one line. On a timeout the error queue is read so
 * an undefined header shows up as the instrument's own error. */
int scpi_query(struct scpi_dev *d, char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int scpi_query_double(struct scpi_dev *d, double *out, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A definite-length block reply (#NLLLL<data>): *len bytes into buf. */
int scpi_query_block(struct scpi_dev *d, uint8_t *buf, size_t size, size_t *len,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* *OPC? waits (up to timeout_ns) until pending operations are done. */
int scpi_opc(struct scpi_dev *d, uint64_t timeout_ns);
int scpi_idn(struct scpi_dev *d, struct scpi_idn *idn);
/* Reads SYST:ERR? until "0,..."; the first error found is returned as above
 * (BERT_OK when the queue was empty). */
int scpi_drain_errors(struct scpi_dev *d);

/* Pure reply parsers. Each returns BERT_OK or BERT_ERR_PROTOCOL with a
 * detail quoting the offending reply. */
/* A decimal number (NR1/NR2/NR3, surrounding blanks allowed); refuses empty
 * text, trailing garbage, nan/inf and the 9.9E37 overload/not-a-number value. */
int scpi_parse_double(const char *s, double *out);
int scpi_parse_int(const char *s, long *out);
/* 0/1/ON/OFF. */
int scpi_parse_bool(const char *s, bool *out);
/* "vendor,model,serial,firmware" (fields trimmed; exactly four). */
int scpi_parse_idn(const char *s, struct scpi_idn *idn);
/* SYST:ERR? reply: `-113,"Undefined header"` -> code, text (quotes removed;
 * a text-less reply "0" is accepted). */
int scpi_parse_error(const char *s, int *code, char *text, size_t size);
/* Definite-length block header at the start of b: "#" digit N, then N
 * decimal digits of length. Sets *hdr_len and *data_len. "#0" (indefinite
 * length) is refused. */
int scpi_parse_block_header(const uint8_t *b, size_t n, size_t *hdr_len, size_t *data_len);

/* True when a serial: device went through libserialport (not the termios
 * fallback); for tests and `bert instr idn -v`. */
bool scpi_serial_uses_libserialport(struct scpi_dev *d);

/* Helpers for transports: URI query parameters ("a=1&b=2"). Copies the
 * value of key into out; false when absent. */
bool scpi_uri_param(const char *query, const char *key, char *out, size_t size);

#endif
