/* SPDX-License-Identifier: MIT */
/* Receiver sensitivity sweep (IEEE 802.3 Clause 124;
 * docs/SOURCES.md, BER statistics).
 *
 * Sensitivity is the received OMAouter at which the pre-FEC BER is the FEC
 * threshold (2.4e-4 for RS(544,514)), not an average power at 1e-12. Each
 * lane's receiver is walked down its waterfall with that lane's VOA channel
 * while the module's own PRBS checker counts errors; the tap meter gives the
 * received average power of every point, and the station's stimulus
 * extinction ratio turns it into OMA:
 *
 *   Prx   = Ptap * (1 - r) / r / 10^(patch/10)     (site calibration)
 *   OMA   = 2 Prx (ER - 1) / (ER + 1)             (ER linear)
 *   Q     = sqrt(2) erfc^-1(BER / 0.375)           (Gray PAM4, equal eyes)
 *   Q     = a + b * OMA[mW]                         (thermal-noise waterfall)
 *   Ssens = (Qs - a) / b,  Qs = Q(2.4e-4) = 3.414
 *
 * The fit is weighted least squares with each point's Poisson counting
 * error carried into Q (sigma_BER = BER / sqrt(errors), sigma_Q =
 * sigma_BER / |dBER/dQ|) and the meter noise carried through the slope; its
 * covariance is scaled by the reduced chi-square when that exceeds 1
 * (residuals larger than counting explains), and the delta method gives
 * sigma(Ssens). A floor shows as the highest-power point sitting below the
 * line through the others (BER above the Gaussian extrapolation): flagged,
 * and that point leaves the fit; the smart sweep then dwells again until
 * the fit keeps at least 3 points (1 degree of freedom), the floor (the
 * dropped points' BER above the line) is taken out of the kept points and
 * of the target, and half the shift that makes is a component of U
 * (sigma_floor). A reduced chi-square above 9 flags a poor fit. The stated expanded uncertainty (k = 2) is
 *   U = 2 sqrt(sigma_fit^2 + sigma_cal^2)
 * with sigma_cal the meter/tap calibration of the site.
 *
 * Two methods, both with the lanes in parallel (each lane its own VOA
 * channel; one dwell counts every lane; the meter reads each lane through
 * the switch):
 *
 *  SWEEP_SMART ("smart-qlin"): three dwells when all goes to plan. A probe
 *    1.5 dB above a prior sensitivity (the profile limit - 1.5 dB) lands on
 *    the steep, countable part of the waterfall (1e-9 < BER < 1e-2 for any
 *    receiver from prior - 1.1 dB to prior + 3.5 dB); its Q gives a first
 *    estimate S = OMA * Qs / Q. The next two dwells are placed from the
 *    running estimate at Q = Qs - 0.35 (BER ~8e-4) and Q = Qs + 0.45 (BER
 *    ~4e-5): straddling the target where 1e11 bits per second count 1e6-1e7
 *    errors, so the interpolation is short and tight. The probe stays in
 *    the fit as the floor check. A lane whose probe did not lock (BER >
 *    1e-2) or counted too few errors is moved 2.5 / 2 dB and probed again.
 *    The VOA channels are set together and settle once; the meter is read
 *    once per setting, during the dwell (it does not disturb the receiver).
 *
 *  SWEEP_FIXED ("fixed-0.5dB"): the lab's script and the baseline: from the
 *    budget point, attenuation in 0.5 dB steps over 8 dB (17 settings); at
 *    each: set and settle the VOAs, read the meter per lane, dwell one BER
 *    update period, record; then the same fit on the points that counted
 *    errors in lock.
 *
 * A dwell is one BER update period of the module (13h:177; 1 s): the
 * module refreshes its results no faster, so no method can count shorter.
 * Everything waits on the station clock. */
#ifndef BERT_QUAL_SWEEP_H
#define BERT_QUAL_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/core/clock.h"

#define SWEEP_MAX_LANES		8
#define SWEEP_MAX_POINTS	24	/* per lane */
#define SWEEP_MIN_ERRORS	20	/* a point counts in the fit from here */

enum sweep_method {
	SWEEP_SMART = 0,
	SWEEP_FIXED,
};

/* What the sweep drives. Lanes are indices 0..nlanes-1 of struct sweep_io
 * (not module lane numbers). */
struct sweep_io_ops {
	/* Sets the attenuation of the lane's VOA channel; need not wait. */
	int (*set_atten)(void *ctx, unsigned idx, double db);
	/* Waits until every channel set so far has settled. */
	int (*settle)(void *ctx);
	/* Average power at the lane's receiver in dBm (meter through the
	 * switch, site calibration applied). Takes the meter's time. */
	int (*read_rx_dbm)(void *ctx, unsigned idx, double *dbm);
	/* Lanes (mask of indices) whose checker is in lock now. */
	int (*locked)(void *ctx, uint32_t *mask);
	/* Resets the error counters (every lane). */
	int (*ber_reset)(void *ctx);
	/* Errors and bits since the reset for the lanes in mask; held = lanes
	 * whose checker stayed in lock since the previous locked()/read. */
	int (*ber_read)(void *ctx, uint32_t mask, uint64_t *errors, uint64_t *bits,
			uint32_t *held);
};

struct sweep_point;

