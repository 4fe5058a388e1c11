// SPDX-License-Identifier: MIT
/* The `sim:` transport over the emulator registry (scpi_sim.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/bench.h"
#include "instruments/instr.h"
#include "instruments/scpi.h"
#include "instruments/scpi_sim.h"
#include "instruments/sim/scpi_emu.h"

#define SIM_NAME_MAX 64
#define SIM_BENCH_MAX 512

/* One emulated instrument: on a bench of the registry (bench != NULL, a
 * reference held) or on the test plant / default bench (bench NULL). */
struct sim_entry {
	char name[SIM_NAME_MAX];
	char bench_key[SIM_BENCH_MAX];	/* "" = the default binding */
	struct sim_bench *bench;
	struct emu_plant plant;
	struct scpi_emu *emu;
	unsigned refs;			/* open connections + kept */
	bool kept;
	atomic_bool unplugged;		/* set from any thread (a test's hook) */
	atomic_int fault_req;		/* 1 + enum emu_fault to set, 0 = none */
	struct sim_entry *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_entry *entries;
static bool have_test_plant;
static struct emu_plant test_plant;
static struct sim_bench *default_bench;	/* a registry reference */

static void entry_free(struct sim_entry *e)
{
	scpi_emu_free(e->emu);
	if (e->bench)
		fixture_sim_shared_put(e->bench);
	free(e);
}

static void unlink_locked(struct sim_entry *x)
{
	struct sim_entry **pp;

	for (pp = &entries; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			return;
		}
}

static void put_locked(struct sim_entry *e)
{
	if (--e->refs)
		return;
	unlink_locked(e);
	entry_free(e);
}

/* Drops the kept entries of the default binding (open ones stay). */
static void drop_default_locked(void)
{
	struct sim_entry *e, *next;

	for (e = entries; e; e = next) {
		next = e->next;
		if (!e->bench_key[0] && e->kept) {
			e->kept = false;
			put_locked(e);
		}
	}
}

void scpi_sim_set_plant(const struct emu_plant *plant)
{
	pthread_mutex_lock(&lock);
	drop_default_locked();
	have_test_plant = plant != NULL;
	if (plant)
		test_plant = *plant;
	pthread_mutex_unlock(&lock);
}

void scpi_sim_reset(void)
{
	struct sim_entry *e, *next;

	pthread_mutex_lock(&lock);
	for (e = entries; e; e = next) {
		next = e->next;
		if (e->kept) {
			e->kept = false;
			put_locked(e);
		}
	}
	have_test_plant = false;
	if (default_bench && !entries) {
		fixture_sim_shared_put(default_bench);
		default_bench = NULL;
	}
	pthread_mutex_unlock(&lock);
}

/* "NAME[@BENCH]" into its parts. */
static int split_arg(const char *arg, char *name, char *bench)
{
	const char *at = strchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);

	if (!n)
		return bert_fail(BERT_ERR_CONFIG, "sim:%s: expected sim:NAME[@BENCH] (a bench "
				 "instrument)", arg);
	if (n >= SIM_NAME_MAX || (at && strlen(at + 1) >= SIM_BENCH_MAX))
		return bert_fail(BERT_ERR_CONFIG, "sim:%s: name too long", arg);
	memcpy(name, arg, n);
	name[n] = '\0';
	snprintf(bench, SIM_BENCH_MAX, "%s", at ? at + 1 : "");
	if (at && !bench[0])
		return bert_fail(BERT_ERR_CONFIG, "sim:%s: empty bench after '@'", arg);
	return BERT_OK;
}

static int plant_of(const char *bench_key, struct sim_bench **bench, struct emu_plant *p)
{
	int rc;

	*bench = NULL;
	if (!bench_key[0]) {
		if (have_test_plant) {
			*p = test_plant;
			return BERT_OK;
		}
		if (!default_bench) {
			rc = fixture_sim_shared_bench(NULL, &default_bench);
			if (rc)
				return bert_fail_ctx(rc, "sim: the default bench: ");
		}
		*p = emu_plant_of_bench(default_bench);
		return BERT_OK;
	}
	rc = fixture_sim_shared_bench(bench_key, bench);
	if (rc)
		return bert_fail_ctx(rc, "sim:...@%s: no such bench: ", bench_key);
	*p = emu_plant_of_bench(*bench);
	return BERT_OK;
}

