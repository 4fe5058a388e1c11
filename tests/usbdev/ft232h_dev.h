/* SPDX-License-Identifier: MIT */
/* Test support (not in libbert): an FTDI FT232H / FT2232H / FT4232H at the
 * usbdevfs ioctl level under umockdev, so that unmodified libusb 1.0 and
 * libftdi1 1.5, and bert's fixtures/ftdi_port_libftdi.c above them, run for
 * real against the emulated MPSSE chip (fixtures/sim/mpsse_engine.c).
 *
 * - sysfs: the device node /dev/bus/usb/001/NNN with the device and
 *   configuration descriptors (USB 2.0 section 9.6: VID 0403, PID 6014 /
 *   6010 / 6011, bcdDevice 0x0900 / 0x0700 / 0x0800, one interface per
 *   port A..D, bulk IN 0x81 + 2i and OUT 0x02 + 2i, 512-byte packets) and
 *   the string descriptors (manufacturer, product, serial) over control
 *   transfers.
 * - Control: the standard GET_DESCRIPTOR / GET_STATUS / GET_CONFIGURATION
 *   and the FTDI vendor requests libftdi1 sends (SIO reset and purges,
 *   modem control, flow control, baud rate, line data, event / error char,
 *   set / get latency timer, set bitmode, read pins, poll modem status,
 *   EEPROM read); anything else, or a value the chip does not take, stalls
 *   (EPIPE) and is counted in `refused`.
 * - Bulk OUT bytes go to the interface's MPSSE engine; a bulk IN answers in
 *   512-byte packets each starting with the two modem-status bytes, the
 *   transfer ending at the first short packet. With nothing to send the
 *   chip answers after one latency period with the status bytes only (the
 *   engine charges that period on the virtual clock).
 * - Unplug: every pending URB completes with -ENODEV and every later ioctl
 *   on that node fails ENODEV; the udev "remove" event is sent and the
 *   device leaves sysfs. Plug again: the same serial at the next address.
 *
 * The ioctl handler runs on umockdev's worker thread; all state is behind
 * one mutex. The engines and what hangs behind them are the caller's. */
#ifndef BERT_TESTS_USBDEV_FT232H_DEV_H
#define BERT_TESTS_USBDEV_FT232H_DEV_H

#include <stdint.h>
#include <umockdev.h>

#include "fixtures/mpsse.h"
#include "fixtures/sim/mpsse_engine.h"

#define FT232H_DEV_MAX_IFACES 4

struct ft232h_dev;

/* What crossed the emulated bus, by URB type. */
struct ft232h_stats {
	uint64_t urbs_control;
	uint64_t urbs_bulk_out;
	uint64_t urbs_bulk_in;
	uint64_t out_packets;		/* 512-byte-max packets in bulk OUT URBs */
	uint64_t in_packets;		/* 512-byte-max packets in bulk IN URBs */
	uint64_t in_status_only;	/* IN packets with the status bytes only */
	uint64_t bytes_out;		/* bulk OUT payload */
	uint64_t bytes_in;		/* bulk IN payload, status bytes excluded */
	uint64_t usb_round_trips;	/* bulk IN URBs following >= 1 bulk OUT */
	uint64_t refused;		/* stalled requests, bad endpoints */
	uint64_t claims;		/* CLAIMINTERFACE calls (opens) */
	uint64_t nodev;			/* ioctls failed / URBs ended ENODEV */
	uint64_t plugs, unplugs;
};

/* chip: MPSSE_FT232H (1 port), MPSSE_FT2232H (2), MPSSE_FT4232H (4);
 * engines[i] serves port i (NULL: the port answers its bulk transfers
 * with nothing, as a port with no engine wired). The device is not plugged
 * yet. NULL on failure. */
struct ft232h_dev *ft232h_dev_new(UMockdevTestbed *tb, enum mpsse_chip chip,
				  const char *serial,
				  struct mpsse_engine *const engines[FT232H_DEV_MAX_IFACES]);
/* Detaches the handler; the testbed stays the caller's. */
void ft232h_dev_free(struct ft232h_dev *d);

/* Adds the device to sysfs at the next device address (1-1, bus 1) and
 * answers its node. 0, or -1 with a message on stderr. */
int ft232h_dev_plug(struct ft232h_dev *d);
/* Now: URBs fail ENODEV, the remove uevent, the device leaves sysfs. Must
 * run on the thread that owns the testbed (not in the handler). */
void ft232h_dev_unplug(struct ft232h_dev *d);
/* Unplug after `urbs` more bulk URBs (0 disarms): the URB that reaches the
 * count and all after it fail ENODEV at once (on the handler thread); the
 * sysfs side follows on the default GMainContext (ft232h_dev_unplug). */
void ft232h_dev_arm_unplug(struct ft232h_dev *d, unsigned urbs);
/* True while plugged (and not unplugged by an armed count). */
int ft232h_dev_plugged(struct ft232h_dev *d);
/* "/dev/bus/usb/001/002" of the current (or last) plug. */
const char *ft232h_dev_node(struct ft232h_dev *d);

/* cb runs on the handler thread before (after = 0) and after (1) each bulk
 * URB is answered: an emulated board updates the pins the chip samples, a
 * runner keeps its clock in step with the host's. */
void ft232h_dev_on_bulk(struct ft232h_dev *d, void (*cb)(void *user, int after), void *user);

void ft232h_dev_stats(struct ft232h_dev *d, struct ft232h_stats *st);

/* Re-executes the program (argv) under umockdev's preload library, added
 * to LD_PRELOAD behind what is there (a sanitizer runtime stays first),
 * unless it already runs under it: the testbed's uevents and ioctls reach
 * only preloaded programs. Returns 0 when already preloaded; -1 when the
 * re-exec failed, LD_PRELOAD as it was. */
int ft232h_reexec_preloaded(char **argv);

#endif
