/* SPDX-License-Identifier: MIT */
/* Everything that waits in bert waits through a struct bert_clock: module
 * state durations, I2C bus time, USB round trips, VOA settling, meter
 * averaging, BER gating. Two implementations:
 *
 *  - monotonic: CLOCK_MONOTONIC and real sleeps (hardware);
 *  - virtual: discrete-event time shared by every thread of the process.
 *    Time only moves when every registered worker is waiting on the clock;
 *    it then jumps to the earliest wake-up. With no registered worker, a
 *    sleep simply advances time. Runs are therefore deterministic, and minutes
 *    of station time pass in microseconds of wall time.
 *
 * Times are nanoseconds since the clock was created.
 */
#ifndef BERT_CORE_CLOCK_H
#define BERT_CORE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define BERT_NS_PER_US 1000ull
#define BERT_NS_PER_MS 1000000ull
#define BERT_NS_PER_S  1000000000ull

struct bert_clock;

/* The process-wide monotonic clock (never freed). */
struct bert_clock *bert_clock_monotonic(void);
/* A new virtual clock at t = 0; NULL on allocation failure. */
struct bert_clock *bert_clock_virtual_new(void);
/* Frees a virtual clock; no-op for the monotonic one and NULL. */
void bert_clock_free(struct bert_clock *clock);
bool bert_clock_is_virtual(const struct bert_clock *clock);

uint64_t bert_clock_now(struct bert_clock *clock);
/* Sleep for ns / until t. Returns BERT_OK, or BERT_ERR_ABORTED when an abort
 * was requested (before or during the wait). */
int bert_clock_sleep(struct bert_clock *clock, uint64_t ns);
int bert_clock_sleep_until(struct bert_clock *clock, uint64_t t);

/* Discrete-event bookkeeping (virtual clock; no-ops on the monotonic one).
 * A thread that takes part in a multi-worker run registers itself before its
 * first wait and removes itself when done. A thread that sleeps without being
 * registered while workers exist counts as a worker for that one sleep.
 * Blocking on anything but the clock (mutex, queue) while registered would
 * stall time: such waits must go through clock-aware primitives. */
void bert_clock_worker_add(struct bert_clock *clock);
void bert_clock_worker_remove(struct bert_clock *clock);

/* Process-wide abort request (Ctrl-C, daemon abort): every clock wait
 * returns BERT_ERR_ABORTED while it is set. Async-signal-safe. */
void bert_abort_request(void);
void bert_abort_clear(void);
bool bert_abort_requested(void);

#endif
