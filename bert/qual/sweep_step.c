// SPDX-License-Identifier: MIT
/* The sensitivity and link_budget steps of the qualification plan
 * (sweep_step.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_PREFIX "sweep"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/qual/alarms.h"
#include "bert/qual/sweep_site.h"
#include "bert/qual/sweep_step.h"
#include "fixtures/cmis/cmis_regs.h"

#define PRIOR_BELOW_LIMIT_DB	2.0	/* receivers are built ~2 dB inside */

/* With an arbiter (bertd) the meter and switch are taken per read inside
 * the sweep (sweep_site.h), so sites sharing them interleave; only the VOAs
 * are held for the whole sweep. */
static void release_all(struct qual_ctx *ctx, const struct sweep_site *s, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct qual_site_lane_io *l = &ctx->io->lane[s->lane[i]];

		qual_ctx_release(ctx, l->voa_name, s->lane[i]);
		if (s->arb)
			continue;
		if (l->sw_name[0])
			qual_ctx_release(ctx, l->sw_name, s->lane[i]);
		qual_ctx_release(ctx, l->meter_name, s->lane[i]);
	}
}

static int acquire_all(struct qual_ctx *ctx, const struct sweep_site *s, unsigned *n)
{
	unsigned i;
	int rc;

	for (*n = 0, i = 0; i < s->nlanes; i++) {
		const struct qual_site_lane_io *l = &ctx->io->lane[s->lane[i]];

		rc = qual_ctx_acquire(ctx, l->voa_name, s->lane[i]);
		if (!rc && !s->arb)
			rc = qual_ctx_acquire(ctx, l->meter_name, s->lane[i]);
		if (!rc && !s->arb && l->sw_name[0])
			rc = qual_ctx_acquire(ctx, l->sw_name, s->lane[i]);
		if (rc)
			return rc;	/* lane i half acquired: released with it */
		(*n)++;
	}
	return BERT_OK;
}

static void record_lane(struct qual_ctx *ctx, struct qual_step *step,
			const struct sweep_result *res, unsigned i)
{
	const struct sweep_lane_result *L = &res->lane[i];
	const char *method = sweep_method_name(res->method);
	struct qual_limits flag = qual_limits_none();
	struct qual_lane_state *ls = &ctx->run.lane[L->lane];
	size_t k;

	for (k = 0; k < L->npts; k++) {
		const struct sweep_point *p = &L->pt[k];
		struct qual_point qp = {
			.lane = L->lane, .atten_db = p->atten_db,
			.power_dbm = p->power_dbm, .oma_dbm = p->oma_dbm,
			.ber = p->ber, .bits = p->bits, .errors = p->errors,
			.t_ns = p->t_ns >= ctx->run.t0 ? p->t_ns - ctx->run.t0 : 0,
		};

		qual_ctx_point(ctx, step, &qp);
	}
	if (!L->ok) {
		qual_ctx_measure_error(ctx, step, "rx_sensitivity_oma", L->lane, "%s",
				       L->note[0] ? L->note : "no sensitivity found");
		return;
	}
	{
		struct qual_ucomp c[4];
		char note[QUAL_UCOMP_NOTE_MAX];
		unsigned nc = 3;

		snprintf(note, sizeof(note), "Q-linear fit, %u point(s), %u dof%s",
			 L->fit.n, L->fit.dof, L->fit.dof ? "" : ": no residual check");
		qual_ucomp_set(&c[0], "fit", L->sigma_db, 'A', note);
		qual_ucomp_set(&c[1], "power_cal", L->cal_sigma_db, 'B',
			       QUAL_RX_POWER_CAL_NOTE);
		qual_ctx_er_component(ctx, L->lane, &c[2]);
		c[2].u = L->er_sigma_db;
		if (L->floor) {
			snprintf(note, sizeof(note), "floor %.2g taken out, half its %+.3f dB "
				 "shift", L->floor_ber, L->floor_shift_db);
			qual_ucomp_set(&c[nc++], "floor", L->floor_sigma_db, 'B', note);
		}
		qual_ctx_measure_budget(ctx, step, "rx_sensitivity_oma", L->lane,
					L->sens_oma_dbm, c, nc, method);
		/* average power: back through the same ER, which cancels */
		if (L->floor)
			c[2] = c[3];	/* the floor without the ER */
		qual_ctx_measure_budget(ctx, step, "rx_sensitivity_avg", L->lane,
					L->sens_avg_dbm, c, L->floor ? 3 : 2, method);
		ls->rx_sens_fit_sigma_db = sqrt(L->sigma_db * L->sigma_db +
						L->floor_sigma_db * L->floor_sigma_db);
		ls->rx_sens_cal_sigma_db = L->cal_sigma_db;
	}
	/* flags: 1 sits inside the marginal band of the limit 1 -> MARGINAL */
	flag.high = 1;
	flag.marginal = 1;
	if (!qual_ctx_measure_lim(ctx, step, "waterfall_floor", L->lane, L->floor ? 1 : 0,
				  NAN, method, &flag) && L->floor)
		snprintf(step->m[step->nm - 1].message, QUAL_MSG_MAX, "%s", SWEEP_FLOOR_TEXT);
	if (!qual_ctx_measure_lim(ctx, step, "waterfall_poor_fit", L->lane,
				  L->poor_fit ? 1 : 0, NAN, method, &flag) && L->poor_fit)
		snprintf(step->m[step->nm - 1].message, QUAL_MSG_MAX, "%s",
			 SWEEP_POOR_FIT_TEXT);
	if (L->note[0])
		qual_ctx_info(ctx, L->lane, "sensitivity: %s", L->note);
	ls->rx_sens_oma_dbm = L->sens_oma_dbm;
	ls->rx_sens_unc_db = L->u_db;
}

