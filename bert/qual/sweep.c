// SPDX-License-Identifier: MIT
/* Receiver sensitivity sweep: the methods, the fit and the link budget
 * arithmetic (see sweep.h for the equations and the methods). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#define LOG_PREFIX "sweep"
#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/qual/sweep.h"
#include "bert/signal/berstat.h"

/* Smart placement, in Q around the target Qs. */
#define SMART_PROBE_DB		1.5	/* probe this far above the prior */
#define SMART_Q_LO		0.35	/* below the target: BER ~8e-4 */
#define SMART_Q_HI		0.45	/* above: BER ~4e-5 */
#define SMART_Q_CHECK		1.3	/* floor check when the probe is missing */
#define SMART_LO_WIN		0.8	/* a point counts as "below" within this */
#define SMART_HI_WIN		0.8
#define SMART_UP_DB		2.5	/* no lock: this much more power */
#define SMART_DOWN_DB		2.0	/* too few errors: this much less */
#define SMART_MAX_STEP_DB	1.0	/* below the weakest counted point */
#define LOCK_RETRY_NS		(50 * BERT_NS_PER_MS)
#define LOCK_MAX_BER		1e-2	/* checkers lose lock above this */
#define FLOOR_SIGMAS		3.0
#define FLOOR_MIN_DQ		0.1
#define POOR_FIT_CHI2		9.0	/* reduced chi-square */

void sweep_config_default(struct sweep_config *c, enum sweep_method m)
{
	memset(c, 0, sizeof(*c));
	c->method = m;
	c->target_ber = BERT_KP4_THRESHOLD_BER;
	c->prior_sens_oma_dbm = -6.4;	/* DR4 limit -4.4 dBm - 2 dB */
	c->fixed_step_db = 0.5;
	c->fixed_span_db = 8.0;
	c->max_dwells = 8;
}

const char *sweep_method_name(enum sweep_method m)
{
	return m == SWEEP_FIXED ? "fixed-0.5dB" : "smart-qlin";
}

const char *sweep_method_summary(enum sweep_method m)
{
	if (m == SWEEP_FIXED)
		return "fixed grid: budget point + 0.5 dB steps over 8 dB, settle, "
		       "meter, one BER update period per point; weighted Q-linear "
		       "fit to the target";
	return "smart: probe at prior+1.5 dB, two dwells placed at Q = Qs-0.35 "
	       "and Qs+0.45 from the running estimate, lanes in parallel, meter "
	       "read during the dwell; weighted Q-linear fit to the target";
}

int sweep_method_parse(const char *s, enum sweep_method *m)
{
	if (!s)
		return BERT_ERR_ARG;
	if (!strcmp(s, "smart") || !strcmp(s, "smart-qlin"))
		*m = SWEEP_SMART;
	else if (!strcmp(s, "fixed") || !strcmp(s, "fixed-0.5dB"))
		*m = SWEEP_FIXED;
	else
		return bert_fail(BERT_ERR_ARG, "sweep method '%s' (smart or fixed)", s);
	return BERT_OK;
}

double sweep_oma_of_avg_dbm(double avg_dbm, double er_db)
{
	double er = pow(10.0, er_db / 10.0);

	return avg_dbm + 10.0 * log10(2.0 * (er - 1.0) / (er + 1.0));
}

double sweep_avg_of_oma_dbm(double oma_dbm, double er_db)
{
	double er = pow(10.0, er_db / 10.0);

	return oma_dbm - 10.0 * log10(2.0 * (er - 1.0) / (er + 1.0));
}

void sweep_link_margin(double tx_oma_dbm, double tx_u_db, double sens_oma_dbm,
		       double sens_u_db, double budget_db, struct sweep_budget *o)
{
	o->tx_oma_dbm = tx_oma_dbm;
	o->sens_oma_dbm = sens_oma_dbm;
	o->budget_db = budget_db;
	o->margin_db = tx_oma_dbm - sens_oma_dbm - budget_db;
	if (!isfinite(tx_u_db))
		tx_u_db = 0;
	if (!isfinite(sens_u_db))
		sens_u_db = 0;
	o->u_db = sqrt(tx_u_db * tx_u_db + sens_u_db * sens_u_db);
}

