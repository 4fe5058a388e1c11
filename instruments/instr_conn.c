// SPDX-License-Identifier: MIT
/* Instrument connections, their channel handles and a station's pool of
 * them (instr.h): one transport per instrument, reopened once after a
 * fault for all its users. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_PREFIX "instr"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "instruments/instr.h"
#include "instruments/instr_internal.h"

#define POOL_MAX 64

struct instr_conn {
	pthread_mutex_t mu;		/* the fields below */
	pthread_mutex_t io;		/* exchanges, on the monotonic clock */
	unsigned refs;
	char name[64];
	char key[256];
	struct instr_uri u;		/* model, transport, default address */
	struct scpi_dev *dev;
	const struct instr_model *model;
	struct scpi_idn idn;
	unsigned epoch;			/* bumped when the link is lost */
	bool lost, reopening;
	unsigned opens;
	char why[160];			/* what lost it */
};

static bool idn_match(const struct instr_model *m, const struct scpi_idn *idn)
{
	unsigned i, j;

	for (i = 0; m->vendors[i]; i++)
		if (!strcasecmp(m->vendors[i], idn->vendor))
			for (j = 0; m->models[j]; j++)
				if (!strcasecmp(m->models[j], idn->model))
					return true;
	return false;
}

static const char *kind_name(enum instr_kind k)
{
	return k == INSTR_VOA ? "an attenuator" : k == INSTR_OPM ? "a power meter" :
	       "an optical switch";
}

int instr_conn_key(const char *uri, char *key, size_t size)
{
	struct instr_uri u;
	int rc = instr_uri_parse(uri, &u);

	if (!rc)
		snprintf(key, size, "%s", u.transport);
	return rc;
}

/* *IDN? and the model table it picks (or the named one must answer). */
static int identify(struct instr_conn *c)
{
	const struct instr_model *const *mp;
	const struct instr_model *m = NULL;
	struct scpi_idn idn;
	char list[512];
	int rc;

	rc = scpi_idn(c->dev, &idn);
	if (rc)
		return rc;
	if (c->u.model[0]) {
		m = instr_model_find(c->u.model);
	} else {
		for (mp = instr_models; *mp && !m; mp++)
			if (idn_match(*mp, &idn))
				m = *mp;
		if (!m)
			return bert_fail(BERT_ERR_UNSUPPORTED, "%s: unknown instrument '%s %s'; "
					 "supported: %s (or name the model: MODEL:%s)",
					 c->u.transport, idn.vendor, idn.model,
					 instr_models_list(list, sizeof(list)), c->u.transport);
	}
	if (c->model && m != c->model)
		return bert_fail(BERT_ERR_PROTOCOL, "%s: after reopening it is a %s %s, "
				 "not the %s %s it was", c->name, idn.vendor, idn.model,
				 c->idn.vendor, c->idn.model);
	if (c->model && strcmp(idn.serial, c->idn.serial))
		log_warn("%s: serial number changed from %s to %s on reopening", c->name,
			 c->idn.serial, idn.serial);
	c->model = m;
	c->idn = idn;
	return BERT_OK;
}

int instr_conn_open(const char *name, const char *uri, struct bert_clock *clock,
		    struct instr_conn **out)
{
	struct instr_conn *c;
	char list[512];
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return bert_fail(BERT_ERR_NOMEM, "instrument");
	rc = instr_uri_parse(uri, &c->u);
	if (rc) {
		free(c);
		return rc;
	}
	if (c->u.model[0] && !instr_model_find(c->u.model)) {
		rc = bert_fail(BERT_ERR_CONFIG, "instrument model '%s' unknown; supported: %s",
			       c->u.model, instr_models_list(list, sizeof(list)));
		free(c);
		return rc;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->io, NULL);
	c->refs = 1;
	snprintf(c->name, sizeof(c->name), "%s", name ? name : uri);
	snprintf(c->key, sizeof(c->key), "%s", c->u.transport);
	rc = scpi_open(c->u.transport, clock, &c->dev);
	if (!rc) {
		c->opens = 1;
		rc = identify(c);
	}
	if (rc) {
		instr_conn_put(c);
		return rc;
	}
	if (c->u.has_slot && !c->model->slot_addressing) {
		rc = bert_fail(BERT_ERR_CONFIG, "%s: %s has no slots (use #chan=N)", uri,
			       c->model->name);
		instr_conn_put(c);
		return rc;
	}
	log_dbg("%s: %s %s %s fw %s as %s", c->name, c->idn.vendor, c->idn.model,
		c->idn.serial, c->idn.firmware, c->model->name);
	*out = c;
	return BERT_OK;
}

