// SPDX-License-Identifier: MIT
/* The real (monotonic) and virtual clocks behind struct bert_clock; see
 * clock.h for the contract every wait in bert goes through. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"

/* Everything that blocks on a clock is a waiter on one list: plain sleeps
 * (wake = their time), event waits and lock requests (wake = their deadline,
 * BERT_CLOCK_NEVER without one). */
enum wait_kind { W_SLEEP, W_EVENT, W_LOCK };

struct sleeper {
	uint64_t wake;
	bool woken;
	int result;			/* BERT_OK, BERT_ERR_TIMEOUT */
	enum wait_kind kind;
	struct bert_clock_event *ev;
	struct bert_clock_lock *lk;
	unsigned key;
	uint64_t since;			/* when a lock was requested */
	struct sleeper *next;
};

struct bert_clock {
	bool is_virtual;
	/* monotonic */
	uint64_t origin;
	/* both: everything below is guarded by lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* virtual */
	uint64_t now;
	unsigned workers;        /* registered workers (and holds) */
	unsigned waiting;        /* workers blocked in a clock wait */
	struct sleeper *sleepers;
};

static atomic_bool abort_flag;
static _Thread_local const atomic_bool *thread_abort;

void bert_abort_request(void)
{
	atomic_store(&abort_flag, true);
}

void bert_abort_clear(void)
{
	atomic_store(&abort_flag, false);
}

bool bert_abort_requested(void)
{
	return atomic_load(&abort_flag) || (thread_abort && atomic_load(thread_abort));
}

void bert_abort_thread_flag(const atomic_bool *flag)
{
	thread_abort = flag;
}

static uint64_t mono_raw(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * BERT_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static struct bert_clock monotonic_clock = {
	.is_virtual = false,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};
static pthread_once_t monotonic_once = PTHREAD_ONCE_INIT;

static void monotonic_init(void)
{
	pthread_condattr_t attr;

	monotonic_clock.origin = mono_raw();
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&monotonic_clock.cond, &attr);
	pthread_condattr_destroy(&attr);
}

struct bert_clock *bert_clock_monotonic(void)
{
	pthread_once(&monotonic_once, monotonic_init);
	return &monotonic_clock;
}

struct bert_clock *bert_clock_virtual_new(void)
{
	struct bert_clock *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->is_virtual = true;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	return c;
}

void bert_clock_free(struct bert_clock *clock)
{
	if (!clock || !clock->is_virtual)
		return;
	pthread_cond_destroy(&clock->cond);
	pthread_mutex_destroy(&clock->lock);
	free(clock);
}

bool bert_clock_is_virtual(const struct bert_clock *clock)
{
	return clock->is_virtual;
}

static uint64_t now_locked(struct bert_clock *c)
{
	return c->is_virtual ? c->now : mono_raw() - c->origin;
}

uint64_t bert_clock_now(struct bert_clock *clock)
{
	uint64_t t;

	if (!clock->is_virtual)
		return mono_raw() - clock->origin;
	pthread_mutex_lock(&clock->lock);
	t = clock->now;
	pthread_mutex_unlock(&clock->lock);
	return t;
}

/* ---- waiters --------------------------------------------------------------- */

static void unlink_sleeper(struct bert_clock *c, struct sleeper *me)
{
	struct sleeper **pp;

	for (pp = &c->sleepers; *pp; pp = &(*pp)->next)
		if (*pp == me) {
			*pp = me->next;
			return;
		}
}

/* Releases a waiter: the releaser marks it woken and takes it out of the
 * waiting count itself, so no other thread can see a stale "everyone waits"
 * and advance time before it runs. */
static void release_locked(struct bert_clock *c, struct sleeper *s, int result)
{
	s->woken = true;
	s->result = result;
	unlink_sleeper(c, s);
	if (c->is_virtual)
		c->waiting--;
}

/* Round-robin distance of key after last: last+1 is 0, last itself is the
 * farthest. */
static unsigned rr_dist(unsigned key, unsigned last)
{
	return key - last - 1u;
}

static bool better(const struct bert_clock_lock *l, const struct sleeper *a,
		   const struct sleeper *b)
{
	unsigned last = l->granted_once ? l->last : UINT_MAX;

	if (l->policy == BERT_LOCK_FIFO && a->since != b->since)
		return a->since < b->since;
	return rr_dist(a->key, last) < rr_dist(b->key, last);
}

static void grant_locked(struct bert_clock *c, struct bert_clock_lock *l,
			 struct sleeper *s)
{
	uint64_t t = now_locked(c);