double sweep_plant_loss_db(const struct sweep_plant *p)
{
	return p->length_km * p->fiber_db_per_km + p->connectors * p->connector_db +
	       p->splices * p->splice_db;
}

/* ---- fit ------------------------------------------------------------------ */

double sweep_q_of(double ber, uint64_t errors, double *sigma_q)
{
	double q, d;

	if (sigma_q)
		*sigma_q = NAN;
	if (!(ber > 0 && ber < 0.375) || errors < 1)
		return NAN;
	q = bert_q_from_ber_pam4(ber);
	/* BER = 0.375 erfc(Q / sqrt 2): dBER/dQ = -0.375 sqrt(2/pi) e^(-Q^2/2) */
	d = 0.375 * sqrt(2.0 / M_PI) * exp(-q * q / 2.0);
	if (sigma_q)
		*sigma_q = ber / sqrt((double)errors) / d;
	return q;
}

struct wls {
	double a, b, va, vb, cab, chi2;
	unsigned n;
};

static int wls_fit(const struct sweep_fit_pt *p, size_t n, const bool *skip,
		   double rel, struct wls *o)
{
	double b = 0;
	int it;

	memset(o, 0, sizeof(*o));
	for (it = 0; it < 3; it++) {
		double s = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, del, chi2 = 0;
		unsigned k = 0;
		size_t i;

		for (i = 0; i < n; i++) {
			double sx2, w;

			if (skip && skip[i])
				continue;
			sx2 = b * p[i].x * rel;
			w = 1.0 / (p[i].sigma_q * p[i].sigma_q + sx2 * sx2 + 1e-12);
			s += w;
			sx += w * p[i].x;
			sy += w * p[i].q;
			sxx += w * p[i].x * p[i].x;
			sxy += w * p[i].x * p[i].q;
			k++;
		}
		if (k < 2)
			return BERT_ERR_ARG;
		del = s * sxx - sx * sx;
		if (!(del > 0))
			return BERT_ERR_ARG;
		o->b = (s * sxy - sx * sy) / del;
		o->a = (sxx * sy - sx * sxy) / del;
		o->va = sxx / del;
		o->vb = s / del;
		o->cab = -sx / del;
		o->n = k;
		for (i = 0; i < n; i++) {
			double sx2, w, r;

			if (skip && skip[i])
				continue;
			sx2 = o->b * p[i].x * rel;
			w = 1.0 / (p[i].sigma_q * p[i].sigma_q + sx2 * sx2 + 1e-12);
			r = p[i].q - o->a - o->b * p[i].x;
			chi2 += w * r * r;
		}
		o->chi2 = chi2;
		if (fabs(o->b - b) <= 1e-9 * fabs(o->b))
			break;
		b = o->b;
	}
	return BERT_OK;
}

