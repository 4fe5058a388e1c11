/* SPDX-License-Identifier: MIT */
/* A USBTMC / USB488 instrument at the usbdevfs level (usbdev.h): the USB
 * side of an instrument's firmware, written from USB Test and Measurement
 * Class Specification 1.0 and its USB488 subclass 1.0, with the instrument
 * itself behind it as a SCPI line stream: a TCP connection to one of
 * `bert-sim serve`'s endpoints, so the SCPI emulator behind USB is the same
 * one the TCP and serial tests talk to. Test support only. */
#ifndef BERT_TESTS_USBTMC_DEV_H
#define BERT_TESTS_USBTMC_DEV_H

#include <stdint.h>
#include <stdio.h>
#include <umockdev.h>

struct usbtmc_dev_cfg {
	uint16_t vid, pid;
	const char *manufacturer, *product, *serial;
	int backend_fd;		/* connected SCPI stream; the device owns it */
	unsigned hold_reply;	/* >0: the Nth reply is lost (the host times out) */
	unsigned unplug_at;	/* >0: unplugged when answering the Nth IN request */
	unsigned max_in;	/* >0: at most this many payload bytes per Bulk-IN
				 * transfer, so replies span several transfers */
	unsigned wmax;		/* bulk wMaxPacketSize: 8, 16, 32 or 64 (default) */
	unsigned stall_out;	/* >0: the Nth DEV_DEP_MSG_OUT is refused (halt) */
};

struct usbtmc_dev;

int usbtmc_dev_new(UMockdevTestbed *tb, const struct usbtmc_dev_cfg *cfg,
		   struct usbtmc_dev **out);
void usbtmc_dev_free(struct usbtmc_dev *t);
/* Every counter as one JSON object (one line). */
void usbtmc_dev_counters_json(struct usbtmc_dev *t, FILE *f);

#endif
