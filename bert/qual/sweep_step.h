/* SPDX-License-Identifier: MIT */
/* The qualification steps of the sensitivity sweep and the link budget,
 * added to an engine plan after "lane_ber" with
 * qual_plan_insert_after(); the other steps are untouched.
 *
 *  sensitivity  per lane: rx_sensitivity_oma (judged against the profile,
 *               U at k = 2, method "smart-qlin" or "fixed-0.5dB"),
 *               rx_sensitivity_avg, waterfall_floor and waterfall_poor_fit
 *               (1 = marginal), and every sweep point in the record. Fills
 *               ctx->run.lane[l].rx_sens_oma_dbm / rx_sens_unc_db.
 *  link_budget  per lane: link_margin = Tx OMA - Rx sensitivity OMA -
 *               channel budget (profile channel_budget_db, or the run's
 *               budget option), both OMA through the station calibration
 *               (stimulus ER); judged against the profile's required margin
 *               (the low limit of link_margin). */
#ifndef BERT_QUAL_SWEEP_STEP_H
#define BERT_QUAL_SWEEP_STEP_H

#include "bert/qual/engine.h"
#include "bert/qual/sweep.h"

extern const struct qual_step_def qual_step_sensitivity;	/* smart */
extern const struct qual_step_def qual_step_sensitivity_fixed;	/* --sweep fixed */
extern const struct qual_step_def qual_step_link_budget;

/* Inserts "sensitivity" (with method m) and "link_budget" after
 * "lane_ber" (appended when the plan has no lane_ber). */
int qual_plan_add_sweep(struct qual_plan *p, enum sweep_method m);

/* The full qualification plan, the one `bert qualify`, bertd and the
 * benchmarks run: the default steps, then, unless sweep is false,
 * "sensitivity" (method m) and "link_budget". Built in this one place so
 * the three cannot drift apart. */
int qual_plan_full(struct qual_plan *p, bool sweep, enum sweep_method m);

/* The verdict of one lane's sweep, the same for `bert sweep` and `bert
 * qualify`: the sensitivity judged against lim (the profile's
 * rx_sensitivity_oma), at least MARGINAL when the waterfall shows an error
 * floor or the fit is poor; ERROR without a sensitivity. why gets the reason
 * ("" for a pass). */
enum qual_verdict sweep_lane_verdict(const struct sweep_lane_result *L,
				     const struct qual_limits *lim, char *why,
				     size_t why_size);
#define SWEEP_FLOOR_TEXT	"error floor detected: BER at the highest power " \
				"sits above the waterfall"
#define SWEEP_POOR_FIT_TEXT	"poor fit: residuals larger than counting explains"

/* 1-sigma of a launch power through the station calibration, dB: the
 * tx_power step's power_cal (U 0.25 dB at k = 2; steps.c). The Tx part of
 * the link margin's uncertainty (the ER cancels in the margin). */
#define QUAL_TX_OMA_SIGMA_DB	0.125

#endif