int sweep_fit_qlin(const struct sweep_fit_pt *p, size_t n, double q_target,
		   double rel_x_sigma, struct sweep_fit *fit)
{
	double x0, v, scale = 1, qmin = INFINITY, qmax = -INFINITY;
	struct wls w;
	size_t i;

	memset(fit, 0, sizeof(*fit));
	fit->x_target = fit->dbm_target = fit->sigma_db = NAN;
	if (!p || n < 2)
		return bert_fail(BERT_ERR_ARG, "Q-linear fit needs 2 points, has %zu", n);
	for (i = 0; i < n; i++)
		if (!(p[i].x > 0) || !isfinite(p[i].q) || !(p[i].sigma_q > 0))
			return bert_fail(BERT_ERR_ARG, "Q-linear fit: point %zu is not "
					 "usable", i);
	if (wls_fit(p, n, NULL, rel_x_sigma, &w))
		return bert_fail(BERT_ERR_ARG, "Q-linear fit: the points do not "
				 "span any power");
	fit->a = w.a;
	fit->b = w.b;
	fit->chi2 = w.chi2;
	fit->n = w.n;
	fit->dof = w.n - 2;
	if (!(w.b > 0))
		return bert_fail(BERT_ERR_RANGE, "Q-linear fit: Q does not rise with "
				 "power (slope %.3g)", w.b);
	x0 = (q_target - w.a) / w.b;
	if (!(x0 > 0))
		return bert_fail(BERT_ERR_RANGE, "Q-linear fit does not reach Q %.3f",
				 q_target);
	/* residuals larger than counting explains widen the covariance */
	if (fit->dof > 0 && w.chi2 / fit->dof > 1)
		scale = w.chi2 / fit->dof;
	v = (w.va + x0 * x0 * w.vb + 2 * x0 * w.cab) * scale / (w.b * w.b);
	if (v < 0)
		v = 0;
	fit->x_target = x0;
	fit->dbm_target = 10 * log10(x0);
	fit->sigma_db = 10 / M_LN10 * sqrt(v) / x0;
	for (i = 0; i < n; i++) {
		qmin = fmin(qmin, p[i].q);
		qmax = fmax(qmax, p[i].q);
	}
	fit->extrapolated = q_target < qmin || q_target > qmax;
	return BERT_OK;
}

/* ---- the sweep ---------------------------------------------------------- */

struct lane_state {
	double ref_att, ref_oma;	/* a known setting and its OMA */
	double next_oma;		/* smart: where the next dwell goes */
	double att;			/* setting now */
	bool done;
};

struct run {
	const struct sweep_io *io;
	const struct sweep_config *cfg;
	struct sweep_result *res;
	struct lane_state st[SWEEP_MAX_LANES];
	double qs;
};

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void make_point(struct run *r, unsigned i, double att, double dbm,
		       uint64_t err, uint64_t bits, bool held)
{
	struct sweep_lane_result *L = &r->res->lane[i];
	struct sweep_point *pt;

	if (L->npts >= SWEEP_MAX_POINTS)
		return;
	pt = &L->pt[L->npts++];
	memset(pt, 0, sizeof(*pt));
	pt->atten_db = att;
	pt->power_dbm = dbm;
	pt->oma_dbm = isfinite(dbm) ? sweep_oma_of_avg_dbm(dbm, r->io->er_db[i]) : NAN;
	pt->bits = bits;
	pt->errors = err;
	pt->ber = bits ? (double)err / (double)bits : NAN;
	pt->locked = held;
	pt->t_ns = bert_clock_now(r->io->clock);
	pt->q = pt->sigma_q = NAN;
	if (held && err >= SWEEP_MIN_ERRORS && isfinite(pt->oma_dbm))
		pt->q = sweep_q_of(pt->ber, err, &pt->sigma_q);
	if (r->io->on_point) {
		unsigned k, done = 0, per_lane;

		for (k = 0; k < r->io->nlanes; k++)
			done += r->res->lane[k].npts;
		/* fixed: the grid; smart: its usual three dwells (at most
		 * max_dwells) -- an estimate for the ETA, never a limit */
		per_lane = r->cfg->method == SWEEP_FIXED ?
			   (unsigned)(r->cfg->fixed_span_db / r->cfg->fixed_step_db) + 1 : 3;
		if (L->npts > per_lane)
			per_lane = L->npts;
		r->io->on_point(r->io->on_point_user, i, pt, done,
				per_lane * r->io->nlanes > done ? per_lane * r->io->nlanes : done);
	}
}

/* One dwell for the lanes in mask: lock check, counter reset, the meter
 * per lane (during the dwell when smart, before it when fixed), one update
 * period, the counters. */
