// SPDX-License-Identifier: MIT
/* The sensitivity sweep's station adapter (sweep_site.h). */
#include <math.h>
#include <string.h>

#define LOG_PREFIX "sweep"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/qual/lane_ber.h"
#include "bert/qual/sweep_site.h"
#include "fixtures/cmis/cmis_regs.h"
#include "bert/qual/engine.h"
#include "bert/qual/lane_io.h"

/* Meter noise of one reading (relative, 1-sigma) assumed in the fit
 * weights: a typical InGaAs head at 100 ms averaging (instruments/README.md
 * emulator default 0.002), falling as 1/sqrt(time). */
#define METER_SIGMA_REL_100MS	0.002
#define VOA_MAX_DB		45.0

static const struct qual_site_lane_io *lio(struct sweep_site *s, unsigned idx)
{
	return &s->io->lane[s->lane[idx]];
}

static int op_set_atten(void *ctx, unsigned idx, double db)
{
	struct sweep_site *s = ctx;

	return lane_io_voa_set(&s->lio, s->lane[idx], db, false, NULL);
}

static int op_settle(void *ctx)
{
	struct sweep_site *s = ctx;
	struct voa *done[SWEEP_MAX_LANES];
	unsigned i, k, n = 0;
	int rc;

	/* one *OPC? per distinct connection; channels settle together */
	for (i = 0; i < s->nlanes; i++) {
		struct voa *v = lio(s, i)->voa;

		for (k = 0; k < n && done[k] != v; k++)
			;
		if (k < n)
			continue;
		done[n++] = v;
		if ((rc = lane_io_voa_settle(&s->lio, s->lane[i])))
			return rc;
	}
	return BERT_OK;
}

static int op_read_rx(void *ctx, unsigned idx, double *dbm)
{
	struct sweep_site *s = ctx;
	double m;
	int rc = lane_io_meter_read(&s->lio, s->lane[idx], &m);

	if (rc)
		return rc;
	*dbm = lane_io_rx_from_meter(s->site, m);
	return BERT_OK;
}

static uint32_t to_idx_mask(struct sweep_site *s, uint8_t lanes)
{
	uint32_t m = 0;
	unsigned i;

	for (i = 0; i < s->nlanes; i++)
		if (lanes & (1u << (s->lane[i] - 1)))
			m |= 1u << i;
	return m;
}

static int op_locked(void *ctx, uint32_t *mask)
{
	struct sweep_site *s = ctx;
	uint8_t cur = 0;
	int rc = cmis_diag_checker_lol(s->diag, CMIS_SIDE_MEDIA, NULL, &cur);

	if (!rc)
		*mask = to_idx_mask(s, (uint8_t)(s->mask & ~cur));
	return rc;
}

static int op_reset(void *ctx)
{
	struct sweep_site *s = ctx;
	int rc = cmis_diag_reset_counters(s->diag);

	s->t_reset = bert_clock_now(s->clock);
	return rc;
}

static int op_read(void *ctx, uint32_t mask, uint64_t *errors, uint64_t *bits,
		   uint32_t *held)
{
	struct sweep_site *s = ctx;
	uint64_t e[CMIS_DIAG_LANES] = { 0 }, b[CMIS_DIAG_LANES] = { 0 };
	uint8_t latched = 0, cur = 0, lanes = 0;
	unsigned i;
	int rc;

	for (i = 0; i < s->nlanes; i++)
		if (mask & (1u << i))
			lanes |= (uint8_t)(1u << (s->lane[i] - 1));
	if (s->t_sel && bert_clock_now(s->clock) < s->t_sel + CMIS_DIAG_SELECTOR_SETTLE_NS &&
	    (rc = bert_clock_sleep_until(s->clock, s->t_sel + CMIS_DIAG_SELECTOR_SETTLE_NS)))
		return rc;
	rc = cmis_diag_checker_lol(s->diag, CMIS_SIDE_MEDIA, &latched, &cur);
	if (rc)
		return rc;
	if (s->counters) {
		rc = cmis_diag_read_counters(s->diag, CMIS_SIDE_MEDIA, lanes, e, b);
	} else {
		double ber[CMIS_DIAG_LANES];
		double t = (double)(bert_clock_now(s->clock) - s->t_reset) / 1e9;

		rc = cmis_diag_read_ber(s->diag, CMIS_SIDE_MEDIA, ber);
		for (i = 0; !rc && i < CMIS_DIAG_LANES; i++) {
			b[i] = (uint64_t)(LANE_BER_DEFAULT_BIT_RATE * t);
			e[i] = (uint64_t)llround(ber[i] * (double)b[i]);
		}
	}
	if (rc)
		return rc;
	for (i = 0; i < s->nlanes; i++) {
		errors[i] = e[s->lane[i] - 1];
		bits[i] = b[s->lane[i] - 1];
	}
	*held = to_idx_mask(s, (uint8_t)(s->mask & ~(latched | cur)));
	return BERT_OK;
}

