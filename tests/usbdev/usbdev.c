// SPDX-License-Identifier: MIT
/* A USB device at the usbdevfs ioctl level under umockdev (usbdev.h).
 *
 * The client's memory is reached only through UMockdevIoctlData (resolve,
 * set_ptr): the client may be another process (a preloaded `bert`), so
 * nothing here dereferences a client pointer. A submitted URB keeps its
 * resolved struct usbdevfs_urb and buffer until it is reaped; REAP hands it
 * back by pointing the client's `struct usbdevfs_urb *` at it, and umockdev
 * writes the changed struct and buffer back when the ioctl completes. */
#include <errno.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/usbdev/usbdev.h"

struct urb {
	UMockdevIoctlData *data;	/* the client's struct usbdevfs_urb */
	UMockdevIoctlData *buf;		/* its buffer (NULL when empty) */
	UMockdevIoctlClient *client;
	struct urb *next;
};

struct usbdev {
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	char devnode[64];
	const struct usbdev_ops *ops;
	void *ctx;
	pthread_mutex_t lock;
	bool unplugged;
	struct urb *pending;	/* IN URBs the device has not answered, in order */
	struct urb *done;	/* completed URBs not yet reaped, in order */
	UMockdevIoctlClient *owner;	/* the open that claimed interface 0 */
	struct usbdev_stats st;
};

void usbdev_lock(struct usbdev *d)
{
	pthread_mutex_lock(&d->lock);
}

void usbdev_unlock(struct usbdev *d)
{
	pthread_mutex_unlock(&d->lock);
}

static void urb_free(struct urb *u)
{
	if (u->buf)
		g_object_unref(u->buf);
	g_object_unref(u->data);
	g_object_unref(u->client);
	free(u);
}

static void list_append(struct urb **head, struct urb *u)
{
	while (*head)
		head = &(*head)->next;
	u->next = NULL;
	*head = u;
}

static void list_free(struct urb **head, UMockdevIoctlClient *only)
{
	struct urb **p = head, *u;

	while ((u = *p)) {
		if (only && u->client != only) {
			p = &u->next;
			continue;
		}
		*p = u->next;
		urb_free(u);
	}
}

static struct usbdevfs_urb *urb_of(struct urb *u)
{
	return (struct usbdevfs_urb *)u->data->data;
}

static void finish(struct usbdev *d, struct urb *u, int status, int actual)
{
	struct usbdevfs_urb *k = urb_of(u);

	k->status = status;
	k->actual_length = actual;
	list_append(&d->done, u);
}

static void complete(UMockdevIoctlClient *c, long res, int err)
{
	umockdev_ioctl_client_complete(c, res, err);
}

/* One control URB: the SETUP packet then wLength data bytes. */
static void control_urb(struct usbdev *d, struct urb *u)
{
	struct usbdevfs_urb *k = urb_of(u);
	uint8_t *b = u->buf ? u->buf->data : NULL;
	struct usbdev_setup s;
	int r;

	if (!b || k->buffer_length < 8) {
		d->st.bad_ioctls++;
		finish(d, u, -EINVAL, 0);
		return;
	}
	s.bmRequestType = b[0];
	s.bRequest = b[1];
	s.wValue = (uint16_t)(b[2] | b[3] << 8);
	s.wIndex = (uint16_t)(b[4] | b[5] << 8);
	s.wLength = (uint16_t)(b[6] | b[7] << 8);
	if (s.wLength > k->buffer_length - 8) {
		d->st.bad_ioctls++;
		finish(d, u, -EINVAL, 0);
		return;
	}
	r = d->ops->control(d->ctx, &s, b + 8);
	if (r < 0)
		finish(d, u, r, 0);
	else
		finish(d, u, 0, (s.bmRequestType & 0x80) ? r : s.wLength);
}

/* Offers the pending IN URBs to the device, oldest first per endpoint. */
static void run_in(struct usbdev *d)
{
	struct urb **p = &d->pending, *u;
	uint32_t blocked = 0;	/* endpoints with an older URB still pending */
	int r;

	if (d->ops->poll)
		d->ops->poll(d->ctx);
	while ((u = *p)) {
		struct usbdevfs_urb *k = urb_of(u);
		uint32_t bit = 1u << (k->endpoint & 0x0f);

		if (blocked & bit) {
			p = &u->next;
			continue;
		}
		r = d->ops->in(d->ctx, k->endpoint, u->buf ? u->buf->data : NULL,
			       (size_t)k->buffer_length);
		if (d->unplugged)
			return;
		if (r == -EAGAIN) {
			blocked |= bit;
			p = &u->next;
			continue;
		}
		*p = u->next;
		if (r < 0)
			finish(d, u, r, 0);
		else
			finish(d, u, 0, r);
	}
}

