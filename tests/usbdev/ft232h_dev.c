// SPDX-License-Identifier: MIT
/* The FTDI H-series chips at the usbdevfs level (ft232h_dev.h). References:
 * USB 2.0 specification chapter 9 (standard requests, descriptors); the
 * Linux usbdevfs interface (linux/usbdevice_fs.h: SUBMITURB / REAPURB, the
 * URB status codes of Documentation/driver-api/usb/error-codes.rst); FTDI
 * AN232B-04 "Data Throughput, Latency and Handshaking" section 3 (the two
 * status bytes per IN packet, the latency timer); the FT232H, FT2232H and
 * FT4232H datasheets (section "USB descriptors": VID/PID, bcdDevice,
 * endpoints); the vendor request numbers and wValue / wIndex layouts are
 * those of libftdi1 1.5's ftdi.h, which the chip answers. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/usbdevice_fs.h>

#include "bert/core/error.h"
#include "fixtures/ftdi_port.h"
#include "tests/usbdev/ft232h_dev.h"

#define FTDI_VID 0x0403
#define PACKET 512		/* high-speed bulk wMaxPacketSize */
#define STATUS_B0 0x32		/* modem status: CTS|DSR bits as the chips idle in MPSSE mode */
#define STATUS_B1 0x60		/* line status: THRE | TEMT (transmitter empty) */
#define LATENCY_DEFAULT 16	/* ms, AN232B-04 section 3.3 */

struct urb_slot {
	UMockdevIoctlData *urb;		/* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;		/* its buffer */
	bool discarded;			/* reaped with -ENOENT, not run */
	struct urb_slot *next;
};

struct iface {
	struct mpsse_engine *engine;
	struct ftdi_port *port;
	unsigned latency_ms;
	uint8_t event_char, error_char;
	bool event_en, error_en;
	uint16_t flow;
	uint8_t bitmode, bitmask;
	bool claimed;
};

struct ft232h_dev {
	pthread_mutex_t lock;
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	enum mpsse_chip chip;
	unsigned n_ifaces;
	uint16_t pid, bcd;
	const char *product;
	char serial[64];
	struct iface ifc[FT232H_DEV_MAX_IFACES];
	uint16_t eeprom[128];
	unsigned devnum;
	char node[64];
	char syspath[256];
	bool plugged;		/* answering URBs */
	bool in_sysfs;
	bool out_since_in;
	unsigned unplug_after;	/* armed count, 0 = off */
	guint unplug_idle;	/* the idle source that completes it, 0 = none */
	struct urb_slot *pending, **tail;
	struct ft232h_stats st;
	void (*on_urb)(void *user, int after);
	void *on_urb_user;
};

/* ---- descriptors ---- */

static size_t put_device_desc(const struct ft232h_dev *d, uint8_t *p)
{
	static const uint8_t tmpl[18] = {
		18, 1, 0x00, 0x02,	/* bLength, DEVICE, bcdUSB 2.00 */
		0, 0, 0, 64,		/* class/sub/proto per interface, EP0 64 */
		0x03, 0x04, 0, 0,	/* idVendor 0403, idProduct (below) */
		0, 0, 1, 2,		/* bcdDevice (below), iManufacturer, iProduct */
		3, 1,			/* iSerialNumber, bNumConfigurations */
	};

	memcpy(p, tmpl, sizeof(tmpl));
	p[10] = d->pid & 0xff;
	p[11] = d->pid >> 8;
	p[12] = d->bcd & 0xff;
	p[13] = d->bcd >> 8;
	return sizeof(tmpl);
}

static size_t put_config_desc(const struct ft232h_dev *d, uint8_t *p)
{
	size_t n = 9, total = 9 + 23 * d->n_ifaces;
	unsigned i;

	/* bus powered, 90 mA: the datasheets' default EEPROM-less values */
	const uint8_t cfg[9] = { 9, 2, total & 0xff, total >> 8, d->n_ifaces, 1, 0, 0x80, 45 };

	memcpy(p, cfg, 9);
	for (i = 0; i < d->n_ifaces; i++) {
		const uint8_t itf[23] = {
			9, 4, i, 0, 2, 0xff, 0xff, 0xff, 2,		/* vendor class */
			7, 5, 0x81 + 2 * i, 2, PACKET & 0xff, PACKET >> 8, 0,	/* bulk IN */
			7, 5, 0x02 + 2 * i, 2, PACKET & 0xff, PACKET >> 8, 0,	/* bulk OUT */
		};

		memcpy(p + n, itf, sizeof(itf));
		n += sizeof(itf);
	}
	return n;
}