struct live {
	struct qual_ctx *ctx;
	const struct sweep_site *ss;
};

static void live_point(void *user, unsigned i, const struct sweep_point *pt,
		       unsigned done, unsigned expected)
{
	struct live *lv = user;
	struct qual_event ev = { .kind = QUAL_EV_SWEEP_POINT, .lane = lv->ss->lane[i],
				 .spt = pt, .done = done, .expected = expected };

	qual_ctx_emit(lv->ctx, &ev);
}

enum qual_verdict sweep_lane_verdict(const struct sweep_lane_result *L,
				     const struct qual_limits *lim, char *why,
				     size_t why_size)
{
	enum qual_verdict v;

	if (!L->ok) {
		snprintf(why, why_size, "%s", L->note[0] ? L->note : "no sensitivity found");
		return QUAL_ERROR;
	}
	v = qual_judge(L->sens_oma_dbm, L->u_db, lim, "dBm", why, why_size);
	if (v == QUAL_PASS && (L->floor || L->poor_fit)) {
		v = QUAL_MARGINAL;
		snprintf(why, why_size, "%s", L->floor ? SWEEP_FLOOR_TEXT : SWEEP_POOR_FIT_TEXT);
	}
	return v;
}

static int run_sensitivity(struct qual_ctx *ctx, struct qual_step *step,
			   enum sweep_method m)
{
	struct sweep_result *resp;	/* large: on the heap (bertd runs sites in threads) */
	struct sweep_site ss;
	struct sweep_config cfg;
	struct sweep_io io;
	struct live lv;
	const struct profile_limit *lim;
	unsigned l, i, acquired = 0;
	int rc, rc2;

