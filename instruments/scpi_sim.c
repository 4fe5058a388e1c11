// SPDX-License-Identifier: MIT
/* The `sim:` transport over the emulator registry (scpi_sim.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "fixtures/sim/bench.h"
#include "instruments/scpi.h"
#include "instruments/scpi_sim.h"

#define MAX_EMUS 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	bool have_plant;
	struct emu_plant plant;
	struct sim_bench *own_bench;	/* loaded here, freed by reset */
	struct bert_clock *own_clock;
	struct scpi_emu *emu[MAX_EMUS];
	unsigned n;
} reg;

static void drop_locked(void)
{
	unsigned i;

	for (i = 0; i < reg.n; i++)
		scpi_emu_free(reg.emu[i]);
	reg.n = 0;
	reg.have_plant = false;
	if (reg.own_bench) {
		sim_bench_free(reg.own_bench);
		bert_clock_free(reg.own_clock);
		reg.own_bench = NULL;
		reg.own_clock = NULL;
	}
}

static struct sim_bench *bound_bench;
static unsigned bound_refs;

void scpi_sim_set_plant(const struct emu_plant *plant)
{
	pthread_mutex_lock(&lock);
	if (!plant || plant->ctx != bound_bench) {
		bound_bench = NULL;
		bound_refs = 0;
	}
	drop_locked();
	if (plant) {
		reg.plant = *plant;
		reg.have_plant = true;
	}
	pthread_mutex_unlock(&lock);
}

/* Binding the bench already bound keeps its emulators and counts a
 * reference; unbinding drops them when the last reference goes, so sites
 * of one shared bench (bertd) open and close without disturbing each
 * other. */
void scpi_sim_set_bench(struct sim_bench *b)
{
	struct emu_plant p;

	pthread_mutex_lock(&lock);
	if (b && b == bound_bench && reg.have_plant) {
		bound_refs++;
		pthread_mutex_unlock(&lock);
		return;
	}
	if (!b && bound_refs > 1) {
		bound_refs--;
		pthread_mutex_unlock(&lock);
		return;
	}
	bound_bench = b;
	bound_refs = b ? 1 : 0;
	pthread_mutex_unlock(&lock);
	if (!b) {
		scpi_sim_set_plant(NULL);
		return;
	}
	p = emu_plant_of_bench(b);
	scpi_sim_set_plant(&p);
}

void scpi_sim_reset(void)
{
	pthread_mutex_lock(&lock);
	bound_bench = NULL;
	bound_refs = 0;
	drop_locked();
	pthread_mutex_unlock(&lock);
}

static int emu_get_locked(const char *name, struct scpi_emu **out)
{
	unsigned i;
	int rc;

	if (!reg.have_plant) {
		reg.own_clock = bert_clock_virtual_new();
		if (!reg.own_clock)
			return bert_fail(BERT_ERR_NOMEM, "sim");
		rc = sim_bench_load(NULL, reg.own_clock, &reg.own_bench);
		if (rc) {
			bert_clock_free(reg.own_clock);
			reg.own_clock = NULL;
			return rc;
		}
		reg.plant = emu_plant_of_bench(reg.own_bench);
		reg.have_plant = true;
	}
	for (i = 0; i < reg.n; i++)
		if (!strcmp(scpi_emu_instr(reg.emu[i]), name)) {
			*out = reg.emu[i];
			return BERT_OK;
		}
	if (reg.n == MAX_EMUS)
		return bert_fail(BERT_ERR_CONFIG, "sim: more than %d instruments", MAX_EMUS);
	if (!reg.plant.ops->get(reg.plant.ctx, name, "type") &&
	    !reg.plant.ops->get(reg.plant.ctx, name, "model"))
		return bert_fail(BERT_ERR_NODEV, "sim:%s: the bench has no [instrument %s]",
				 name, name);
	rc = scpi_emu_new(&reg.plant, name, &reg.emu[reg.n]);
	if (rc)
		return rc;
	*out = reg.emu[reg.n++];
	return BERT_OK;
}

int scpi_sim_emu(const char *name, struct scpi_emu **out)
{
	int rc;

	pthread_mutex_lock(&lock);
	rc = emu_get_locked(name, out);
	pthread_mutex_unlock(&lock);
	return rc;
}

struct scpi_sim {
	struct scpi_emu *emu;
	uint8_t buf[SCPI_LINE_MAX];
	size_t len, pos;	/* reply being consumed by recv_block */
	bool have;
};

static int sim_open(struct scpi_dev *d, const char *arg)
{
	struct scpi_sim *s = d->priv;
	int rc;

	if (!arg[0])
		return bert_fail(BERT_ERR_CONFIG, "sim: expected sim:NAME (a bench instrument)");
	pthread_mutex_lock(&lock);
	rc = emu_get_locked(arg, &s->emu);
	if (!rc)
		d->clock = reg.plant.clock;
	pthread_mutex_unlock(&lock);
	return rc;
}

static int sim_send(struct scpi_dev *d, const char *cmd)
{
	struct scpi_sim *s = d->priv;

	scpi_emu_input(s->emu, cmd);
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
	t = scpi_emu_next_ready(s->emu);
	if (t > deadline) {
		rc = bert_clock_sleep_until(d->clock, deadline);
		return rc ? rc : bert_fail(BERT_ERR_TIMEOUT, "sim:%s: no reply",
					   scpi_emu_instr(s->emu));
	}
	rc = bert_clock_sleep_until(d->clock, t);
	if (rc)
		return rc;
	if (!scpi_emu_output(s->emu, bert_clock_now(d->clock), s->buf, sizeof(s->buf),
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
	while (scpi_emu_output(s->emu, UINT64_MAX, s->buf, sizeof(s->buf), &n))
		;
	return BERT_OK;
}

const struct scpi_transport_ops scpi_sim_ops = {
	.prefix = "sim",
	.summary = "emulated instrument of the in-process bench, sim:NAME",
	.priv_size = sizeof(struct scpi_sim),
	.open = sim_open,
	.send = sim_send,
	.recv_line = sim_recv_line,
	.recv_block = sim_recv_block,
	.clear = sim_clear,
};
