// SPDX-License-Identifier: MIT
/* SCPI over USBTMC through libusb: `usbtmc:VID:PID[:SERIAL]` (hex ids, 0x
 * optional), e.g. usbtmc:0x1313:0x8078 for a Thorlabs PM100D. The kernel's
 * usbtmc driver is detached while we hold the interface. Framing and the
 * abort/clear sequences are in usbtmc.c; this file only moves bytes. */
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "scpi-usbtmc"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "instruments/scpi_stream.h"
#include "instruments/usbtmc.h"

struct scpi_usbtmc {
	libusb_context *ctx;
	libusb_device_handle *h;
	int iface;
	bool claimed;
	struct usbtmc_link link;
	struct scpi_dev *d;
	char what[96];
	struct scpi_stream s;
};

/* libusb errors to ours, keeping libusb's own text. */
static int usb_fail(struct scpi_usbtmc *u, int err, const char *op)
{
	int code = err == LIBUSB_ERROR_TIMEOUT ? BERT_ERR_TIMEOUT :
		   err == LIBUSB_ERROR_NO_DEVICE ? BERT_ERR_NODEV :
		   err == LIBUSB_ERROR_NOT_FOUND ? BERT_ERR_NODEV :
		   err == LIBUSB_ERROR_ACCESS ? BERT_ERR_IO :
		   err == LIBUSB_ERROR_NO_MEM ? BERT_ERR_NOMEM : BERT_ERR_IO;

	return bert_fail(code, "%s: %s: %s (%s)", u->what, op, libusb_strerror(err),
			 libusb_error_name(err));
}

/* A STALL on a bulk endpoint: the device refused the transfer (USBTMC 1.0
 * sections 3.2 and 3.3: it halts the endpoint on a header it rejects). The
 * endpoint stays halted until the host clears it (USB 2.0 9.4.1
 * CLEAR_FEATURE(ENDPOINT_HALT)), so clear it here and the next message
 * goes through; this one fails as a protocol error. */
static int stalled(struct scpi_usbtmc *u, uint8_t ep, const char *op)
{
	int r = libusb_clear_halt(u->h, ep);

	if (r)
		return bert_fail(BERT_ERR_PROTOCOL, "%s: %s: the device halted endpoint "
				 "0x%02x, and clearing the halt failed: %s", u->what, op, ep,
				 libusb_error_name(r));
	return bert_fail(BERT_ERR_PROTOCOL, "%s: %s: the device refused the transfer "
			 "(endpoint 0x%02x halted; halt cleared)", u->what, op, ep);
}

static int l_bulk_out(void *ctx, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct scpi_usbtmc *u = ctx;
	int done = 0, r;

	r = libusb_bulk_transfer(u->h, u->link.ep_out, (uint8_t *)buf, (int)len, &done,
				 timeout_ms);
	if (r == LIBUSB_ERROR_PIPE)
		return stalled(u, u->link.ep_out, "bulk out");
	if (r)
		return usb_fail(u, r, "bulk out");
	return done;
}

static int l_bulk_in(void *ctx, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct scpi_usbtmc *u = ctx;
	int done = 0, r;

	r = libusb_bulk_transfer(u->h, u->link.ep_in, buf, (int)len, &done, timeout_ms);
	if (r == LIBUSB_ERROR_PIPE)
		return stalled(u, u->link.ep_in, "bulk in");
	if (r)
		return usb_fail(u, r, "bulk in");
	return done;
}

static int l_control_in(void *ctx, uint8_t request, uint16_t value, uint8_t endpoint,
			uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct scpi_usbtmc *u = ctx;
	uint8_t type = LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS |
		       (endpoint ? LIBUSB_RECIPIENT_ENDPOINT : LIBUSB_RECIPIENT_INTERFACE);
	int r;

	r = libusb_control_transfer(u->h, type, request, value,
				    endpoint ? endpoint : (uint16_t)u->iface, buf,
				    (uint16_t)len, timeout_ms);
	if (r < 0)
		return usb_fail(u, r, "control");
	return r;
}

static int l_clear_halt(void *ctx, uint8_t endpoint)
{
	struct scpi_usbtmc *u = ctx;
	int r = libusb_clear_halt(u->h, endpoint);

	return r ? usb_fail(u, r, "clear halt") : BERT_OK;
}

