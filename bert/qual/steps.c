// SPDX-License-Identifier: MIT
/* The built-in qualification steps (engine.h). Each is a struct
 * qual_step_def; the default plan strings them together and later issues
 * insert theirs between them.
 *
 * Methods and uncertainties (recorded with every measurement):
 *  - DOM readings ("dom"): the module's own monitors; their accuracy is the
 *    module's (CMIS leaves it to the vendor), so U is unknown (NaN).
 *  - Launch power through the tap ("meter"): the station meter through the
 *    switch, corrected by the site calibration (site.h); U = 0.25 dB (k = 2:
 *    meter 0.1, VOA setting 0.1, tap and patch calibration 0.15 combined),
 *    one budget component "power_cal". Without a meter the DOM value is
 *    used ("dom", U unknown).
 *  - OMA ("avg+er"): average power + 10 log10(2 (ER-1)/(ER+1)) with the
 *    lane's stimulus ER (site.h, qual_site_er()); the budget adds the ER's
 *    component "stimulus_er" through the conversion (site.h,
 *    qual_oma_offset_u_db()), which says whether the ER was calibrated or
 *    assumed. Every OMA figure carries it (tx_oma, rx_oma, the sweep's
 *    rx_sensitivity_oma).
 *  - BER at the budget point ("bert-cl95" etc.): the lane BER loop
 *    (lane_ber.h). The value is the measured BER when errors were counted,
 *    U = log10(upper / BER) decades (the CL bound); with no error the value
 *    is the upper bound at the CL ("...-upper"), U = 0. Post-FEC BER and FLR
 *    come from the same figure through RS(544,514) (bert_fec_chain).
 *  - The budget point: the receiver is set, VOA in closed loop on the tap,
 *    to see OMA = Tx - budget, where Tx is the profile's weakest allowed
 *    launch OMA (tx_oma low limit; QUAL_BUDGET_REF_PROFILE, the default) or
 *    the lane's own launch OMA (QUAL_BUDGET_REF_MODULE).
 *  - Module power ("fixture-monitor"): the fixture's supply monitor, U 2 %.
 */
#define LOG_PREFIX "qual"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/qual/alarms.h"
#include "bert/qual/engine.h"
#include "bert/signal/berstat.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/cmis/decode.h"
#include "fixtures/cmis/diag.h"
#include "fixtures/fixture.h"

#define U_METER_DB	0.25
#define POWER_CAL_NOTE	"meter 0.1, VOA 0.1, tap and patch 0.15 dB (k = 2)"
#define U_POWER_REL	0.02
#define DOM_POLL_NS	(100 * BERT_NS_PER_MS)
#define DOM_SETTLE_NS	(2 * BERT_NS_PER_S)

/* ---- identify ---------------------------------------------------------------- */

