// SPDX-License-Identifier: MIT
/* libFuzzer harness for the USBTMC message engine (instruments/usbtmc.c)
 * against a device whose every answer comes from the input: Bulk-IN data
 * (any length up to what the host asked, or a timeout, stall or unplug),
 * control-request status bytes, and the link's packet size and transfer
 * size. Reads, writes, aborts and device clears: no overflow, no hang, a
 * message never longer than its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "instruments/usbtmc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct dev {
	const uint8_t *p;
	size_t n;
	unsigned calls;
};

static uint8_t take(struct dev *d)
{
	uint8_t b;

	if (!d->n)
		return 0;
	b = *d->p++;
	d->n--;
	return b;
}

/* Every op ends the run once the input is used up, so no loop of the
 * engine can spin on an endless device. */
static int outcome(struct dev *d)
{
	if (!d->n || ++d->calls > 4096)
		return BERT_ERR_NODEV;
	switch (take(d) & 0x0f) {
	case 0:
		return BERT_ERR_TIMEOUT;
	case 1:
		return BERT_ERR_IO;
	default:
		return BERT_OK;
	}
}

static int d_bulk_out(void *ctx, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct dev *d = ctx;
	int rc = outcome(d);

	(void)buf;
	(void)timeout_ms;
	if (rc)
		return rc;
	return take(d) == 0xff ? (int)(len / 2) : (int)len;	/* a partial move */
}

static int d_bulk_in(void *ctx, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct dev *d = ctx;
	int rc = outcome(d);
	size_t k;

	(void)timeout_ms;
	if (rc)
		return rc;
	k = (size_t)take(d) << 8 | take(d);
	if (k > len)
		k = len;
	if (k > d->n)
		k = d->n;
	memcpy(buf, d->p, k);
	d->p += k;
	d->n -= k;
	return (int)k;
}

static int d_control_in(void *ctx, uint8_t request, uint16_t value, uint8_t endpoint,
			uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct dev *d = ctx;
	int rc = outcome(d);
	size_t i;

	(void)request;
	(void)value;
	(void)endpoint;
	(void)timeout_ms;
	if (rc)
		return rc;
	for (i = 0; i < len; i++)
		buf[i] = take(d);
	return (int)len;
}

static int d_clear_halt(void *ctx, uint8_t endpoint)
{
	struct dev *d = ctx;

	(void)endpoint;
	return outcome(d) == BERT_ERR_IO ? BERT_ERR_IO : BERT_OK;
}

static const struct usbtmc_link_ops ops = {
	.bulk_out = d_bulk_out,
	.bulk_in = d_bulk_in,
	.control_in = d_control_in,
	.clear_halt = d_clear_halt,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t wmax[4] = { 64, 512, 1024, 0 };
	static const uint32_t max[4] = { 64, 100, 4096, 0 };
	struct dev d = { data, size, 0 };
	struct usbtmc_link l;
	uint8_t msg[300], cfg;
	size_t len, i;

	cfg = take(&d);
	if (usbtmc_link_init(&l, &ops, &d, 0x81, 0x02, wmax[cfg & 3], max[(cfg >> 2) & 3]))
		return 0;
	for (i = 0; d.n && i < 16; i++) {
		switch (take(&d) & 3) {
		case 0:
			if (usbtmc_read(&l, msg, sizeof(msg), &len, 10) == BERT_OK &&
			    len > sizeof(msg))
				abort();
			break;
		case 1:
			(void)usbtmc_write(&l, (const uint8_t *)"MEAS:POW?\n", 10, 10);
			break;
		case 2:
			(void)usbtmc_clear(&l, 10);
			break;
		default:
			memset(msg, 'x', sizeof(msg));
			(void)usbtmc_write(&l, msg, sizeof(msg), 10);
			break;
		}
	}
	usbtmc_link_free(&l);
	return 0;
}
