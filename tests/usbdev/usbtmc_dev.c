// SPDX-License-Identifier: MIT
/* The USBTMC / USB488 device model (usbtmc_dev.h). References are to USB
 * Test and Measurement Class Specification 1.0 ("USBTMC") and its USB488
 * Subclass Specification 1.0 ("USB488"); USB 2.0 chapter 9 for the
 * standard requests.
 *
 * Strict as firmware is: a Bulk-OUT header with a bad bTag / bTagInverse,
 * a reserved byte set, an unknown MsgID or a zero TransferSize is refused by
 * halting Bulk-OUT (USBTMC section 3.2) until the host clears the halt, and is
 * counted; a class request with the wrong wIndex or wLength is stalled and
 * counted. Bulk-IN transfers go out as wMaxPacketSize packets ending with a
 * short packet (a zero-length one when the transfer fills its last packet),
 * so a URB completes as the host controller would complete it. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/usbdev/usbdev.h"
#include "tests/usbdev/usbtmc_dev.h"

#define EP_OUT 0x02
#define EP_IN 0x81
#define EP_INT 0x83
#define WMAX (t->wmax)		/* bulk wMaxPacketSize */
#define HDR 12
#define XFER_MAX 4096		/* payload bytes the device sends per transfer */
#define MSG_MAX 8192
#define QMAX 16

/* USBTMC MsgID (section 3.2.1), class bRequest and USBTMC_status values
 * (section 4.2.1) */
enum { DEV_DEP_MSG_OUT = 1, REQUEST_DEV_DEP_MSG_IN = 2, DEV_DEP_MSG_IN = 2 };
enum {
	INITIATE_ABORT_BULK_OUT = 1, CHECK_ABORT_BULK_OUT_STATUS, INITIATE_ABORT_BULK_IN,
	CHECK_ABORT_BULK_IN_STATUS, INITIATE_CLEAR, CHECK_CLEAR_STATUS, GET_CAPABILITIES,
	INDICATOR_PULSE = 64,
	READ_STATUS_BYTE = 128, REN_CONTROL = 160, GO_TO_LOCAL, LOCAL_LOCKOUT,	/* USB488 4.3 */
};
enum {
	ST_SUCCESS = 0x01, ST_PENDING = 0x02, ST_INTERRUPT_IN_BUSY = 0x20, ST_FAILED = 0x80,
	ST_TRANSFER_NOT_IN_PROGRESS = 0x81, ST_SPLIT_NOT_IN_PROGRESS = 0x82,
	ST_SPLIT_IN_PROGRESS = 0x83,
};

struct usbtmc_dev {
	struct usbdev *usb;
	struct usbtmc_dev_cfg cfg;
	unsigned wmax;
	uint8_t desc[18 + 39];
	/* Bulk-OUT */
	bool out_halted;
	uint8_t last_btag;	/* of the previous Bulk-OUT header */
	uint8_t obuf[HDR + XFER_MAX + 4];
	size_t olen, oneed;	/* bytes of the transfer so far / its length */
	char msg[MSG_MAX];	/* the message being received */
	size_t msg_len;
	uint32_t out_rxd;	/* NBYTES_RXD of the transfer in progress */
	unsigned out_headers;	/* DEV_DEP_MSG_OUT headers accepted */
	/* responses from the instrument, oldest first */
	char *q[QMAX];
	size_t q_len[QMAX], q_off;	/* q_off: bytes of q[0] already sent */
	unsigned q_n;
	char line[MSG_MAX];
	size_t line_len;
	unsigned replies;
	/* Bulk-IN */
	bool in_req, in_halted;	/* a REQUEST_DEV_DEP_MSG_IN is waiting */
	uint8_t in_btag;
	uint32_t in_max;
	uint8_t xbuf[HDR + XFER_MAX + 4];
	size_t xlen, xpos;	/* the transfer being sent */
	bool sending, zlp_due, aborting_in, clearing;
	uint32_t in_txd;
	/* interrupt-IN (USB488 3.4) */
	uint8_t notify[2];
	bool notify_due;
	/* counters */
	struct {
		unsigned messages, transfers_out, in_requests, in_transfers, in_packets;
		unsigned zero_length, aborts_in, aborts_out, clears, status_bytes;
		unsigned clear_halts, protocol_errors, bad_btag, stalls;
	} n;
};

