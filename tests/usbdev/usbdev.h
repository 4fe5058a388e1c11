/* SPDX-License-Identifier: MIT */
/* A USB device emulated at the Linux usbdevfs interface under umockdev: the
 * device node /dev/bus/usb/BBB/DDD answers the ioctls libusb's Linux backend
 * sends (linux/usbdevice_fs.h: SUBMITURB, REAPURBNDELAY, DISCARDURB,
 * CONTROL, CLAIMINTERFACE, RELEASEINTERFACE, DISCONNECT_CLAIM, CLEAR_HALT,
 * GET_CAPABILITIES, ...), its descriptors sit in the testbed's sysfs as the
 * kernel publishes them (the `descriptors` attribute: the device descriptor
 * followed by the configuration descriptors, USB 2.0 section 9.6), and a
 * device model behind struct usbdev_ops answers the transfers.
 *
 * Test support only: not part of libbert. The ioctl handler runs in
 * umockdev's worker thread; every model op is called with the device lock
 * held, and usbdev_lock() / usbdev_unlock() take it for readers outside. */
#ifndef BERT_TESTS_USBDEV_H
#define BERT_TESTS_USBDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <umockdev.h>

struct usbdev;

/* The 8-byte SETUP packet (USB 2.0 section 9.3). */
struct usbdev_setup {
	uint8_t bmRequestType, bRequest;
	uint16_t wValue, wIndex, wLength;
};

struct usbdev_ops {
	/* A control transfer. IN: fill data (wLength bytes of room), return the
	 * bytes sent. OUT: data holds wLength bytes, return 0. -EPIPE stalls
	 * the request, as a device answers one it does not support. */
	int (*control)(void *ctx, const struct usbdev_setup *s, uint8_t *data);
	/* The data of one OUT URB to ep: 0, or -EPIPE (endpoint halted). */
	int (*out)(void *ctx, uint8_t ep, const uint8_t *data, size_t len);
	/* An IN URB of len bytes pending on ep: bytes delivered (the URB
	 * completes, at a short packet or full), -EAGAIN (the device NAKs, the
	 * URB stays pending), or -EPIPE (halted). */
	int (*in)(void *ctx, uint8_t ep, uint8_t *buf, size_t len);
	/* CLEAR_FEATURE(ENDPOINT_HALT) on ep; 0 or -EINVAL. */
	int (*clear_halt)(void *ctx, uint8_t ep);
	/* Called on every REAP the host makes, before pending IN URBs are
	 * offered to in(): the model's chance to pull data from its back end. */
	void (*poll)(void *ctx);
	/* Optional. Nothing to reap but IN URBs pending: wait up to ms for
	 * the back end to have data (an fd poll), so a host waiting for a
	 * reply does not spin at full speed through REAPURBNDELAY. */
	void (*wait)(void *ctx, int ms);
};

struct usbdev_stats {
	unsigned opens;		/* device node opens */
	unsigned claims;	/* successful interface claims */
	unsigned claims_refused;	/* claim of an interface another open holds */
	unsigned releases;
	unsigned urbs;		/* URBs submitted */
	unsigned discarded;	/* URBs the host cancelled (DISCARDURB) */
	unsigned bad_ioctls;	/* requests the device does not know, or refused */
};

/* Adds the device to tb at /dev/bus/usb/BBB/DDD (busnum, devnum) with the
 * descriptors blob (device descriptor then configuration descriptor; the
 * first configuration is the active one) and the sysfs string attributes
 * manufacturer / product / serial (NULL: none). */
int usbdev_new(UMockdevTestbed *tb, unsigned busnum, unsigned devnum,
	       const uint8_t *desc, size_t desc_len, const char *manufacturer,
	       const char *product, const char *serial, unsigned speed_mbps,
	       const struct usbdev_ops *ops, void *ctx, struct usbdev **out);
void usbdev_free(struct usbdev *d);
/* The device goes away: its pending URBs complete with -ESHUTDOWN and can
 * be reaped, every other ioctl fails with ENODEV. Call with the lock held (from a
 * model op) or not (from outside). */
void usbdev_unplug(struct usbdev *d);
void usbdev_unplug_locked(struct usbdev *d);
bool usbdev_unplugged(struct usbdev *d);
void usbdev_stats(struct usbdev *d, struct usbdev_stats *st);
void usbdev_lock(struct usbdev *d);
void usbdev_unlock(struct usbdev *d);

#endif