/* String descriptor idx into p (at most max bytes); 0 when there is none. */
static size_t put_string_desc(const struct ft232h_dev *d, unsigned idx, uint8_t *p, size_t max)
{
	const char *s;
	size_t n, i;

	if (idx == 0) {		/* LANGID list: US English */
		const uint8_t langs[4] = { 4, 3, 0x09, 0x04 };

		n = max < 4 ? max : 4;
		memcpy(p, langs, n);
		return n;
	}
	s = idx == 1 ? "FTDI" : idx == 2 ? d->product : idx == 3 ? d->serial : NULL;
	if (!s)
		return 0;
	n = 2 + 2 * strlen(s);
	if (n > 254)
		n = 254;
	uint8_t tmp[256];

	tmp[0] = (uint8_t)n;
	tmp[1] = 3;
	for (i = 0; 2 + 2 * i < n; i++) {
		tmp[2 + 2 * i] = (uint8_t)s[i];
		tmp[3 + 2 * i] = 0;
	}
	n = n < max ? n : max;
	memcpy(p, tmp, n);
	return n;
}

/* ---- control transfers ---- */

static bool is_mpsse_port(const struct ft232h_dev *d, unsigned i)
{
	/* MPSSE on FT232H A, FT2232H A+B, FT4232H A+B (datasheets, section
	 * "MPSSE"); FT4232H C and D are UART / bit-bang only. */
	return d->chip == MPSSE_FT232H ? i == 0 : i < 2;
}