/* USBTMC_DEBUG=1 traces the device's side on stderr. */
#define trace(...) do { \
	if (getenv("USBTMC_DEBUG")) \
		fprintf(stderr, "usbtmc-dev: " __VA_ARGS__); \
} while (0)

static void proto_err(struct usbtmc_dev *t)
{
	t->n.protocol_errors++;
}

/* ---- the instrument behind: a SCPI line stream ---- */

static void push_reply(struct usbtmc_dev *t, const char *s, size_t n)
{
	char *c;

	t->replies++;
	if (t->cfg.hold_reply && t->replies == t->cfg.hold_reply)
		return;		/* lost: the host will time out */
	if (t->q_n == QMAX)
		return;
	c = malloc(n);
	if (!c)
		return;
	memcpy(c, s, n);
	t->q[t->q_n] = c;
	t->q_len[t->q_n] = n;
	t->q_n++;
}

static void pop_reply(struct usbtmc_dev *t)
{
	unsigned i;

	if (!t->q_n)
		return;
	free(t->q[0]);
	for (i = 1; i < t->q_n; i++) {
		t->q[i - 1] = t->q[i];
		t->q_len[i - 1] = t->q_len[i];
	}
	t->q_n--;
	t->q_off = 0;
}

static void backend_poll(void *ctx)
{
	struct usbtmc_dev *t = ctx;
	char buf[1024];
	ssize_t n, i;

	for (;;) {
		n = read(t->cfg.backend_fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (t->line_len < sizeof(t->line))
				t->line[t->line_len++] = buf[i];
			if (buf[i] == '\n') {
				/* the terminator stays in the message, as IEEE 488.2
				 * response messages end with it */
				trace("reply %.*s", (int)t->line_len, t->line);
				push_reply(t, t->line, t->line_len);
				t->line_len = 0;
			}
		}
	}
}

static void backend_wait(void *ctx, int ms)
{
	struct usbtmc_dev *t = ctx;
	struct pollfd p = { .fd = t->cfg.backend_fd, .events = POLLIN };

	poll(&p, 1, ms);
}