	if (!ctx->io || !ctx->site)
		return qual_ctx_skip(ctx, step, "the station has no instruments at "
				     "this site (a VOA and a meter per lane)");
	memset(&ss, 0, sizeof(ss));
	ss.clock = ctx->clock ? ctx->clock : NULL;
	ss.site = ctx->site;
	ss.io = ctx->io;
	ss.pattern = ctx->opts.pattern;
	ss.arb = ctx->arbiter.acquire ? &ctx->arbiter : NULL;
	for (l = 1; l <= ctx->run.lanes && ss.nlanes < SWEEP_MAX_LANES; l++) {
		const struct qual_site_lane_io *li = l <= ctx->io->nlanes ?
						     &ctx->io->lane[l] : NULL;

		if (!li || !li->voa || !li->meter) {
			qual_ctx_measure_error(ctx, step, "rx_sensitivity_oma", l,
					       "lane %u has no VOA or meter at the site%s", l,
					       ctx->station && ctx->station->is_default ?
					       " (no station file: give --station FILE, e.g. "
					       "the one bert-sim serve --station writes)" : "");
			continue;
		}
		if (!isfinite(ctx->run.lane[l].budget_atten_db)) {
			qual_ctx_measure_error(ctx, step, "rx_sensitivity_oma", l,
					       "no budget point (lane_ber did not set it)");
			continue;
		}
		ss.lane[ss.nlanes++] = l;
	}
	if (!ss.nlanes)
		return BERT_OK;
	rc = qual_ctx_diag(ctx, &ss.diag);
	if (rc)
		return rc;
	if (!ss.clock)
		ss.clock = cmis_bus(cmis_diag_dev(ss.diag))->clock;
	rc = acquire_all(ctx, &ss, &acquired);
	if (!rc)
		rc = sweep_site_begin(&ss);
	if (rc) {
		release_all(ctx, &ss, acquired);
		return rc;
	}
	sweep_site_io(&ss, &io);
	lv.ctx = ctx;
	lv.ss = &ss;
	io.on_point = live_point;
	io.on_point_user = &lv;
	for (i = 0; i < ss.nlanes; i++) {
		io.budget_atten_db[i] = ctx->run.lane[ss.lane[i]].budget_atten_db;
		io.budget_oma_dbm[i] = ctx->run.lane[ss.lane[i]].rx_oma_budget_dbm;
	}
	sweep_config_default(&cfg, m);
	if (ctx->profile->ber_threshold > 0)
		cfg.target_ber = ctx->profile->ber_threshold;
	lim = profile_limit(ctx->profile, "rx_sensitivity_oma");
	if (lim && isfinite(lim->lim.high))
		cfg.prior_sens_oma_dbm = lim->lim.high - PRIOR_BELOW_LIMIT_DB;
	qual_ctx_info(ctx, 0, "sensitivity: %s sweep of %u lane(s)",
		      sweep_method_name(m), ss.nlanes);
	resp = calloc(1, sizeof(*resp));
	if (!resp) {
		sweep_site_end(&ss);
		release_all(ctx, &ss, acquired);
		return bert_fail(BERT_ERR_NOMEM, "sweep result");
	}
	rc = sweep_run(&io, &cfg, resp);
	rc2 = sweep_site_end(&ss);
	release_all(ctx, &ss, acquired);
	snprintf(step->message, sizeof(step->message), "%s (%u dwells of %.1f s, "
		 "%.2f s): %s", sweep_method_name(m), resp->dwells, io.dwell_ns / 1e9,
		 (resp->t_end - resp->t_start) / 1e9, sweep_method_summary(m));
	if (!rc)
		for (i = 0; i < resp->nlanes; i++)
			record_lane(ctx, step, resp, i);
	free(resp);
	if (!rc && !rc2)
		rc = qual_alarms_collect(ctx, step, "the sensitivity sweep");
	return rc ? rc : rc2;
}

static int step_sensitivity(struct qual_ctx *ctx, struct qual_step *step)
{
	return run_sensitivity(ctx, step, SWEEP_SMART);
}

static int step_sensitivity_fixed(struct qual_ctx *ctx, struct qual_step *step)
{
	return run_sensitivity(ctx, step, SWEEP_FIXED);
}