/* Returns the data-stage length, or -errno (-EPIPE = stall). */
static int control(struct ft232h_dev *d, const uint8_t *setup, uint8_t *data, unsigned room)
{
	uint8_t type = setup[0], req = setup[1];
	unsigned value = setup[2] | setup[3] << 8;
	unsigned index = setup[4] | setup[5] << 8;
	unsigned len = setup[6] | setup[7] << 8;
	unsigned port = (index & 0xff) - 1;	/* vendor requests: wIndex 1..4 = A..D */
	struct iface *f = port < d->n_ifaces ? &d->ifc[port] : NULL;
	uint8_t buf[512];
	size_t n;

	if (len > room)
		return -EINVAL;
	if (type == 0x80) {	/* standard, device, IN */
		switch (req) {
		case 0x00:	/* GET_STATUS: bus powered, no remote wakeup */
			buf[0] = buf[1] = 0;
			n = 2;
			break;
		case 0x06:	/* GET_DESCRIPTOR */
			switch (value >> 8) {
			case 1:
				n = put_device_desc(d, buf);
				break;
			case 2:
				n = put_config_desc(d, buf);
				break;
			case 3:
				n = put_string_desc(d, value & 0xff, buf, sizeof(buf));
				if (!n)
					return -EPIPE;
				break;
			default:
				return -EPIPE;
			}
			break;
		case 0x08:	/* GET_CONFIGURATION */
			buf[0] = 1;
			n = 1;
			break;
		default:
			return -EPIPE;
		}
		n = n < len ? n : len;
		memcpy(data, buf, n);
		return (int)n;
	}
	if (type != 0x40 && type != 0xc0)
		return -EPIPE;
	if (req == 0x90) {	/* READ_EEPROM: wIndex = word address */
		if (type != 0xc0 || len != 2 || index >= 128)
			return -EPIPE;
		data[0] = d->eeprom[index] & 0xff;
		data[1] = d->eeprom[index] >> 8;
		return 2;
	}
	if (!f)
		return -EPIPE;
	if (type == 0xc0) {
		switch (req) {
		case 0x05:	/* POLL_MODEM_STATUS */
			if (len != 2)
				return -EPIPE;
			data[0] = STATUS_B0;
			data[1] = STATUS_B1;
			return 2;
		case 0x0a:	/* GET_LATENCY_TIMER */
			if (len != 1)
				return -EPIPE;
			data[0] = (uint8_t)f->latency_ms;
			return 1;
		case 0x0c:	/* READ_PINS: the ADBUS levels */
			if (len != 1)
				return -EPIPE;
			data[0] = f->engine ? mpsse_engine_pins(f->engine, 0) : 0xff;
			return 1;
		}
		return -EPIPE;
	}
	if (len)
		return -EPIPE;	/* the vendor OUT requests carry no data stage */
	switch (req) {
	case 0x00:	/* SIO reset: 0 reset, 1 / 2 flush one direction */
		if (value > 2)
			return -EPIPE;
		/* The engine drops both FIFOs together; libftdi 1.5's
		 * tcioflush sends both requests back to back. */
		if (f->port)
			f->port->ops->purge(f->port);
		return 0;
	case 0x01:	/* modem control: DTR / RTS with their mask bits */
	case 0x03:	/* baud rate divisor */
	case 0x04:	/* data bits, parity, stop bits, break */
		return 0;
	case 0x02:	/* flow control in wIndex's high byte */
		switch (index >> 8) {
		case 0x00: case 0x01: case 0x02: case 0x04:
			f->flow = (uint16_t)(index >> 8);
			return 0;
		}
		return -EPIPE;
	case 0x06:	/* event char: value, enable bit 8 */
		f->event_char = value & 0xff;
		f->event_en = value & 0x100;
		return 0;
	case 0x07:	/* error char */
		f->error_char = value & 0xff;
		f->error_en = value & 0x100;
		return 0;
	case 0x09:	/* SET_LATENCY_TIMER: 1..255 ms */
		if (value < 1 || value > 255)
			return -EPIPE;
		if (f->port && f->port->ops->set_latency(f->port, value) != BERT_OK)
			return -EPIPE;
		f->latency_ms = value;
		return 0;
	case 0x0b: {	/* SET_BITMODE: mask | mode << 8 */
		uint8_t mode = value >> 8;

		if (mode & (mode - 1))	/* one mode bit, or 0 = reset */
			return -EPIPE;
		if (mode == FTDI_BITMODE_MPSSE && !is_mpsse_port(d, port))
			return -EPIPE;
		if (f->port && f->port->ops->set_bitmode(f->port, value & 0xff, mode) != BERT_OK)
			return -EPIPE;
		f->bitmode = mode;
		f->bitmask = value & 0xff;
		return 0;
	}
	}
	return -EPIPE;
}

/* ---- bulk transfers ---- */

static struct iface *iface_of_ep(struct ft232h_dev *d, unsigned ep)
{
	unsigned i;

	for (i = 0; i < d->n_ifaces; i++)
		if (ep == 0x81 + 2 * i || ep == 0x02 + 2 * i)
			return &d->ifc[i];
	return NULL;
}

static int bulk_out(struct ft232h_dev *d, struct iface *f, const uint8_t *buf, int len)
{
	d->st.urbs_bulk_out++;
	d->st.out_packets += ((unsigned)len + PACKET - 1) / PACKET;
	d->st.bytes_out += (unsigned)len;
	d->out_since_in = true;
	if (f->port && len > 0 && f->port->ops->write(f->port, buf, (size_t)len) != BERT_OK)
		return -EPIPE;	/* the MPSSE stalled on a full RX FIFO */
	return len;
}

/* Fills buf with packets of at most 512 bytes, each starting with the two
 * status bytes; a packet shorter than 512 ends the transfer. */
static int bulk_in(struct ft232h_dev *d, struct iface *f, uint8_t *buf, int len)
{
	int off = 0;

	d->st.urbs_bulk_in++;
	if (d->out_since_in) {
		d->st.usb_round_trips++;
		d->out_since_in = false;
	}
	while (len - off >= 2) {
		int room = (len - off < PACKET ? len - off : PACKET) - 2;
		int n = 0;

		if (f->port) {
			n = f->port->ops->read(f->port, buf + off + 2, (size_t)room);
			if (n < 0)
				return -EPROTO;
		}
		buf[off] = STATUS_B0;
		buf[off + 1] = STATUS_B1;
		d->st.in_packets++;
		if (!n)
			d->st.in_status_only++;
		d->st.bytes_in += (unsigned)n;
		off += 2 + n;
		if (2 + n < PACKET)
			break;
	}
	return off;
}