static int dwell(struct run *r, uint32_t mask, bool meter_first)
{
	const struct sweep_io *io = r->io;
	uint64_t err[SWEEP_MAX_LANES] = { 0 }, bits[SWEEP_MAX_LANES] = { 0 }, t0;
	double dbm[SWEEP_MAX_LANES];
	uint32_t lk = 0, held = 0, mask_meter = mask;
	unsigned i;
	int rc;

	for (i = 0; i < io->nlanes; i++) {
		const struct lane_state *s = &r->st[i];

		dbm[i] = NAN;
		if (io->power_from_voa && r->cfg->method == SWEEP_SMART &&
		    mask & (1u << i) && isfinite(s->ref_oma)) {
			dbm[i] = sweep_avg_of_oma_dbm(s->ref_oma - (s->att - s->ref_att),
						      io->er_db[i]);
			mask_meter &= ~(1u << i);
		}
	}
	if (meter_first)
		for (i = 0; i < io->nlanes; i++)
			if (mask_meter & (1u << i) &&
			    (rc = io->ops->read_rx_dbm(io->ctx, i, &dbm[i])))
				return rc;
	if ((rc = io->ops->locked(io->ctx, &lk)))
		return rc;
	if (mask & ~lk) {
		/* a checker that lost lock relocks within tens of ms */
		if ((rc = bert_clock_sleep(io->clock, LOCK_RETRY_NS)) ||
		    (rc = io->ops->locked(io->ctx, &lk)))
			return rc;
	}
	if ((rc = io->ops->ber_reset(io->ctx)))
		return rc;
	t0 = bert_clock_now(io->clock);
	if (!meter_first)
		for (i = 0; i < io->nlanes; i++)
			if (mask_meter & (1u << i) &&
			    (rc = io->ops->read_rx_dbm(io->ctx, i, &dbm[i])))
				return rc;
	if ((rc = bert_clock_sleep_until(io->clock, t0 + io->dwell_ns)))
		return rc;
	if ((rc = io->ops->ber_read(io->ctx, mask, err, bits, &held)))
		return rc;
	r->res->dwells++;
	for (i = 0; i < io->nlanes; i++)
		if (mask & (1u << i))
			make_point(r, i, r->st[i].att, dbm[i], err[i], bits[i],
				   (held & lk & (1u << i)) != 0);
	return BERT_OK;
}

static size_t usable(const struct sweep_lane_result *L, struct sweep_fit_pt *p,
		     size_t *idx)
{
	size_t i, n = 0;

	for (i = 0; i < L->npts; i++) {
		const struct sweep_point *pt = &L->pt[i];

		if (!isfinite(pt->q))
			continue;
		p[n].x = pow(10.0, pt->oma_dbm / 10.0);
		p[n].q = pt->q;
		p[n].sigma_q = pt->sigma_q;
		if (idx)
			idx[n] = i;
		n++;
	}
	return n;
}

/* Points at the high power end dropped while they sit significantly below
 * the line through the rest (a floor); marks them in skip, returns how many. */
static size_t floor_points(const struct sweep_fit_pt *p, size_t n, double rel, bool *skip)
{
	size_t kept = n, k;

	while (kept >= 3) {
		struct wls w;
		size_t h = SIZE_MAX;
		double qp, vp, rr, sr, sx;

		for (k = 0; k < n; k++)
			if (!skip[k] && (h == SIZE_MAX || p[k].x > p[h].x))
				h = k;
		skip[h] = true;
		if (wls_fit(p, n, skip, rel, &w) || !(w.b > 0)) {
			skip[h] = false;
			break;
		}
		qp = w.a + w.b * p[h].x;
		vp = w.va + p[h].x * p[h].x * w.vb + 2 * p[h].x * w.cab;
		if (w.n > 2 && w.chi2 / (w.n - 2) > 1)
			vp *= w.chi2 / (w.n - 2);
		sx = w.b * p[h].x * rel;
		rr = p[h].q - qp;
		sr = sqrt(p[h].sigma_q * p[h].sigma_q + (vp > 0 ? vp : 0) + sx * sx);
		if (rr < -FLOOR_SIGMAS * sr && rr < -FLOOR_MIN_DQ) {
			kept--;
			continue;
		}
		skip[h] = false;
		break;
	}
	return n - kept;
}

