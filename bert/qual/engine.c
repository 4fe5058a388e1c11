// SPDX-License-Identifier: MIT
/* The qualification engine (engine.h): plans, the run loop, journaling,
 * the module's safe state, and the helpers steps use. The steps themselves
 * are in steps.c. */
#define LOG_PREFIX "qual"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/figure.h"
#include "bert/core/log.h"
#include "bert/qual/engine.h"
#include "bert/qual/lane_io.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/cmis/decode.h"
#include "fixtures/cmis/diag.h"
#include "fixtures/fixture.h"
#include "instruments/instr.h"
#include "instruments/scpi.h"
#include "instruments/instr_file.h"

/* ---- plans ----------------------------------------------------------------- */

/* An empty plan. */
static void qual_plan_init(struct qual_plan *p)
{
	memset(p, 0, sizeof(*p));
}

void qual_plan_default(struct qual_plan *p)
{
	qual_plan_init(p);
	qual_plan_append(p, &qual_step_identify);
	qual_plan_append(p, &qual_step_bring_up);
	qual_plan_append(p, &qual_step_dom);
	qual_plan_append(p, &qual_step_tx_power);
	qual_plan_append(p, &qual_step_lane_ber);
	qual_plan_append(p, &qual_step_module_power);
	qual_plan_append(p, &qual_step_verdict);
}

int qual_plan_find(const struct qual_plan *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->step[i].name, name))
			return (int)i;
	return -1;
}

static int plan_insert(struct qual_plan *p, size_t at, const struct qual_step_def *d)
{
	if (!d || !d->name || !d->run || strlen(d->name) >= QUAL_STEP_NAME_MAX)
		return bert_fail(BERT_ERR_ARG, "plan: a step needs a name (< %d chars) "
				 "and a run function", QUAL_STEP_NAME_MAX);
	if (qual_plan_find(p, d->name) >= 0)
		return bert_fail(BERT_ERR_ARG, "plan: step '%s' is already in the plan",
				 d->name);
	if (p->n == QUAL_PLAN_MAX)
		return bert_fail(BERT_ERR_ARG, "plan: more than %d steps", QUAL_PLAN_MAX);
	memmove(&p->step[at + 1], &p->step[at], (p->n - at) * sizeof(p->step[0]));
	p->step[at] = *d;
	p->n++;
	return BERT_OK;
}

int qual_plan_append(struct qual_plan *p, const struct qual_step_def *d)
{
	return plan_insert(p, p->n, d);
}

int qual_plan_insert_after(struct qual_plan *p, const char *name,
			   const struct qual_step_def *d)
{
	int i = qual_plan_find(p, name);

	if (i < 0)
		return bert_fail(BERT_ERR_RANGE, "plan: no step '%s'", name);
	return plan_insert(p, (size_t)i + 1, d);
}

int qual_plan_insert_before(struct qual_plan *p, const char *name,
			    const struct qual_step_def *d)
{
	int i = qual_plan_find(p, name);

	if (i < 0)
		return bert_fail(BERT_ERR_RANGE, "plan: no step '%s'", name);
	return plan_insert(p, (size_t)i, d);
}

int qual_plan_remove(struct qual_plan *p, const char *name)
{
	int i = qual_plan_find(p, name);

	if (i < 0)
		return bert_fail(BERT_ERR_RANGE, "plan: no step '%s'", name);
	memmove(&p->step[i], &p->step[i + 1], (p->n - (size_t)i - 1) * sizeof(p->step[0]));
	p->n--;
	return BERT_OK;
}

/* ---- context ------------------------------------------------------------------ */

void qual_options_default(struct qual_options *o)
{
	memset(o, 0, sizeof(*o));
	o->budget_db = NAN;
	o->budget_ref = QUAL_BUDGET_REF_PROFILE;
	o->pattern = CMIS_PAT_PRBS31Q;
	o->ber_cl = NAN;
	o->ber_max_time_ns = 60 * BERT_NS_PER_S;
	o->voa_iterations = 2;
}

void qual_ctx_init(struct qual_ctx *ctx)
{
	unsigned i;

	memset(ctx, 0, sizeof(*ctx));
	qual_options_default(&ctx->opts);
	for (i = 0; i <= QUAL_SITE_LANES; i++) {
		struct qual_lane_state *l = &ctx->run.lane[i];

		l->tx_avg_dom_dbm = l->tx_avg_meter_dbm = l->tx_avg_dbm = NAN;
		l->tx_oma_dbm = l->voa_start_db = l->budget_atten_db = NAN;
		l->rx_avg_budget_dbm = l->rx_oma_budget_dbm = NAN;
		l->rx_sens_oma_dbm = l->rx_sens_unc_db = NAN;
		l->rx_sens_fit_sigma_db = l->rx_sens_cal_sigma_db = NAN;
	}
}

