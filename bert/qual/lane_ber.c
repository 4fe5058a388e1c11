// SPDX-License-Identifier: MIT
/* The lane BER loop (lane_ber.h): moved here from cli/bert_ber.c so the
 * engine, the sweep and bertd share it. */
#include <math.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/lane_ber.h"
#include "fixtures/cmis/cmis_regs.h"

void lane_ber_opts_default(struct lane_ber_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lanes = 0x0f;
	o->side = CMIS_SIDE_MEDIA;
	o->pattern = CMIS_PAT_PRBS31Q;
	o->target = BERT_KP4_THRESHOLD_BER;
	o->cl = 0.95;
	o->max_time_ns = 120 * BERT_NS_PER_S;
}

const char *lane_ber_verdict_name(enum lane_ber_verdict v)
{
	switch (v) {
	case LANE_BER_RUNNING: return "running";
	case LANE_BER_PASS: return "pass";
	case LANE_BER_FAIL: return "fail";
	case LANE_BER_UNDECIDED: return "undecided";
	case LANE_BER_ERROR: return "error";
	}
	return "?";
}

const struct lane_ber_lane *lane_ber_find(const struct lane_ber_result *r,
					  unsigned lane)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->lane[i].lane == lane)
			return &r->lane[i];
	return NULL;
}

uint64_t lane_ber_lane_time_ns(const struct lane_ber_result *r,
			       const struct lane_ber_lane *l)
{
	return r->t_start && l->t_done > r->t_start ? l->t_done - r->t_start : 0;
}

struct run {
	const struct lane_ber_opts *o;
	struct cmis_diag *d;
	struct bert_clock *clk;
	struct lane_ber_result *r;
};

/* Lanes the module has on the side (AppSel 1's lane counts); media lanes
 * beyond them have no receiver. */
static int check_lanes(struct cmis_diag *d, const struct lane_ber_opts *o)
{
	uint8_t desc[CMIS_APP_DESC_LEN];
	unsigned have;
	int rc;

	rc = cmis_read(cmis_diag_dev(d), 0, 0, CMIS_APP_DESC, desc, sizeof(desc));
	if (rc)
		return rc;
	have = o->side == CMIS_SIDE_MEDIA ? desc[CMIS_APP_LANE_COUNTS] & CMIS_APP_MEDIA_LANES_MASK :
					    desc[CMIS_APP_LANE_COUNTS] >> CMIS_APP_HOST_LANES_SHIFT;
	if (have && have < 8 && (o->lanes >> have))
		return bert_fail(BERT_ERR_UNSUPPORTED, "the module has %u %s lanes "
				 "(AppSel 1); the run asks for lane %u", have,
				 cmis_side_name(o->side),
				 32 - (unsigned)__builtin_clz((unsigned)o->lanes));
	return BERT_OK;
}

int lane_ber_check(struct cmis_diag *d, const struct lane_ber_opts *o)
{
	struct cmis_prbs_cfg cfg = { .pattern = o->pattern };
	int rc;

	if (!o->lanes)
		return bert_fail(BERT_ERR_ARG, "lane BER: no lanes");
	if (!(o->target > 0 && o->target < 0.5) || !(o->cl > 0 && o->cl < 1))
		return bert_fail(BERT_ERR_ARG, "lane BER: target %g or CL %g out of range",
				 o->target, o->cl);
	rc = cmis_diag_check(d, o->side, CMIS_UNIT_GENERATOR, o->lanes, &cfg);
	if (!rc)
		rc = cmis_diag_check(d, o->side, CMIS_UNIT_CHECKER, o->lanes, &cfg);
	if (!rc)
		rc = check_lanes(d, o);
	if (!rc && !cmis_diag_caps(d)->report_counters && !cmis_diag_caps(d)->report_ber)
		rc = bert_fail(BERT_ERR_UNSUPPORTED, "the module reports neither BER "
			       "nor error counters (13h:130)");
	return rc;
}

static void lane_update(struct run *u, struct lane_ber_lane *l)
{
	double factor = u->o->flr_factor > 0 ? u->o->flr_factor : BERT_FLR_FACTOR_400G;

	l->ber = l->bits ? (double)l->errors / (double)l->bits : 0;
	l->ber_upper = bert_ber_upper(l->errors, (double)l->bits, u->o->cl);
	/* Never empty: without an error counted, the FEC figures come from the
	 * upper bound, i.e. they are themselves upper bounds. */
	l->fec_from_upper = l->errors == 0;
	bert_fec_chain_from_ber(l->fec_from_upper ? l->ber_upper : l->ber, factor,
				&l->fec);
}