static void submit(struct usbdev *d, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *data = umockdev_ioctl_data_resolve(arg, 0,
							       sizeof(struct usbdevfs_urb), NULL);
	struct usbdevfs_urb *k;
	struct urb *u;
	int r;

	if (!data) {
		d->st.bad_ioctls++;
		complete(c, -1, EFAULT);
		return;
	}
	k = (struct usbdevfs_urb *)data->data;
	if ((k->type != USBDEVFS_URB_TYPE_CONTROL && k->type != USBDEVFS_URB_TYPE_BULK &&
	     k->type != USBDEVFS_URB_TYPE_INTERRUPT) || k->buffer_length < 0 ||
	    k->number_of_packets || (k->type != USBDEVFS_URB_TYPE_CONTROL && d->owner != c)) {
		/* iso is not on this device; bulk/interrupt need the claim */
		d->st.bad_ioctls++;
		g_object_unref(data);
		complete(c, -1, k->type == USBDEVFS_URB_TYPE_CONTROL ||
			 k->type == USBDEVFS_URB_TYPE_BULK ||
			 k->type == USBDEVFS_URB_TYPE_INTERRUPT ? ENOENT : EINVAL);
		return;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		g_object_unref(data);
		complete(c, -1, ENOMEM);
		return;
	}
	u->data = data;
	u->client = g_object_ref(c);
	if (k->buffer_length)
		u->buf = umockdev_ioctl_data_resolve(data, G_STRUCT_OFFSET(struct usbdevfs_urb,
									   buffer),
						     (size_t)k->buffer_length, NULL);
	k->status = 0;
	k->actual_length = 0;
	d->st.urbs++;
	if (k->type == USBDEVFS_URB_TYPE_CONTROL) {
		control_urb(d, u);
	} else if (k->endpoint & 0x80) {
		list_append(&d->pending, u);
	} else {
		r = d->ops->out(d->ctx, k->endpoint, u->buf ? u->buf->data : NULL,
				(size_t)k->buffer_length);
		if (d->unplugged) {
			urb_free(u);
			complete(c, -1, ENODEV);
			return;
		}
		finish(d, u, r < 0 ? r : 0, r < 0 ? 0 : k->buffer_length);
	}
	complete(c, 0, 0);
}

static void reap(struct usbdev *d, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	struct urb **p, *u;
	UMockdevIoctlData *ptr;

	if (!d->unplugged)
		run_in(d);
	for (p = &d->done; *p && (*p)->client != c; p = &(*p)->next)
		;
	if (!*p && d->pending && !d->unplugged && d->ops->wait) {
		usbdev_unlock(d);
		d->ops->wait(d->ctx, 5);
		usbdev_lock(d);
		run_in(d);
		for (p = &d->done; *p && (*p)->client != c; p = &(*p)->next)
			;
	}
	u = *p;
	if (!u) {
		complete(c, -1, d->unplugged ? ENODEV : EAGAIN);
		return;
	}
	ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
	if (!ptr) {
		complete(c, -1, EFAULT);
		return;
	}
	*p = u->next;
	umockdev_ioctl_data_set_ptr(ptr, 0, u->data);
	complete(c, 0, 0);
	g_object_unref(ptr);
	urb_free(u);
}

static void discard(struct usbdev *d, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	gulong addr = arg->data_len >= (int)sizeof(void *) ? *(gulong *)arg->data : 0;
	struct urb **p, *u;

	for (p = &d->pending; *p; p = &(*p)->next)
		if ((*p)->client == c && (*p)->data->client_addr == addr)
			break;
	u = *p;
	if (!u) {
		complete(c, -1, EINVAL);	/* already completed: reap it */
		return;
	}
	*p = u->next;
	d->st.discarded++;
	finish(d, u, -ENOENT, 0);
	complete(c, 0, 0);
}

static int get_uint(UMockdevIoctlData *arg, unsigned *v)
{
	UMockdevIoctlData *x = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned), NULL);

	if (!x)
		return -EFAULT;
	memcpy(v, x->data, sizeof(*v));
	g_object_unref(x);
	return 0;
}

static int claim(struct usbdev *d, UMockdevIoctlClient *c, unsigned ifc)
{
	if (ifc != 0) {
		d->st.bad_ioctls++;
		return -ENOENT;
	}
	if (d->owner && d->owner != c) {
		d->st.claims_refused++;
		return -EBUSY;
	}
	if (!d->owner)
		d->st.claims++;
	d->owner = c;
	return 0;
}

