// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"

struct sleeper {
	uint64_t wake;
	bool woken;
	struct sleeper *next;
};

struct bert_clock {
	bool is_virtual;
	/* monotonic */
	uint64_t origin;
	/* virtual: everything below is guarded by lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t now;
	unsigned workers;        /* registered workers */
	unsigned waiting;        /* workers blocked in a clock wait */
	struct sleeper *sleepers;
};

static atomic_bool abort_flag;

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
	return atomic_load(&abort_flag);
}

static uint64_t mono_raw(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * BERT_NS_PER_S + (uint64_t)ts.tv_nsec;
}

static struct bert_clock monotonic_clock = { .is_virtual = false };
static pthread_once_t monotonic_once = PTHREAD_ONCE_INIT;

static void monotonic_init(void)
{
	monotonic_clock.origin = mono_raw();
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

/* Called with the lock held: when every worker waits, jump to the earliest
 * wake-up and release the sleepers due then. The releaser marks them woken and
 * takes them out of the waiting count itself, so no other thread can see a
 * stale "everyone waits" and advance a second time before they run. */
static void virtual_advance_locked(struct bert_clock *c)
{
	struct sleeper **pp, *s;
	uint64_t earliest = UINT64_MAX;

	if (c->waiting < c->workers || !c->sleepers)
		return;
	for (s = c->sleepers; s; s = s->next)
		if (s->wake < earliest)
			earliest = s->wake;
	if (earliest > c->now)
		c->now = earliest;
	for (pp = &c->sleepers; (s = *pp);) {
		if (s->wake <= c->now) {
			s->woken = true;
			*pp = s->next;
			c->waiting--;
		} else {
			pp = &s->next;
		}
	}
	pthread_cond_broadcast(&c->cond);
}

static _Thread_local struct bert_clock *registered_on;

static int virtual_sleep_until(struct bert_clock *c, uint64_t t)
{
	struct sleeper me = { .wake = t };
	bool temp_worker;

	pthread_mutex_lock(&c->lock);
	if (c->workers == 0) {
		if (t > c->now)
			c->now = t;
		pthread_mutex_unlock(&c->lock);
		return BERT_OK;
	}
	temp_worker = registered_on != c;
	if (temp_worker)
		c->workers++;
	me.next = c->sleepers;
	c->sleepers = &me;
	c->waiting++;
	virtual_advance_locked(c);
	while (!me.woken)
		pthread_cond_wait(&c->cond, &c->lock);
	if (temp_worker)
		c->workers--;
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
	virtual_advance_locked(clock);
	pthread_mutex_unlock(&clock->lock);
}