static void lane_decide(struct run *u, struct lane_ber_lane *l,
			enum lane_ber_verdict v, const char *reason)
{
	l->verdict = v;
	l->reason = reason;
	l->t_done = bert_clock_now(u->clk);
}

static void progress(struct run *u)
{
	u->r->t_end = bert_clock_now(u->clk);
	if (u->o->progress)
		u->o->progress(u->o->user, u->r);
}

static int wait(struct run *u, uint64_t ns)
{
	if (u->o->abort && u->o->abort(u->o->user))
		return bert_fail(BERT_ERR_ABORTED, "lane BER: aborted");
	return bert_clock_sleep(u->clk, ns);
}

static int start_prbs(struct run *u)
{
	struct cmis_prbs_cfg cfg = { .pattern = u->o->pattern };
	int rc;

	rc = cmis_diag_enable(u->d, u->o->side, CMIS_UNIT_GENERATOR, u->o->lanes, &cfg);
	if (!rc)
		rc = cmis_diag_enable(u->d, u->o->side, CMIS_UNIT_CHECKER, u->o->lanes, &cfg);
	/* Ungated, 1 s updates: the results grow for as long as we look. */
	if (!rc)
		rc = cmis_diag_set_measurement(u->d, 0, false);
	if (!rc)
		rc = cmis_diag_update_period_ns(u->d, &u->r->period_ns);
	return rc;
}

/* Waits for every lane's checker to lock; lanes still out of lock after the
 * timeout are in error. */
static int acquire_lock(struct run *u)
{
	uint64_t t0 = bert_clock_now(u->clk), limit = LANE_BER_LOCK_TIMEOUT_NS;
	uint8_t cur = 0xff;
	unsigned i;
	int rc;

	if (limit < 3 * u->r->period_ns)
		limit = 3 * u->r->period_ns;
	for (;;) {
		rc = wait(u, LANE_BER_LOCK_POLL_NS);
		if (rc)
			return rc;
		rc = cmis_diag_checker_lol(u->d, u->o->side, NULL, &cur);
		if (rc)
			return rc;
		if (!(cur & u->o->lanes) || bert_clock_now(u->clk) - t0 >= limit)
			break;
	}
	for (i = 0; i < u->r->n; i++) {
		struct lane_ber_lane *l = &u->r->lane[i];

		l->locked = !(cur & (1u << (l->lane - 1)));
		l->ever_locked = l->locked;
		if (!l->locked) {
			lane_update(u, l);
			lane_decide(u, l, LANE_BER_ERROR, "checker never locked (pattern, "
				    "polarity or signal)");
		}
	}
	return BERT_OK;
}

static int poll_once(struct run *u)
{
	uint64_t errors[CMIS_DIAG_LANES] = { 0 }, bits[CMIS_DIAG_LANES] = { 0 };
	double ber[CMIS_DIAG_LANES] = { 0 };
	double rate = u->o->bit_rate > 0 ? u->o->bit_rate : LANE_BER_DEFAULT_BIT_RATE;
	uint8_t latched, cur, active = 0;
	uint64_t now;
	unsigned i;
	int rc;

	for (i = 0; i < u->r->n; i++)
		if (u->r->lane[i].verdict == LANE_BER_RUNNING)
			active |= (uint8_t)(1u << (u->r->lane[i].lane - 1));
	rc = cmis_diag_checker_lol(u->d, u->o->side, &latched, &cur);
	if (rc)
		return rc;
	if (u->r->counters)
		rc = cmis_diag_read_counters(u->d, u->o->side, active, errors, bits);
	else
		rc = cmis_diag_read_ber(u->d, u->o->side, ber);
	if (rc)
		return rc;
	now = bert_clock_now(u->clk);
	for (i = 0; i < u->r->n; i++) {
		struct lane_ber_lane *l = &u->r->lane[i];
		unsigned b = l->lane - 1;
		enum bert_stop s;

		if (l->verdict != LANE_BER_RUNNING)
			continue;
		if (u->r->counters) {
			l->errors = errors[b];
			l->bits = bits[b];
		} else {
			/* BER x bits at the lane rate over clock time. */
			l->bits = (uint64_t)(rate * (double)(now - u->r->t_start) / 1e9);
			l->errors = (uint64_t)llround(ber[b] * (double)l->bits);
		}
		lane_update(u, l);
		l->locked = !((latched | cur) & (1u << b));
		if (!l->locked) {
			lane_decide(u, l, LANE_BER_ERROR, "checker lost lock during the run");
			continue;
		}
		s = bert_ber_early_stop(l->errors, (double)l->bits, u->o->target, u->o->cl);
		if (l->errors < u->o->min_errors)
			continue;
		if (s == BERT_STOP_PASS)
			lane_decide(u, l, LANE_BER_PASS, "upper bound below target");
		else if (s == BERT_STOP_FAIL)
			lane_decide(u, l, LANE_BER_FAIL, "BER above target");
	}
	return BERT_OK;
}