/* USBDEVFS_CONTROL: a synchronous control transfer. */
static int sync_control(struct usbdev *d, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *x = umockdev_ioctl_data_resolve(arg, 0,
							    sizeof(struct usbdevfs_ctrltransfer),
							    NULL);
	struct usbdevfs_ctrltransfer *t;
	UMockdevIoctlData *buf = NULL;
	struct usbdev_setup s;
	uint8_t empty[1];
	int r;

	if (!x)
		return -EFAULT;
	t = (struct usbdevfs_ctrltransfer *)x->data;
	s.bmRequestType = t->bRequestType;
	s.bRequest = t->bRequest;
	s.wValue = t->wValue;
	s.wIndex = t->wIndex;
	s.wLength = t->wLength;
	if (t->wLength)
		buf = umockdev_ioctl_data_resolve(x, G_STRUCT_OFFSET(struct usbdevfs_ctrltransfer,
								     data), t->wLength, NULL);
	if (t->wLength && !buf) {
		g_object_unref(x);
		return -EFAULT;
	}
	r = d->ops->control(d->ctx, &s, buf ? buf->data : empty);
	if (buf)
		g_object_unref(buf);
	g_object_unref(x);
	return r < 0 ? r : (s.bmRequestType & 0x80) ? r : s.wLength;
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer data)
{
	struct usbdev *d = data;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c);
	gulong req = umockdev_ioctl_client_get_request(c);
	unsigned v;
	int r = 0;

	(void)h;
	usbdev_lock(d);
	if (d->unplugged && req != USBDEVFS_REAPURB && req != USBDEVFS_REAPURBNDELAY) {
		complete(c, -1, ENODEV);
		goto out;
	}
	switch (req) {
	case USBDEVFS_SUBMITURB:
		submit(d, c, arg);
		goto out;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		/* never blocks: umockdev serves every client from one thread */
		reap(d, c, arg);
		goto out;
	case USBDEVFS_DISCARDURB:
		discard(d, c, arg);
		goto out;
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *x = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), NULL);
		uint32_t caps = USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION |
				USBDEVFS_CAP_NO_PACKET_SIZE_LIM;

		if (!x) {
			r = -EFAULT;
			break;
		}
		memcpy(x->data, &caps, sizeof(caps));
		complete(c, 0, 0);
		g_object_unref(x);
		goto out;
	}
	case USBDEVFS_CLAIMINTERFACE:
		r = get_uint(arg, &v);
		if (!r)
			r = claim(d, c, v);
		break;
	case USBDEVFS_DISCONNECT_CLAIM: {
		UMockdevIoctlData *x = umockdev_ioctl_data_resolve(
			arg, 0, sizeof(struct usbdevfs_disconnect_claim), NULL);

		if (!x) {
			r = -EFAULT;
			break;
		}
		/* no kernel driver is bound: nothing to disconnect */
		r = claim(d, c, ((struct usbdevfs_disconnect_claim *)x->data)->interface);
		g_object_unref(x);
		break;
	}
	case USBDEVFS_RELEASEINTERFACE:
		r = get_uint(arg, &v);
		if (!r && (v != 0 || d->owner != c)) {
			d->st.bad_ioctls++;
			r = -EINVAL;
		} else if (!r) {
			d->owner = NULL;
			d->st.releases++;
			list_free(&d->pending, c);
		}
		break;
	case USBDEVFS_CLEAR_HALT:
		r = get_uint(arg, &v);
		if (!r && d->owner != c) {
			d->st.bad_ioctls++;
			r = -EINVAL;
		} else if (!r) {
			r = d->ops->clear_halt(d->ctx, (uint8_t)v);
		}
		break;
	case USBDEVFS_CONTROL:
		r = sync_control(d, arg);
		if (r >= 0) {
			complete(c, r, 0);
			goto out;
		}
		break;
	case USBDEVFS_GETDRIVER:
		r = -ENODATA;	/* no kernel driver bound to the interface */
		break;
	case USBDEVFS_IOCTL:
		r = -ENODATA;	/* CONNECT/DISCONNECT: no driver to (re)attach */
		break;
	case USBDEVFS_RESET:
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_SETINTERFACE:
	default:
		d->st.bad_ioctls++;
		r = req == USBDEVFS_RESET ? -EIO : -ENOTTY;
		break;
	}
	if (r < 0)
		complete(c, -1, -r);
	else
		complete(c, 0, 0);
out:
	usbdev_unlock(d);
	return TRUE;
}

static void on_connect(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer data)
{
	struct usbdev *d = data;

	(void)h;
	(void)c;
	usbdev_lock(d);
	d->st.opens++;
	usbdev_unlock(d);
}

/* A close (or the process ending) releases what the open held, as the
 * kernel does. */
static void on_vanish(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer data)
{
	struct usbdev *d = data;

	(void)h;
	usbdev_lock(d);
	if (d->owner == c)
		d->owner = NULL;
	list_free(&d->pending, c);
	list_free(&d->done, c);
	usbdev_unlock(d);
}