static void backend_send(struct usbtmc_dev *t, const char *s, size_t n)
{
	struct pollfd p = { .fd = t->cfg.backend_fd, .events = POLLOUT };
	ssize_t w;

	while (n) {
		w = write(t->cfg.backend_fd, s, n);
		if (w < 0 && errno == EAGAIN) {
			poll(&p, 1, 1000);
			continue;
		}
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* ---- Bulk-OUT (USBTMC 3.2) ---- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* A refused Bulk-OUT header: STALL Bulk-OUT (USBTMC section 3.2). */
static int refuse_out(struct usbtmc_dev *t)
{
	proto_err(t);
	t->n.stalls++;
	t->out_halted = true;
	t->olen = t->oneed = 0;
	return -EPIPE;
}

static int check_header(struct usbtmc_dev *t, const uint8_t *h)
{
	if (h[1] == 0 || h[1] + h[2] != 0xff || h[1] == t->last_btag) {
		/* the Bulk-OUT header (USBTMC 3.2.1): bTag 1..255, bTagInverse its one's complement, and
		 * different from the previous Bulk-OUT header's */
		t->n.bad_btag++;
		return -1;
	}
	if (h[3] != 0)
		return -1;
	return 0;
}

static void transfer_out(struct usbtmc_dev *t)
{
	const uint8_t *h = t->obuf;
	uint32_t size = le32(h + 4);

	t->n.transfers_out++;
	t->last_btag = h[1];
	if (t->msg_len + size > sizeof(t->msg)) {
		proto_err(t);	/* longer than the input buffer: dropped */
		t->msg_len = 0;
		return;
	}
	memcpy(t->msg + t->msg_len, h + HDR, size);
	t->msg_len += size;
	trace("DEV_DEP_MSG_OUT bTag %u size %u eom %u\n", h[1], size, h[8] & 1);
	if (h[8] & 0x01) {	/* EOM */
		t->n.messages++;
		if (!t->msg_len || t->msg[t->msg_len - 1] != '\n')
			t->msg[t->msg_len++] = '\n';
		backend_send(t, t->msg, t->msg_len);
		t->msg_len = 0;
	}
}

static int request_in(struct usbtmc_dev *t, const uint8_t *h)
{
	uint32_t max = le32(h + 4);

	/* REQUEST_DEV_DEP_MSG_IN (USBTMC 3.2.1.2): TransferSize > 0; bit1 TermCharEnabled only when
	 * GET_CAPABILITIES says TermChar is supported (it is not here) */
	if (!max || h[8] || h[10] || h[11])
		return refuse_out(t);
	t->last_btag = h[1];
	t->n.in_requests++;
	trace("REQUEST_DEV_DEP_MSG_IN bTag %u max %u\n", h[1], max);
	if (t->in_req || t->sending)
		proto_err(t);	/* a new request before the last transfer ended */
	t->sending = false;
	t->in_req = true;
	t->in_btag = h[1];
	t->in_max = max;
	t->in_txd = 0;
	return 0;
}

static int bulk_out(struct usbtmc_dev *t, const uint8_t *data, size_t len)
{
	size_t k;

	if (t->out_halted) {
		t->n.stalls++;
		return -EPIPE;
	}
	while (len) {
		if (t->olen < HDR) {
			k = HDR - t->olen < len ? HDR - t->olen : len;
			memcpy(t->obuf + t->olen, data, k);
			t->olen += k;
			data += k;
			len -= k;
			if (t->olen < HDR)
				return 0;
			if (check_header(t, t->obuf))
				return refuse_out(t);
			if (t->obuf[0] == REQUEST_DEV_DEP_MSG_IN) {
				t->olen = 0;
				if (request_in(t, t->obuf))
					return -EPIPE;
				if (len)
					return refuse_out(t);	/* bytes after the header */
				return 0;
			}
			if (t->obuf[0] != DEV_DEP_MSG_OUT)
				return refuse_out(t);	/* vendor-specific: not supported */
			/* DEV_DEP_MSG_OUT (USBTMC 3.2.1.1): TransferSize > 0, bmTransferAttributes bit0
			 * only, reserved bytes 0 */
			if (!le32(t->obuf + 4) || le32(t->obuf + 4) > XFER_MAX ||
			    (t->obuf[8] & ~0x01) || t->obuf[9] || t->obuf[10] || t->obuf[11])
				return refuse_out(t);
			if (t->cfg.stall_out && ++t->out_headers == t->cfg.stall_out) {
				/* the fault: firmware refusing a good transfer */
				t->n.stalls++;
				t->out_halted = true;
				t->olen = 0;
				return -EPIPE;
			}
			t->oneed = align4(HDR + le32(t->obuf + 4));
			t->out_rxd = 0;
		}
		k = t->oneed - t->olen < len ? t->oneed - t->olen : len;
		memcpy(t->obuf + t->olen, data, k);
		t->olen += k;
		t->out_rxd += (uint32_t)k;
		data += k;
		len -= k;
		if (t->olen == t->oneed) {
			transfer_out(t);
			t->olen = t->oneed = 0;
			if (len)
				return refuse_out(t);	/* beyond the transfer */
		}
	}
	return 0;
}

/* ---- Bulk-IN (USBTMC 3.3) ---- */

/* Builds the next DEV_DEP_MSG_IN transfer from the response queue. */
static bool build_in(struct usbtmc_dev *t)
{
	size_t left, n, lim = XFER_MAX;
	uint8_t *h = t->xbuf;

	if (!t->in_req || !t->q_n)
		return false;
	if (t->cfg.max_in && t->cfg.max_in < lim)
		lim = t->cfg.max_in;
	if (t->in_max < lim)
		lim = t->in_max;
	left = t->q_len[0] - t->q_off;
	n = left < lim ? left : lim;
	memset(h, 0, HDR);
	h[0] = DEV_DEP_MSG_IN;
	h[1] = t->in_btag;
	h[2] = (uint8_t)~t->in_btag;
	put32(h + 4, (uint32_t)n);
	h[8] = n == left ? 0x01 : 0x00;	/* EOM on the message's last byte */
	memcpy(h + HDR, t->q[0] + t->q_off, n);
	t->xlen = align4(HDR + n);
	memset(h + HDR + n, 0, t->xlen - HDR - n);
	t->xpos = 0;
	t->q_off += n;
	if (t->q_off == t->q_len[0])
		pop_reply(t);
	t->in_req = false;
	t->sending = true;
	trace("DEV_DEP_MSG_IN bTag %u size %zu eom %u\n", t->in_btag, n, h[8] & 1);
	return true;
}

static int bulk_in(struct usbtmc_dev *t, uint8_t *buf, size_t len)
{
	size_t left, k;

	if (t->in_halted) {
		t->n.stalls++;
		return -EPIPE;
	}
	if (t->zlp_due) {
		t->zlp_due = false;
		t->n.zero_length++;
		return 0;
	}
	if (!t->sending) {
		if (!t->in_req || !t->q_n)
			return -EAGAIN;	/* NAK until there is a response */
		if (t->cfg.unplug_at && t->n.in_requests == t->cfg.unplug_at) {
			usbdev_unplug_locked(t->usb);
			return -ENODEV;
		}
		build_in(t);
	}
	left = t->xlen - t->xpos;
	if (len < left) {
		/* a full URB; its length must be whole packets, or the packet
		 * that does not fit overflows it (babble) */
		if (len % WMAX) {
			proto_err(t);
			return -EOVERFLOW;
		}
		memcpy(buf, t->xbuf + t->xpos, len);
		t->xpos += len;
		t->in_txd += (uint32_t)len;
		t->n.in_packets += (unsigned)(len / WMAX);
		return (int)len;
	}
	k = left;
	memcpy(buf, t->xbuf + t->xpos, k);
	t->xpos += k;
	t->in_txd += (uint32_t)k;
	t->n.in_packets += (unsigned)((k + WMAX - 1) / WMAX);
	t->sending = false;
	t->n.in_transfers++;
	/* ended on a packet boundary: a zero-length packet ends the transfer;
	 * it completes this URB when there is room, else the next one */
	if (k % WMAX == 0 && len == k)
		t->zlp_due = true;
	else if (k % WMAX == 0)
		t->n.zero_length++;
	return (int)k;
}

static int op_in(void *ctx, uint8_t ep, uint8_t *buf, size_t len)
{
	struct usbtmc_dev *t = ctx;

	if (ep == EP_IN)
		return bulk_in(t, buf, len);
	if (ep == EP_INT) {
		if (!t->notify_due)
			return -EAGAIN;
		if (len < 2) {
			proto_err(t);
			return -EOVERFLOW;
		}
		memcpy(buf, t->notify, 2);
		t->notify_due = false;
		return 2;
	}
	proto_err(t);
	return -EPIPE;
}

static int op_out(void *ctx, uint8_t ep, const uint8_t *data, size_t len)
{
	struct usbtmc_dev *t = ctx;

	if (ep != EP_OUT) {
		proto_err(t);
		return -EPIPE;
	}
	return bulk_out(t, data, len);
}

static int op_clear_halt(void *ctx, uint8_t ep)
{
	struct usbtmc_dev *t = ctx;

	t->n.clear_halts++;
	if (ep == EP_OUT) {
		t->out_halted = false;
		t->olen = t->oneed = 0;
	} else if (ep == EP_IN) {
		t->in_halted = false;
	} else if (ep != EP_INT) {
		proto_err(t);
		return -EINVAL;
	}
	return 0;
}

/* Ends the Bulk-IN transfer in progress: the rest of its response is
 * dropped and a short packet ends it on the bus. */
static void end_in(struct usbtmc_dev *t)
{
	if (t->sending || t->in_req) {
		t->zlp_due = true;
		if (t->q_off)
			pop_reply(t);
	}
	t->sending = t->in_req = false;
}

/* ---- control requests ---- */

static int stall(struct usbtmc_dev *t)
{
	proto_err(t);
	t->n.stalls++;
	return -EPIPE;
}

static int string_desc(struct usbtmc_dev *t, unsigned idx, uint8_t *d, unsigned len)
{
	const char *s = idx == 1 ? t->cfg.manufacturer : idx == 2 ? t->cfg.product :
			idx == 3 ? t->cfg.serial : NULL;
	uint8_t tmp[256];
	unsigned n = 2, i;

	if (idx == 0) {
		tmp[2] = 0x09;	/* LANGID English (United States) */
		tmp[3] = 0x04;
		n = 4;
	} else if (s) {
		for (i = 0; s[i] && n + 2 <= sizeof(tmp); i++) {
			tmp[n++] = (uint8_t)s[i];
			tmp[n++] = 0;
		}
	} else {
		return stall(t);
	}
	tmp[0] = (uint8_t)n;
	tmp[1] = 3;
	n = n < len ? n : len;
	memcpy(d, tmp, n);
	return (int)n;
}

static int standard(struct usbtmc_dev *t, const struct usbdev_setup *s, uint8_t *d)
{
	unsigned n;

	if (s->bmRequestType == 0x80 && s->bRequest == 6) {	/* GET_DESCRIPTOR */
		switch (s->wValue >> 8) {
		case 1:
			n = 18 < s->wLength ? 18 : s->wLength;
			memcpy(d, t->desc, n);
			return (int)n;
		case 2:
			n = 39 < s->wLength ? 39 : s->wLength;
			memcpy(d, t->desc + 18, n);
			return (int)n;
		case 3:
			return string_desc(t, s->wValue & 0xff, d, s->wLength);
		}
		return stall(t);
	}
	if (s->bmRequestType == 0x80 && s->bRequest == 0 && s->wLength == 2) {
		d[0] = 0;	/* GET_STATUS: bus powered, no remote wakeup */
		d[1] = 0;
		return 2;
	}
	if (s->bmRequestType == 0x80 && s->bRequest == 8 && s->wLength == 1) {
		d[0] = 1;	/* GET_CONFIGURATION */
		return 1;
	}
	if (s->bmRequestType == 0x02 && s->bRequest == 1 && s->wValue == 0)
		return op_clear_halt(t, (uint8_t)s->wIndex) ? -EPIPE : 0;
	if (s->bmRequestType == 0x00 && s->bRequest == 9 && s->wValue == 1)
		return 0;	/* SET_CONFIGURATION 1: the one there is */
	return stall(t);
}

static int op_control(void *ctx, const struct usbdev_setup *s, uint8_t *d)
{
	struct usbtmc_dev *t = ctx;
	bool to_ifc = s->bmRequestType == 0xa1, to_ep = s->bmRequestType == 0xa2;

	trace("control %02x %u value %u index %u length %u\n", s->bmRequestType, s->bRequest,
	      s->wValue, s->wIndex, s->wLength);

	if ((s->bmRequestType & 0x60) == 0)
		return standard(t, s, d);
	if (!to_ifc && !to_ep)
		return stall(t);
	switch (s->bRequest) {
	case INITIATE_ABORT_BULK_OUT:	/* USBTMC 4.2.1.2 */
		if (!to_ep || s->wIndex != EP_OUT || s->wLength != 2)
			return stall(t);
		t->n.aborts_out++;
		d[1] = (uint8_t)s->wValue;
		if (t->olen && t->obuf[1] == (uint8_t)s->wValue) {
			d[0] = ST_SUCCESS;
			t->olen = t->oneed = 0;
			t->msg_len = 0;
			t->out_halted = true;	/* until the host clears it */
		} else {
			d[0] = t->olen ? ST_TRANSFER_NOT_IN_PROGRESS : ST_FAILED;
		}
		return 2;
	case CHECK_ABORT_BULK_OUT_STATUS:	/* 4.2.1.3 */
		if (!to_ep || s->wIndex != EP_OUT || s->wLength != 8)
			return stall(t);
		memset(d, 0, 8);
		d[0] = ST_SUCCESS;
		put32(d + 4, t->out_rxd);
		return 8;
	case INITIATE_ABORT_BULK_IN:	/* 4.2.1.4 */
		if (!to_ep || s->wIndex != EP_IN || s->wLength != 2)
			return stall(t);
		t->n.aborts_in++;
		d[1] = (uint8_t)s->wValue;
		if ((t->in_req || t->sending) && t->in_btag == (uint8_t)s->wValue) {
			d[0] = ST_SUCCESS;
			end_in(t);
			t->aborting_in = true;
		} else {
			d[0] = t->in_req || t->sending ? ST_TRANSFER_NOT_IN_PROGRESS :
			       ST_FAILED;
		}
		return 2;
	case CHECK_ABORT_BULK_IN_STATUS:	/* 4.2.1.5 */
		if (!to_ep || s->wIndex != EP_IN || s->wLength != 8)
			return stall(t);
		memset(d, 0, 8);
		d[0] = t->zlp_due ? ST_PENDING : ST_SUCCESS;
		d[1] = t->zlp_due ? 0x01 : 0x00;	/* bmAbortBulkIn: FIFO has data */
		put32(d + 4, t->in_txd);
		if (!t->zlp_due)
			t->aborting_in = false;
		return 8;
	case INITIATE_CLEAR:	/* 4.2.1.6 */
		if (!to_ifc || s->wIndex != 0 || s->wValue || s->wLength != 1)
			return stall(t);
		t->n.clears++;
		end_in(t);
		while (t->q_n)
			pop_reply(t);
		t->olen = t->oneed = t->msg_len = 0;
		t->clearing = true;
		d[0] = ST_SUCCESS;
		return 1;
	case CHECK_CLEAR_STATUS:	/* 4.2.1.7 */
		if (!to_ifc || s->wIndex != 0 || s->wLength != 2)
			return stall(t);
		d[0] = t->zlp_due ? ST_PENDING : ST_SUCCESS;
		d[1] = t->zlp_due ? 0x01 : 0x00;	/* bmClear: Bulk-IN FIFO has data */
		if (!t->zlp_due)
			t->clearing = false;
		return 2;
	case GET_CAPABILITIES:	/* 4.2.1.8, USB488 4.2.2 */
		if (!to_ifc || s->wIndex != 0 || s->wLength != 0x18)
			return stall(t);
		memset(d, 0, 0x18);
		d[0] = ST_SUCCESS;
		d[2] = 0x00;	/* bcdUSBTMC 1.00 */
		d[3] = 0x01;
		d[4] = 0x00;	/* no INDICATOR_PULSE, not talk/listen-only */
		d[5] = 0x00;	/* no TermChar */
		d[12] = 0x00;	/* bcdUSB488 1.00 */
		d[13] = 0x01;
		d[14] = 0x04;	/* USB488.2 interface, no REN_CONTROL, no TRIGGER */
		d[15] = 0x08;	/* SCPI; SR0 RL0 DT0 */
		return 0x18;
	case READ_STATUS_BYTE:	/* USB488 4.3.1 */
		if (!to_ifc || s->wIndex != 0 || s->wLength != 3)
			return stall(t);
		if (s->wValue < 2 || s->wValue > 127)
			return stall(t);	/* bTag 2..127 (USB488 4.3.1) */
		t->n.status_bytes++;
		backend_poll(t);
		d[1] = (uint8_t)s->wValue;
		d[2] = 0;	/* with an interrupt-IN endpoint the STB goes there */
		if (t->notify_due) {
			d[0] = ST_INTERRUPT_IN_BUSY;
			return 3;
		}
		d[0] = ST_SUCCESS;
		/* USB488 3.4 interrupt-IN: bNotify1 = 1, bTag; bNotify2 = STB
		 * (bit 4 MAV: a response is waiting) */
		t->notify[0] = (uint8_t)(0x80 | s->wValue);
		t->notify[1] = t->q_n || t->sending ? 0x10 : 0x00;
		t->notify_due = true;
		return 3;
	}
	return stall(t);	/* INDICATOR_PULSE, REN_CONTROL, ...: not supported */
}

static const struct usbdev_ops tmc_ops = {
	.control = op_control,
	.out = op_out,
	.in = op_in,
	.clear_halt = op_clear_halt,
	.poll = backend_poll,
	.wait = backend_wait,
};

static void make_desc(struct usbtmc_dev *t)
{
	const uint8_t cfg[39] = {
		/* configuration: 39 bytes, 1 interface, value 1, bus powered, 100 mA */
		9, 2, 39, 0, 1, 1, 0, 0x80, 50,
		/* interface 0: 3 endpoints, class 0xFE (application specific),
		 * subclass 3 (USBTMC), protocol 1 (USB488): the USBTMC and USB488
		 * interface descriptors */
		9, 4, 0, 0, 3, 0xfe, 0x03, 0x01, 0,
		7, 5, EP_OUT, 2, (uint8_t)WMAX, 0, 0,	/* Bulk-OUT */
		7, 5, EP_IN, 2, (uint8_t)WMAX, 0, 0,	/* Bulk-IN */
		7, 5, EP_INT, 3, 2, 0, 10,	/* Interrupt-IN, 2 bytes, 10 ms */
	};
	uint8_t *d = t->desc;

	/* device: USB 2.0, class per interface, EP0 64 bytes, bcdDevice 1.00,
	 * strings 1/2/3, one configuration */
	d[0] = 18;
	d[1] = 1;
	d[2] = 0x00;
	d[3] = 0x02;
	d[4] = d[5] = d[6] = 0;
	d[7] = 64;
	d[8] = (uint8_t)t->cfg.vid;
	d[9] = (uint8_t)(t->cfg.vid >> 8);
	d[10] = (uint8_t)t->cfg.pid;
	d[11] = (uint8_t)(t->cfg.pid >> 8);
	d[12] = 0x00;
	d[13] = 0x01;
	d[14] = 1;
	d[15] = 2;
	d[16] = t->cfg.serial ? 3 : 0;
	d[17] = 1;
	memcpy(d + 18, cfg, sizeof(cfg));
}

int usbtmc_dev_new(UMockdevTestbed *tb, const struct usbtmc_dev_cfg *cfg,
		   struct usbtmc_dev **out)
{
	struct usbtmc_dev *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	t->cfg = *cfg;
	/* full speed: bulk wMaxPacketSize 8, 16, 32 or 64 (USB 2.0 5.8.3) */
	t->wmax = cfg->wmax ? cfg->wmax : 64;
	if (t->wmax != 8 && t->wmax != 16 && t->wmax != 32 && t->wmax != 64) {
		free(t);
		return -EINVAL;
	}
	make_desc(t);
	rc = usbdev_new(tb, 1, 2, t->desc, sizeof(t->desc), cfg->manufacturer, cfg->product,
			cfg->serial, 12, &tmc_ops, t, &t->usb);
	if (rc) {
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

void usbtmc_dev_free(struct usbtmc_dev *t)
{
	if (!t)
		return;
	usbdev_free(t->usb);
	while (t->q_n)
		pop_reply(t);
	if (t->cfg.backend_fd >= 0)
		close(t->cfg.backend_fd);
	free(t);
}

void usbtmc_dev_counters_json(struct usbtmc_dev *t, FILE *f)
{
	struct usbdev_stats u;
	bool gone = usbdev_unplugged(t->usb);

	usbdev_stats(t->usb, &u);
	usbdev_lock(t->usb);
	fprintf(f, "{\"opens\":%u,\"claims\":%u,\"claims_refused\":%u,\"releases\":%u,"
		"\"urbs\":%u,\"discarded\":%u,\"bad_ioctls\":%u,"
		"\"messages\":%u,\"transfers_out\":%u,\"in_requests\":%u,"
		"\"in_transfers\":%u,\"in_packets\":%u,\"zero_length\":%u,"
		"\"aborts_in\":%u,\"aborts_out\":%u,\"clears\":%u,\"status_bytes\":%u,"
		"\"clear_halts\":%u,\"stalls\":%u,\"bad_btag\":%u,\"protocol_errors\":%u,"
		"\"unplugged\":%s}\n",
		u.opens, u.claims, u.claims_refused, u.releases, u.urbs, u.discarded,
		u.bad_ioctls, t->n.messages, t->n.transfers_out, t->n.in_requests,
		t->n.in_transfers, t->n.in_packets, t->n.zero_length, t->n.aborts_in,
		t->n.aborts_out, t->n.clears, t->n.status_bytes, t->n.clear_halts, t->n.stalls,
		t->n.bad_btag, t->n.protocol_errors, gone ? "true" : "false");
	usbdev_unlock(t->usb);
}