/* The running estimate of a lane's sensitivity (mW) from its points. */
static double estimate_mw(struct run *r, const struct sweep_fit_pt *p, size_t n)
{
	struct sweep_fit f;
	size_t i, best = 0;

	if (n >= 2 && sweep_fit_qlin(p, n, r->qs, r->io->meter_sigma_rel, &f) == BERT_OK)
		return f.x_target;
	bert_error_clear();
	for (i = 1; i < n; i++)
		if (fabs(p[i].q - r->qs) < fabs(p[best].q - r->qs))
			best = i;
	return p[best].x * r->qs / p[best].q;	/* through the origin */
}

/* Where an extra dwell goes: the first of a few Q values around the target
 * that no kept point already covers. */
static double free_q(const struct run *r, const struct sweep_fit_pt *p, size_t n)
{
	static const double dq[] = { 0, -0.2, 0.25, -0.1, 0.12, -0.3 };
	size_t c, k;

	for (c = 0; c < ARRAY_SIZE(dq); c++) {
		bool taken = false;

		for (k = 0; k < n; k++)
			taken |= fabs(p[k].q - (r->qs + dq[c])) < 0.07;
		if (!taken)
			return r->qs + dq[c];
	}
	return r->qs;
}

/* The placement from a running estimate trusts a line; a floor flattens
 * the waterfall and the line then points far below the receiver's reach.
 * A placement goes at most SMART_MAX_STEP_DB below the weakest point that
 * counted, and after a dwell that did not lock, halfway back towards it. */
static double bounded(const struct sweep_fit_pt *p, size_t n,
		      const struct sweep_point *last, double next)
{
	double weakest = INFINITY;
	size_t k;

	for (k = 0; k < n; k++)
		weakest = fmin(weakest, 10 * log10(p[k].x));
	if (!isfinite(weakest))
		return next;
	if ((!last->locked || !(last->ber < LOCK_MAX_BER)) && isfinite(last->oma_dbm) &&
	    last->oma_dbm < weakest)
		return (last->oma_dbm + weakest) / 2;
	return next < weakest - SMART_MAX_STEP_DB ? weakest - SMART_MAX_STEP_DB : next;
}

/* After a dwell: is the lane done, and if not where does it go next. */
static void smart_next(struct run *r, unsigned i)
{
	struct sweep_lane_result *L = &r->res->lane[i];
	struct lane_state *s = &r->st[i];
	const struct sweep_point *last = &L->pt[L->npts - 1];
	struct sweep_fit_pt p[SWEEP_MAX_POINTS];
	bool lo = false, hi = false;
	size_t n = usable(L, p, NULL), k;
	double smw, qt;

	if (isfinite(last->oma_dbm)) {
		s->ref_att = last->atten_db;
		s->ref_oma = last->oma_dbm;
	}
	if (!n) {
		if (!last->locked || !(last->ber < LOCK_MAX_BER)) {
			if (s->att <= 0) {
				s->done = true;
				snprintf(L->note, sizeof(L->note), "no lock even with the "
					 "VOA at 0 dB: sensitivity above %.2f dBm OMA",
					 last->oma_dbm);
				return;
			}
			s->next_oma = s->ref_oma + SMART_UP_DB;
		} else {
			s->next_oma = s->ref_oma - SMART_DOWN_DB;
		}
		return;
	}
	for (k = 0; k < n; k++) {
		lo |= p[k].q < r->qs - 0.05 && p[k].q > r->qs - SMART_LO_WIN;
		hi |= p[k].q > r->qs + 0.05 && p[k].q < r->qs + SMART_HI_WIN;
	}
	if (lo && hi && n >= 3) {
		bool skip[SWEEP_MAX_POINTS] = { false };
		size_t dropped = floor_points(p, n, r->io->meter_sigma_rel, skip), m = 0;
		struct sweep_fit_pt kp[SWEEP_MAX_POINTS];

		/* A floor (or curvature) takes points out: dwell again until the
		 * fit keeps >= 3 points (>= 1 degree of freedom to check it). */
		if (n - dropped >= 3) {
			s->done = true;
			return;
		}
		for (k = 0; k < n; k++)
			if (!skip[k])
				kp[m++] = p[k];
		smw = estimate_mw(r, kp, m);
		qt = free_q(r, kp, m);
		s->next_oma = bounded(p, n, last, 10 * log10(smw * qt / r->qs));
		return;
	}
	smw = estimate_mw(r, p, n);
	qt = !lo ? r->qs - SMART_Q_LO : !hi ? r->qs + SMART_Q_HI : r->qs + SMART_Q_CHECK;
	s->next_oma = bounded(p, n, last, 10 * log10(smw * qt / r->qs));
}