int usbdev_new(UMockdevTestbed *tb, unsigned busnum, unsigned devnum,
	       const uint8_t *desc, size_t desc_len, const char *manufacturer,
	       const char *product, const char *serial, unsigned speed_mbps,
	       const struct usbdev_ops *ops, void *ctx, struct usbdev **out)
{
	struct usbdev *d = calloc(1, sizeof(*d));
	GString *rec;
	GError *err = NULL;
	size_t i;
	bool ok;

	if (!d || desc_len < 18)
		return -ENOMEM;
	d->tb = tb;
	d->ops = ops;
	d->ctx = ctx;
	pthread_mutex_init(&d->lock, NULL);
	snprintf(d->devnode, sizeof(d->devnode), "/dev/bus/usb/%03u/%03u", busnum, devnum);
	d->handler = umockdev_ioctl_base_new();
	g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(on_ioctl), d);
	g_signal_connect(d->handler, "client-connected", G_CALLBACK(on_connect), d);
	g_signal_connect(d->handler, "client-vanished", G_CALLBACK(on_vanish), d);
	/* the handler first, so the node answers as soon as it appears */
	if (!umockdev_testbed_attach_ioctl(tb, d->devnode, d->handler, &err)) {
		fprintf(stderr, "usbdev: attach_ioctl %s: %s\n", d->devnode,
			err ? err->message : "failed");
		g_clear_error(&err);
		usbdev_free(d);
		return -EIO;
	}
	rec = g_string_new(NULL);
	g_string_append_printf(rec,
		"P: /devices/pci0000:00/0000:00:14.0/usb%u/%u-1\n"
		"N: bus/usb/%03u/%03u\n"
		"E: SUBSYSTEM=usb\n"
		"E: DEVTYPE=usb_device\n"
		"E: DEVNAME=/dev/bus/usb/%03u/%03u\n"
		"E: BUSNUM=%03u\n"
		"E: DEVNUM=%03u\n"
		"E: PRODUCT=%x/%x/%x\n"
		"A: busnum=%u\\n\n"
		"A: devnum=%u\\n\n"
		"A: speed=%u\\n\n"
		"A: bConfigurationValue=1\\n\n"
		"A: idVendor=%04x\\n\n"
		"A: idProduct=%04x\\n\n",
		busnum, busnum, busnum, devnum, busnum, devnum, busnum, devnum,
		desc[8] | desc[9] << 8, desc[10] | desc[11] << 8, desc[12] | desc[13] << 8,
		busnum, devnum, speed_mbps, desc[8] | desc[9] << 8, desc[10] | desc[11] << 8);
	if (manufacturer)
		g_string_append_printf(rec, "A: manufacturer=%s\\n\n", manufacturer);
	if (product)
		g_string_append_printf(rec, "A: product=%s\\n\n", product);
	if (serial)
		g_string_append_printf(rec, "A: serial=%s\\n\n", serial);
	g_string_append(rec, "H: descriptors=");
	for (i = 0; i < desc_len; i++)
		g_string_append_printf(rec, "%02x", desc[i]);
	g_string_append(rec, "\n");
	ok = umockdev_testbed_add_from_string(tb, rec->str, &err);
	g_string_free(rec, TRUE);
	if (!ok) {
		fprintf(stderr, "usbdev: adding %s: %s\n", d->devnode,
			err ? err->message : "failed");
		g_clear_error(&err);
		usbdev_free(d);
		return -EIO;
	}
	*out = d;
	return 0;
}

void usbdev_unplug_locked(struct usbdev *d)
{
	struct urb *u;

	/* The host controller gives back the URBs of a device that is gone
	 * with -ESHUTDOWN; they can still be reaped, everything else fails
	 * with ENODEV. (A real usbfs node also signals POLLERR, which a
	 * umockdev node cannot.) */
	d->unplugged = true;
	while ((u = d->pending)) {
		d->pending = u->next;
		finish(d, u, -ESHUTDOWN, 0);
	}
}

void usbdev_unplug(struct usbdev *d)
{
	usbdev_lock(d);
	usbdev_unplug_locked(d);
	usbdev_unlock(d);
}

bool usbdev_unplugged(struct usbdev *d)
{
	bool u;

	usbdev_lock(d);
	u = d->unplugged;
	usbdev_unlock(d);
	return u;
}

void usbdev_stats(struct usbdev *d, struct usbdev_stats *st)
{
	usbdev_lock(d);
	*st = d->st;
	usbdev_unlock(d);
}

void usbdev_free(struct usbdev *d)
{
	if (!d)
		return;
	if (d->tb && d->handler)
		umockdev_testbed_detach_ioctl(d->tb, d->devnode, NULL);
	usbdev_lock(d);
	list_free(&d->pending, NULL);
	list_free(&d->done, NULL);
	usbdev_unlock(d);
	if (d->handler)
		g_object_unref(d->handler);
	pthread_mutex_destroy(&d->lock);
	free(d);
}
