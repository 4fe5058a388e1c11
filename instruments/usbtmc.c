// SPDX-License-Identifier: MIT
/* USBTMC framing (pure) and the message engine over a link (usbtmc.h). */
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "usbtmc"
#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "instruments/usbtmc.h"

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

uint8_t usbtmc_btag_next(uint8_t btag)
{
	return btag == 255 ? 1 : (uint8_t)(btag + 1);
}

static void header(uint8_t *h, uint8_t msgid, uint8_t btag, uint32_t size, uint8_t attr)
{
	memset(h, 0, USBTMC_HDR_LEN);
	h[0] = msgid;
	h[1] = btag;
	h[2] = (uint8_t)(0xff - btag);
	bert_put_le32(h + 4, size);
	h[8] = attr;
}

size_t usbtmc_msg_out(uint8_t *out, size_t size, uint8_t btag, const uint8_t *data,
		      size_t len, bool eom)
{
	size_t total = align4(USBTMC_HDR_LEN + len);

	if (total > size || len > UINT32_MAX)
		return 0;
	header(out, USBTMC_DEV_DEP_MSG_OUT, btag, (uint32_t)len, eom ? 0x01 : 0x00);
	if (len)
		memcpy(out + USBTMC_HDR_LEN, data, len);
	memset(out + USBTMC_HDR_LEN + len, 0, total - USBTMC_HDR_LEN - len);
	return total;
}

void usbtmc_request_in(uint8_t out[USBTMC_HDR_LEN], uint8_t btag, uint32_t max,
		       int term_char)
{
	header(out, USBTMC_REQUEST_DEV_DEP_MSG_IN, btag, max, term_char >= 0 ? 0x02 : 0x00);
	if (term_char >= 0)
		out[9] = (uint8_t)term_char;
}

int usbtmc_parse_in_header(const uint8_t *hdr, size_t n, uint8_t btag, uint32_t max,
			   uint32_t *size, bool *eom)
{
	if (n < USBTMC_HDR_LEN)
		return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: Bulk-IN header of %zu bytes", n);
	if (hdr[0] != USBTMC_DEV_DEP_MSG_IN)
		return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: Bulk-IN MsgID %u, expected %u",
				 hdr[0], USBTMC_DEV_DEP_MSG_IN);
	if (hdr[1] != btag)
		return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: Bulk-IN bTag %u, expected %u",
				 hdr[1], btag);
	if (hdr[2] + btag != 0xff)
		return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: Bulk-IN bTagInverse 0x%02x "
				 "does not match bTag %u", hdr[2], btag);
	*size = bert_get_le32(hdr + 4);
	if (*size > max)
		return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: Bulk-IN TransferSize %u above "
				 "the %u requested", *size, max);
	*eom = hdr[8] & 0x01;
	return BERT_OK;
}

void usbtmc_in_start(struct usbtmc_in *in, uint8_t btag, uint32_t max)
{
	memset(in, 0, sizeof(*in));
	in->btag = btag;
	in->max = max;
}

int usbtmc_in_feed(struct usbtmc_in *in, const uint8_t *pkt, size_t pkt_len, size_t wmax,
		   uint8_t *out, size_t out_size, size_t *out_len)
{
	bool short_pkt = wmax && (pkt_len == 0 || pkt_len % wmax != 0);
	size_t i = 0, k, total;
	int rc;

	if (in->done)
		return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: data after the transfer ended");
	while (i < pkt_len) {
		if (!in->have_hdr) {
			k = USBTMC_HDR_LEN - in->seen;
			if (k > pkt_len - i)
				k = pkt_len - i;
			memcpy(in->hdr + in->seen, pkt + i, k);
			in->seen += k;
			i += k;
			if (in->seen < USBTMC_HDR_LEN)
				continue;
			rc = usbtmc_parse_in_header(in->hdr, USBTMC_HDR_LEN, in->btag, in->max,
						    &in->size, &in->eom);
			if (rc)
				return rc;
			in->have_hdr = true;
			continue;
		}
		total = align4(USBTMC_HDR_LEN + (size_t)in->size);
		if (in->got < in->size) {
			k = in->size - in->got;
			if (k > pkt_len - i)
				k = pkt_len - i;
			if (*out_len + k > out_size)
				return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: message longer "
						 "than %zu bytes", out_size);
			memcpy(out + *out_len, pkt + i, k);
			*out_len += k;
			in->got += (uint32_t)k;
			in->seen += k;
			i += k;
			continue;
		}
		/* alignment bytes */
		k = total - in->seen;
		if (k > pkt_len - i)
			k = pkt_len - i;
		if (!k)
			return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: %zu bytes beyond the "
					 "%u-byte transfer", pkt_len - i, in->size);
		in->seen += k;
		i += k;
	}
	if (short_pkt) {
		if (!in->have_hdr || in->got < in->size)
			return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: short packet after %u of "
					 "%u payload bytes", in->got, in->size);
		in->done = true;
	} else if (in->have_hdr && in->got == in->size &&
		   in->seen == align4(USBTMC_HDR_LEN + (size_t)in->size)) {
		/* Ended on a packet boundary: a zero-length packet may follow,
		 * which the reader of the next transfer skips. */
		in->done = true;
	}
	return BERT_OK;
}