/* Copies a string into a fixed field, cut to fit. */
static void put(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The application of the profile: media and host IDs, enough instances for
 * the profile's lanes. Sets appsel, host_mask, media_mask. */
static int pick_app(struct qual_ctx *ctx, const struct cmis_info *in)
{
	const struct profile *p = ctx->profile;
	unsigned i, k;

	for (i = 0; i < in->app_count && i < CMIS_MAX_APPS; i++) {
		const struct cmis_app *a = &in->apps[i];
		unsigned inst = 0, need;
		uint8_t host = 0;

		if (a->media_id != p->media_id || (p->host_id >= 0 && a->host_id != p->host_id))
			continue;
		if (!a->media_lanes || !a->host_lanes)
			continue;
		need = (p->lanes + a->media_lanes - 1) / a->media_lanes;
		for (k = 0; k + a->host_lanes <= 8 && inst < need; k += a->host_lanes)
			if (a->host_lane_options & (1u << k)) {
				host |= (uint8_t)(((1u << a->host_lanes) - 1) << k);
				inst++;
			}
		if (inst < need || inst * a->media_lanes < p->lanes)
			return bert_fail(BERT_ERR_UNSUPPORTED, "AppSel %u (media ID 0x%02x) "
					 "gives %u media lanes, the profile needs %u",
					 a->appsel, a->media_id, inst * a->media_lanes, p->lanes);
		if (p->lanes > in->media_lanes && in->media_lanes)
			return bert_fail(BERT_ERR_UNSUPPORTED, "the module has %u media lanes, "
					 "the profile needs %u", in->media_lanes, p->lanes);
		ctx->run.appsel = a->appsel;
		ctx->run.host_mask = host;
		ctx->run.media_mask = (uint8_t)((1u << p->lanes) - 1);
		return BERT_OK;
	}
	return bert_fail(BERT_ERR_UNSUPPORTED, "the module advertises no application "
			 "with media ID 0x%02x%s (profile %s)", p->media_id,
			 p->host_id >= 0 ? " and the profile's host ID" : "", p->name);
}

/* The serial the operator entered against the one the module reports: both
 * stay in the record; a mismatch is a measurement the profile's
 * [limit serial_match] judges (by default min = 1: a mismatch fails). */
static int serial_check(struct qual_ctx *ctx, struct qual_step *step)
{
	struct qual_record *r = ctx->rec;
	struct qual_limits lim = profile_limits_for(ctx->profile, "serial_match");
	bool match = !strcmp(r->dut.operator_serial, r->dut.sn);
	int rc;

	if (qual_limits_empty(&lim))
		lim.low = 1;
	rc = qual_ctx_measure_lim(ctx, step, "serial_match", 0, match ? 1 : 0, 0,
				  "operator-vs-eeprom", &lim);
	if (!rc && !match)
		snprintf(step->m[step->nm - 1].message, sizeof(step->m[0].message),
			 "operator entered '%.40s', the module reports '%.40s'",
			 r->dut.operator_serial, r->dut.sn);
	return rc;
}

static int step_identify(struct qual_ctx *ctx, struct qual_step *step)
{
	struct qual_record *r = ctx->rec;
	struct cmis_info *in;
	char fw[16];
	int rc;

	if (!ctx->run.info) {
		ctx->run.info = calloc(1, sizeof(*ctx->run.info));
		if (!ctx->run.info)
			return bert_fail(BERT_ERR_NOMEM, "identify");
	}
	in = ctx->run.info;
	rc = qual_ctx_read_info(ctx, in);
	if (rc)
		return bert_fail_ctx(rc, "reading the module");
	put(r->dut.vendor, sizeof(r->dut.vendor), in->vendor.name);
	put(r->dut.pn, sizeof(r->dut.pn), in->vendor.pn);
	put(r->dut.sn, sizeof(r->dut.sn), in->vendor.sn);
	put(r->dut.rev, sizeof(r->dut.rev), in->vendor.rev);
	put(r->dut.date_code, sizeof(r->dut.date_code), in->vendor.date_code);
	snprintf(fw, sizeof(fw), "%u.%u", in->fw_major, in->fw_minor);
	snprintf(r->dut.firmware, sizeof(r->dut.firmware), "%s", fw);
	qual_ctx_info(ctx, 0, "%s %s SN %s rev %s fw %s", r->dut.vendor, r->dut.pn,
		      r->dut.sn, r->dut.rev, fw);
	if (r->dut.operator_serial[0]) {
		rc = serial_check(ctx, step);
		if (rc)
			return rc;
	}
	if (!in->page00_present)
		return bert_fail(BERT_ERR_PROTOCOL, "no page 00h: identity unknown");
	if (in->csum_00h == CMIS_CSUM_INVALID || in->csum_01h == CMIS_CSUM_INVALID ||
	    in->csum_02h == CMIS_CSUM_INVALID)
		return bert_fail(BERT_ERR_CHECKSUM, "page checksum wrong:%s%s%s",
				 in->csum_00h == CMIS_CSUM_INVALID ? " 00h" : "",
				 in->csum_01h == CMIS_CSUM_INVALID ? " 01h" : "",
				 in->csum_02h == CMIS_CSUM_INVALID ? " 02h" : "");
	if (in->media_type != (unsigned)ctx->profile->media_type)
		return bert_fail(BERT_ERR_UNSUPPORTED, "media type %s (00:85 = %u) does not "
				 "match profile %s (%s): module refused",
				 in->media_type_name ? in->media_type_name : "unknown",
				 in->media_type, ctx->profile->name,
				 profile_media_name(ctx->profile->media_type));
	rc = pick_app(ctx, in);
	if (rc)
		return bert_fail_ctx(rc, "module refused");
	rc = profile_check_identity(ctx->profile, r->dut.vendor, r->dut.pn, fw);
	if (rc)
		return bert_fail_ctx(rc, "module refused");
	snprintf(step->message, sizeof(step->message), "%.40s %.40s SN %.40s fw %s; "
		 "checksums ok; AppSel %u, host lanes 0x%02x, media lanes 0x%02x",
		 r->dut.vendor, r->dut.pn, r->dut.sn, fw, ctx->run.appsel, ctx->run.host_mask,
		 ctx->run.media_mask);
	return BERT_OK;
}

const struct qual_step_def qual_step_identify = {
	.name = "identify",
	.summary = "identity, firmware, checksums; refuse a module the profile does not cover",
	.run = step_identify,
	.flags = QUAL_STEP_REQUIRED,
};

/* ---- bring-up ------------------------------------------------------------------ */

static int step_bring_up(struct qual_ctx *ctx, struct qual_step *step)
{
	int rc;

	if (!ctx->run.appsel)
		return bert_fail(BERT_ERR_STATE, "no application chosen (identify)");
	qual_ctx_info(ctx, 0, "AppSel %u onto host lanes 0x%02x", ctx->run.appsel,
		      ctx->run.host_mask);
	ctx->run.tx_touched = true;
	rc = cmis_bring_up(ctx->io->dev, ctx->run.appsel, ctx->run.host_mask);
	if (rc)
		return bert_fail_ctx(rc, "AppSel %u on host lanes 0x%02x", ctx->run.appsel,
				     ctx->run.host_mask);
	rc = qual_alarms_collect(ctx, step, "bring-up");
	if (rc)
		return rc;
	snprintf(step->message, sizeof(step->message), "AppSel %u active on host lanes "
		 "0x%02x (%u link%s of %u lane%s)", ctx->run.appsel, ctx->run.host_mask,
		 profile_links(ctx->profile), profile_links(ctx->profile) == 1 ? "" : "s",
		 ctx->run.lanes_per_link, ctx->run.lanes_per_link == 1 ? "" : "s");
	return BERT_OK;
}

const struct qual_step_def qual_step_bring_up = {
	.name = "bring_up",
	.summary = "the profile's application onto its lanes, data paths activated",
	.run = step_bring_up,
	.flags = QUAL_STEP_REQUIRED,
};

/* ---- DOM ---------------------------------------------------------------------- */

static const struct cmis_lane *info_lane(const struct cmis_info *in, unsigned lane)
{
	unsigned i;

	for (i = 0; i < in->lanes.count && i < CMIS_MAX_LANES; i++)
		if (in->lanes.lane[i].lane == lane)
			return &in->lanes.lane[i];
	return NULL;
}

static int step_dom(struct qual_ctx *ctx, struct qual_step *step)
{
	struct cmis_info *in = calloc(1, sizeof(*in));
	uint64_t t;
	unsigned lane;
	int rc;

	if (!in)
		return bert_fail(BERT_ERR_NOMEM, "dom");
	/* Bring-up's flags were collected (alarms.h). Monitors lag the data path by an update or two: poll until every
	 * lane under test reports launch power, for at most DOM_SETTLE_NS. */
	for (t = 0;; t += DOM_POLL_NS) {
		bool ready = true;

		rc = qual_ctx_read_info(ctx, in);
		if (rc) {
			free(in);
			return bert_fail_ctx(rc, "reading the monitors");
		}
		for (lane = 1; lane <= ctx->run.lanes; lane++) {
			const struct cmis_lane *l = in->lanes.present ? info_lane(in, lane) : NULL;

			ready &= !l || l->tx_power_mw > 0;
		}
		if (ready || t >= DOM_SETTLE_NS)
			break;
		rc = qual_ctx_sleep(ctx, DOM_POLL_NS);
		if (rc) {
			free(in);
			return rc;
		}
	}
	qual_ctx_measure(ctx, step, "dom_temperature", 0, in->temp_c, NAN, "dom");
	qual_ctx_measure(ctx, step, "case_temperature", 0, in->temp_c, NAN, "dom");
	qual_ctx_measure(ctx, step, "supply_voltage", 0, in->vcc_v, NAN, "dom");
	for (lane = 1; lane <= ctx->run.lanes; lane++) {
		const struct cmis_lane *l = in->lanes.present ? info_lane(in, lane) : NULL;

		if (!l) {
			qual_ctx_measure_error(ctx, step, "dom_tx_power", lane,
					       "no page 11h monitors for lane %u", lane);
			continue;
		}
		qual_ctx_measure(ctx, step, "dom_tx_power", lane, l->tx_power_dbm, NAN, "dom");
		qual_ctx_measure(ctx, step, "dom_tx_bias", lane, l->tx_bias_ma, NAN, "dom");
		qual_ctx_measure(ctx, step, "dom_rx_power", lane, l->rx_power_dbm, NAN,
				 in->adv.rx_power_avg ? "dom-avg" : "dom-oma");
		ctx->run.lane[lane].tx_avg_dom_dbm = l->tx_power_dbm;
	}
	free(in);
	return BERT_OK;
}

const struct qual_step_def qual_step_dom = {
	.name = "dom",
	.summary = "monitors (temperature, supply, Tx/Rx power, bias) against the profile",
	.run = step_dom,
};

/* ---- Tx launch power ---------------------------------------------------------- */

static int step_tx_power(struct qual_ctx *ctx, struct qual_step *step)
{
	unsigned lane;
	int rc;

	for (lane = 1; lane <= ctx->run.lanes; lane++) {
		double off = qual_ctx_oma_offset(ctx, lane);
		struct qual_ucomp c[2];
		struct qual_lane_state *ls = &ctx->run.lane[lane];
		struct qual_site_lane_io *li = ctx->io && lane <= ctx->io->nlanes ?
					       &ctx->io->lane[lane] : NULL;
		double meter, u;

		ls->has_voa = li && li->voa;
		ls->has_meter = li && li->meter;
		if (ls->has_meter) {
			qual_ctx_info(ctx, lane, "launch power through the tap");
			/* VOA open: the tap sees the launch minus the patch cord. */
			if (ls->has_voa) {
				rc = qual_ctx_voa_set(ctx, lane, ctx->opts.tx_voa_db);
				if (rc)
					return rc;
			}
			rc = qual_ctx_meter_read(ctx, lane, &meter);
			if (rc == BERT_ERR_ABORTED)
				return rc;
			if (rc) {
				qual_ctx_measure_error(ctx, step, "tx_power_avg", lane,
						       "meter: %s", bert_error_detail());
				continue;
			}
			ls->tx_avg_meter_dbm = qual_ctx_tx_from_meter(ctx, meter,
								      ls->has_voa ? ctx->opts.tx_voa_db : 0);
		}
		if (!isnan(ls->tx_avg_meter_dbm)) {
			ls->tx_avg_dbm = ls->tx_avg_meter_dbm;
			u = U_METER_DB;
			qual_ucomp_set(&c[0], "power_cal", u / 2, 'B', POWER_CAL_NOTE);
			qual_ctx_measure_budget(ctx, step, "tx_power_avg", lane, ls->tx_avg_dbm,
						c, 1, "meter");
		} else if (!isnan(ls->tx_avg_dom_dbm)) {
			ls->tx_avg_dbm = ls->tx_avg_dom_dbm;
			u = NAN;
			qual_ucomp_set(&c[0], "dom", NAN, 'B', "the module's monitor: "
				       "accuracy not stated");
			qual_ctx_measure(ctx, step, "tx_power_avg", lane, ls->tx_avg_dbm, u,
					 "dom");
		} else {
			qual_ctx_measure_error(ctx, step, "tx_power_avg", lane,
					       "neither a meter nor a DOM reading");
			continue;
		}
		if (isnan(off)) {
			qual_ctx_measure_error(ctx, step, "tx_oma", lane, "no stimulus ER "
					       "(stimulus_er_db) for lane %u: OMA unknown", lane);
			continue;
		}
		ls->tx_oma_dbm = ls->tx_avg_dbm + off;
		qual_ctx_er_component(ctx, lane, &c[1]);
		qual_ctx_measure_budget(ctx, step, "tx_oma", lane, ls->tx_oma_dbm, c, 2,
					"avg+er");
	}
	{
		/* say where the OMA conversion stands: calibrated or assumed */
		struct qual_er e = qual_site_er(ctx->site, 1);
		char er[QUAL_UCOMP_NOTE_MAX];

		if (!isnan(e.er_db))
			snprintf(step->message, sizeof(step->message), "OMA through the "
				 "stimulus %s%s; its U is in every OMA figure",
				 qual_er_describe(&e, er, sizeof(er)),
				 ctx->run.lanes > 1 ? " (lane 1; per lane in the budgets)" : "");
	}
	return qual_alarms_collect(ctx, step, "tx_power (VOA open)");
}

const struct qual_step_def qual_step_tx_power = {
	.name = "tx_power",
	.summary = "launch power per lane (meter through the tap, else DOM) and OMA",
	.run = step_tx_power,
};

/* ---- lane BER at the budget point ---------------------------------------------- */

static void ber_progress(void *user, const struct lane_ber_result *r)
{
	struct qual_ctx *ctx = user;
	struct qual_event ev = { .kind = QUAL_EV_BER, .ber = r };

	qual_ctx_emit(ctx, &ev);
}

static bool ber_abort(void *user)
{
	struct qual_ctx *ctx = user;

	return ctx->abort && ctx->abort(ctx->abort_user);
}

/* The channel budget of the run: opts.budget_db, else the profile's. */
static double qual_ctx_budget_db(const struct qual_ctx *ctx)
{
	return isnan(ctx->opts.budget_db) ? ctx->profile->channel_budget_db :
					   ctx->opts.budget_db;
}

static int step_lane_ber(struct qual_ctx *ctx, struct qual_step *step)
{
	const struct profile *p = ctx->profile;
	const struct profile_limit *txl = profile_limit(p, "tx_oma");
	double budget = qual_ctx_budget_db(ctx), cl;
	struct lane_ber_opts o;
	struct lane_ber_result *res;
	struct cmis_diag *d;
	double target[QUAL_SITE_LANES + 1];
	int lane_rc[QUAL_SITE_LANES + 1];
	uint32_t want = 0;
	uint8_t mask = 0;
	char method[24];
	unsigned lane;
	int rc;

	/* 1. The budget point on every lane, all VOA channels moving at once. */
	for (lane = 1; lane <= ctx->run.lanes; lane++) {
		struct qual_lane_state *ls = &ctx->run.lane[lane];
		double ref;

		if (ctx->opts.budget_ref == QUAL_BUDGET_REF_PROFILE && txl &&
		    !isnan(txl->lim.low))
			ref = txl->lim.low;
		else
			ref = ls->tx_oma_dbm;
		if (isnan(ref)) {
			qual_ctx_measure_error(ctx, step, "pre_fec_ber", lane, "launch OMA "
					       "unknown: budget point not set");
			continue;
		}
		qual_ctx_info(ctx, lane, "budget point: receiver at %.2f dBm OMA "
			      "(%.2f - %.2f dB)", ref - budget, ref, budget);
		target[lane] = ref - budget;
		want |= 1u << (lane - 1);
	}
	rc = qual_ctx_set_rx_oma_lanes(ctx, want, target, lane_rc);
	if (rc == BERT_ERR_ABORTED)
		return rc;
	for (lane = 1; lane <= ctx->run.lanes; lane++) {
		struct qual_lane_state *ls = &ctx->run.lane[lane];

		if (!(want & (1u << (lane - 1))))
			continue;
		if (lane_rc[lane]) {
			qual_ctx_measure_error(ctx, step, "pre_fec_ber", lane,
					       "budget point not set: %s",
					       bert_strerror(lane_rc[lane]));
			continue;
		}
		{
			struct qual_ucomp c[2];

			qual_ucomp_set(&c[0], "power_cal", QUAL_RX_POWER_CAL_SIGMA_DB, 'B',
				       QUAL_RX_POWER_CAL_NOTE);
			qual_ctx_er_component(ctx, lane, &c[1]);
			qual_ctx_measure_budget(ctx, step, "rx_oma", lane,
						ls->rx_oma_budget_dbm, c, 2,
						ctx->run.lane[lane].has_meter ? "meter+er" : "calc");
		}
		{
			struct qual_ucomp c;

			qual_ucomp_set(&c, "power_cal", QUAL_RX_POWER_CAL_SIGMA_DB, 'B',
				       QUAL_RX_POWER_CAL_NOTE);
			qual_ctx_measure_budget(ctx, step, "rx_power_avg", lane,
						ls->rx_avg_budget_dbm, &c, 1,
						ctx->run.lane[lane].has_meter ? "meter" : "calc");
		}
		mask |= (uint8_t)(1u << (lane - 1));
	}
	if (!mask)
		return BERT_OK;

	/* 2. BER on those lanes at once. */
	rc = qual_ctx_diag(ctx, &d);
	if (rc)
		return bert_fail_ctx(rc, "diagnostics");
	lane_ber_opts_default(&o);
	o.lanes = mask;
	o.pattern = ctx->opts.pattern;
	o.target = p->ber_threshold > 0 ? p->ber_threshold : BERT_KP4_THRESHOLD_BER;
	cl = isnan(ctx->opts.ber_cl) ? p->confidence : ctx->opts.ber_cl;
	o.cl = cl > 0 && cl < 1 ? cl : 0.95;
	o.max_time_ns = ctx->opts.ber_max_time_ns;
	o.min_errors = ctx->opts.ber_min_errors;
	o.flr_factor = ctx->run.lanes_per_link > 1 ? BERT_FLR_FACTOR_400G : BERT_FLR_FACTOR_X1;
	o.progress = ber_progress;
	o.abort = ber_abort;
	o.user = ctx;
	res = calloc(1, sizeof(*res));
	if (!res)
		return bert_fail(BERT_ERR_NOMEM, "lane BER");
	qual_ctx_info(ctx, 0, "lane BER, %s, target %.2g at CL %.2g",
		      cmis_pattern_name(o.pattern), o.target, o.cl);
	rc = lane_ber_run(d, ctx->clock, &o, res);
	if (rc == BERT_ERR_ABORTED) {
		free(res);
		return rc;
	}
	if (rc && !res->t_start) {
		free(res);
		return bert_fail_ctx(rc, "lane BER");
	}
	snprintf(method, sizeof(method), "bert-cl%.0f", o.cl * 100);
	for (lane = 1; lane <= ctx->run.lanes; lane++) {
		const struct lane_ber_lane *l = lane_ber_find(res, lane);
		struct qual_limits lim;
		char m2[QUAL_METHOD_MAX];
		double v, u;

		if (!l || !(mask & (1u << (lane - 1))))
			continue;
		if (l->verdict == LANE_BER_ERROR) {
			qual_ctx_measure_error(ctx, step, "pre_fec_ber", lane, "%s",
					       l->reason ? l->reason : "error");
			continue;
		}
		lim = profile_limits_for(p, "pre_fec_ber");
		lim.scale = QUAL_SCALE_LOG10;
		if (qual_limits_empty(&lim))
			lim.high = o.target;
		if (l->errors) {
			v = l->ber;
			u = l->ber_upper > l->ber ? log10(l->ber_upper / l->ber) : 0;
			snprintf(m2, sizeof(m2), "%s", method);
		} else {
			v = l->ber_upper;
			u = 0;
			snprintf(m2, sizeof(m2), "%s-upper", method);
		}
		qual_ctx_measure_lim(ctx, step, "pre_fec_ber", lane, v, u, m2, &lim);
		if (l->verdict == LANE_BER_UNDECIDED) {
			struct qual_measurement *last = &step->m[step->nm - 1];

			snprintf(last->message, sizeof(last->message), "undecided at the "
				 "time limit (%.0f s): %s", o.max_time_ns / 1e9,
				 qual_verdict_name(last->verdict));
		}
		snprintf(m2, sizeof(m2), "rs544%s", l->fec_from_upper ? "-upper" : "");
		/* The engine stores a ratio below the reporting floor (an
		 * error-free lane's model figure, down to an underflowed 0)
		 * as the floor. */
		qual_ctx_measure(ctx, step, "post_fec_ber", lane, l->fec.post_fec_ber,
				 NAN, m2);
		qual_ctx_measure(ctx, step, "flr", lane, l->fec.flr, NAN, m2);
	}
	if (rc) {
		free(res);
		return bert_fail_ctx(rc, "lane BER");
	}
	snprintf(step->message, sizeof(step->message), "budget %.2f dB from %s; %.1f s "
		 "of counting", budget, ctx->opts.budget_ref == QUAL_BUDGET_REF_PROFILE &&
		 txl && !isnan(txl->lim.low) ? "the profile's minimum launch OMA" :
		 "the lane's launch OMA", (res->t_end - res->t_start) / 1e9);
	free(res);
	return qual_alarms_collect(ctx, step, "lane_ber (budget point, PRBS)");
}

const struct qual_step_def qual_step_lane_ber = {
	.name = "lane_ber",
	.summary = "pre-FEC BER at the budget point (receiver at Tx - budget), "
		   "CL-gated early stop, post-FEC BER and FLR",
	.run = step_lane_ber,
};

/* ---- module power --------------------------------------------------------------- */

static int step_module_power(struct qual_ctx *ctx, struct qual_step *step)
{
	double w;
	int rc = bert_fixture_power_w(ctx->io->fixture, &w);

	if (rc == BERT_ERR_UNSUPPORTED)
		return qual_ctx_skip(ctx, step, "the fixture has no power monitor");
	if (rc)
		return bert_fail_ctx(rc, "fixture power monitor");
	qual_ctx_measure(ctx, step, "module_power", 0, w, U_POWER_REL * w,
			 "fixture-monitor");
	return BERT_OK;
}

const struct qual_step_def qual_step_module_power = {
	.name = "module_power",
	.summary = "module supply power from the fixture's monitor",
	.run = step_module_power,
};

/* ---- verdict -------------------------------------------------------------------- */

static int step_verdict(struct qual_ctx *ctx, struct qual_step *step)
{
	enum qual_verdict v;
	int rc = qual_alarms_judge(ctx, step);

	if (rc)
		return bert_fail_ctx(rc, "module alarms");
	v = qual_verdict_worst(qual_record_verdict(ctx->rec),
			       qual_verdict_of(step->m, step->nm));
	snprintf(step->message, sizeof(step->message), "run verdict %s",
		 qual_verdict_name(v));
	return BERT_OK;
}

const struct qual_step_def qual_step_verdict = {
	.name = "verdict",
	.summary = "no alarm of the module's own (clean read at nominal, alarms.h); "
		   "the run's verdict",
	.run = step_verdict,
	.flags = QUAL_STEP_ALWAYS | QUAL_STEP_RUN_VERDICT,
};