int qual_ctx_last_error(const struct qual_ctx *ctx)
{
	return ctx->run.last_error;
}

void qual_ctx_release_all(struct qual_ctx *ctx)
{
	cmis_diag_close(ctx->run.diag);
	ctx->run.diag = NULL;
	free(ctx->run.info);
	ctx->run.info = NULL;
}

/* The station time of the run. */
static uint64_t qual_ctx_now(struct qual_ctx *ctx)
{
	uint64_t now = bert_clock_now(ctx->clock);

	return now > ctx->run.t0 ? now - ctx->run.t0 : 0;
}

bool qual_ctx_aborted(struct qual_ctx *ctx)
{
	return bert_abort_requested() || (ctx->abort && ctx->abort(ctx->abort_user));
}

int qual_ctx_sleep(struct qual_ctx *ctx, uint64_t ns)
{
	if (qual_ctx_aborted(ctx))
		return bert_fail(BERT_ERR_ABORTED, "aborted");
	return bert_clock_sleep(ctx->clock, ns);
}

void qual_ctx_emit(struct qual_ctx *ctx, struct qual_event *ev)
{
	if (!ctx->progress)
		return;
	ev->step = ctx->run.cur ? ctx->run.cur->name : NULL;
	ev->step_index = ctx->run.step_index;
	ev->nsteps = ctx->run.plan ? (unsigned)ctx->run.plan->n : 0;
	ev->t_ns = qual_ctx_now(ctx);
	ev->rec = ctx->rec;
	ctx->progress(ctx->progress_user, ev);
}

void qual_ctx_info(struct qual_ctx *ctx, unsigned lane, const char *fmt, ...)
{
	struct qual_event ev = { .kind = lane ? QUAL_EV_LANE : QUAL_EV_INFO, .lane = lane };
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ev.text = buf;
	qual_ctx_emit(ctx, &ev);
}

/* A ratio (the log-scale quantities without a unit: BER, FLR) is stored
 * only when it is physically possible (0..1) and not below the reporting
 * floor (bert/core/figure.h): an impossible one becomes n/a (NaN, which
 * qual_judge makes an ERROR) and names the value it replaced; one below the
 * floor is stored as the floor (no test time confirms less) and judged
 * there, which for every limit at or above the floor is the same verdict.
 * A dBm figure of -inf (a monitor reading 0 mW) is no light: n/a with the
 * reason, judged as the bound "below 0.1 uW" (qual_judge_below()). */
static void check_figure(struct qual_measurement *m)
{
	char note[QUAL_MSG_MAX];
	double v = m->value;

	if (!strcmp(m->unit, "dBm") && bert_fig_dbm_no_light(v)) {
		char why[QUAL_MSG_MAX - sizeof(BERT_FIG_NO_LIGHT_TEXT) - 2];

		m->value = NAN;
		m->uncertainty = NAN;
		m->nucomp = 0;
		m->verdict = qual_judge_below(BERT_FIG_NO_LIGHT_DBM, &m->lim, m->unit,
					      why, sizeof(why));
		snprintf(m->message, sizeof(m->message), "%s%s%s",
			 BERT_FIG_NO_LIGHT_TEXT, why[0] ? "; " : "", why);
		return;
	}
	if (m->lim.scale != QUAL_SCALE_LOG10 || m->unit[0] || isnan(v))
		return;
	if (!bert_fig_ratio_ok(v)) {
		snprintf(note, sizeof(note), "n/a: %.3g is not a possible ratio "
			 "(0..1)", v);
		m->value = NAN;
	} else if (v < BERT_FIG_FLOOR) {
		snprintf(note, sizeof(note), "< " BERT_FIG_FLOOR_TEXT
			 ": below the reporting floor, stored as the floor");
		m->value = BERT_FIG_FLOOR;
	} else {
		return;
	}
	qual_measurement_judge(m);
	if (m->message[0]) {
		size_t n = strlen(m->message);

		snprintf(m->message + n, sizeof(m->message) - n, "; %s", note);
	} else {
		snprintf(m->message, sizeof(m->message), "%s", note);
	}
}

static int add_measurement(struct qual_ctx *ctx, struct qual_step *step,
			   struct qual_measurement *m)
{
	struct qual_event ev = { .kind = QUAL_EV_MEASUREMENT, .lane = m->lane, .m = m };
	int rc;