/* Runs one URB to completion: status and actual_length into the client's
 * struct, data into its buffer. */
static void run_urb(struct ft232h_dev *d, struct urb_slot *s)
{
	struct usbdevfs_urb *u = (struct usbdevfs_urb *)s->urb->data;
	uint8_t *b = s->buf ? s->buf->data : NULL;
	int r = -EINVAL;

	if (s->discarded) {
		u->status = -ENOENT;
		u->actual_length = 0;
		return;
	}
	if (!d->plugged) {
		u->status = -ENODEV;
		u->actual_length = 0;
		d->st.nodev++;
		return;
	}
	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		d->st.urbs_control++;
		r = u->buffer_length >= 8 ?
		    control(d, b, b + 8, (unsigned)u->buffer_length - 8) : -EINVAL;
	} else if (u->type == USBDEVFS_URB_TYPE_BULK) {
		struct iface *f = iface_of_ep(d, u->endpoint);

		if (d->on_urb)
			d->on_urb(d->on_urb_user, 0);
		if (f)
			r = u->endpoint & 0x80 ? bulk_in(d, f, b, u->buffer_length)
					       : bulk_out(d, f, b, u->buffer_length);
		if (d->on_urb)
			d->on_urb(d->on_urb_user, 1);
	}
	if (r < 0) {
		d->st.refused++;
		u->status = r;
		u->actual_length = 0;
	} else {
		u->status = 0;
		u->actual_length = r;	/* control: the data stage only */
	}
}

static void slot_free(struct urb_slot *s)
{
	if (s->buf)
		g_object_unref(s->buf);
	g_object_unref(s->urb);
	free(s);
}

/* Counts an armed unplug down; at zero the device is gone from now on. */
static void count_urb(struct ft232h_dev *d);

static gboolean idle_unplug(gpointer user)
{
	struct ft232h_dev *d = user;

	pthread_mutex_lock(&d->lock);
	d->unplug_idle = 0;
	pthread_mutex_unlock(&d->lock);
	ft232h_dev_unplug(d);
	return G_SOURCE_REMOVE;
}

