// SPDX-License-Identifier: MIT
/* The clock-aware primitives (bert/core/clock.h): events, fair locks and
 * holds on the virtual clock with several workers. Every test runs its
 * scenario several times and requires the same timeline each time: the
 * outcome depends on station time and keys, never on thread scheduling. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "common.h"

#define MS BERT_NS_PER_MS
#define REPEAT 8

/* ---- events ------------------------------------------------------------- */

struct ev_arg {
	struct bert_clock *c;
	struct bert_clock_event *ev;
	pthread_barrier_t *start;
	uint64_t delay, deadline;
	uint64_t t_done;
	int rc;
};

static void *ev_setter(void *p)
{
	struct ev_arg *a = p;

	bert_clock_worker_add(a->c);
	pthread_barrier_wait(a->start);
	bert_clock_sleep(a->c, a->delay);
	bert_clock_event_set(a->c, a->ev);
	a->t_done = bert_clock_now(a->c);
	/* keeps running on the clock after setting */
	bert_clock_sleep(a->c, 50 * MS);
	bert_clock_worker_remove(a->c);
	return NULL;
}

static void *ev_waiter(void *p)
{
	struct ev_arg *a = p;

	bert_clock_worker_add(a->c);
	pthread_barrier_wait(a->start);
	a->rc = bert_clock_event_wait(a->c, a->ev, a->deadline);
	a->t_done = bert_clock_now(a->c);
	bert_clock_worker_remove(a->c);
	return NULL;
}

static void run_event(uint64_t set_at, uint64_t deadline, int *rc, uint64_t *t_wake,
		      uint64_t *t_end)
{
	struct bert_clock *c = bert_clock_virtual_new();
	struct bert_clock_event ev;
	pthread_barrier_t start;
	struct ev_arg s = { .c = c, .ev = &ev, .delay = set_at };
	struct ev_arg w = { .c = c, .ev = &ev, .deadline = deadline };
	pthread_t ts, tw;

	bert_clock_event_init(&ev);
	pthread_barrier_init(&start, NULL, 2);
	s.start = w.start = &start;
	pthread_create(&ts, NULL, ev_setter, &s);
	pthread_create(&tw, NULL, ev_waiter, &w);
	pthread_join(ts, NULL);
	pthread_join(tw, NULL);
	*rc = w.rc;
	*t_wake = w.t_done;
	*t_end = bert_clock_now(c);
	pthread_barrier_destroy(&start);
	bert_clock_free(c);
}

START_TEST(test_event_set_before_deadline)
{
	unsigned i;

	for (i = 0; i < REPEAT; i++) {
		int rc;
		uint64_t wake, end;

		/* set at 300 ms, deadline 1 s: woken at exactly 300 ms, and the
		 * clock never ran to the deadline */
		run_event(300 * MS, 1000 * MS, &rc, &wake, &end);
		ck_assert_int_eq(rc, BERT_OK);
		ck_assert_uint_eq(wake, 300 * MS);
		ck_assert_uint_eq(end, 350 * MS);
	}
}
END_TEST

START_TEST(test_event_deadline)
{
	unsigned i;

	for (i = 0; i < REPEAT; i++) {
		int rc;
		uint64_t wake, end;

		run_event(2000 * MS, 700 * MS, &rc, &wake, &end);
		ck_assert_int_eq(rc, BERT_ERR_TIMEOUT);
		ck_assert_uint_eq(wake, 700 * MS);
		ck_assert_uint_eq(end, 2050 * MS);
	}
}
END_TEST

START_TEST(test_event_no_worker)
{
	struct bert_clock *c = bert_clock_virtual_new();
	struct bert_clock_event ev;

	bert_clock_event_init(&ev);
	/* nobody to set it: the wait is a sleep to the deadline */
	ck_assert_int_eq(bert_clock_event_wait(c, &ev, 5 * MS), BERT_ERR_TIMEOUT);
	ck_assert_uint_eq(bert_clock_now(c), 5 * MS);
	ck_assert_int_eq(bert_clock_event_wait(c, &ev, 1 * MS), BERT_ERR_TIMEOUT);
	bert_clock_event_set(c, &ev);
	ck_assert(bert_clock_event_is_set(c, &ev));
	ck_assert_int_eq(bert_clock_event_wait(c, &ev, BERT_CLOCK_NEVER), BERT_OK);
	bert_clock_event_clear(c, &ev);
	ck_assert(!bert_clock_event_is_set(c, &ev));
	ck_assert_uint_eq(bert_clock_now(c), 5 * MS);
	bert_clock_free(c);
}
END_TEST