/* ---- message engine ---- */

int usbtmc_link_init(struct usbtmc_link *l, const struct usbtmc_link_ops *ops, void *ctx,
		     uint8_t ep_in, uint8_t ep_out, size_t wmax_in, uint32_t max_transfer)
{
	memset(l, 0, sizeof(*l));
	l->ops = ops;
	l->ctx = ctx;
	l->ep_in = ep_in;
	l->ep_out = ep_out;
	l->wmax_in = wmax_in ? wmax_in : 64;
	l->max_transfer = max_transfer ? max_transfer : 4096;
	l->xfer_size = align4(USBTMC_HDR_LEN + l->max_transfer) + l->wmax_in;
	l->xfer = malloc(l->xfer_size);
	if (!l->xfer)
		return bert_fail(BERT_ERR_NOMEM, "usbtmc");
	return BERT_OK;
}

void usbtmc_link_free(struct usbtmc_link *l)
{
	free(l->xfer);
	l->xfer = NULL;
}

static int abort_out(struct usbtmc_link *l, uint8_t btag, unsigned timeout_ms)
{
	uint8_t st[8];
	int i, rc;

	rc = l->ops->control_in(l->ctx, USBTMC_INITIATE_ABORT_BULK_OUT, btag, l->ep_out,
				st, 2, timeout_ms);
	if (rc < 0)
		return rc;
	if (st[0] != USBTMC_STATUS_SUCCESS)
		return l->ops->clear_halt(l->ctx, l->ep_out);
	for (i = 0; i < 100; i++) {
		rc = l->ops->control_in(l->ctx, USBTMC_CHECK_ABORT_BULK_OUT_STATUS, 0,
					l->ep_out, st, 8, timeout_ms);
		if (rc < 0)
			return rc;
		if (st[0] != USBTMC_STATUS_PENDING)
			break;
	}
	return l->ops->clear_halt(l->ctx, l->ep_out);
}

/* Reads and drops Bulk-IN data until a short packet, in reads of whole
 * packets that fit the scratch buffer (eight 1024-byte SuperSpeed packets
 * would not). */
static void drain_in(struct usbtmc_link *l, unsigned timeout_ms)
{
	size_t n = l->xfer_size / l->wmax_in * l->wmax_in;
	int i, rc;

	for (i = 0; i < 64; i++) {
		rc = l->ops->bulk_in(l->ctx, l->xfer, n, timeout_ms);
		if (rc < 0 || (size_t)rc < n)
			return;
	}
}

static int abort_in(struct usbtmc_link *l, uint8_t btag, unsigned timeout_ms)
{
	uint8_t st[8];
	int i, rc;

	rc = l->ops->control_in(l->ctx, USBTMC_INITIATE_ABORT_BULK_IN, btag, l->ep_in,
				st, 2, timeout_ms);
	if (rc < 0)
		return rc;
	if (st[0] != USBTMC_STATUS_SUCCESS)
		return BERT_OK;	/* nothing in progress: nothing to abort */
	drain_in(l, timeout_ms);
	for (i = 0; i < 100; i++) {
		rc = l->ops->control_in(l->ctx, USBTMC_CHECK_ABORT_BULK_IN_STATUS, 0,
					l->ep_in, st, 8, timeout_ms);
		if (rc < 0)
			return rc;
		if (st[0] != USBTMC_STATUS_PENDING)
			return BERT_OK;
		if (st[1] & 0x01)
			drain_in(l, timeout_ms);
	}
	return bert_fail(BERT_ERR_TIMEOUT, "usbtmc: Bulk-IN abort stays pending");
}