static void count_urb(struct ft232h_dev *d)
{
	if (!d->unplug_after || --d->unplug_after)
		return;
	d->plugged = false;
	/* sysfs can't change inside the ioctl handler: the main loop removes
	 * the device next; ft232h_dev_unplug() cancels this if it runs first */
	d->unplug_idle = g_idle_add(idle_unplug, d);
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer user)
{
	struct ft232h_dev *d = user;
	unsigned long req = umockdev_ioctl_client_get_request(c);
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c);
	bool current;

	(void)h;
	pthread_mutex_lock(&d->lock);
	current = !strcmp(umockdev_ioctl_client_get_devnode(c), d->node);
	if (!current || !d->plugged) {
		/* an old address or an unplugged device: completed URBs may
		 * still be reaped (USBDEVFS_CAP_REAP_AFTER_DISCONNECT) */
		if (current && (req == USBDEVFS_REAPURB || req == USBDEVFS_REAPURBNDELAY)
		    && d->pending) {
			struct urb_slot *s = d->pending;
			UMockdevIoctlData *p = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);

			d->pending = s->next;
			if (!d->pending)
				d->tail = &d->pending;
			run_urb(d, s);
			umockdev_ioctl_data_set_ptr(p, 0, s->urb);
			umockdev_ioctl_client_complete(c, 0, 0);
			g_object_unref(p);
			slot_free(s);
			pthread_mutex_unlock(&d->lock);
			return TRUE;
		}
		d->st.nodev++;
		pthread_mutex_unlock(&d->lock);
		umockdev_ioctl_client_complete(c, -1, ENODEV);
		return TRUE;
	}
	switch (req) {
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *p = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), NULL);

		*(uint32_t *)p->data = USBDEVFS_CAP_BULK_CONTINUATION |
				       USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
				       USBDEVFS_CAP_REAP_AFTER_DISCONNECT |
				       USBDEVFS_CAP_ZERO_PACKET;
		g_object_unref(p);
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE: {
		UMockdevIoctlData *p = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), NULL);
		unsigned i = *(unsigned *)p->data;

		g_object_unref(p);
		if (i >= d->n_ifaces) {
			d->st.refused++;
			umockdev_ioctl_client_complete(c, -1, EINVAL);
			break;
		}
		if (req == USBDEVFS_CLAIMINTERFACE)
			d->st.claims++;
		d->ifc[i].claimed = req == USBDEVFS_CLAIMINTERFACE;
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	case USBDEVFS_SETCONFIGURATION: {
		UMockdevIoctlData *p = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), NULL);
		int v = *(int *)p->data;

		g_object_unref(p);
		if (v != 1 && v != -1 && v != 0) {
			d->st.refused++;
			umockdev_ioctl_client_complete(c, -1, EINVAL);
		} else {
			umockdev_ioctl_client_complete(c, 0, 0);
		}
		break;
	}
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
	case USBDEVFS_RESET:
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	case USBDEVFS_GETDRIVER:
	case USBDEVFS_IOCTL:
		/* no kernel driver bound (ftdi_sio is not in the testbed) */
		umockdev_ioctl_client_complete(c, -1, ENODATA);
		break;
	case USBDEVFS_SUBMITURB: {
		struct urb_slot *s = calloc(1, sizeof(*s));
		struct usbdevfs_urb *u;

		if (!s) {
			umockdev_ioctl_client_complete(c, -1, ENOMEM);
			break;
		}
		s->urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
		u = (struct usbdevfs_urb *)s->urb->data;
		if ((u->type != USBDEVFS_URB_TYPE_CONTROL && u->type != USBDEVFS_URB_TYPE_BULK)
		    || u->buffer_length < 0
		    || (u->type == USBDEVFS_URB_TYPE_BULK && !iface_of_ep(d, u->endpoint))
		    || (u->type == USBDEVFS_URB_TYPE_CONTROL && u->endpoint != 0)) {
			d->st.refused++;
			slot_free(s);
			umockdev_ioctl_client_complete(c, -1, EINVAL);
			break;
		}
		if (u->buffer_length)
			s->buf = umockdev_ioctl_data_resolve(s->urb,
							     offsetof(struct usbdevfs_urb, buffer),
							     (gsize)u->buffer_length, NULL);
		*d->tail = s;
		d->tail = &s->next;
		if (u->type == USBDEVFS_URB_TYPE_BULK)
			count_urb(d);
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY: {
		struct urb_slot *s = d->pending;
		UMockdevIoctlData *p;

		if (!s) {
			umockdev_ioctl_client_complete(c, -1, EAGAIN);
			break;
		}
		d->pending = s->next;
		if (!d->pending)
			d->tail = &d->pending;
		/* URBs complete in submission order: the chip answers each
		 * transfer as the host controller schedules it. */
		run_urb(d, s);
		p = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
		umockdev_ioctl_data_set_ptr(p, 0, s->urb);
		umockdev_ioctl_client_complete(c, 0, 0);
		g_object_unref(p);
		slot_free(s);
		break;
	}
	case USBDEVFS_DISCARDURB: {
		struct urb_slot **pp;
		unsigned long addr = *(unsigned long *)arg->data;

		for (pp = &d->pending; *pp; pp = &(*pp)->next)
			if ((*pp)->urb->client_addr == addr)
				break;
		if (!*pp) {
			umockdev_ioctl_client_complete(c, -1, EINVAL);
			break;
		}
		/* reaped next with -ENOENT, as the kernel hands back a
		 * killed URB */
		(*pp)->discarded = true;
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	default:
		pthread_mutex_unlock(&d->lock);
		return FALSE;	/* umockdev answers ENOTTY */
	}
	pthread_mutex_unlock(&d->lock);
	return TRUE;
}

/* ---- life cycle ---- */

