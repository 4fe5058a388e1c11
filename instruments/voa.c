// SPDX-License-Identifier: MIT
/* Variable optical attenuator front end over struct instr: attenuation
 * in dB, wavelength, shutter, settling (see voa.h). */
#include <math.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "instruments/voa.h"

#define VOA_SETTLE_MAX_NS (10 * BERT_NS_PER_S)

struct voa {
	struct instr *in;
};

static int voa_wrap(struct instr *in, struct voa **out)
{
	struct voa *v;

	*out = NULL;
	if (!in)
		return BERT_ERR_INTERNAL;
	v = calloc(1, sizeof(*v));
	if (!v) {
		instr_close(in);
		return bert_fail(BERT_ERR_NOMEM, "voa");
	}
	v->in = in;
	*out = v;
	return BERT_OK;
}

int voa_open(const char *uri, struct bert_clock *clock, struct voa **out)
{
	struct instr *in;
	int rc;

	*out = NULL;
	rc = instr_open(uri, INSTR_VOA, clock, &in);
	return rc ? rc : voa_wrap(in, out);
}

int voa_channel(struct instr_conn *c, unsigned chan, struct voa **out)
{
	struct instr *in;
	int rc;

	*out = NULL;
	rc = instr_channel(c, INSTR_VOA, chan, &in);
	return rc ? rc : voa_wrap(in, out);
}

void voa_close(struct voa *v)
{
	if (!v)
		return;
	instr_close(v->in);
	free(v);
}

struct instr *voa_instr(struct voa *v)
{
	return v->in;
}

static int offset(struct voa *v, double *off)
{
	*off = 0;
	if (!instr_has(v->in, VOA_GET_OFFSET))
		return BERT_OK;
	return instr_query(v->in, VOA_GET_OFFSET, v->in->chan, off);
}

static int set_att(struct voa *v, double db, bool wait)
{
	double off;
	int rc;

	if (!isfinite(db) || db < 0)
		return bert_fail(BERT_ERR_RANGE, "attenuation %g dB: must be >= 0", db);
	rc = offset(v, &off);
	if (!rc)
		rc = instr_cmd(v->in, VOA_SET_ATT, v->in->chan, db + off);
	if (!rc && wait)
		rc = voa_settle(v);
	return rc ? bert_fail_ctx(rc, "setting %.2f dB", db) : BERT_OK;
}

int voa_set_attenuation(struct voa *v, double db)
{
	return set_att(v, db, true);
}

int voa_set_attenuation_nowait(struct voa *v, double db)
{
	return set_att(v, db, false);
}

int voa_get_attenuation(struct voa *v, double *db)
{
	double off, disp;
	int rc;

	rc = offset(v, &off);
	if (!rc)
		rc = instr_query(v->in, VOA_GET_ATT, v->in->chan, &disp);
	if (!rc)
		*db = disp - off;
	return rc;
}

int voa_set_wavelength(struct voa *v, double nm)
{
	int rc = instr_cmd(v->in, VOA_SET_WAV, v->in->chan, nm);

	return rc ? rc : voa_settle(v);
}

int voa_get_wavelength(struct voa *v, double *nm)
{
	return instr_query(v->in, VOA_GET_WAV, v->in->chan, nm);
}

int voa_set_enabled(struct voa *v, bool on)
{
	int rc = instr_cmd(v->in, VOA_SET_ENABLE, v->in->chan, on ? 1 : 0);

	return rc ? rc : voa_settle(v);
}

int voa_get_enabled(struct voa *v, bool *on)
{
	double x;
	int rc = instr_query(v->in, VOA_GET_ENABLE, v->in->chan, &x);

	if (!rc)
		*on = x != 0;
	return rc;
}

int voa_settle(struct voa *v)
{
	return instr_settle(v->in, VOA_SETTLE_MAX_NS);
}