	check_figure(m);
	rc = qual_step_add(step, m);
	if (rc)
		return rc;
	qual_ctx_emit(ctx, &ev);
	return BERT_OK;
}

int qual_ctx_measure_lim(struct qual_ctx *ctx, struct qual_step *step,
			 const char *name, unsigned lane, double value,
			 double uncertainty, const char *method,
			 const struct qual_limits *lim)
{
	const struct qual_quantity *q = qual_quantity_find(name);
	struct qual_measurement m;

	qual_measure(&m, name, lane, value, q ? q->unit : "", lim, uncertainty, method);
	return add_measurement(ctx, step, &m);
}

static struct qual_limits limits_for(struct qual_ctx *ctx, const char *name)
{
	struct qual_limits l = profile_limits_for(ctx->profile, name);
	const struct qual_quantity *q = qual_quantity_find(name);

	if (q)
		l.scale = q->scale;
	return l;
}

int qual_ctx_measure(struct qual_ctx *ctx, struct qual_step *step,
		     const char *name, unsigned lane, double value,
		     double uncertainty, const char *method)
{
	struct qual_limits l = limits_for(ctx, name);

	return qual_ctx_measure_lim(ctx, step, name, lane, value, uncertainty, method, &l);
}

int qual_ctx_measure_budget(struct qual_ctx *ctx, struct qual_step *step,
			    const char *name, unsigned lane, double value,
			    const struct qual_ucomp *c, unsigned n, const char *method)
{
	const struct qual_quantity *q = qual_quantity_find(name);
	struct qual_limits l = limits_for(ctx, name);
	struct qual_measurement m;

	if (n > QUAL_UCOMP_MAX)
		n = QUAL_UCOMP_MAX;
	qual_measure(&m, name, lane, value, q ? q->unit : "", &l,
		     qual_ucomp_expanded(c, n), method);
	memcpy(m.ucomp, c, n * sizeof(*c));
	m.nucomp = n;
	return add_measurement(ctx, step, &m);
}

