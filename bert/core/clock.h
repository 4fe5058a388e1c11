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

#include <stdatomic.h>
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

/* Holds time still without a thread: counts as a registered worker that
 * never waits. A daemon takes a hold while it starts several workers, each
 * of which registers itself, so they all begin at the same instant; then
 * drops it. No-ops on the monotonic clock. */
void bert_clock_hold(struct bert_clock *clock);
void bert_clock_unhold(struct bert_clock *clock);

/* ---- clock-aware waiting -------------------------------------------------
 *
 * A registered worker blocked in one of these counts as waiting, so the
 * virtual clock keeps moving for the others (a plain mutex or condition
 * would stall it). Every object belongs to one clock and is guarded by the
 * clock's own lock; objects are plain structs the caller embeds and inits.
 * Deadlines are clock times; BERT_CLOCK_NEVER waits without one. On the
 * monotonic clock the same calls block on real time. */
#define BERT_CLOCK_NEVER UINT64_MAX

/* An event: a flag one thread sets and another waits for ("wait until event
 * or time"). Setting it releases its waiters at once: they stop counting
 * as waiting in the same critical section, so time cannot pass the instant
 * it was set before they run. The flag stays set until cleared. */
struct bert_clock_event {
	bool set;
};
void bert_clock_event_init(struct bert_clock_event *ev);
void bert_clock_event_set(struct bert_clock *clock, struct bert_clock_event *ev);
void bert_clock_event_clear(struct bert_clock *clock, struct bert_clock_event *ev);
bool bert_clock_event_is_set(struct bert_clock *clock, struct bert_clock_event *ev);
/* BERT_OK when the event is (or becomes) set, BERT_ERR_TIMEOUT when the
 * clock reaches deadline first, BERT_ERR_ABORTED when an abort is requested
 * on entry or at wake-up. */
int bert_clock_event_wait(struct bert_clock *clock, struct bert_clock_event *ev,
			  uint64_t deadline);

/* A lock for a shared resource (an instrument several workers use), with a
 * fair, deterministic grant. Each requester names itself with a key (a site
 * number; distinct requesters use distinct keys).
 *
 * On the virtual clock a lock is never granted on the spot: requests wait
 * and are decided only when the clock is quiescent (every registered worker
 * waits), before time may advance. So every request made at the same
 * station time is in the queue when the choice is made, and the choice
 * depends on station times and keys only, never on thread scheduling:
 *
 *   BERT_LOCK_FIFO         earliest request first; requests of the same
 *                          instant in round-robin key order after the last
 *                          holder;
 *   BERT_LOCK_ROUND_ROBIN  the next waiting key after the last holder.
 *
 * On the monotonic clock a free lock is granted at once and a released one
 * handed to the next waiter by the same rules. Holding a lock while waiting
 * on the clock is the point (a meter read holds the meter over its
 * averaging time); waiting for a lock while holding another one is allowed
 * when every worker takes them in the same order. */
enum bert_clock_lock_policy {
	BERT_LOCK_FIFO = 0,
	BERT_LOCK_ROUND_ROBIN,
};
struct bert_clock_lock {
	enum bert_clock_lock_policy policy;
	bool held;
	unsigned holder;	/* key of the holder while held */
	unsigned last;		/* key of the last grant */
	bool granted_once;
	/* statistics */
	uint64_t grants;	/* acquisitions */
	uint64_t contended;	/* acquisitions that found it held */
	uint64_t wait_ns;	/* station time spent waiting, summed */
	uint64_t held_ns;	/* station time held, summed */
	uint64_t held_since;
};
void bert_clock_lock_init(struct bert_clock_lock *l, enum bert_clock_lock_policy policy);
/* BERT_OK when granted, BERT_ERR_TIMEOUT at deadline (not granted),
 * BERT_ERR_ABORTED when an abort is requested on entry (not queued). */
int bert_clock_lock_acquire(struct bert_clock *clock, struct bert_clock_lock *l,
			    unsigned key, uint64_t deadline);
/* Releases a lock the caller holds. */
void bert_clock_lock_release(struct bert_clock *clock, struct bert_clock_lock *l);
/* A consistent copy of the lock (statistics) under the clock's lock. */
void bert_clock_lock_snapshot(struct bert_clock *clock, const struct bert_clock_lock *l,
			      struct bert_clock_lock *out);

/* Process-wide abort request (Ctrl-C, daemon abort): every clock wait
 * returns BERT_ERR_ABORTED while it is set. Async-signal-safe. */
void bert_abort_request(void);
void bert_abort_clear(void);
/* True when the process-wide abort or the calling thread's flag is set. */
bool bert_abort_requested(void);
/* Per-thread abort (one daemon site): while flag (NULL = none) is set,
 * every clock wait of the calling thread returns BERT_ERR_ABORTED as for a
 * process-wide abort. The flag is the caller's and outlives the thread's
 * use of it. */
void bert_abort_thread_flag(const atomic_bool *flag);

#endif