/* ---- locks ---------------------------------------------------------------- */

#define NW 5
#define LOG_MAX 256

struct log {
	pthread_mutex_t mu;
	unsigned n;
	unsigned key[LOG_MAX];
	uint64_t t[LOG_MAX];
};

static void log_add(struct log *lg, unsigned key, uint64_t t)
{
	pthread_mutex_lock(&lg->mu);
	if (lg->n < LOG_MAX) {
		lg->key[lg->n] = key;
		lg->t[lg->n] = t;
		lg->n++;
	}
	pthread_mutex_unlock(&lg->mu);
}

struct lk_arg {
	struct bert_clock *c;
	struct bert_clock_lock *lk;
	struct log *log;
	pthread_barrier_t *start;
	unsigned key, uses;
	uint64_t hold, gap;		/* held per use; own work between uses */
	bool uses_lock;			/* false: a site with its own instrument */
	uint64_t seen[32];
	uint64_t t_end;
};

static void *lk_worker(void *p)
{
	struct lk_arg *a = p;
	unsigned i;

	bert_clock_worker_add(a->c);
	pthread_barrier_wait(a->start);
	for (i = 0; i < a->uses; i++) {
		if (a->uses_lock) {
			ck_assert_int_eq(bert_clock_lock_acquire(a->c, a->lk, a->key,
								 BERT_CLOCK_NEVER), BERT_OK);
			log_add(a->log, a->key, bert_clock_now(a->c));
		}
		bert_clock_sleep(a->c, a->hold);
		if (a->uses_lock)
			bert_clock_lock_release(a->c, a->lk);
		a->seen[i] = bert_clock_now(a->c);
		bert_clock_sleep(a->c, a->gap);
	}
	a->t_end = bert_clock_now(a->c);
	bert_clock_worker_remove(a->c);
	return NULL;
}

/* NW workers on one lock (the last one, key NW, has its own instrument and
 * never takes it). */
static void run_locks(enum bert_clock_lock_policy pol, struct log *lg,
		      struct lk_arg *out, struct bert_clock_lock *lk_out)
{
	struct bert_clock *c = bert_clock_virtual_new();
	struct bert_clock_lock lk;
	pthread_barrier_t start;
	pthread_t th[NW];
	unsigned i;

	bert_clock_lock_init(&lk, pol);
	memset(lg, 0, sizeof(*lg));
	pthread_mutex_init(&lg->mu, NULL);
	pthread_barrier_init(&start, NULL, NW);
	for (i = 0; i < NW; i++) {
		out[i] = (struct lk_arg){
			.c = c, .lk = &lk, .log = lg, .start = &start,
			.key = i + 1, .uses = 6,
			.hold = 100 * MS,			/* a meter read */
			.gap = (i + 1) * 30 * MS,		/* own work differs */
			.uses_lock = i + 1 < NW,
		};
		pthread_create(&th[i], NULL, lk_worker, &out[i]);
	}
	for (i = 0; i < NW; i++)
		pthread_join(th[i], NULL);
	bert_clock_lock_snapshot(c, &lk, lk_out);
	pthread_barrier_destroy(&start);
	pthread_mutex_destroy(&lg->mu);
	bert_clock_free(c);
}

static void check_locks_deterministic(enum bert_clock_lock_policy pol)
{
	static struct log ref, lg;
	struct lk_arg a_ref[NW], a[NW];
	struct bert_clock_lock st;
	unsigned r, i, k;

	run_locks(pol, &ref, a_ref, &st);
	ck_assert_uint_eq(ref.n, (NW - 1) * 6);
	ck_assert_uint_eq(st.grants, (NW - 1) * 6);
	/* grants never overlap: one 100 ms use after the other */
	for (i = 1; i < ref.n; i++)
		ck_assert_uint_ge(ref.t[i], ref.t[i - 1] + 100 * MS);
	/* the first round goes in key order at t = 0, 100, 200, 300 ms */
	for (i = 0; i < NW - 1; i++) {
		ck_assert_uint_eq(ref.key[i], i + 1);
		ck_assert_uint_eq(ref.t[i], i * 100 * MS);
	}
	/* every user progresses: between two grants of one key, each other
	 * waiting key gets at most one (fairness) */
	for (k = 1; k < NW; k++) {
		unsigned last = UINT32_MAX;

		for (i = 0; i < ref.n; i++) {
			if (ref.key[i] != k)
				continue;
			if (last != UINT32_MAX)
				ck_assert_uint_le(i - last, NW - 1);
			last = i;
		}
	}
	/* the site with its own instrument never waits: exact multiples */
	for (i = 0; i < 6; i++)
		ck_assert_uint_eq(a_ref[NW - 1].seen[i],
				  100 * MS + i * (100 + NW * 30) * MS);
	for (r = 0; r < REPEAT; r++) {
		run_locks(pol, &lg, a, &st);
		ck_assert_uint_eq(lg.n, ref.n);
		for (i = 0; i < ref.n; i++) {
			ck_assert_uint_eq(lg.key[i], ref.key[i]);
			ck_assert_uint_eq(lg.t[i], ref.t[i]);
		}
		for (i = 0; i < NW; i++)
			ck_assert_uint_eq(a[i].t_end, a_ref[i].t_end);
	}
}

