// SPDX-License-Identifier: MIT
/* Optical power meter front end over struct instr: dBm at a
 * wavelength, averaging time and range (see opm.h). */
#include <math.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "instruments/opm.h"

struct opm {
	struct instr *in;
	double avg_s;
	bool unit_set;
};

static int opm_wrap(struct instr *in, struct opm **out)
{
	struct opm *m;

	*out = NULL;
	if (!in)
		return BERT_ERR_INTERNAL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		instr_close(in);
		return bert_fail(BERT_ERR_NOMEM, "opm");
	}
	m->in = in;
	m->avg_s = 0.1;
	*out = m;
	return BERT_OK;
}

int opm_open(const char *uri, struct bert_clock *clock, struct opm **out)
{
	struct instr *in;
	int rc;

	*out = NULL;
	rc = instr_open(uri, INSTR_OPM, clock, &in);
	return rc ? rc : opm_wrap(in, out);
}

int opm_channel(struct instr_conn *c, unsigned chan, struct opm **out)
{
	struct instr *in;
	int rc;

	*out = NULL;
	rc = instr_channel(c, INSTR_OPM, chan, &in);
	return rc ? rc : opm_wrap(in, out);
}

void opm_close(struct opm *m)
{
	if (!m)
		return;
	instr_close(m->in);
	free(m);
}

struct instr *opm_instr(struct opm *m)
{
	return m->in;
}

int opm_set_wavelength(struct opm *m, double nm)
{
	if (!isfinite(nm) || nm < 400 || nm > 2000)
		return bert_fail(BERT_ERR_RANGE, "wavelength %g nm", nm);
	return instr_cmd(m->in, OPM_SET_WAV, m->in->chan, nm);
}

int opm_get_wavelength(struct opm *m, double *nm)
{
	return instr_query(m->in, OPM_GET_WAV, m->in->chan, nm);
}

int opm_set_averaging(struct opm *m, double seconds)
{
	int rc;

	if (!isfinite(seconds) || seconds <= 0 || seconds > 60)
		return bert_fail(BERT_ERR_RANGE, "averaging time %g s", seconds);
	if (instr_has(m->in, OPM_SET_ATIME)) {
		rc = instr_cmd(m->in, OPM_SET_ATIME, m->in->chan, seconds);
	} else {
		double n = ceil(seconds / m->in->model->avg_sample_s);

		rc = instr_cmd(m->in, OPM_SET_AVG_COUNT, m->in->chan, n < 1 ? 1 : n);
	}
	if (!rc)
		m->avg_s = seconds;
	return rc;
}

int opm_set_range(struct opm *m, bool autorange, double dbm)
{
	int rc = instr_cmd(m->in, OPM_SET_AUTORANGE, m->in->chan, autorange ? 1 : 0);

	if (!rc && !autorange)
		rc = instr_cmd(m->in, OPM_SET_RANGE, m->in->chan, dbm);
	return rc;
}

int opm_read_dbm(struct opm *m, double *dbm)
{
	uint64_t saved = m->in->dev->timeout_ns;
	int rc;

	if (!m->unit_set) {
		rc = instr_cmd(m->in, OPM_SET_UNIT_DBM, m->in->chan, 0);
		if (rc)
			return rc;
		m->unit_set = true;
	}
	/* the reply comes after the averaging time */
	m->in->dev->timeout_ns = saved + (uint64_t)(m->avg_s * 1e9);
	rc = instr_query(m->in, OPM_READ, m->in->chan, dbm);
	m->in->dev->timeout_ns = saved;
	if (rc == BERT_ERR_RANGE)
		return bert_fail_ctx(rc, "power meter over range");
	return rc;
}