	l->held = true;
	l->holder = s->key;
	l->last = s->key;
	l->granted_once = true;
	l->grants++;
	l->wait_ns += t - s->since;
	l->held_since = t;
	release_locked(c, s, BERT_OK);
}

/* Grants every free lock that has requests to its best requester. Returns
 * how many were granted. */
static unsigned grant_free_locks(struct bert_clock *c)
{
	unsigned n = 0;
	bool again = true;

	while (again) {
		struct sleeper *s, *best = NULL;

		again = false;
		for (s = c->sleepers; s; s = s->next) {
			if (s->kind != W_LOCK || s->lk->held)
				continue;
			if (!best) {
				best = s;
				continue;
			}
			if (s->lk == best->lk && better(s->lk, s, best))
				best = s;
		}
		if (!best)
			break;
		/* best is the best waiter of the first free lock met; its lock's
		 * other waiters were all compared against it */
		grant_locked(c, best->lk, best);
		n++;
		again = true;
	}
	return n;
}

/* Called with the lock held, on the virtual clock: when every worker waits,
 * first hand free locks to their requesters (time stands still while a
 * grant can be made), then jump to the earliest deadline and release the
 * waiters due then. */
static void virtual_progress_locked(struct bert_clock *c)
{
	struct sleeper *s, *next;
	uint64_t earliest = BERT_CLOCK_NEVER;

	if (c->waiting < c->workers || !c->sleepers)
		return;
	if (grant_free_locks(c)) {
		pthread_cond_broadcast(&c->cond);
		return;
	}
	for (s = c->sleepers; s; s = s->next)
		if (s->wake < earliest)
			earliest = s->wake;
	if (earliest == BERT_CLOCK_NEVER)
		return;		/* everyone waits for something that is not time */
	if (earliest > c->now)
		c->now = earliest;
	for (s = c->sleepers; s; s = next) {
		next = s->next;
		if (s->wake <= c->now)
			release_locked(c, s, s->kind == W_SLEEP ? BERT_OK : BERT_ERR_TIMEOUT);
	}
	pthread_cond_broadcast(&c->cond);
}

static _Thread_local struct bert_clock *registered_on;

/* Queues me and blocks until released (virtual) or until released or the
 * deadline passes (monotonic). Lock held on entry and exit. */
static int wait_locked(struct bert_clock *c, struct sleeper *me)
{
	bool temp_worker = false;

	me->next = c->sleepers;
	c->sleepers = me;
	if (c->is_virtual) {
		temp_worker = registered_on != c;
		if (temp_worker)
			c->workers++;
		c->waiting++;
		virtual_progress_locked(c);
		while (!me->woken)
			pthread_cond_wait(&c->cond, &c->lock);
		if (temp_worker) {
			c->workers--;
			/* the others may all be waiting for this one to leave */
			virtual_progress_locked(c);
		}
		return me->result;
	}
	while (!me->woken) {
		if (me->wake == BERT_CLOCK_NEVER) {
			pthread_cond_wait(&c->cond, &c->lock);
		} else {
			uint64_t abs = c->origin + me->wake;
			struct timespec ts = {
				.tv_sec = (time_t)(abs / BERT_NS_PER_S),
				.tv_nsec = (long)(abs % BERT_NS_PER_S),
			};

			if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT &&
			    !me->woken) {
				release_locked(c, me, BERT_ERR_TIMEOUT);
				break;
			}
		}
	}
	return me->result;
}

static int virtual_sleep_until(struct bert_clock *c, uint64_t t)
{
	struct sleeper me = { .wake = t, .kind = W_SLEEP };

	pthread_mutex_lock(&c->lock);
	if (c->workers == 0) {
		if (t > c->now)
			c->now = t;
		pthread_mutex_unlock(&c->lock);
		return BERT_OK;
	}
	wait_locked(c, &me);
	pthread_mutex_unlock(&c->lock);
	return BERT_OK;
}

int bert_clock_sleep_until(struct bert_clock *clock, uint64_t t)
{
	struct timespec ts;
	uint64_t abs;
	int rc;

	if (bert_abort_requested())
		return BERT_ERR_ABORTED;
	if (clock->is_virtual) {
		virtual_sleep_until(clock, t);
		return bert_abort_requested() ? BERT_ERR_ABORTED : BERT_OK;
	}
	abs = clock->origin + t;
	ts.tv_sec = (time_t)(abs / BERT_NS_PER_S);
	ts.tv_nsec = (long)(abs % BERT_NS_PER_S);
	do {
		rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (bert_abort_requested())
			return BERT_ERR_ABORTED;
	} while (rc == EINTR);
	return BERT_OK;
}

int bert_clock_sleep(struct bert_clock *clock, uint64_t ns)
{
	return bert_clock_sleep_until(clock, bert_clock_now(clock) + ns);
}

