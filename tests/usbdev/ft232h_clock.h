/* SPDX-License-Identifier: MIT */
/* The time page ft232h_run shares with the programs it runs (read by
 * ft232h_clock_shim.c): their CLOCK_MONOTONIC is base_ns + virt_ns, and
 * virt_ns is the emulated adapter's virtual clock. */
#ifndef BERT_TESTS_USBDEV_FT232H_CLOCK_H
#define BERT_TESTS_USBDEV_FT232H_CLOCK_H

#include <stdint.h>

struct ft232h_clock_page {
	uint64_t base_ns;	/* real CLOCK_MONOTONIC when the runner started */
	uint64_t virt_ns;	/* virtual time since then, only ever grows */
};

#endif