int usbtmc_write(struct usbtmc_link *l, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	size_t off = 0, k, n;
	int rc;

	do {
		k = len - off;
		if (k > l->max_transfer)
			k = l->max_transfer;
		l->btag = usbtmc_btag_next(l->btag);
		n = usbtmc_msg_out(l->xfer, align4(USBTMC_HDR_LEN + l->max_transfer),
				   l->btag, data + off, k, off + k == len);
		rc = l->ops->bulk_out(l->ctx, l->xfer, n, timeout_ms);
		if (rc == BERT_ERR_TIMEOUT) {
			abort_out(l, l->btag, timeout_ms);
			return bert_fail(BERT_ERR_TIMEOUT, "usbtmc: Bulk-OUT not taken "
					 "within %u ms (aborted)", timeout_ms);
		}
		if (rc < 0)
			return rc;
		if ((size_t)rc != n)
			return bert_fail(BERT_ERR_IO, "usbtmc: Bulk-OUT moved %d of %zu bytes",
					 rc, n);
		off += k;
	} while (off < len);
	return BERT_OK;
}

int usbtmc_read(struct usbtmc_link *l, uint8_t *buf, size_t size, size_t *len,
		unsigned timeout_ms)
{
	uint8_t req[USBTMC_HDR_LEN];
	struct usbtmc_in in;
	size_t want = align4(USBTMC_HDR_LEN + l->max_transfer);
	int rc;

	want = (want + l->wmax_in - 1) / l->wmax_in * l->wmax_in;
	*len = 0;
	do {
		l->btag = usbtmc_btag_next(l->btag);
		usbtmc_request_in(req, l->btag, l->max_transfer, -1);
		rc = l->ops->bulk_out(l->ctx, req, sizeof(req), timeout_ms);
		if (rc < 0)
			return rc;
		usbtmc_in_start(&in, l->btag, l->max_transfer);
		do {
			rc = l->ops->bulk_in(l->ctx, l->xfer, want, timeout_ms);
			if (rc == BERT_ERR_TIMEOUT) {
				abort_in(l, l->btag, timeout_ms);
				return bert_fail(BERT_ERR_TIMEOUT, "usbtmc: no Bulk-IN data "
						 "within %u ms (transfer aborted)", timeout_ms);
			}
			if (rc < 0)
				return rc;
			if (rc == 0 && !in.have_hdr && !in.seen)
				continue;	/* a late zero-length packet */
			rc = usbtmc_in_feed(&in, l->xfer, (size_t)rc, l->wmax_in, buf,
					    size, len);
			if (rc) {
				abort_in(l, l->btag, timeout_ms);
				return rc;
			}
		} while (!in.done);
	} while (!in.eom);
	return BERT_OK;
}

int usbtmc_clear(struct usbtmc_link *l, unsigned timeout_ms)
{
	uint8_t st[2];
	int i, rc;

	rc = l->ops->control_in(l->ctx, USBTMC_INITIATE_CLEAR, 0, 0, st, 1, timeout_ms);
	if (rc < 0)
		return rc;
	if (st[0] != USBTMC_STATUS_SUCCESS)
		return bert_fail(BERT_ERR_PROTOCOL, "usbtmc: INITIATE_CLEAR status 0x%02x",
				 st[0]);
	for (i = 0; i < 100; i++) {
		rc = l->ops->control_in(l->ctx, USBTMC_CHECK_CLEAR_STATUS, 0, 0, st, 2,
					timeout_ms);
		if (rc < 0)
			return rc;
		if (st[0] != USBTMC_STATUS_PENDING)
			break;
		if (st[1] & 0x01)
			drain_in(l, timeout_ms);
	}
	return l->ops->clear_halt(l->ctx, l->ep_out);
}