struct sweep_io {
	const struct sweep_io_ops *ops;
	void *ctx;
	struct bert_clock *clock;
	uint64_t dwell_ns;		/* the module's BER update period */
	unsigned nlanes;
	unsigned lane[SWEEP_MAX_LANES];	/* module media lane of each index */
	double budget_atten_db[SWEEP_MAX_LANES];	/* VOA at the budget point */
	/* Received OMA at the budget point (dBm), when known from the Tx
	 * step (Tx OMA - budget); NAN: read the meter once to place the
	 * first smart point. */
	double budget_oma_dbm[SWEEP_MAX_LANES];
	double atten_max_db;		/* VOA range */
	double er_db[SWEEP_MAX_LANES];	/* stimulus extinction ratio per lane */
	/* 1-sigma (dB) of each lane's OMA conversion from the ER's
	 * uncertainty (site.h, qual_oma_offset_u_db()); 0 = none */
	double er_sigma_db[SWEEP_MAX_LANES];
	double cal_sigma_db;		/* 1-sigma of the power calibration */
	double meter_sigma_rel;		/* 1-sigma relative meter noise per read */
	/* The meter is shared with other sites (bertd): read it once per lane
	 * (none when budget_oma_dbm is known) and take every other point's
	 * power from that reading and the VOA's change of setting, which the
	 * attenuator repeats to its linearity (its offset is the same at every
	 * setting). Leaves the shared meter to the other sites. */
	bool power_from_voa;
	/* Optional: told every point as it lands (index i of lane[], the
	 * point, points so far over all lanes, the plan's expected total), for
	 * live progress; NULL = none. */
	void (*on_point)(void *user, unsigned i, const struct sweep_point *pt,
			 unsigned done, unsigned expected);
	void *on_point_user;
};

struct sweep_config {
	enum sweep_method method;
	double target_ber;		/* 2.4e-4 */
	double prior_sens_oma_dbm;	/* smart: where to probe (limit - 1.5) */
	double fixed_step_db, fixed_span_db;	/* 0.5, 8 */
	unsigned max_dwells;		/* smart: give up after (8) */
};
void sweep_config_default(struct sweep_config *c, enum sweep_method m);

struct sweep_point {
	double atten_db;
	double power_dbm;		/* average at the receiver */
	double oma_dbm;
	double ber;			/* errors / bits; NAN without bits */
	uint64_t bits, errors;
	bool locked;			/* lock held through the dwell */
	bool used;			/* in the final fit */
	double q, sigma_q;		/* NAN when not usable */
	uint64_t t_ns;			/* station time at the end of the dwell */
};

/* Weighted Q-linear fit. */
struct sweep_fit_pt {
	double x;			/* OMA, mW */
	double q, sigma_q;
};
struct sweep_fit {
	double a, b;			/* Q = a + b x */
	double chi2;
	unsigned n, dof;
	double x_target;		/* mW at q_target */
	double dbm_target, sigma_db;	/* 1-sigma from the covariance */
	bool extrapolated;		/* target outside the points' Q range */
};
/* rel_x_sigma: relative 1-sigma of every x (meter noise), folded into the
 * weights through the slope. BERT_ERR_ARG with fewer than 2 points or a
 * slope that is not positive. */
int sweep_fit_qlin(const struct sweep_fit_pt *p, size_t n, double q_target,
		   double rel_x_sigma, struct sweep_fit *fit);
/* Q of a point with its counting sigma; NAN when ber is not in (0, 0.375)
 * or errors < 1. */
double sweep_q_of(double ber, uint64_t errors, double *sigma_q);

struct sweep_lane_result {
	unsigned lane;			/* module media lane */
	bool ok;			/* a sensitivity was found */
	double sens_oma_dbm, sens_avg_dbm;
	double sigma_db;		/* fit, 1-sigma */
	double cal_sigma_db;		/* power calibration, 1-sigma */
	double er_sigma_db;		/* the ER's share, 1-sigma */
	/* floor lanes: the floor taken out of the fit, the shift that made,
	 * and half of it as a standard uncertainty (sweep.c floor_correct) */
	double floor_ber, floor_shift_db, floor_sigma_db;
	double u_db;			/* expanded (k = 2): 2 sqrt(fit^2 + cal^2 + er^2 + floor^2) */
	struct sweep_fit fit;
	bool floor, poor_fit;
	char note[160];
	struct sweep_point pt[SWEEP_MAX_POINTS];
	size_t npts;
};

struct sweep_result {
	enum sweep_method method;
	uint64_t t_start, t_end;	/* station time */
	unsigned dwells;
	double target_ber, q_target;
	unsigned nlanes;
	struct sweep_lane_result lane[SWEEP_MAX_LANES];
};

/* Runs the sweep. The caller has the generators and checkers running and
 * the counters selected; the VOAs are left at the budget point. Lanes
 * without a result have ok = false and a note; the return is an error only
 * when the station failed (or BERT_ERR_ABORTED). */
int sweep_run(const struct sweep_io *io, const struct sweep_config *cfg,
	      struct sweep_result *out);

const char *sweep_method_name(enum sweep_method m);	/* "smart-qlin" ... */
const char *sweep_method_summary(enum sweep_method m);
int sweep_method_parse(const char *s, enum sweep_method *m);	/* smart|fixed */

/* OMA <-> average power through an extinction ratio in dB. */
double sweep_oma_of_avg_dbm(double avg_dbm, double er_db);
double sweep_avg_of_oma_dbm(double oma_dbm, double er_db);

/* Link budget per lane: margin = Tx OMA - Rx sensitivity OMA - budget. */
struct sweep_budget {
	double tx_oma_dbm, sens_oma_dbm, budget_db;
	double margin_db, u_db;		/* U(k=2) = root-sum-square of both */
};
void sweep_link_margin(double tx_oma_dbm, double tx_u_db, double sens_oma_dbm,
		       double sens_u_db, double budget_db, struct sweep_budget *out);

/* Planned plant (bert budget): fiber + connectors + splices. */
struct sweep_plant {
	double length_km, fiber_db_per_km;
	unsigned connectors, splices;
	double connector_db, splice_db;
};
double sweep_plant_loss_db(const struct sweep_plant *p);

#endif