static int step_link_budget(struct qual_ctx *ctx, struct qual_step *step)
{
	double budget = isfinite(ctx->opts.budget_db) ? ctx->opts.budget_db :
			ctx->profile->channel_budget_db;
	unsigned l, n = 0;
	char method[QUAL_METHOD_MAX];

	if (!(budget >= 0))
		return qual_ctx_skip(ctx, step, "the profile sets no channel budget");
	snprintf(method, sizeof(method), "tx_oma-sens_oma-%.2gdB", budget);
	for (l = 1; l <= ctx->run.lanes; l++) {
		const struct qual_lane_state *ls = &ctx->run.lane[l];
		struct sweep_budget b;

		if (!isfinite(ls->tx_oma_dbm)) {
			qual_ctx_measure_error(ctx, step, "link_margin", l,
					       "no Tx OMA for lane %u", l);
			continue;
		}
		if (!isfinite(ls->rx_sens_oma_dbm)) {
			qual_ctx_measure_error(ctx, step, "link_margin", l,
					       "no receiver sensitivity for lane %u", l);
			continue;
		}
		sweep_link_margin(ls->tx_oma_dbm, 2 * QUAL_TX_OMA_SIGMA_DB,
				  ls->rx_sens_oma_dbm, ls->rx_sens_unc_db, budget, &b);
		{
			/* Both OMA figures convert the same transmitter's average
			 * power through the same ER (the lane's loopback): the ER
			 * term is correlated +1 between them and cancels. */
			struct qual_ucomp c[4];

			qual_ucomp_set(&c[0], "tx_power_cal", QUAL_TX_OMA_SIGMA_DB, 'B',
				       "launch power through the tap");
			qual_ucomp_set(&c[1], "sens_fit", ls->rx_sens_fit_sigma_db, 'A',
				       "the sensitivity's fit");
			qual_ucomp_set(&c[2], "sens_power_cal", ls->rx_sens_cal_sigma_db, 'B',
				       QUAL_RX_POWER_CAL_NOTE);
			qual_ucomp_set(&c[3], "stimulus_er", 0, 'B', "cancels: Tx and Rx "
				       "OMA through the same transmitter's ER");
			qual_ctx_measure_budget(ctx, step, "link_margin", l, b.margin_db, c, 4,
						method);
		}
		n++;
	}
	snprintf(step->message, sizeof(step->message), "margin = Tx OMA - Rx "
		 "sensitivity OMA - %.2f dB budget, required >= %.2f dB (%u lane(s))",
		 budget, profile_required_margin(ctx->profile), n);
	return BERT_OK;
}

const struct qual_step_def qual_step_sensitivity = {
	.name = "sensitivity",
	.summary = "receiver sensitivity: OMA at the FEC threshold BER, smart sweep",
	.run = step_sensitivity,
};

const struct qual_step_def qual_step_sensitivity_fixed = {
	.name = "sensitivity",
	.summary = "receiver sensitivity: OMA at the FEC threshold BER, fixed 0.5 dB grid",
	.run = step_sensitivity_fixed,
};

const struct qual_step_def qual_step_link_budget = {
	.name = "link_budget",
	.summary = "link margin: Tx OMA - Rx sensitivity OMA - channel budget",
	.run = step_link_budget,
};

int qual_plan_add_sweep(struct qual_plan *p, enum sweep_method m)
{
	const struct qual_step_def *s = m == SWEEP_FIXED ? &qual_step_sensitivity_fixed :
							   &qual_step_sensitivity;
	int rc;

	if (qual_plan_find(p, "lane_ber") >= 0) {
		rc = qual_plan_insert_after(p, "lane_ber", s);
		if (!rc)
			rc = qual_plan_insert_after(p, "sensitivity", &qual_step_link_budget);
	} else {
		rc = qual_plan_append(p, s);
		if (!rc)
			rc = qual_plan_append(p, &qual_step_link_budget);
	}
	return rc;
}

int qual_plan_full(struct qual_plan *p, bool sweep, enum sweep_method m)
{
	qual_plan_default(p);
	return sweep ? qual_plan_add_sweep(p, m) : BERT_OK;
}
