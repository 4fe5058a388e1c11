/* SPDX-License-Identifier: MIT */
/* Lane BER through the module's own PRBS generators and checkers (OIF-CMIS 5.x
 * section 7), judged against a pre-FEC target at a confidence level with the
 * signal engine's early-stop rule (bert_ber_early_stop), and carried through
 * RS(544,514) to post-FEC BER and FLR (IEEE 802.3 Clause 91; docs/SOURCES.md).
 *
 * This is the measurement loop `bert ber`, the qualification engine's
 * lane_ber step, the sensitivity sweep and bertd share:
 *
 *   lane_ber_check()  refuses what the module does not offer (pattern, unit,
 *                     lanes, BER reporting); no bus write;
 *   lane_ber_run()    saves the diagnostics controls, starts generators and
 *                     checkers on the lanes, waits for lock (lanes that never
 *                     lock are in error), resets the counters, polls at the
 *                     module's update period until every lane is decided or
 *                     max_time, and restores the controls on every exit path
 *                     (BERT_ERR_ABORTED included).
 *
 * Abort: the process-wide abort (bert_abort_requested(), Ctrl-C) makes the
 * clock waits fail with BERT_ERR_ABORTED; lane_ber_run() then clears the
 * request for the time of the restore (the restore must reach the module)
 * and sets it again before returning, so the caller still sees it. The
 * optional opts->abort callback (a per-site abort of bertd) is polled before
 * every wait and ends the run the same way.
 *
 * Every wait is on the clock given; nothing here prints. */
#ifndef BERT_QUAL_LANE_BER_H
#define BERT_QUAL_LANE_BER_H

#include <stdbool.h>
#include <stdint.h>

#include "bert/core/clock.h"
#include "bert/signal/berstat.h"
#include "fixtures/cmis/diag.h"

#define LANE_BER_MAX_LANES	CMIS_DIAG_LANES
/* Bits per second counted when the module reports BER without counters
 * (bits = rate x clock time, errors = BER x bits): one 400GBASE-DR4 lane,
 * 53.125 GBd PAM4 (docs/SOURCES.md, vendor guide). */
#define LANE_BER_DEFAULT_BIT_RATE	106.25e9
/* Lock acquisition: poll the LOL flags this often, for at most this long
 * (or three update periods, whichever is longer). */
#define LANE_BER_LOCK_POLL_NS	(100 * BERT_NS_PER_MS)
#define LANE_BER_LOCK_TIMEOUT_NS	(5 * BERT_NS_PER_S)

enum lane_ber_verdict {
	LANE_BER_RUNNING = 0,	/* not decided yet */
	LANE_BER_PASS,		/* upper bound at CL below target */
	LANE_BER_FAIL,		/* BER above target at CL */
	LANE_BER_UNDECIDED,	/* neither at max_time ("marginal" in bert ber) */
	LANE_BER_ERROR,		/* no lock, lock lost, aborted, module error */
};

struct lane_ber_result;

struct lane_ber_opts {
	uint8_t lanes;			/* bit n = lane n+1 (1-8) */
	enum cmis_side side;		/* CMIS_SIDE_MEDIA usually */
	unsigned pattern;		/* enum cmis_pattern */
	double target;			/* pre-FEC BER limit, e.g. 2.4e-4 */
	double cl;			/* confidence level, 0 < cl < 1 */
	uint64_t max_time_ns;		/* counting time after the counter reset */
	uint64_t min_errors;		/* no early stop before this many errors */
	double flr_factor;		/* 0 = BERT_FLR_FACTOR_400G */
	double bit_rate;		/* 0 = LANE_BER_DEFAULT_BIT_RATE */
	/* Optional: called after lock, after every poll and at the end. */
	void (*progress)(void *user, const struct lane_ber_result *r);
	/* Optional: a per-caller abort, polled before every wait. */
	bool (*abort)(void *user);
	void *user;
};

/* Media side, PRBS31Q, target 2.4e-4, CL 0.95, 120 s, lanes 1-4. */
void lane_ber_opts_default(struct lane_ber_opts *o);

struct lane_ber_lane {
	unsigned lane;			/* 1-based */
	bool locked;			/* at the last read */
	bool ever_locked;
	enum lane_ber_verdict verdict;
	const char *reason;		/* static text; NULL while running */
	uint64_t errors, bits;
	double ber;			/* errors / bits (0 with no bits) */
	double ber_upper;		/* upper bound at CL */
	uint64_t t_done;		/* clock when decided */
	struct bert_fec_chain fec;	/* from ber, or from ber_upper when */
	bool fec_from_upper;		/* no error was counted (an upper bound) */
};

struct lane_ber_result {
	unsigned n;			/* lanes measured, in lane order */
	struct lane_ber_lane lane[LANE_BER_MAX_LANES];
	bool counters;			/* module counts bits and errors */
	uint64_t period_ns;		/* poll period (module update period) */
	uint64_t t_start;		/* clock at the counter reset; 0 = not reached */
	uint64_t t_end;			/* clock at return */
	bool aborted;
	int restore_rc;			/* BERT_OK, or why the restore failed */
};

/* The lane of r with number lane, or NULL. */
const struct lane_ber_lane *lane_ber_find(const struct lane_ber_result *r,
					  unsigned lane);
/* Clock time the lane counted (t_done - t_start), 0 when not started. */
uint64_t lane_ber_lane_time_ns(const struct lane_ber_result *r,
			       const struct lane_ber_lane *l);

/* Refuses, before anything is written, what the module does not offer:
 * generator or checker, pattern, lanes beyond AppSel 1's lane count on the
 * side, neither BER nor counters reported. dev is cmis_diag_dev(d). */
int lane_ber_check(struct cmis_diag *d, const struct lane_ber_opts *o);

/* The measurement (see the top of this file). *res is filled in every case
 * (lanes not decided at an error or abort are LANE_BER_ERROR with the
 * reason). Returns BERT_OK when the run ended normally and the controls
 * were restored; BERT_ERR_ABORTED when aborted (controls restored when
 * res->restore_rc is BERT_OK); another error when the module failed (then
 * res->restore_rc says whether the restore still worked). A failed restore
 * after a normal run returns the restore's error. */
int lane_ber_run(struct cmis_diag *d, struct bert_clock *clock,
		 const struct lane_ber_opts *o, struct lane_ber_result *res);

/* "pass", "fail", "undecided", "error", "running". */
const char *lane_ber_verdict_name(enum lane_ber_verdict v);

#endif
