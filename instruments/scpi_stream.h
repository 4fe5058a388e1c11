/* SPDX-License-Identifier: MIT */
/* Private to the byte-stream transports (serial, tcp): a read buffer that
 * cuts lines at the terminator and hands out raw block bytes, over one fd
 * polled until a deadline on the device's clock. */
#ifndef BERT_INSTRUMENTS_SCPI_STREAM_H
#define BERT_INSTRUMENTS_SCPI_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "instruments/scpi.h"

/* Optional I/O hooks in place of poll/read/write on fd (libserialport's
 * blocking calls). read returns bytes read (> 0), 0 on timeout, or a
 * negative bert error with the detail set; write the same with bytes
 * written. */
struct scpi_stream_io {
	int (*read)(void *ctx, uint8_t *buf, size_t size, unsigned timeout_ms);
	int (*write)(void *ctx, const uint8_t *buf, size_t size, unsigned timeout_ms);
	void (*flush)(void *ctx);
};

struct scpi_stream {
	const struct scpi_stream_io *io;
	void *io_ctx;
	int fd;			/* -1 when closed */
	char eol;		/* '\n' or '\r'; a '\r' before '\n' is dropped */
	size_t head, tail;
	uint8_t buf[4096];
	/* Names what the fd is, for messages ("serial /dev/ttyUSB0"). */
	const char *what;
	/* errno to bert error for a failed read/write: transports differ on
	 * what a hang-up means (NODEV for serial, IO for tcp). */
	int hangup_err;
	bool replied;		/* a byte came back since it was opened */
};

void scpi_stream_init(struct scpi_stream *s, int fd, char eol, const char *what,
		      int hangup_err);
/* Closes the fd and empties the buffer. */
void scpi_stream_close(struct scpi_stream *s);
/* Discards buffered and pending input without waiting. */
void scpi_stream_flush(struct scpi_stream *s);
/* Writes all of buf, waiting for writability until deadline. */
int scpi_stream_write(struct scpi_dev *d, struct scpi_stream *s, const void *buf,
		      size_t len, uint64_t deadline);
int scpi_stream_line(struct scpi_dev *d, struct scpi_stream *s, char *out, size_t size,
		     uint64_t deadline);
int scpi_stream_bytes(struct scpi_dev *d, struct scpi_stream *s, uint8_t *out, size_t len,
		      uint64_t deadline);
/* Milliseconds from now to deadline on d's clock (0 when past). */
int scpi_ms_left(struct scpi_dev *d, uint64_t deadline);

#endif
