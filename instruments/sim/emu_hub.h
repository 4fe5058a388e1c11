/* SPDX-License-Identifier: MIT */
/* Serving SCPI emulators out of process: each on a pseudo-terminal (as a
 * serial instrument) and/or a loopback TCP port (as a LAN instrument), with
 * one poll loop that also carries other fds (bert-sim's module sockets, its
 * signal pipe).
 *
 * Time: the hub keeps the plant's clock in step with real time. With a
 * virtual clock it advances it to speed x the real time elapsed since the
 * hub started (a reply due after an 100 ms averaging time leaves 100 ms /
 * speed later); with the monotonic clock speed must be 1.
 *
 * Thread safety: one thread runs emu_hub_run_once(); other threads may add
 * endpoints and set faults (a mutex guards the endpoint list). */
#ifndef BERT_INSTRUMENTS_SIM_EMU_HUB_H
#define BERT_INSTRUMENTS_SIM_EMU_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "instruments/sim/scpi_emu.h"

struct emu_hub;

int emu_hub_new(struct bert_clock *clock, double speed, struct emu_hub **out);
/* Closes every endpoint; the emulators stay the caller's. */
void emu_hub_free(struct emu_hub *h);

/* Serves e on a new pty: its slave path into path (e.g. /dev/pts/7). */
int emu_hub_add_pty(struct emu_hub *h, struct scpi_emu *e, char *path, size_t size);
/* Serves e on 127.0.0.1:*port (0 = any free port; the port taken is
 * written back). Like a LAN instrument's raw socket server it serves
 * EMU_HUB_TCP_CLIENTS client at a time: a connection beyond that is reset
 * at once and counted as refused (scpi_emu_stats); accepted ones count as
 * connections. */
int emu_hub_add_tcp(struct emu_hub *h, struct scpi_emu *e, uint16_t *port);
#define EMU_HUB_TCP_CLIENTS 1
/* How many TCP clients e serves at once (1..64; the bench key
 * `tcp_clients` of bert-sim serve). */
int emu_hub_set_max_clients(struct emu_hub *h, struct scpi_emu *e, unsigned n);
/* Serves e on an fd the caller already holds (a pty master from umockdev,
 * a socketpair end); the hub owns it from now on. */
int emu_hub_add_fd(struct emu_hub *h, struct scpi_emu *e, int fd);

/* Another fd to watch: cb runs when it is readable (or hung up); returning
 * non-zero drops the fd from the hub (cb must close it). */
typedef int (*emu_hub_cb)(void *ctx, int fd);
int emu_hub_watch(struct emu_hub *h, int fd, emu_hub_cb cb, void *ctx);

/* Transport faults, acted on when e next receives a line:
 * drop = its TCP connections are reset (RST); vanish = its pty and fd
 * endpoints are closed, as when a USB-serial adapter is unplugged. */
void emu_hub_fault_drop(struct emu_hub *h, struct scpi_emu *e);
void emu_hub_fault_vanish(struct emu_hub *h, struct scpi_emu *e);

/* One round: advance the clock, send due replies, wait for input up to
 * max_wait_ms (real time), handle it. Returns BERT_OK or an error. */
int emu_hub_run_once(struct emu_hub *h, int max_wait_ms);

#endif