START_TEST(test_lock_fifo_deterministic)
{
	check_locks_deterministic(BERT_LOCK_FIFO);
}
END_TEST

START_TEST(test_lock_rr_deterministic)
{
	check_locks_deterministic(BERT_LOCK_ROUND_ROBIN);
}
END_TEST

/* Round robin with every user re-requesting at once: strict rotation. */
START_TEST(test_lock_rr_rotation)
{
	struct bert_clock *c = bert_clock_virtual_new();
	struct bert_clock_lock lk;
	static struct log lg;
	pthread_barrier_t start;
	struct lk_arg a[3];
	pthread_t th[3];
	unsigned i;

	bert_clock_lock_init(&lk, BERT_LOCK_ROUND_ROBIN);
	memset(&lg, 0, sizeof(lg));
	pthread_mutex_init(&lg.mu, NULL);
	pthread_barrier_init(&start, NULL, 3);
	for (i = 0; i < 3; i++) {
		a[i] = (struct lk_arg){ .c = c, .lk = &lk, .log = &lg, .start = &start,
					.key = 3 - i, .uses = 4, .hold = 10 * MS,
					.uses_lock = true };
		pthread_create(&th[i], NULL, lk_worker, &a[i]);
	}
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(lg.n, 12);
	for (i = 0; i < 12; i++) {
		ck_assert_uint_eq(lg.key[i], i % 3 + 1);
		ck_assert_uint_eq(lg.t[i], i * 10 * MS);
	}
	pthread_barrier_destroy(&start);
	pthread_mutex_destroy(&lg.mu);
	bert_clock_free(c);
}
END_TEST

struct to_arg {
	struct bert_clock *c;
	struct bert_clock_lock *lk;
	pthread_barrier_t *start;
	int rc;
	uint64_t t;
};

static void *to_holder(void *p)
{
	struct to_arg *a = p;

	bert_clock_worker_add(a->c);
	pthread_barrier_wait(a->start);
	/* both ask at t = 0: key 1 is first on a fresh lock */
	ck_assert_int_eq(bert_clock_lock_acquire(a->c, a->lk, 1, BERT_CLOCK_NEVER), BERT_OK);
	bert_clock_sleep(a->c, 1000 * MS);
	bert_clock_lock_release(a->c, a->lk);
	bert_clock_worker_remove(a->c);
	return NULL;
}

static void *to_waiter(void *p)
{
	struct to_arg *a = p;

	bert_clock_worker_add(a->c);
	pthread_barrier_wait(a->start);
	a->rc = bert_clock_lock_acquire(a->c, a->lk, 2, 500 * MS);
	a->t = bert_clock_now(a->c);
	bert_clock_worker_remove(a->c);
	return NULL;
}

START_TEST(test_lock_timeout)
{
	struct bert_clock *c = bert_clock_virtual_new();
	struct bert_clock_lock lk;
	pthread_barrier_t start;
	struct to_arg h = { .c = c, .lk = &lk }, w = { .c = c, .lk = &lk };
	pthread_t t1, t2;

	bert_clock_lock_init(&lk, BERT_LOCK_FIFO);
	pthread_barrier_init(&start, NULL, 2);
	h.start = w.start = &start;
	pthread_create(&t1, NULL, to_holder, &h);
	pthread_create(&t2, NULL, to_waiter, &w);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ck_assert_int_eq(w.rc, BERT_ERR_TIMEOUT);
	ck_assert_uint_eq(w.t, 500 * MS);
	ck_assert(!lk.held);
	ck_assert_uint_eq(lk.grants, 1);
	pthread_barrier_destroy(&start);
	bert_clock_free(c);
}
END_TEST