static int set_lane(struct run *r, unsigned i, double att)
{
	att = clampd(att, 0, r->io->atten_max_db);
	r->st[i].att = att;
	return r->io->ops->set_atten(r->io->ctx, i, att);
}

static int run_smart(struct run *r)
{
	const struct sweep_io *io = r->io;
	uint32_t need = 0, mask;
	unsigned i, d;
	int rc;

	for (i = 0; i < io->nlanes; i++) {
		r->st[i].ref_att = r->st[i].att = io->budget_atten_db[i];
		r->st[i].ref_oma = io->budget_oma_dbm[i];
		r->st[i].next_oma = r->cfg->prior_sens_oma_dbm + SMART_PROBE_DB;
		if (!isfinite(r->st[i].ref_oma))
			need |= 1u << i;
	}
	if (need) {
		/* where the VOA stands: one meter read per lane at the budget point */
		for (i = 0; i < io->nlanes; i++)
			if (need & (1u << i) && (rc = set_lane(r, i, r->st[i].ref_att)))
				return rc;
		if ((rc = io->ops->settle(io->ctx)))
			return rc;
		for (i = 0; i < io->nlanes; i++) {
			double dbm;

			if (!(need & (1u << i)))
				continue;
			if ((rc = io->ops->read_rx_dbm(io->ctx, i, &dbm)))
				return rc;
			r->st[i].ref_oma = sweep_oma_of_avg_dbm(dbm, io->er_db[i]);
		}
	}
	for (d = 0; d < r->cfg->max_dwells; d++) {
		mask = 0;
		for (i = 0; i < io->nlanes; i++) {
			struct lane_state *s = &r->st[i];

			if (s->done)
				continue;
			mask |= 1u << i;
			rc = set_lane(r, i, s->ref_att + s->ref_oma - s->next_oma);
			if (rc)
				return rc;
		}
		if (!mask)
			break;
		if ((rc = io->ops->settle(io->ctx)) || (rc = dwell(r, mask, false)))
			return rc;
		for (i = 0; i < io->nlanes; i++)
			if (mask & (1u << i))
				smart_next(r, i);
	}
	return BERT_OK;
}

static int run_fixed(struct run *r)
{
	const struct sweep_io *io = r->io;
	unsigned k, i, steps;
	uint32_t all = (io->nlanes >= 32 ? 0 : 1u << io->nlanes) - 1;
	int rc;

	steps = (unsigned)lround(r->cfg->fixed_span_db / r->cfg->fixed_step_db);
	for (k = 0; k <= steps; k++) {
		/* the script: each channel set and settled in turn */
		for (i = 0; i < io->nlanes; i++) {
			rc = set_lane(r, i, io->budget_atten_db[i] + k * r->cfg->fixed_step_db);
			if (!rc)
				rc = io->ops->settle(io->ctx);
			if (rc)
				return rc;
		}
		if ((rc = dwell(r, all, true)))
			return rc;
	}
	return BERT_OK;
}