static const struct sweep_io_ops site_ops = {
	.set_atten = op_set_atten,
	.settle = op_settle,
	.read_rx_dbm = op_read_rx,
	.locked = op_locked,
	.ber_reset = op_reset,
	.ber_read = op_read,
};

int sweep_site_begin(struct sweep_site *s)
{
	struct cmis_prbs_cfg cfg = { .pattern = s->pattern };
	unsigned i;
	int rc;

	s->mask = 0;
	s->t_sel = 0;
	s->started = false;
	lane_io_init(&s->lio, s->site, s->io, s->arb);
	if (!s->nlanes || s->nlanes > SWEEP_MAX_LANES)
		return bert_fail(BERT_ERR_ARG, "sweep: no lanes");
	for (i = 0; i < s->nlanes; i++) {
		const struct qual_site_lane_io *l;

		if (s->lane[i] < 1 || s->lane[i] > CMIS_DIAG_LANES ||
		    s->lane[i] > s->io->nlanes)
			return bert_fail(BERT_ERR_UNSUPPORTED, "sweep: the site has no "
					 "lane %u", s->lane[i]);
		l = lio(s, i);
		if (!l->voa || !l->meter)
			return bert_fail(BERT_ERR_UNSUPPORTED, "sweep: lane %u needs a "
					 "VOA and a meter at the site", s->lane[i]);
		s->mask |= (uint8_t)(1u << (s->lane[i] - 1));
	}
	rc = cmis_diag_check(s->diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR, s->mask, &cfg);
	if (!rc)
		rc = cmis_diag_check(s->diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER, s->mask, &cfg);
	if (rc)
		return rc;
	s->counters = cmis_diag_caps(s->diag)->report_counters;
	if (!s->counters && !cmis_diag_caps(s->diag)->report_ber)
		return bert_fail(BERT_ERR_UNSUPPORTED, "the module reports neither BER "
				 "nor error counters (13h:130)");
	rc = cmis_diag_save(s->diag, &s->saved);
	if (rc)
		return rc;
	s->started = true;
	rc = cmis_diag_enable(s->diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR, s->mask, &cfg);
	if (!rc)
		rc = cmis_diag_enable(s->diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER, s->mask, &cfg);
	if (!rc)
		rc = cmis_diag_set_measurement(s->diag, 0, false);
	if (!rc)
		rc = cmis_diag_update_period_ns(s->diag, &s->period_ns);
	/* The selector's settle time (OIF-CMIS 5.x Page 14h) only bounds
	 * when results are valid: it runs out during the first VOA settle and dwell instead of
	 * being waited here; op_read() waits for whatever is left. Lock is
	 * acquired during the first settle as well and checked per dwell. */
	if (!rc) {
		uint8_t want = s->counters ? CMIS_DIAG_MEDIA_CNT_1_4 : CMIS_DIAG_BER, cur;

		rc = cmis_read_byte(cmis_diag_dev(s->diag), 0x14, CMIS_P14_SELECTOR, &cur);
		if (!rc && cur != want) {
			rc = cmis_write_byte(cmis_diag_dev(s->diag), 0x14, CMIS_P14_SELECTOR,
					     want);
			s->t_sel = bert_clock_now(s->clock);
		}
	}
	if (rc) {
		int rc2 = sweep_site_end(s);

		(void)rc2;
		return rc;
	}
	return BERT_OK;
}

int sweep_site_end(struct sweep_site *s)
{
	int rc = BERT_OK;

	if (s->started) {
		bool ab = bert_abort_requested();

		if (ab)
			bert_abort_clear();	/* the restore must reach the module */
		rc = cmis_diag_restore(s->diag, &s->saved);
		if (ab)
			bert_abort_request();
		s->started = false;
	}
	return rc;
}

void sweep_site_io(struct sweep_site *s, struct sweep_io *io)
{
	double avg = s->site->meter_avg_s > 0 ? s->site->meter_avg_s : 0.1;
	unsigned i;

	memset(io, 0, sizeof(*io));
	io->ops = &site_ops;
	io->ctx = s;
	io->clock = s->clock;
	io->dwell_ns = s->period_ns ? s->period_ns : BERT_NS_PER_S;
	io->nlanes = s->nlanes;
	for (i = 0; i < s->nlanes; i++) {
		io->lane[i] = s->lane[i];
		io->budget_atten_db[i] = 0;
		io->budget_oma_dbm[i] = NAN;
		{
			struct qual_er e = qual_site_er(s->site, s->lane[i]);

			io->er_db[i] = e.er_db;
			io->er_sigma_db[i] = qual_oma_offset_u_db(e.er_db, e.u_db);
		}
	}
	io->atten_max_db = VOA_MAX_DB;
	io->cal_sigma_db = QUAL_RX_POWER_CAL_SIGMA_DB;
	io->meter_sigma_rel = METER_SIGMA_REL_100MS * sqrt(0.1 / avg);
	io->power_from_voa = s->arb && s->arb->acquire;
}