struct ft232h_dev *ft232h_dev_new(UMockdevTestbed *tb, enum mpsse_chip chip,
				  const char *serial,
				  struct mpsse_engine *const engines[FT232H_DEV_MAX_IFACES])
{
	struct ft232h_dev *d = calloc(1, sizeof(*d));
	unsigned i;

	if (!d)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	d->tb = tb;
	d->chip = chip;
	switch (chip) {
	case MPSSE_FT2232H:
		d->n_ifaces = 2, d->pid = 0x6010, d->bcd = 0x0700, d->product = "Dual RS232-HS";
		break;
	case MPSSE_FT4232H:
		d->n_ifaces = 4, d->pid = 0x6011, d->bcd = 0x0800, d->product = "Quad RS232-HS";
		break;
	default:
		d->n_ifaces = 1, d->pid = 0x6014, d->bcd = 0x0900, d->product = "Single RS232-HS";
		break;
	}
	snprintf(d->serial, sizeof(d->serial), "%s", serial);
	d->tail = &d->pending;
	d->devnum = 1;	/* the root hub's; the first plug takes 2 */
	for (i = 0; i < d->n_ifaces; i++) {
		d->ifc[i].engine = engines ? engines[i] : NULL;
		if (d->ifc[i].engine) {
			d->ifc[i].port = mpsse_engine_port_new(d->ifc[i].engine);
			if (!d->ifc[i].port) {
				ft232h_dev_free(d);
				return NULL;
			}
		}
		d->ifc[i].latency_ms = LATENCY_DEFAULT;
	}
	/* An erased EEPROM (all ones) but for the IDs at words 1 and 2, where
	 * the FTDI EEPROM layout keeps them. */
	memset(d->eeprom, 0xff, sizeof(d->eeprom));
	d->eeprom[1] = FTDI_VID;
	d->eeprom[2] = d->pid;
	d->handler = umockdev_ioctl_base_new();
	g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(on_ioctl), d);
	return d;
}