static struct instr_conn *instr_conn_ref(struct instr_conn *c)
{
	pthread_mutex_lock(&c->mu);
	c->refs++;
	pthread_mutex_unlock(&c->mu);
	return c;
}

void instr_conn_put(struct instr_conn *c)
{
	unsigned left;

	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	left = --c->refs;
	pthread_mutex_unlock(&c->mu);
	if (left)
		return;
	scpi_close(c->dev);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->io);
	free(c);
}

const char *instr_conn_name(const struct instr_conn *c)
{
	return c->name;
}

const struct scpi_idn *instr_conn_idn(const struct instr_conn *c)
{
	return &c->idn;
}

unsigned instr_conn_opens(const struct instr_conn *c)
{
	return c->opens;
}

/* The one reopen after a fault, made by the first new handle; the state
 * lock is not held over the exchange (it waits on the clock). */
static int reopen(struct instr_conn *c)
{
	int rc;

	pthread_mutex_lock(&c->mu);
	if (!c->lost) {
		pthread_mutex_unlock(&c->mu);
		return BERT_OK;
	}
	if (c->reopening) {
		pthread_mutex_unlock(&c->mu);
		return bert_fail(BERT_ERR_AGAIN, "instrument %s: being reopened", c->name);
	}
	c->reopening = true;
	pthread_mutex_unlock(&c->mu);
	rc = scpi_reopen(c->dev);
	if (!rc)
		rc = identify(c);
	pthread_mutex_lock(&c->mu);
	c->reopening = false;
	c->opens++;
	if (!rc) {
		c->lost = false;
		log_info("%s: reconnected after: %s", c->name, c->why);
	}
	pthread_mutex_unlock(&c->mu);
	return rc ? bert_fail_ctx(rc, "instrument %s (lost: %s): ", c->name, c->why) :
		    BERT_OK;
}

/* Channels of the model *IDN? named (an N7752A has 2 attenuators, an
 * N7764A 4), else the table's bound. */
static unsigned model_chans(const struct instr_conn *c)
{
	const struct instr_model *m = c->model;
	unsigned i;

	for (i = 0; m->model_chans && m->models[i]; i++)
		if (!strcasecmp(m->models[i], c->idn.model) && m->model_chans[i])
			return m->model_chans[i];
	return m->max_chan ? m->max_chan : 64;
}

int instr_channel(struct instr_conn *c, enum instr_kind kind, unsigned chan,
		  struct instr **out)
{
	struct instr *in;
	bool explicit_chan;
	int rc;

	*out = NULL;
	explicit_chan = chan != 0;
	rc = reopen(c);
	if (rc)
		return rc;
	if (!(c->model->kinds & kind))
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: a %s (%s %s) is not %s", c->name,
				 c->model->name, c->idn.vendor, c->idn.model, kind_name(kind));
	if (!chan)
		chan = c->u.chan;
	if (kind != INSTR_OSW && chan > model_chans(c))
		return bert_fail(BERT_ERR_CONFIG, "%s: %s %s has channels 1..%u, not %u",
				 c->name, c->idn.vendor, c->idn.model, model_chans(c), chan);
	in = calloc(1, sizeof(*in));
	if (!in)
		return bert_fail(BERT_ERR_NOMEM, "instrument");
	in->conn = instr_conn_ref(c);
	in->dev = c->dev;
	in->model = c->model;
	in->idn = c->idn;
	in->kind = kind;
	in->slot = c->u.slot;
	in->chan = chan;
	if (c->model->slot_addressing && !c->u.has_slot && explicit_chan) {
		/* a mainframe's station channel n is its module in slot n (one
		 * channel per module, as an 81577A VOA); with #slot= in the
		 * URI the channels are those of that slot (dual sensors) */
		in->slot = chan;
		in->chan = 1;
	}
	pthread_mutex_lock(&c->mu);
	in->epoch = c->epoch;
	pthread_mutex_unlock(&c->mu);
	*out = in;
	return BERT_OK;
}

int instr_open(const char *uri, enum instr_kind kind, struct bert_clock *clock,
	       struct instr **out)
{
	struct instr_conn *c;
	int rc;

	*out = NULL;
	rc = instr_conn_open(NULL, uri, clock, &c);
	if (rc)
		return rc;
	rc = instr_channel(c, kind, 0, out);
	instr_conn_put(c);
	return rc;
}

void instr_close(struct instr *in)
{
	if (!in)
		return;
	instr_conn_put(in->conn);
	free(in);
}

static bool serialised(const struct instr_conn *c)
{
	return !bert_clock_is_virtual(c->dev->clock);
}

