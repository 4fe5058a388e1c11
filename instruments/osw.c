// SPDX-License-Identifier: MIT
/* Optical switch front end over struct instr: route an input port to an
 * output port (see osw.h). */
#include <stdlib.h>

#include "bert/core/error.h"
#include "instruments/osw.h"

#define OSW_SETTLE_MAX_NS (5 * BERT_NS_PER_S)

struct osw {
	struct instr *in;
};

static int osw_wrap(struct instr *in, struct osw **out)
{
	struct osw *s;

	*out = NULL;
	if (!in)
		return BERT_ERR_INTERNAL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		instr_close(in);
		return bert_fail(BERT_ERR_NOMEM, "osw");
	}
	s->in = in;
	*out = s;
	return BERT_OK;
}

int osw_open(const char *uri, struct bert_clock *clock, struct osw **out)
{
	struct instr *in;
	int rc;

	*out = NULL;
	rc = instr_open(uri, INSTR_OSW, clock, &in);
	return rc ? rc : osw_wrap(in, out);
}

int osw_channel(struct instr_conn *c, unsigned chan, struct osw **out)
{
	struct instr *in;
	int rc;

	*out = NULL;
	rc = instr_channel(c, INSTR_OSW, chan, &in);
	return rc ? rc : osw_wrap(in, out);
}

void osw_close(struct osw *s)
{
	if (!s)
		return;
	instr_close(s->in);
	free(s);
}

struct instr *osw_instr(struct osw *s)
{
	return s->in;
}

int osw_route(struct osw *s, unsigned in, unsigned out)
{
	int rc;

	if (in < 1 || out < 1)
		return bert_fail(BERT_ERR_RANGE, "switch ports count from 1");
	rc = instr_cmd(s->in, OSW_ROUTE, in, out);
	if (!rc)
		rc = instr_settle(s->in, OSW_SETTLE_MAX_NS);
	return rc;
}

int osw_get_route(struct osw *s, unsigned in, unsigned *out)
{
	double v;
	int rc = instr_query(s->in, OSW_GET_ROUTE, in, &v);

	if (!rc)
		*out = (unsigned)v;
	return rc;
}
