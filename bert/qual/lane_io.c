// SPDX-License-Identifier: MIT
/* Lane instrument I/O of a station site (lane_io.h). */
#include <math.h>
#include <stddef.h>

#include "bert/core/error.h"
#include "bert/qual/engine.h"
#include "bert/qual/lane_io.h"
#include "instruments/opm.h"
#include "instruments/osw.h"
#include "instruments/voa.h"

void lane_io_init(struct lane_io *x, const struct qual_site *site,
		  struct qual_site_io *io, const struct qual_arbiter *arb)
{
	x->site = site;
	x->io = io;
	x->arb = arb;
	x->routed_sw = NULL;
	x->routed_in = 0;
}

const struct qual_site_lane_io *lane_io_lane(const struct lane_io *x, unsigned lane)
{
	if (!x->io || !lane || lane > x->io->nlanes || lane > QUAL_SITE_LANES)
		return NULL;
	return &x->io->lane[lane];
}

static bool arbitrated(const struct lane_io *x)
{
	return x->arb && x->arb->acquire;
}

static int acquire(struct lane_io *x, const char *instr, unsigned lane)
{
	return arbitrated(x) ? x->arb->acquire(x->arb->user, instr, lane) : BERT_OK;
}

static void release(struct lane_io *x, const char *instr, unsigned lane)
{
	if (x->arb && x->arb->release)
		x->arb->release(x->arb->user, instr, lane);
}

int lane_io_voa_set(struct lane_io *x, unsigned lane, double db, bool wait,
		    double *before)
{
	const struct qual_site_lane_io *li = lane_io_lane(x, lane);
	int rc;

	if (!li || !li->voa)
		return bert_fail(BERT_ERR_UNSUPPORTED, "lane %u has no VOA in the station",
				 lane);
	rc = acquire(x, li->voa_name, lane);
	if (rc)
		return rc;
	if (before && isnan(*before) && voa_get_attenuation(li->voa, before))
		*before = NAN;
	rc = wait ? voa_set_attenuation(li->voa, db) :
		    voa_set_attenuation_nowait(li->voa, db);
	release(x, li->voa_name, lane);
	return rc ? bert_fail_ctx(rc, "lane %u VOA %s", lane, li->voa_name) : BERT_OK;
}

int lane_io_voa_settle(struct lane_io *x, unsigned lane)
{
	const struct qual_site_lane_io *li = lane_io_lane(x, lane);
	int rc;

	if (!li || !li->voa)
		return bert_fail(BERT_ERR_UNSUPPORTED, "lane %u has no VOA in the station",
				 lane);
	rc = acquire(x, li->voa_name, lane);
	if (rc)
		return rc;
	rc = voa_settle(li->voa);
	release(x, li->voa_name, lane);
	return rc ? bert_fail_ctx(rc, "lane %u VOA %s", lane, li->voa_name) : BERT_OK;
}

int lane_io_meter_read(struct lane_io *x, unsigned lane, double *meter_dbm)
{
	const struct qual_site_lane_io *li = lane_io_lane(x, lane);
	unsigned out = x->site && x->site->switch_out ? x->site->switch_out : 1;
	int rc;

	if (!li || !li->meter)
		return bert_fail(BERT_ERR_UNSUPPORTED, "lane %u has no meter in the station",
				 lane);
	if (li->sw && (rc = acquire(x, li->sw_name, lane)))
		return rc;
	rc = acquire(x, li->meter_name, lane);
	if (rc) {
		if (li->sw)
			release(x, li->sw_name, lane);
		return rc;
	}
	if (li->sw && (arbitrated(x) || li->sw != x->routed_sw || li->sw_in != x->routed_in)) {
		rc = osw_route(li->sw, li->sw_in, out);
		if (rc)
			bert_fail_ctx(rc, "lane %u switch %s", lane, li->sw_name);
		/* a failed route leaves the switch's position unknown */
		x->routed_sw = rc || arbitrated(x) ? NULL : li->sw;
		x->routed_in = li->sw_in;
	}
	if (!rc && (rc = opm_read_dbm(li->meter, meter_dbm)))
		bert_fail_ctx(rc, "lane %u meter %s", lane, li->meter_name);
	release(x, li->meter_name, lane);
	if (li->sw)
		release(x, li->sw_name, lane);
	return rc;
}

double lane_io_rx_from_meter(const struct qual_site *s, double meter_dbm)
{
	if (!s || isnan(s->tap_loss_db))
		return NAN;
	return meter_dbm + s->tap_loss_db - s->through_loss_db;
}

double lane_io_tx_from_meter(const struct qual_site *s, double meter_dbm,
			     double voa_db)
{
	if (!s || isnan(s->tap_loss_db))
		return NAN;
	return meter_dbm + s->tap_loss_db + voa_db + s->voa_loss_db + s->patch_loss_db;
}