/* A lane with a floor: BER = Gaussian waterfall + floor. The floor is the
 * dropped points' BER above the line's Gaussian BER at their power (the
 * highest powers, where the floor dominates); the kept points are refitted
 * on their Gaussian part (BER - floor) to the target's Gaussian part
 * (target - floor), twice, as the line moves with the floor. The
 * sensitivity is the corrected one; what the data cannot exclude, that the
 * floor is not a constant added to the waterfall (a floor that grows
 * towards the waterfall, curvature), is taken as half the shift the
 * correction made, a standard uncertainty of its own. */
static void floor_correct(struct run *r, struct sweep_lane_result *L,
			  const struct sweep_fit_pt *p, const size_t *idx,
			  const bool *skip, size_t n)
{
	double floor = 0, raw = L->sens_oma_dbm;
	struct sweep_fit f = L->fit;
	unsigned it;
	size_t k;

	for (it = 0; it < 3; it++) {
		struct sweep_fit_pt q[SWEEP_MAX_POINTS];
		double sum = 0, qt;
		size_t m = 0, nd = 0;

		for (k = 0; k < n; k++) {
			const struct sweep_point *pt = &L->pt[idx[k]];
			double g;

			if (!skip[k])
				continue;
			g = 0.375 * erfc((f.a + f.b * p[k].x) / M_SQRT2);
			sum += pt->ber - g;
			nd++;
		}
		floor = nd && sum > 0 ? sum / nd : 0;
		if (!(floor > 0) || floor >= r->res->target_ber / 2)
			return;	/* nothing to take out, or no waterfall left */
		for (k = 0; k < n; k++) {
			const struct sweep_point *pt = &L->pt[idx[k]];
			double b = pt->ber - floor, d;

			if (skip[k] || !(b > 0))
				continue;
			q[m].x = p[k].x;
			q[m].q = bert_q_from_ber_pam4(b);
			d = 0.375 * sqrt(2.0 / M_PI) * exp(-q[m].q * q[m].q / 2.0);
			q[m].sigma_q = pt->ber / sqrt((double)pt->errors) / d;
			m++;
		}
		qt = bert_q_from_ber_pam4(r->res->target_ber - floor);
		if (sweep_fit_qlin(q, m, qt, r->io->meter_sigma_rel, &f)) {
			bert_error_clear();
			return;	/* keep the uncorrected fit */
		}
	}
	L->fit = f;
	L->floor_ber = floor;
	L->sens_oma_dbm = f.dbm_target;
	L->sigma_db = f.sigma_db;
	L->floor_shift_db = L->sens_oma_dbm - raw;
	L->floor_sigma_db = fabs(L->floor_shift_db) / 2;
}

/* The final fit of one lane: every usable point, then points at the high
 * power end dropped while they sit significantly below the line through the
 * rest (a floor, then taken out: floor_correct()). */