/* The measurement proper, between save and restore. */
static int measure(struct run *u)
{
	uint64_t deadline;
	unsigned i;
	int rc;

	rc = start_prbs(u);
	if (!rc)
		rc = acquire_lock(u);
	if (!rc)
		rc = cmis_diag_reset_counters(u->d);
	if (rc)
		return rc;
	u->r->t_start = bert_clock_now(u->clk);
	deadline = u->r->t_start + u->o->max_time_ns;
	progress(u);
	for (;;) {
		uint64_t now = bert_clock_now(u->clk), w = u->r->period_ns;
		bool running = false;

		for (i = 0; i < u->r->n; i++)
			running |= u->r->lane[i].verdict == LANE_BER_RUNNING;
		if (!running || now >= deadline)
			break;
		if (now + w > deadline)
			w = deadline - now;
		rc = wait(u, w);
		if (rc)
			return rc;
		rc = poll_once(u);
		if (rc)
			return rc;
		progress(u);
	}
	/* Undecided at max_time: the rule once more without min_errors. */
	for (i = 0; i < u->r->n; i++) {
		struct lane_ber_lane *l = &u->r->lane[i];
		enum bert_stop s;

		if (l->verdict != LANE_BER_RUNNING)
			continue;
		s = bert_ber_early_stop(l->errors, (double)l->bits, u->o->target, u->o->cl);
		if (s == BERT_STOP_PASS)
			lane_decide(u, l, LANE_BER_PASS, "upper bound below target at the time limit");
		else if (s == BERT_STOP_FAIL)
			lane_decide(u, l, LANE_BER_FAIL, "BER above target at the time limit");
		else
			lane_decide(u, l, LANE_BER_UNDECIDED, "undecided at the time limit");
	}
	return BERT_OK;
}

int lane_ber_run(struct cmis_diag *d, struct bert_clock *clock,
		 const struct lane_ber_opts *o, struct lane_ber_result *res)
{
	struct run u = { .o = o, .d = d, .clk = clock, .r = res };
	struct cmis_diag_saved saved;
	bool global_abort = false;
	unsigned i;
	int rc, rc2;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < LANE_BER_MAX_LANES; i++)
		if (o->lanes & (1u << i))
			res->lane[res->n++].lane = i + 1;
	rc = lane_ber_check(d, o);
	if (rc)
		return rc;
	res->counters = cmis_diag_caps(d)->report_counters;
	rc = cmis_diag_save(d, &saved);
	if (rc)
		return bert_fail_ctx(rc, "reading diagnostics controls");
	rc = measure(&u);
	if (rc == BERT_ERR_ABORTED) {
		res->aborted = true;
		global_abort = bert_abort_requested();
		bert_abort_clear();	/* the restore below must reach the module */
	}
	rc2 = cmis_diag_restore(d, &saved);
	res->restore_rc = rc2;
	if (global_abort)
		bert_abort_request();
	for (i = 0; i < res->n; i++)
		if (res->lane[i].verdict == LANE_BER_RUNNING) {
			lane_update(&u, &res->lane[i]);
			lane_decide(&u, &res->lane[i], LANE_BER_ERROR, res->aborted ?
				    "aborted" : "measurement failed");
		}
	res->t_end = bert_clock_now(clock);
	if (rc == BERT_ERR_ABORTED)
		return bert_fail(BERT_ERR_ABORTED, "lane BER: aborted; diagnostics %s",
				 rc2 ? "could NOT be restored" : "restored");
	if (rc)
		return rc;
	if (rc2)
		return bert_fail_ctx(rc2, "restoring the diagnostics controls");
	if (o->progress)
		o->progress(o->user, res);
	return BERT_OK;
}