/* Locked: the entry of arg with a new reference. */
static int get_locked(const char *arg, struct sim_entry **out)
{
	char name[SIM_NAME_MAX], key[SIM_BENCH_MAX];
	struct sim_entry *e;
	int rc;

	rc = split_arg(arg, name, key);
	if (rc)
		return rc;
	for (e = entries; e; e = e->next)
		if (!strcmp(e->name, name) && !strcmp(e->bench_key, key)) {
			e->refs++;
			*out = e;
			return BERT_OK;
		}
	e = calloc(1, sizeof(*e));
	if (!e)
		return bert_fail(BERT_ERR_NOMEM, "sim");
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->bench_key, sizeof(e->bench_key), "%s", key);
	rc = plant_of(key, &e->bench, &e->plant);
	if (!rc && !e->plant.ops->get(e->plant.ctx, name, "type") &&
	    !e->plant.ops->get(e->plant.ctx, name, "model"))
		rc = bert_fail(BERT_ERR_NODEV, "sim:%s: the bench has no [instrument %s]",
			       arg, name);
	if (!rc)
		rc = scpi_emu_new(&e->plant, name, &e->emu);
	if (rc) {
		entry_free(e);
		return rc;
	}
	/* the default binding keeps its emulators between opens */
	e->kept = !key[0];
	e->refs = e->kept ? 2 : 1;
	e->next = entries;
	entries = e;
	*out = e;
	return BERT_OK;
}

/* The entry of arg, created on first use and kept until scpi_sim_reset()
 * (the reference get_locked() took becomes the kept one, once). */
static int keep_locked(const char *arg, struct sim_entry **out)
{
	int rc = get_locked(arg, out);

	if (!rc) {
		if ((*out)->kept)
			(*out)->refs--;
		else
			(*out)->kept = true;
	}
	return rc;
}

int scpi_sim_emu(const char *arg, struct scpi_emu **out)
{
	struct sim_entry *e;
	int rc;

	pthread_mutex_lock(&lock);
	rc = keep_locked(arg, &e);
	if (!rc)
		*out = e->emu;
	pthread_mutex_unlock(&lock);
	return rc;
}