void ft232h_dev_free(struct ft232h_dev *d)
{
	unsigned i;

	if (!d)
		return;
	if (d->unplug_idle)
		g_source_remove(d->unplug_idle);
	if (d->handler) {
		g_signal_handlers_disconnect_by_data(d->handler, d);
		g_object_unref(d->handler);
	}
	while (d->pending) {
		struct urb_slot *s = d->pending;

		d->pending = s->next;
		slot_free(s);
	}
	for (i = 0; i < d->n_ifaces; i++)
		ftdi_port_free(d->ifc[i].port);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

int ft232h_dev_plug(struct ft232h_dev *d)
{
	uint8_t desc[18 + 9 + 23 * FT232H_DEV_MAX_IFACES];
	char hx[2 * sizeof(desc) + 1], rec[2048];
	GError *err = NULL;
	size_t n;
	unsigned i;

	pthread_mutex_lock(&d->lock);
	if (d->in_sysfs) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	d->devnum++;
	snprintf(d->node, sizeof(d->node), "/dev/bus/usb/001/%03u", d->devnum);
	n = put_device_desc(d, desc);
	n += put_config_desc(d, desc + n);
	hex(hx, desc, n);
	/* a fresh chip: UART mode, default latency */
	for (i = 0; i < d->n_ifaces; i++) {
		struct iface *f = &d->ifc[i];

		if (f->port)
			f->port->ops->reopen(f->port);
		f->latency_ms = LATENCY_DEFAULT;
		f->bitmode = 0;
		f->claimed = false;
	}
	d->out_since_in = false;
	d->plugged = true;
	d->in_sysfs = true;
	d->st.plugs++;
	pthread_mutex_unlock(&d->lock);
	/* attach first, so an open right after the add event succeeds */
	if (!umockdev_testbed_attach_ioctl(d->tb, d->node, d->handler, &err)) {
		fprintf(stderr, "ft232h: attach_ioctl %s: %s\n", d->node, err->message);
		g_error_free(err);
		return -1;
	}
	snprintf(d->syspath, sizeof(d->syspath), "/sys/devices/usb1/1-1");
	snprintf(rec, sizeof(rec),
		 "P: /devices/usb1/1-1\n"
		 "N: bus/usb/001/%03u\n"
		 "E: SUBSYSTEM=usb\n"
		 "E: DEVTYPE=usb_device\n"
		 "E: DRIVER=usb\n"
		 "E: BUSNUM=001\n"
		 "E: DEVNUM=%03u\n"
		 "E: DEVNAME=/dev/bus/usb/001/%03u\n"
		 "E: PRODUCT=403/%x/%x\n"
		 "A: idVendor=0403\\n\n"
		 "A: idProduct=%04x\\n\n"
		 "A: bcdDevice=%04x\\n\n"
		 "A: manufacturer=FTDI\\n\n"
		 "A: product=%s\\n\n"
		 "A: serial=%s\\n\n"
		 "A: busnum=1\\n\n"
		 "A: devnum=%u\\n\n"
		 "A: speed=480\\n\n"
		 "A: bConfigurationValue=1\\n\n"
		 "A: bNumInterfaces=%2u\\n\n"
		 "H: descriptors=%s\n",
		 d->devnum, d->devnum, d->devnum, d->pid, d->bcd, d->pid, d->bcd,
		 d->product, d->serial, d->devnum, d->n_ifaces, hx);
	if (!umockdev_testbed_add_from_string(d->tb, rec, &err)) {
		fprintf(stderr, "ft232h: add device: %s\n", err->message);
		g_error_free(err);
		return -1;
	}
	return 0;
}

void ft232h_dev_unplug(struct ft232h_dev *d)
{
	bool sysfs;
	guint idle;

	pthread_mutex_lock(&d->lock);
	/* An armed unplug whose idle has not run yet (the program exited
	 * first): complete it here, or it would fire after the next @plug and
	 * pull the new device out from under the next program. */
	idle = d->unplug_idle;
	d->unplug_idle = 0;
	d->plugged = false;
	sysfs = d->in_sysfs;
	d->in_sysfs = false;
	d->unplug_after = 0;
	if (sysfs)
		d->st.unplugs++;
	pthread_mutex_unlock(&d->lock);
	if (idle)
		g_source_remove(idle);
	if (!sysfs)
		return;
	umockdev_testbed_uevent(d->tb, d->syspath, "remove");
	umockdev_testbed_remove_device(d->tb, d->syspath);
}

void ft232h_dev_arm_unplug(struct ft232h_dev *d, unsigned urbs)
{
	pthread_mutex_lock(&d->lock);
	d->unplug_after = urbs;
	pthread_mutex_unlock(&d->lock);
}

int ft232h_dev_plugged(struct ft232h_dev *d)
{
	int p;

	pthread_mutex_lock(&d->lock);
	p = d->plugged;
	pthread_mutex_unlock(&d->lock);
	return p;
}

const char *ft232h_dev_node(struct ft232h_dev *d)
{
	return d->node;
}

void ft232h_dev_stats(struct ft232h_dev *d, struct ft232h_stats *st)
{
	pthread_mutex_lock(&d->lock);
	*st = d->st;
	pthread_mutex_unlock(&d->lock);
}

void ft232h_dev_on_bulk(struct ft232h_dev *d, void (*cb)(void *user, int after), void *user)
{
	pthread_mutex_lock(&d->lock);
	d->on_urb = cb;
	d->on_urb_user = user;
	pthread_mutex_unlock(&d->lock);
}

int ft232h_reexec_preloaded(char **argv)
{
	const char *pre = getenv("LD_PRELOAD");
	char old[1024], lp[sizeof(old) + 32];

	if (pre && strstr(pre, "libumockdev-preload"))
		return 0;
	snprintf(old, sizeof(old), "%s", pre ? pre : "");
	snprintf(lp, sizeof(lp), "%s%slibumockdev-preload.so.0", old, *old ? ":" : "");
	setenv("LD_PRELOAD", lp, 1);
	/* a sanitizer build: its runtime is not first any more */
	setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 0);
	execv("/proc/self/exe", argv);
	if (pre)
		setenv("LD_PRELOAD", old, 1);
	else
		unsetenv("LD_PRELOAD");
	return -1;
}