static void finish_lane(struct run *r, unsigned i)
{
	struct sweep_lane_result *L = &r->res->lane[i];
	struct sweep_fit_pt p[SWEEP_MAX_POINTS];
	size_t idx[SWEEP_MAX_POINTS], n = usable(L, p, idx), k;
	bool skip[SWEEP_MAX_POINTS] = { false };
	double rel = r->io->meter_sigma_rel, cal = r->io->cal_sigma_db;
	size_t kept = n;
	int rc;

	kept = n - floor_points(p, n, rel, skip);
	L->floor = kept < n;
	/* the fit on the kept points */
	{
		struct sweep_fit_pt q[SWEEP_MAX_POINTS];
		size_t m = 0;

		for (k = 0; k < n; k++)
			if (!skip[k]) {
				q[m++] = p[k];
				L->pt[idx[k]].used = true;
			}
		rc = sweep_fit_qlin(q, m, r->qs, rel, &L->fit);
	}
	if (rc) {
		size_t len = strlen(L->note);	/* append: L->note is no argument
						 * of its own snprintf */

		snprintf(L->note + len, sizeof(L->note) - len, "%s%s", len ? "; " : "",
			 bert_error_detail());
		bert_error_clear();
		L->ok = false;
		return;
	}
	L->ok = true;
	L->sens_oma_dbm = L->fit.dbm_target;
	L->sigma_db = L->fit.sigma_db;
	if (L->floor)
		floor_correct(r, L, p, idx, skip, n);
	L->sens_avg_dbm = sweep_avg_of_oma_dbm(L->sens_oma_dbm, r->io->er_db[i]);
	L->cal_sigma_db = cal;
	L->er_sigma_db = r->io->er_sigma_db[i] > 0 ? r->io->er_sigma_db[i] : 0;
	L->u_db = 2 * sqrt(L->sigma_db * L->sigma_db + cal * cal +
			   L->er_sigma_db * L->er_sigma_db +
			   L->floor_sigma_db * L->floor_sigma_db);
	L->poor_fit = L->fit.dof > 0 && L->fit.chi2 / L->fit.dof > POOR_FIT_CHI2;
	if (L->floor)
		snprintf(L->note, sizeof(L->note), "error floor: BER at the highest "
			 "power above the waterfall; %zu point(s) left out; floor %.2g "
			 "taken out of the fit (shift %+.3f dB)", n - kept, L->floor_ber,
			 L->floor_shift_db);
	else if (L->poor_fit)
		snprintf(L->note, sizeof(L->note), "poor fit: chi2/dof %.1f",
			 L->fit.chi2 / L->fit.dof);
	if (L->fit.extrapolated)
		snprintf(L->note + strlen(L->note), sizeof(L->note) - strlen(L->note),
			 "%sextrapolated to the target", L->note[0] ? "; " : "");
}

int sweep_run(const struct sweep_io *io, const struct sweep_config *cfg,
	      struct sweep_result *out)
{
	struct run r;
	unsigned i;
	int rc, rc2 = BERT_OK;

	memset(out, 0, sizeof(*out));
	if (!io || !io->ops || !cfg || !io->nlanes || io->nlanes > SWEEP_MAX_LANES ||
	    !io->dwell_ns || !(cfg->target_ber > 0 && cfg->target_ber < 0.375))
		return bert_fail(BERT_ERR_ARG, "sweep: bad arguments");
	memset(&r, 0, sizeof(r));
	r.io = io;
	r.cfg = cfg;
	r.res = out;
	r.qs = bert_q_from_ber_pam4(cfg->target_ber);
	out->method = cfg->method;
	out->target_ber = cfg->target_ber;
	out->q_target = r.qs;
	out->nlanes = io->nlanes;
	out->t_start = bert_clock_now(io->clock);
	for (i = 0; i < io->nlanes; i++)
		out->lane[i].lane = io->lane[i];
	rc = cfg->method == SWEEP_FIXED ? run_fixed(&r) : run_smart(&r);
	/* back to the budget point, whatever happened */
	if (rc != BERT_ERR_ABORTED) {
		for (i = 0; i < io->nlanes && !rc2; i++)
			rc2 = set_lane(&r, i, io->budget_atten_db[i]);
		if (!rc2)
			rc2 = io->ops->settle(io->ctx);
	}
	out->t_end = bert_clock_now(io->clock);
	if (rc)
		return rc;
	if (rc2)
		return rc2;
	for (i = 0; i < io->nlanes; i++)
		finish_lane(&r, i);
	log_dbg("%s: %u dwell(s), %.3f s", sweep_method_name(cfg->method), out->dwells,
		(out->t_end - out->t_start) / 1e9);
	return BERT_OK;
}