int qual_ctx_measure_error(struct qual_ctx *ctx, struct qual_step *step,
			   const char *name, unsigned lane, const char *fmt, ...)
{
	const struct qual_quantity *q = qual_quantity_find(name);
	struct qual_limits l = limits_for(ctx, name);
	struct qual_measurement m;
	char buf[QUAL_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	qual_measure_error(&m, name, lane, q ? q->unit : "", &l, "%s", buf);
	return add_measurement(ctx, step, &m);
}

int qual_ctx_point(struct qual_ctx *ctx, struct qual_step *step,
		   const struct qual_point *pt)
{
	struct qual_event ev = { .kind = QUAL_EV_POINT, .lane = pt->lane, .pt = pt };
	int rc = qual_step_add_point(step, pt);

	if (rc)
		return rc;
	qual_ctx_emit(ctx, &ev);
	return BERT_OK;
}

int qual_ctx_skip(struct qual_ctx *ctx, struct qual_step *step, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(step->message, sizeof(step->message), fmt, ap);
	va_end(ap);
	return QUAL_STEP_RC_SKIP;
}

int qual_ctx_acquire(struct qual_ctx *ctx, const char *instr, unsigned lane)
{
	if (qual_ctx_aborted(ctx))
		return bert_fail(BERT_ERR_ABORTED, "aborted");
	if (!ctx->arbiter.acquire)
		return BERT_OK;
	return ctx->arbiter.acquire(ctx->arbiter.user, instr, lane);
}

void qual_ctx_release(struct qual_ctx *ctx, const char *instr, unsigned lane)
{
	if (ctx->arbiter.release)
		ctx->arbiter.release(ctx->arbiter.user, instr, lane);
}

/* The arbiter lane_io sees: the run's, behind the abort check. */
static int lio_acquire(void *user, const char *instr, unsigned lane)
{
	return qual_ctx_acquire(user, instr, lane);
}

static void lio_release(void *user, const char *instr, unsigned lane)
{
	qual_ctx_release(user, instr, lane);
}

/* The site's lane I/O, (re)bound to what the caller set in ctx. */
static struct lane_io *lio(struct qual_ctx *ctx)
{
	if (ctx->run.lio.io != ctx->io || ctx->run.lio.site != ctx->site) {
		ctx->run.lio_arb = (struct qual_arbiter){ lio_acquire, lio_release, ctx };
		lane_io_init(&ctx->run.lio, ctx->site, ctx->io, &ctx->run.lio_arb);
	}
	return &ctx->run.lio;
}

int qual_ctx_voa_set(struct qual_ctx *ctx, unsigned lane, double db)
{
	double *before = lane <= QUAL_SITE_LANES ? &ctx->run.lane[lane].voa_start_db : NULL;
	int rc = lane_io_voa_set(lio(ctx), lane, db, true, before);

	if (rc != BERT_ERR_UNSUPPORTED)
		ctx->run.voa_touched = true;
	return rc;
}

int qual_ctx_meter_read(struct qual_ctx *ctx, unsigned lane, double *dbm)
{
	return lane_io_meter_read(lio(ctx), lane, dbm);
}

static double qual_ctx_rx_from_meter(const struct qual_ctx *ctx, double meter_dbm)
{
	return lane_io_rx_from_meter(ctx->site, meter_dbm);
}

double qual_ctx_tx_from_meter(const struct qual_ctx *ctx, double meter_dbm,
			      double voa_db)
{
	return lane_io_tx_from_meter(ctx->site, meter_dbm, voa_db);
}

double qual_ctx_oma_offset(const struct qual_ctx *ctx, unsigned lane)
{
	struct qual_er e = qual_site_er(ctx->site, lane);

	return qual_oma_offset_db(e.er_db);
}

void qual_ctx_er_component(const struct qual_ctx *ctx, unsigned lane,
			   struct qual_ucomp *c)
{
	struct qual_er e = qual_site_er(ctx->site, lane);
	char note[QUAL_UCOMP_NOTE_MAX];

	qual_ucomp_set(c, "stimulus_er", qual_oma_offset_u_db(e.er_db, e.u_db), 'B',
		       qual_er_describe(&e, note, sizeof(note)));
}

/* Corrections below this are trusted to the VOA's relative accuracy. */
#define VOA_TRUSTED_STEP_DB 0.5

/* Starts a VOA move without waiting for it to settle (lanes move together). */
static int voa_start(struct qual_ctx *ctx, unsigned lane, double db)
{
	ctx->run.voa_touched = true;
	return lane_io_voa_set(lio(ctx), lane, db, false, &ctx->run.lane[lane].voa_start_db);
}

/* Waits for every lane in mask whose move is pending: channels that were set
 * together settle together, so after the first wait the others are done. */
static void voa_wait(struct qual_ctx *ctx, uint32_t mask, int *rc)
{
	unsigned lane;

	for (lane = 1; lane <= QUAL_SITE_LANES; lane++)
		if ((mask & (1u << (lane - 1))) && !rc[lane])
			rc[lane] = lane_io_voa_settle(lio(ctx), lane);
}

int qual_ctx_set_rx_oma_lanes(struct qual_ctx *ctx, uint32_t mask,
			      const double *target, int *rc)
{
	const struct qual_site *s = ctx->site;
	double a[QUAL_SITE_LANES + 1], off[QUAL_SITE_LANES + 1];
	uint32_t moving = 0, open = 0;
	unsigned lane, it;

	for (lane = 1; lane <= QUAL_SITE_LANES; lane++)
		off[lane] = qual_ctx_oma_offset(ctx, lane);
	for (lane = 1; lane <= QUAL_SITE_LANES; lane++) {
		struct qual_lane_state *ls = &ctx->run.lane[lane];
		const struct qual_site_lane_io *li;

		if (!(mask & (1u << (lane - 1))))
			continue;
		li = lane_io_lane(lio(ctx), lane);
		rc[lane] = BERT_OK;
		if (!li || !li->voa || !s) {
			rc[lane] = bert_fail(BERT_ERR_UNSUPPORTED, "lane %u has no VOA "
					     "in the station", lane);
			continue;
		}
		if (isnan(ls->tx_oma_dbm) || isnan(off[lane])) {
			rc[lane] = bert_fail(BERT_ERR_STATE, "lane %u: launch OMA unknown "
					     "(tx_power step, stimulus_er_db)", lane);
			continue;
		}
		/* Open loop from the launch power and the calibration ... */
		a[lane] = ls->tx_oma_dbm - s->patch_loss_db - s->voa_loss_db -
			  s->through_loss_db - target[lane];
		if (a[lane] < 0)
			a[lane] = 0;
		ls->budget_atten_db = a[lane];
		ls->rx_oma_budget_dbm = ls->tx_oma_dbm - s->patch_loss_db -
					s->voa_loss_db - a[lane] - s->through_loss_db;
		ls->rx_avg_budget_dbm = ls->rx_oma_budget_dbm - off[lane];
		rc[lane] = voa_start(ctx, lane, a[lane]);
		if (rc[lane] == BERT_ERR_ABORTED)
			return BERT_ERR_ABORTED;
		if (!rc[lane]) {
			moving |= 1u << (lane - 1);
			if (li->meter)
				open |= 1u << (lane - 1);
		}
	}
	voa_wait(ctx, moving, rc);
	/* ... then closed loop on the tap, which sees the VOA's own error. */
	for (it = 0; open && !ctx->opts.budget_open_loop &&
		     it <= ctx->opts.voa_iterations; it++) {
		moving = 0;
		for (lane = 1; lane <= QUAL_SITE_LANES; lane++) {
			struct qual_lane_state *ls = &ctx->run.lane[lane];
			double meter, rx_oma, step_db;

			if (!(open & (1u << (lane - 1))) || rc[lane])
				continue;
			rc[lane] = qual_ctx_meter_read(ctx, lane, &meter);
			if (rc[lane] == BERT_ERR_ABORTED)
				return BERT_ERR_ABORTED;
			if (rc[lane])
				continue;
			ls->rx_avg_budget_dbm = qual_ctx_rx_from_meter(ctx, meter);
			ls->rx_oma_budget_dbm = rx_oma = ls->rx_avg_budget_dbm + off[lane];
			if (it == ctx->opts.voa_iterations ||
			    fabs(rx_oma - target[lane]) < 0.02 ||
			    (a[lane] == 0 && rx_oma < target[lane])) {
				open &= ~(1u << (lane - 1));
				continue;
			}
			step_db = rx_oma - target[lane];
			if (a[lane] + step_db < 0)
				step_db = -a[lane];
			a[lane] += step_db;
			ls->budget_atten_db = a[lane];
			/* A VOA's relative steps repeat far better than its absolute
			 * setting (its error is an offset per channel and wavelength),
			 * and the meter's own uncertainty dominates what we state, so
			 * a small correction is applied without a second read. */
			if (fabs(step_db) < VOA_TRUSTED_STEP_DB) {
				ls->rx_oma_budget_dbm -= step_db;
				ls->rx_avg_budget_dbm -= step_db;
				open &= ~(1u << (lane - 1));
			}
			rc[lane] = voa_start(ctx, lane, a[lane]);
			if (rc[lane] == BERT_ERR_ABORTED)
				return BERT_ERR_ABORTED;
			if (!rc[lane])
				moving |= 1u << (lane - 1);
		}
		voa_wait(ctx, moving, rc);
	}
	for (lane = 1; lane <= QUAL_SITE_LANES; lane++)
		if ((mask & (1u << (lane - 1))) && rc[lane] == BERT_ERR_ABORTED)
			return BERT_ERR_ABORTED;
	return BERT_OK;
}

int qual_ctx_read_info(struct qual_ctx *ctx, struct cmis_info *info)
{
	struct cmis_snapshot *snap = malloc(sizeof(*snap));
	int rc;

	if (!snap)
		return bert_fail(BERT_ERR_NOMEM, "snapshot");
	rc = cmis_snapshot_read(ctx->io->dev, snap);
	if (!rc)
		rc = cmis_decode(&snap->map, info);
	free(snap);
	return rc;
}

int qual_ctx_diag(struct qual_ctx *ctx, struct cmis_diag **out)
{
	int rc;

	if (!ctx->run.diag) {
		rc = cmis_diag_open(ctx->io->dev, &ctx->run.diag);
		if (rc)
			return rc;
	}
	*out = ctx->run.diag;
	return BERT_OK;
}

/* Leaves the module safe: Tx disabled on the lanes under test. */
static int qual_ctx_module_safe(struct qual_ctx *ctx)
{
	uint8_t mask = ctx->run.media_mask ? ctx->run.media_mask : 0xff;

	if (!ctx->io || !ctx->io->dev)
		return BERT_OK;
	/* TxDisable per media lane, 10h:130 (bank 0). */
	return cmis_update_byte(ctx->io->dev, 0x10, CMIS_P10_TX_DISABLE, mask, mask);
}

/* ---- the run ---------------------------------------------------------------- */

static void journal(struct qual_ctx *ctx, const struct qual_step *s)
{
	int rc;

	if (!ctx->journal.ops)
		return;
	rc = ctx->journal.ops->step_commit(ctx->journal.user, ctx->rec, s);
	if (!rc)
		return;
	log_warn("store: step %s not journaled: %s", s->name, bert_error_detail());
	if (!ctx->run.journal_error) {
		ctx->run.journal_error = rc;
		snprintf(ctx->run.journal_msg, sizeof(ctx->run.journal_msg),
			 "results not stored: step %.24s: %.180s", s->name,
			 bert_error_detail()[0] ? bert_error_detail() : bert_strerror(rc));
	}
}

static void end_step(struct qual_ctx *ctx, struct qual_step *s, unsigned flags,
		     enum qual_step_status st, const char *msg)
{
	struct qual_event ev = { .kind = QUAL_EV_STEP_END, .s = s };
	char own[QUAL_RUN_MSG_MAX];

	/* qual_step_end() writes s->message: pass a copy of the step's own */
	snprintf(own, sizeof(own), "%s", s->message);
	qual_step_end(s, st, qual_ctx_now(ctx), msg && msg[0] ? msg :
		      (own[0] ? own : NULL));
	if (flags & QUAL_STEP_RUN_VERDICT)
		s->verdict = qual_verdict_worst(s->verdict, qual_record_verdict(ctx->rec));
	journal(ctx, s);
	ev.verdict = s->verdict;
	qual_ctx_emit(ctx, &ev);
}

static void skip_step(struct qual_ctx *ctx, const struct qual_step_def *d,
		      const char *why)
{
	struct qual_step *s = qual_record_step_begin(ctx->rec, d->name, qual_ctx_now(ctx));

	if (s)
		end_step(ctx, s, 0, QUAL_STEP_SKIPPED, why);
}

/* Leaves the module and the plant safe after an abort or an error: Tx off,
 * VOAs back. The abort request is lifted for the time it takes (the writes
 * must reach the module) and set again. */
static void make_safe(struct qual_ctx *ctx, bool tx_off)
{
	bool global = bert_abort_requested();
	unsigned lane;

	if (global)
		bert_abort_clear();
	if (ctx->run.diag) {
		/* generators and checkers: the BER loop restores them on every
		 * path; this is the belt to those braces. */
		uint8_t m = ctx->run.media_mask ? ctx->run.media_mask : 0xff;

		cmis_diag_disable(ctx->run.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR, m);
		cmis_diag_disable(ctx->run.diag, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER, m);
	}
	if (tx_off && ctx->run.tx_touched && qual_ctx_module_safe(ctx))
		log_warn("could not disable the transmitters: %s", bert_error_detail());
	if (ctx->run.voa_touched && ctx->io) {
		/* unarbitrated: an aborted run's arbiter refuses, and the
		 * channels are this site's own to put back */
		struct lane_io raw;

		lane_io_init(&raw, ctx->site, ctx->io, NULL);
		for (lane = 1; lane <= ctx->io->nlanes; lane++)
			if (ctx->io->lane[lane].voa && !isnan(ctx->run.lane[lane].voa_start_db))
				lane_io_voa_set(&raw, lane, ctx->run.lane[lane].voa_start_db,
						true, NULL);
	}
	if (global)
		bert_abort_request();
}

/* Traceability the station knows: where it is, the calibration of the
 * site's optical path, and each instrument's *IDN? and calibration date
 * (the station file's [instrument NAME] calibrated). Fields the caller set
 * (bert qualify --operator, ...) are kept. */
static void trace_fill(struct qual_ctx *ctx)
{
	struct qual_trace *t = &ctx->rec->trace;
	const struct qual_site *s = ctx->site;
	unsigned i, n;

	if (ctx->station && !t->station_site[0])
		snprintf(t->station_site, sizeof(t->station_site), "%s", ctx->station->location);
	if (s && !t->calibration[0]) {
		double u = isnan(s->stimulus_er_u_db) ? QUAL_ER_ASSUMED_U_DB : s->stimulus_er_u_db;

		snprintf(t->calibration, sizeof(t->calibration),
			 "patch %.2f dB, VOA insertion %.2f dB, tap ratio %.3f, tap %.2f dB, "
			 "through %.2f dB (tap and through U 0.15 dB, meter 0.1 dB, k = 2); "
			 "stimulus ER %.2f dB, U %.2f dB (k = 2, %s)", s->patch_loss_db,
			 s->voa_loss_db, s->tap_ratio, s->tap_loss_db, s->through_loss_db,
			 s->stimulus_er_db, u, s->stimulus_er_calibrated ? "from calibration" :
			 "assumed");
	}
	if (!ctx->io->pool || t->ninstr)
		return;
	n = instr_pool_count(ctx->io->pool);
	for (i = 0; i < n && t->ninstr < QUAL_INSTR_MAX; i++) {
		struct instr_conn *c = instr_pool_at(ctx->io->pool, i);
		const struct scpi_idn *idn;
		const struct station_instr *si;
		char b[QUAL_IDN_MAX];

		if (!c)
			continue;	/* still opening */
		idn = instr_conn_idn(c);
		si = ctx->station ? station_find(&ctx->station->instr, instr_conn_name(c)) : NULL;
		snprintf(b, sizeof(b), "%.30s,%.30s,%.30s,%.30s", idn->vendor, idn->model,
			 idn->serial, idn->firmware);
		qual_trace_add_instrument(t, instr_conn_name(c), b, si ? si->calibrated : "");
	}
}

int qual_run(struct qual_ctx *ctx, const struct qual_plan *plan)
{
	struct qual_event ev = { .kind = QUAL_EV_RUN_BEGIN };
	enum qual_run_status status = QUAL_RUN_COMPLETE;
	bool stop_on_fail, stopped = false, ended = false;
	char runmsg[QUAL_RUN_MSG_MAX] = "", first_err[QUAL_RUN_MSG_MAX] = "";
	bool fatal = false;
	int ret = BERT_OK, rc;
	size_t i;

	if (!ctx->profile || !ctx->rec || !ctx->io || !ctx->io->dev || !plan)
		return bert_fail(BERT_ERR_ARG, "qual_run: profile, record, module and "
				 "plan are required");
	if (!ctx->clock)
		ctx->clock = ctx->io->fixture->clock;
	ctx->run.plan = plan;
	ctx->run.t0 = bert_clock_now(ctx->clock);
	ctx->run.lanes = ctx->profile->lanes;
	ctx->run.lanes_per_link = ctx->profile->lanes_per_link;
	stop_on_fail = ctx->opts.stop_on_fail || ctx->profile->stop_on_fail;
	qual_record_set_profile(ctx->rec, ctx->profile);
	if (ctx->station)
		snprintf(ctx->rec->station, sizeof(ctx->rec->station), "%s", ctx->station->name);
	if (ctx->site)
		ctx->rec->site = ctx->site->index;
	snprintf(ctx->rec->fixture, sizeof(ctx->rec->fixture), "%.*s",
		 (int)sizeof(ctx->rec->fixture) - 1, ctx->io->fixture->uri);
	trace_fill(ctx);
	if (ctx->journal.ops) {
		rc = ctx->journal.ops->run_begin(ctx->journal.user, ctx->rec);
		if (rc)
			return bert_fail_ctx(rc, "store");
	}
	qual_ctx_emit(ctx, &ev);

	for (i = 0; i < plan->n; i++) {
		const struct qual_step_def *d = &plan->step[i];
		struct qual_event sb = { .kind = QUAL_EV_STEP_BEGIN };
		struct qual_step *s;

		ctx->run.step_index = (unsigned)i;
		if (ended) {
			char why[QUAL_RUN_MSG_MAX];

			snprintf(why, sizeof(why), "%s%.200s", fatal ? "not run: the station "
				 "failed in " : "", runmsg);
			skip_step(ctx, d, why);
			continue;
		}
		if (stopped && !(d->flags & QUAL_STEP_ALWAYS)) {
			skip_step(ctx, d, "not run: stop on fail");
			continue;
		}
		if (qual_ctx_aborted(ctx)) {
			status = QUAL_RUN_ABORTED;
			ret = BERT_ERR_ABORTED;
			snprintf(runmsg, sizeof(runmsg), "aborted before step %s", d->name);
			break;
		}
		s = qual_record_step_begin(ctx->rec, d->name, qual_ctx_now(ctx));
		if (!s) {
			status = QUAL_RUN_ERROR;
			ret = bert_fail(BERT_ERR_NOMEM, "step %s", d->name);
			snprintf(runmsg, sizeof(runmsg), "out of memory");
			break;
		}
		ctx->run.cur = s;
		qual_ctx_emit(ctx, &sb);
		bert_error_clear();
		rc = d->run(ctx, s);
		if (rc == BERT_OK) {
			end_step(ctx, s, d->flags, QUAL_STEP_DONE, NULL);
		} else if (rc == QUAL_STEP_RC_SKIP) {
			end_step(ctx, s, d->flags, QUAL_STEP_SKIPPED, NULL);
		} else if (rc == BERT_ERR_ABORTED || qual_ctx_aborted(ctx)) {
			end_step(ctx, s, d->flags, QUAL_STEP_ABORTED, "aborted");
			status = QUAL_RUN_ABORTED;
			ret = BERT_ERR_ABORTED;
			snprintf(runmsg, sizeof(runmsg), "aborted in step %s", d->name);
			ctx->run.cur = NULL;
			break;
		} else {
			char msg[QUAL_RUN_MSG_MAX];

			ctx->run.last_error = rc;
			snprintf(msg, sizeof(msg), "%s: %s", bert_strerror_name(rc),
				 bert_error_detail()[0] ? bert_error_detail() : bert_strerror(rc));
			end_step(ctx, s, d->flags, QUAL_STEP_ERROR, msg);
			if (!first_err[0])
				snprintf(first_err, sizeof(first_err), "%s: %.200s", d->name, msg);
			if (d->flags & QUAL_STEP_REQUIRED) {
				ended = true;
				status = QUAL_RUN_ERROR;
				ret = rc;
				snprintf(runmsg, sizeof(runmsg), "not run: step %s failed (%.200s)",
					 d->name, msg);
			} else if (rc == BERT_ERR_NODEV) {
				/* the module or its adapter is gone: every later step
				 * would only repeat the symptom. The station failed:
				 * status error, the root cause first. */
				ended = true;
				status = QUAL_RUN_ERROR;
				ret = rc;
				snprintf(runmsg, sizeof(runmsg), "%s", first_err);
				fatal = true;
			}
		}
		ctx->run.cur = NULL;
		if (ctx->run.journal_error && !ended) {
			/* the store refused a finished step: the record can no
			 * longer be complete, so the run ends here as an error */
			ended = true;
			status = QUAL_RUN_ERROR;
			ret = ctx->run.journal_error;
			ctx->run.last_error = ctx->run.journal_error;
			snprintf(runmsg, sizeof(runmsg), "%s", ctx->run.journal_msg);
		}
		if (stop_on_fail && s->verdict == QUAL_FAIL)
			stopped = true;
	}
	ctx->run.cur = NULL;
	if (status != QUAL_RUN_COMPLETE || ctx->opts.safe_at_end)
		make_safe(ctx, true);
	else
		make_safe(ctx, false);
	if (status == QUAL_RUN_ERROR) {
		/* runmsg says which step; keep the step's own message too */
		char m[QUAL_RUN_MSG_MAX];

		snprintf(m, sizeof(m), "%s", runmsg + (strncmp(runmsg, "not run: ", 9) ? 0 : 9));
		snprintf(runmsg, sizeof(runmsg), "%s", m);
	} else if (status == QUAL_RUN_COMPLETE && stopped) {
		snprintf(runmsg, sizeof(runmsg), "stopped on the first failure");
	} else if (status == QUAL_RUN_COMPLETE && first_err[0]) {
		/* steps that errored: the first one is the likeliest cause */
		snprintf(runmsg, sizeof(runmsg), "first error: %.200s", first_err);
	}
	if (ctx->run.journal_error && status != QUAL_RUN_ABORTED) {
		/* a skipped step's journal failed after the run had ended */
		if (status == QUAL_RUN_COMPLETE || !ret) {
			status = QUAL_RUN_ERROR;
			ret = ctx->run.journal_error;
			ctx->run.last_error = ctx->run.journal_error;
			snprintf(runmsg, sizeof(runmsg), "%s", ctx->run.journal_msg);
		}
	}
	qual_record_finish(ctx->rec, status, qual_ctx_now(ctx), runmsg[0] ? runmsg : NULL);
	if (ctx->journal.ops) {
		rc = ctx->journal.ops->run_finish(ctx->journal.user, ctx->rec);
		if (rc) {
			/* the row stays "running": recovery marks it aborted */
			log_warn("store: run not finished: %s", bert_error_detail());
			if (!ctx->run.journal_error) {
				ctx->run.journal_error = rc;
				snprintf(ctx->run.journal_msg, sizeof(ctx->run.journal_msg),
					 "results not stored: run end: %.200s",
					 bert_error_detail()[0] ? bert_error_detail() :
					 bert_strerror(rc));
			}
			if (!ret) {
				/* what the caller shows must not read complete
				 * either: the record in memory ends as error */
				ctx->run.last_error = rc;
				ret = rc;
				snprintf(runmsg, sizeof(runmsg), "%s", ctx->run.journal_msg);
				qual_record_finish(ctx->rec, QUAL_RUN_ERROR,
						   ctx->rec->station_ns, runmsg);
			}
		}
	}
	{
		struct qual_event re = { .kind = QUAL_EV_RUN_END,
					 .verdict = ctx->rec->verdict };

		qual_ctx_emit(ctx, &re);
	}
	if (ret == BERT_ERR_ABORTED)
		return bert_fail(BERT_ERR_ABORTED, "%s", runmsg);
	if (ret)
		return bert_fail(ret, "%s", runmsg);
	return BERT_OK;
}