static const struct usbtmc_link_ops libusb_link = {
	.bulk_out = l_bulk_out,
	.bulk_in = l_bulk_in,
	.control_in = l_control_in,
	.clear_halt = l_clear_halt,
};

static unsigned ms_of(struct scpi_usbtmc *u, unsigned timeout_ms)
{
	(void)u;
	return timeout_ms ? timeout_ms : 1;
}

static int s_read(void *ctx, uint8_t *buf, size_t size, unsigned timeout_ms)
{
	struct scpi_usbtmc *u = ctx;
	size_t len;
	int rc;

	rc = usbtmc_read(&u->link, buf, size, &len, ms_of(u, timeout_ms));
	if (rc == BERT_ERR_TIMEOUT)
		return 0;
	if (rc < 0)
		return rc;
	return (int)len;
}

static int s_write(void *ctx, const uint8_t *buf, size_t size, unsigned timeout_ms)
{
	struct scpi_usbtmc *u = ctx;
	int rc = usbtmc_write(&u->link, buf, size, ms_of(u, timeout_ms));

	return rc < 0 ? rc : (int)size;
}

static void s_flush(void *ctx)
{
	struct scpi_usbtmc *u = ctx;

	usbtmc_clear(&u->link, 500);
}

static const struct scpi_stream_io usbtmc_io = {
	.read = s_read,
	.write = s_write,
	.flush = s_flush,
};

static bool parse_hex16(const char *s, size_t n, uint16_t *out)
{
	char buf[8], *end;
	unsigned long v;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (!n || n > 4)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtoul(buf, &end, 16);
	if (*end)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* Finds the USBTMC interface and its bulk endpoints on dev. */
static bool find_iface(libusb_device *dev, int *iface, uint8_t *ep_in, uint8_t *ep_out,
		       size_t *wmax)
{
	struct libusb_config_descriptor *cfg;
	int i, a, e;
	bool ok = false;

	if (libusb_get_active_config_descriptor(dev, &cfg))
		return false;
	for (i = 0; i < cfg->bNumInterfaces && !ok; i++)
		for (a = 0; a < cfg->interface[i].num_altsetting && !ok; a++) {
			const struct libusb_interface_descriptor *id =
				&cfg->interface[i].altsetting[a];

			if (id->bInterfaceClass != USBTMC_CLASS ||
			    id->bInterfaceSubClass != USBTMC_SUBCLASS)
				continue;
			*ep_in = *ep_out = 0;
			for (e = 0; e < id->bNumEndpoints; e++) {
				const struct libusb_endpoint_descriptor *ed = &id->endpoint[e];

				if ((ed->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
					continue;
				if (ed->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
					*ep_in = ed->bEndpointAddress;
					*wmax = ed->wMaxPacketSize;
				} else {
					*ep_out = ed->bEndpointAddress;
				}
			}
			if (*ep_in && *ep_out) {
				*iface = id->bInterfaceNumber;
				ok = true;
			}
		}
	libusb_free_config_descriptor(cfg);
	return ok;
}

static int usbtmc_open(struct scpi_dev *d, const char *arg)
{
	struct scpi_usbtmc *u = d->priv;
	const char *c1 = strchr(arg, ':'), *c2;
	libusb_device **list = NULL, *found = NULL;
	uint16_t vid, pid;
	char serial[64] = "";
	uint8_t ep_in = 0, ep_out = 0;
	size_t wmax = 64;
	ssize_t n, i;
	int r, rc;

	u->d = d;
	u->s.fd = -1;
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !parse_hex16(arg, (size_t)(c1 - arg), &vid) ||
	    !parse_hex16(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1), &pid))
		return bert_fail(BERT_ERR_CONFIG, "usbtmc:%s: expected usbtmc:VID:PID[:SERIAL] "
				 "in hex", arg);
	if (c2)
		snprintf(serial, sizeof(serial), "%s", c2 + 1);
	snprintf(u->what, sizeof(u->what), "usbtmc %04x:%04x%s%s", vid, pid,
		 serial[0] ? ":" : "", serial);
	r = libusb_init(&u->ctx);
	if (r)
		return usb_fail(u, r, "libusb_init");
	n = libusb_get_device_list(u->ctx, &list);
	if (n < 0) {
		rc = usb_fail(u, (int)n, "listing devices");
		goto err;
	}
	for (i = 0; i < n && !found; i++) {
		struct libusb_device_descriptor dd;
		libusb_device_handle *h;
		unsigned char sn[64];

		if (libusb_get_device_descriptor(list[i], &dd) ||
		    dd.idVendor != vid || dd.idProduct != pid)
			continue;
		if (libusb_open(list[i], &h))
			continue;
		if (serial[0] && (!dd.iSerialNumber ||
				  libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, sn,
								     sizeof(sn)) < 0 ||
				  strcmp((char *)sn, serial))) {
			libusb_close(h);
			continue;
		}
		if (!find_iface(list[i], &u->iface, &ep_in, &ep_out, &wmax)) {
			libusb_close(h);
			continue;
		}
		u->h = h;
		found = list[i];
	}
	libusb_free_device_list(list, 1);
	if (!found) {
		rc = bert_fail(BERT_ERR_NODEV, "%s: no such USBTMC device", u->what);
		goto err;
	}
	libusb_set_auto_detach_kernel_driver(u->h, 1);
	r = libusb_claim_interface(u->h, u->iface);
	if (r) {
		rc = usb_fail(u, r, "claiming the interface");
		goto err;
	}
	u->claimed = true;
	rc = usbtmc_link_init(&u->link, &libusb_link, u, ep_in, ep_out, wmax, 4096);
	if (rc)
		goto err;
	scpi_stream_init(&u->s, 0, '\n', u->what, BERT_ERR_NODEV);
	u->s.io = &usbtmc_io;
	u->s.io_ctx = u;
	/* Start from a clean state whatever the last session left behind. */
	if (usbtmc_clear(&u->link, 1000))
		log_warn("%s: device clear failed: %s", u->what, bert_error_detail());
	return BERT_OK;
err:
	if (u->claimed)
		libusb_release_interface(u->h, u->iface);
	if (u->h)
		libusb_close(u->h);
	libusb_exit(u->ctx);
	u->h = NULL;
	u->ctx = NULL;
	return rc;
}