void bert_clock_worker_add(struct bert_clock *clock)
{
	if (!clock->is_virtual)
		return;
	pthread_mutex_lock(&clock->lock);
	clock->workers++;
	registered_on = clock;
	pthread_mutex_unlock(&clock->lock);
}

void bert_clock_worker_remove(struct bert_clock *clock)
{
	if (!clock->is_virtual)
		return;
	pthread_mutex_lock(&clock->lock);
	if (clock->workers)
		clock->workers--;
	if (registered_on == clock)
		registered_on = NULL;
	/* The leaver may have been the last one running. */
	virtual_progress_locked(clock);
	pthread_mutex_unlock(&clock->lock);
}

void bert_clock_hold(struct bert_clock *clock)
{
	if (!clock->is_virtual)
		return;
	pthread_mutex_lock(&clock->lock);
	clock->workers++;
	pthread_mutex_unlock(&clock->lock);
}

void bert_clock_unhold(struct bert_clock *clock)
{
	if (!clock->is_virtual)
		return;
	pthread_mutex_lock(&clock->lock);
	if (clock->workers)
		clock->workers--;
	virtual_progress_locked(clock);
	pthread_mutex_unlock(&clock->lock);
}

/* ---- events ---------------------------------------------------------------- */

void bert_clock_event_init(struct bert_clock_event *ev)
{
	ev->set = false;
}

void bert_clock_event_set(struct bert_clock *c, struct bert_clock_event *ev)
{
	struct sleeper *s, *next;
	bool any = false;

	pthread_mutex_lock(&c->lock);
	ev->set = true;
	for (s = c->sleepers; s; s = next) {
		next = s->next;
		if (s->kind == W_EVENT && s->ev == ev) {
			release_locked(c, s, BERT_OK);
			any = true;
		}
	}
	if (any)
		pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

void bert_clock_event_clear(struct bert_clock *c, struct bert_clock_event *ev)
{
	pthread_mutex_lock(&c->lock);
	ev->set = false;
	pthread_mutex_unlock(&c->lock);
}

bool bert_clock_event_is_set(struct bert_clock *c, struct bert_clock_event *ev)
{
	bool set;

	pthread_mutex_lock(&c->lock);
	set = ev->set;
	pthread_mutex_unlock(&c->lock);
	return set;
}

int bert_clock_event_wait(struct bert_clock *c, struct bert_clock_event *ev,
			  uint64_t deadline)
{
	struct sleeper me = { .wake = deadline, .kind = W_EVENT, .ev = ev };
	int rc;

	if (bert_abort_requested())
		return BERT_ERR_ABORTED;
	pthread_mutex_lock(&c->lock);
	if (ev->set) {
		rc = BERT_OK;
	} else if (deadline <= now_locked(c)) {
		rc = BERT_ERR_TIMEOUT;
	} else {
		rc = wait_locked(c, &me);
	}
	pthread_mutex_unlock(&c->lock);
	if (bert_abort_requested())
		return BERT_ERR_ABORTED;
	return rc;
}

/* ---- locks ----------------------------------------------------------------- */

void bert_clock_lock_init(struct bert_clock_lock *l, enum bert_clock_lock_policy policy)
{
	*l = (struct bert_clock_lock){ .policy = policy };
}

int bert_clock_lock_acquire(struct bert_clock *c, struct bert_clock_lock *l,
			    unsigned key, uint64_t deadline)
{
	struct sleeper me = { .wake = deadline, .kind = W_LOCK, .lk = l, .key = key };
	int rc;

	if (bert_abort_requested())
		return BERT_ERR_ABORTED;
	pthread_mutex_lock(&c->lock);
	me.since = now_locked(c);
	if (!c->is_virtual && !l->held) {
		/* monotonic: a free lock is granted at once */
		grant_locked(c, l, &me);
		pthread_mutex_unlock(&c->lock);
		return BERT_OK;
	}
	if (l->held)
		l->contended++;
	rc = wait_locked(c, &me);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void bert_clock_lock_release(struct bert_clock *c, struct bert_clock_lock *l)
{
	pthread_mutex_lock(&c->lock);
	if (l->held) {
		l->held = false;
		l->held_ns += now_locked(c) - l->held_since;
	}
	if (c->is_virtual) {
		virtual_progress_locked(c);
	} else if (grant_free_locks(c)) {
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
}

void bert_clock_lock_snapshot(struct bert_clock *c, const struct bert_clock_lock *l,
			      struct bert_clock_lock *out)
{
	pthread_mutex_lock(&c->lock);
	*out = *l;
	pthread_mutex_unlock(&c->lock);
}