/* ---- holds and per-thread abort --------------------------------------------- */

struct hold_arg {
	struct bert_clock *c;
	pthread_barrier_t *reg;
	unsigned key;
	uint64_t t_start, t_end;
};

static void *hold_worker(void *p)
{
	struct hold_arg *a = p;

	bert_clock_worker_add(a->c);
	pthread_barrier_wait(a->reg);
	a->t_start = bert_clock_now(a->c);
	bert_clock_sleep(a->c, a->key * 10 * MS);
	a->t_end = bert_clock_now(a->c);
	bert_clock_worker_remove(a->c);
	return NULL;
}

START_TEST(test_hold)
{
	unsigned r, i;

	for (r = 0; r < REPEAT; r++) {
		struct bert_clock *c = bert_clock_virtual_new();
		pthread_barrier_t reg;
		struct hold_arg a[3];
		pthread_t th[3];

		/* time stands still until every worker is in */
		bert_clock_hold(c);
		pthread_barrier_init(&reg, NULL, 4);
		for (i = 0; i < 3; i++) {
			a[i] = (struct hold_arg){ .c = c, .reg = &reg, .key = i + 1 };
			pthread_create(&th[i], NULL, hold_worker, &a[i]);
		}
		pthread_barrier_wait(&reg);
		bert_clock_unhold(c);
		for (i = 0; i < 3; i++)
			pthread_join(th[i], NULL);
		for (i = 0; i < 3; i++) {
			ck_assert_uint_eq(a[i].t_start, 0);
			ck_assert_uint_eq(a[i].t_end, (i + 1) * 10 * MS);
		}
		pthread_barrier_destroy(&reg);
		bert_clock_free(c);
	}
}
END_TEST

static atomic_bool site_abort;

static void *abort_worker(void *p)
{
	struct bert_clock *c = p;
	intptr_t rc;

	bert_abort_thread_flag(&site_abort);
	rc = bert_clock_sleep(c, 1);
	bert_abort_thread_flag(NULL);
	return (void *)rc;
}

START_TEST(test_thread_abort)
{
	struct bert_clock *c = bert_clock_virtual_new();
	pthread_t th;
	void *ret;

	atomic_store(&site_abort, true);
	pthread_create(&th, NULL, abort_worker, c);
	pthread_join(th, &ret);
	ck_assert_int_eq((int)(intptr_t)ret, BERT_ERR_ABORTED);
	/* this thread is not concerned */
	ck_assert_int_eq(bert_clock_sleep(c, 1), BERT_OK);
	atomic_store(&site_abort, false);
	bert_clock_free(c);
}
END_TEST

START_TEST(test_monotonic_primitives)
{
	struct bert_clock *c = bert_clock_monotonic();
	struct bert_clock_lock lk;
	struct bert_clock_event ev;

	bert_clock_lock_init(&lk, BERT_LOCK_FIFO);
	ck_assert_int_eq(bert_clock_lock_acquire(c, &lk, 1, BERT_CLOCK_NEVER), BERT_OK);
	ck_assert(lk.held);
	/* held: a second requester times out at its (past) deadline */
	ck_assert_int_eq(bert_clock_lock_acquire(c, &lk, 2, bert_clock_now(c)),
			 BERT_ERR_TIMEOUT);
	bert_clock_lock_release(c, &lk);
	ck_assert(!lk.held);
	bert_clock_event_init(&ev);
	ck_assert_int_eq(bert_clock_event_wait(c, &ev, bert_clock_now(c) + 1000),
			 BERT_ERR_TIMEOUT);
	bert_clock_event_set(c, &ev);
	ck_assert_int_eq(bert_clock_event_wait(c, &ev, BERT_CLOCK_NEVER), BERT_OK);
}
END_TEST

Suite *suite_clock(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_event_set_before_deadline);
	tcase_add_test(tc, test_event_deadline);
	tcase_add_test(tc, test_event_no_worker);
	tcase_add_test(tc, test_lock_fifo_deterministic);
	tcase_add_test(tc, test_lock_rr_deterministic);
	tcase_add_test(tc, test_lock_rr_rotation);
	tcase_add_test(tc, test_lock_timeout);
	tcase_add_test(tc, test_hold);
	tcase_add_test(tc, test_thread_abort);
	tcase_add_test(tc, test_monotonic_primitives);
	suite_add_tcase(s, tc);
	return s;
}