static int usbtmc_send(struct scpi_dev *d, const char *cmd)
{
	struct scpi_usbtmc *u = d->priv;
	uint64_t deadline = bert_clock_now(d->clock) + d->timeout_ns;
	char buf[SCPI_LINE_MAX + 1];
	size_t n = strlen(cmd);

	if (!u->h)
		return bert_fail(BERT_ERR_NODEV, "%s: not open", u->what);
	if (n > SCPI_LINE_MAX)
		return bert_fail(BERT_ERR_ARG, "command too long");
	memcpy(buf, cmd, n);
	buf[n++] = '\n';
	u->s.fd = 0;
	return scpi_stream_write(d, &u->s, buf, n, deadline);
}

static int usbtmc_recv_line(struct scpi_dev *d, char *buf, size_t size, uint64_t deadline)
{
	struct scpi_usbtmc *u = d->priv;

	u->s.fd = 0;
	return scpi_stream_line(d, &u->s, buf, size, deadline);
}

static int usbtmc_recv_block(struct scpi_dev *d, uint8_t *buf, size_t len, uint64_t deadline)
{
	struct scpi_usbtmc *u = d->priv;

	u->s.fd = 0;
	return scpi_stream_bytes(d, &u->s, buf, len, deadline);
}

static int usbtmc_clear_op(struct scpi_dev *d)
{
	struct scpi_usbtmc *u = d->priv;

	u->s.head = u->s.tail = 0;
	return usbtmc_clear(&u->link, 500);
}

static void usbtmc_close(struct scpi_dev *d)
{
	struct scpi_usbtmc *u = d->priv;

	usbtmc_link_free(&u->link);
	if (u->claimed)
		libusb_release_interface(u->h, u->iface);
	if (u->h)
		libusb_close(u->h);
	if (u->ctx)
		libusb_exit(u->ctx);
}

const struct scpi_transport_ops scpi_usbtmc_ops = {
	.prefix = "usbtmc",
	.summary = "USB Test & Measurement Class through libusb, usbtmc:VID:PID[:SERIAL]",
	.priv_size = sizeof(struct scpi_usbtmc),
	.open = usbtmc_open,
	.send = usbtmc_send,
	.recv_line = usbtmc_recv_line,
	.recv_block = usbtmc_recv_block,
	.clear = usbtmc_clear_op,
	.close = usbtmc_close,
};