int instr_enter(struct instr *in)
{
	struct instr_conn *c = in->conn;
	int rc = BERT_OK;

	pthread_mutex_lock(&c->mu);
	if (in->epoch != c->epoch)
		rc = bert_fail(BERT_ERR_NODEV, "instrument %s: connection lost (%s); "
			       "reconnected on the next run", c->name, c->why);
	pthread_mutex_unlock(&c->mu);
	if (!rc && serialised(c))
		pthread_mutex_lock(&c->io);
	return rc;
}

int instr_leave(struct instr *in, int rc)
{
	struct instr_conn *c = in->conn;

	if (serialised(c))
		pthread_mutex_unlock(&c->io);
	if (rc != BERT_ERR_NODEV && rc != BERT_ERR_IO)
		return rc;
	pthread_mutex_lock(&c->mu);
	if (in->epoch == c->epoch) {
		c->epoch++;
		c->lost = true;
		snprintf(c->why, sizeof(c->why), "%.150s", bert_error_detail());
		log_warn("%s: connection lost: %s", c->name, c->why);
	}
	pthread_mutex_unlock(&c->mu);
	return bert_fail_ctx(rc, "instrument %s: ", c->name);
}

/* ---- the pool -------------------------------------------------------------- */

struct instr_pool {
	pthread_mutex_t mu;
	struct instr_conn *conn[POOL_MAX];
	bool opening[POOL_MAX];
	char key[POOL_MAX][256];
	char model[POOL_MAX][32];
	unsigned n;
};

int instr_pool_new(struct instr_pool **out)
{
	struct instr_pool *p = calloc(1, sizeof(*p));

	*out = p;
	if (!p)
		return bert_fail(BERT_ERR_NOMEM, "instrument pool");
	pthread_mutex_init(&p->mu, NULL);
	return BERT_OK;
}

void instr_pool_free(struct instr_pool *p)
{
	unsigned i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		instr_conn_put(p->conn[i]);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* The pool lock is never held over an exchange (opening waits on the
 * clock): a slot is reserved, the connection opened outside the lock. */
unsigned instr_pool_count(struct instr_pool *p)
{
	unsigned n;

	pthread_mutex_lock(&p->mu);
	n = p->n;
	pthread_mutex_unlock(&p->mu);
	return n;
}

struct instr_conn *instr_pool_at(struct instr_pool *p, unsigned i)
{
	struct instr_conn *c = NULL;

	pthread_mutex_lock(&p->mu);
	if (i < p->n && !p->opening[i])
		c = p->conn[i];
	pthread_mutex_unlock(&p->mu);
	return c;
}

int instr_pool_get(struct instr_pool *p, const char *name, const char *uri,
		   struct bert_clock *clock, struct instr_conn **out)
{
	struct instr_uri u;
	struct instr_conn *c;
	unsigned i;
	int rc;

	*out = NULL;
	rc = instr_uri_parse(uri, &u);
	if (rc)
		return rc;
	pthread_mutex_lock(&p->mu);
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->key[i], u.transport))
			continue;
		if (strcasecmp(p->model[i], u.model)) {
			rc = bert_fail(BERT_ERR_CONFIG, "%s: %s is the connection %s already "
				       "opened as model '%s', not '%s'", name, u.transport,
				       p->conn[i] ? p->conn[i]->name : "", p->model[i],
				       u.model);
		} else if (p->opening[i]) {
			rc = bert_fail(BERT_ERR_AGAIN, "%s: %s is being opened by another user",
				       name, u.transport);
		} else {
			*out = instr_conn_ref(p->conn[i]);
		}
		pthread_mutex_unlock(&p->mu);
		return rc;
	}
	if (p->n == POOL_MAX) {
		pthread_mutex_unlock(&p->mu);
		return bert_fail(BERT_ERR_CONFIG, "more than %d instrument connections",
				 POOL_MAX);
	}
	i = p->n++;
	p->opening[i] = true;
	p->conn[i] = NULL;
	snprintf(p->key[i], sizeof(p->key[i]), "%s", u.transport);
	snprintf(p->model[i], sizeof(p->model[i]), "%s", u.model);
	pthread_mutex_unlock(&p->mu);

	rc = instr_conn_open(name, uri, clock, &c);

	pthread_mutex_lock(&p->mu);
	if (rc) {
		/* the slot is the last one unless another was reserved since */
		p->key[i][0] = '\0';
		p->model[i][0] = '\0';
		p->opening[i] = false;
		if (i == p->n - 1)
			p->n--;
		else
			p->conn[i] = NULL;
	} else {
		p->conn[i] = c;
		p->opening[i] = false;
		*out = instr_conn_ref(c);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}