int scpi_sim_set_fault(const char *arg, const char *fault)
{
	static const struct {
		const char *name;
		enum emu_fault f;
		bool unplugged;
	} faults[] = {
		{ "none", EMU_FAULT_NONE, false },
		{ "silent", EMU_FAULT_SILENT, false },
		{ "garbage", EMU_FAULT_GARBAGE, false },
		{ "unplugged", EMU_FAULT_NONE, true },
	};
	struct sim_entry *e;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(faults); i++)
		if (!strcmp(fault, faults[i].name))
			break;
	if (i == ARRAY_SIZE(faults))
		return bert_fail(BERT_ERR_ARG, "sim:%s: fault '%s' is not none, silent, "
				 "garbage or unplugged", arg, fault);
	pthread_mutex_lock(&lock);
	rc = keep_locked(arg, &e);
	if (!rc) {
		atomic_store(&e->unplugged, faults[i].unplugged);
		/* the connection's thread sets the reply fault at its next
		 * command: the emulator is not shared between threads */
		if (!faults[i].unplugged)
			atomic_store(&e->fault_req, 1 + (int)faults[i].f);
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

int scpi_sim_set_unplugged(const char *arg, bool unplugged)
{
	struct sim_entry *e;
	int rc;

	pthread_mutex_lock(&lock);
	rc = keep_locked(arg, &e);
	if (!rc)
		atomic_store(&e->unplugged, unplugged);
	pthread_mutex_unlock(&lock);
	return rc;
}

int scpi_sim_bind(const char *uri, const char *bench, char *out, size_t size)
{
	struct instr_uri u;
	const char *t, *hash;
	int rc, n;

	rc = instr_uri_parse(uri, &u);
	if (rc)
		return rc;
	if (!bench || !bench[0] || strncmp(u.transport, "sim:", 4) ||
	    strchr(u.transport, '@')) {
		n = snprintf(out, size, "%s", uri);
	} else {
		t = strstr(uri, u.transport);
		hash = strchr(t, '#');
		n = snprintf(out, size, "%.*s@%s%s", (int)(t - uri) + (int)strlen(u.transport),
			     uri, bench, hash ? hash : "");
	}
	if (n < 0 || (size_t)n >= size)
		return bert_fail(BERT_ERR_CONFIG, "instrument '%s': URI too long", uri);
	return BERT_OK;
}

struct scpi_sim {
	struct sim_entry *e;
	uint8_t buf[SCPI_LINE_MAX];
	size_t len, pos;	/* reply being consumed by recv_block */
	bool have;
};

static int unplugged(struct scpi_dev *d)
{
	struct scpi_sim *s = d->priv;

	return bert_fail(BERT_ERR_NODEV, "sim:%s: instrument unplugged", s->e->name);
}

static int sim_open(struct scpi_dev *d, const char *arg)
{
	struct scpi_sim *s = d->priv;
	int rc;

	pthread_mutex_lock(&lock);
	rc = get_locked(arg, &s->e);
	if (!rc && atomic_load(&s->e->unplugged)) {
		put_locked(s->e);
		s->e = NULL;
		rc = bert_fail(BERT_ERR_NODEV, "sim:%s: no such port (unplugged)", arg);
	}
	if (!rc) {
		d->clock = s->e->plant.clock;
		scpi_emu_count_connection(s->e->emu);
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static void sim_close(struct scpi_dev *d)
{
	struct scpi_sim *s = d->priv;

	if (!s->e)
		return;
	pthread_mutex_lock(&lock);
	put_locked(s->e);
	pthread_mutex_unlock(&lock);
	s->e = NULL;
}

static int sim_send(struct scpi_dev *d, const char *cmd)
{
	struct scpi_sim *s = d->priv;
	int f;

	if (atomic_load(&s->e->unplugged))
		return unplugged(d);
	f = atomic_exchange(&s->e->fault_req, 0);
	if (f)
		scpi_emu_set_fault(s->e->emu, (enum emu_fault)(f - 1));
	scpi_emu_input(s->e->emu, cmd);
	return BERT_OK;
}

/* Waits on the clock for the next reply, up to deadline. */
static int next_reply(struct scpi_dev *d, uint64_t deadline)
{
	struct scpi_sim *s = d->priv;
	uint64_t t;
	int rc;

	if (s->have)
		return BERT_OK;
	if (atomic_load(&s->e->unplugged))
		return unplugged(d);
	t = scpi_emu_next_ready(s->e->emu);
	if (t > deadline) {
		rc = bert_clock_sleep_until(d->clock, deadline);
		return rc ? rc : bert_fail(BERT_ERR_TIMEOUT, "sim:%s: no reply", s->e->name);
	}
	rc = bert_clock_sleep_until(d->clock, t);
	if (rc)
		return rc;
	if (atomic_load(&s->e->unplugged))
		return unplugged(d);
	if (!scpi_emu_output(s->e->emu, bert_clock_now(d->clock), s->buf, sizeof(s->buf),
			     &s->len))
		return bert_fail(BERT_ERR_INTERNAL, "sim: reply not ready when due");
	s->pos = 0;
	s->have = true;
	return BERT_OK;
}

static int sim_recv_line(struct scpi_dev *d, char *buf, size_t size, uint64_t deadline)
{
	struct scpi_sim *s = d->priv;
	size_t n;
	int rc = next_reply(d, deadline);

	if (rc)
		return rc;
	n = s->len - s->pos;
	s->have = false;
	if (n >= size)
		return bert_fail(BERT_ERR_PROTOCOL, "sim: reply longer than %zu bytes", size - 1);
	memcpy(buf, s->buf + s->pos, n);
	buf[n] = '\0';
	return (int)n;
}

static int sim_recv_block(struct scpi_dev *d, uint8_t *buf, size_t len, uint64_t deadline)
{
	struct scpi_sim *s = d->priv;
	int rc;

	while (len) {
		size_t k;

		rc = next_reply(d, deadline);
		if (rc)
			return rc;
		k = s->len - s->pos;
		if (k > len)
			k = len;
		memcpy(buf, s->buf + s->pos, k);
		s->pos += k;
		buf += k;
		len -= k;
		if (s->pos == s->len && len) {
			/* the terminator: a line break inside binary data */
			*buf++ = '\n';
			len--;
			s->have = false;
		}
	}
	/* When the data ended the message, its terminator is left for the
	 * recv_line that follows (an empty line). */
	return BERT_OK;
}

static int sim_clear(struct scpi_dev *d)
{
	struct scpi_sim *s = d->priv;
	size_t n;

	s->have = false;
	while (scpi_emu_output(s->e->emu, UINT64_MAX, s->buf, sizeof(s->buf), &n))
		;
	return BERT_OK;
}

const struct scpi_transport_ops scpi_sim_ops = {
	.prefix = "sim",
	.summary = "emulated instrument of a virtual bench, sim:NAME[@BENCH]",
	.priv_size = sizeof(struct scpi_sim),
	.open = sim_open,
	.send = sim_send,
	.recv_line = sim_recv_line,
	.recv_block = sim_recv_block,
	.clear = sim_clear,
	.close = sim_close,
};
