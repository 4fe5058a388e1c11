/* SPDX-License-Identifier: MIT */
/* The qualification engine: a plan of steps run against one module at one
 * site, producing the run record (record.h) step by step.
 *
 * Steps are data. A plan is an ordered array of struct qual_step_def; the
 * default plan is
 *
 *   identify -> bring_up -> dom -> tx_power -> lane_ber -> module_power
 *            -> verdict
 *
 * and later work adds steps with qual_plan_insert_after() (the sweep adds
 * "sensitivity" and "link_budget" after "lane_ber") without touching the
 * others. Steps share what they learn through ctx->run (identity,
 * lanes, per-lane launch power and the budget point) and add measurements
 * with qual_ctx_measure(), which takes the limits from the profile.
 *
 * qual_run():
 *  - begins the run in the store (when ctx->store is set) and journals every
 *    finished step with store_step_commit();
 *  - runs each step: its return value decides the step status
 *      BERT_OK            DONE (verdict = worst of its measurements)
 *      QUAL_STEP_RC_SKIP  SKIPPED (message set with qual_ctx_skip())
 *      BERT_ERR_ABORTED   ABORTED, and the run ends aborted
 *      other error        ERROR with the error detail; the run goes on
 *                         unless the step is QUAL_STEP_REQUIRED (identify,
 *                         bring_up) or the error is BERT_ERR_NODEV (the
 *                         module or its adapter went away): then the
 *                         remaining steps are skipped and the run ends with
 *                         status error, its message the root cause first
 *  - stop on fail (ctx->opts.stop_on_fail, or the profile's): after a step
 *    whose verdict is FAIL, the remaining steps are skipped except those
 *    flagged QUAL_STEP_ALWAYS (verdict);
 *  - on abort or error leaves the module safe: generators and checkers
 *    restored (the BER loop does that on every path), Tx disabled on the
 *    lanes under test, VOAs back to their start setting;
 *  - a step the journal could not store (disk full, database read-only or
 *    locked past the busy timeout) ends the run: the remaining steps are
 *    skipped and the run ends with status error and "results not stored",
 *    so a record missing a finished step never reads complete or pass;
 *  - finishes the record (status, verdict, station time) and the store row.
 *
 * The abort flag is the process-wide bert_abort_requested() (Ctrl-C) plus
 * the optional ctx->abort callback (bertd's per-site abort), checked between
 * steps and inside the BER loop.
 *
 * Shared instruments: a step that uses an instrument on behalf of a lane
 * calls qual_ctx_acquire(ctx, name, lane) first and qual_ctx_release()
 * after; the hooks in ctx->arbiter are no-ops by default (bertd plugs its
 * arbiter there). acquire may wait (on the clock) and may fail (abort).
 */
#ifndef BERT_QUAL_ENGINE_H
#define BERT_QUAL_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/core/clock.h"
#include "bert/qual/alarms.h"
#include "bert/qual/journal.h"
#include "bert/qual/lane_ber.h"
#include "bert/qual/lane_io.h"
#include "bert/qual/profile.h"
#include "bert/qual/record.h"
#include "bert/qual/site.h"

struct store;
struct cmis_info;
struct qual_ctx;

#define QUAL_PLAN_MAX		32
#define QUAL_STEP_RC_SKIP	1	/* a step's "not applicable" */

/* Step flags. */
#define QUAL_STEP_REQUIRED	(1u << 0)	/* an error ends the run */
#define QUAL_STEP_ALWAYS	(1u << 1)	/* runs even after stop on fail */
/* The step's verdict is the run's so far (the verdict step): a failing run
 * does not end on a step that reads "pass". */
#define QUAL_STEP_RUN_VERDICT	(1u << 2)

struct qual_step_def {
	const char *name;		/* record step name, <= 31 chars */
	const char *summary;		/* one line, for help and reports */
	/* Measures into step (qual_ctx_measure()); returns as above. */
	int (*run)(struct qual_ctx *ctx, struct qual_step *step);
	unsigned flags;
};

struct qual_plan {
	struct qual_step_def step[QUAL_PLAN_MAX];
	size_t n;
};

/* The built-in steps, in default order. */
extern const struct qual_step_def qual_step_identify;
extern const struct qual_step_def qual_step_bring_up;
extern const struct qual_step_def qual_step_dom;
extern const struct qual_step_def qual_step_tx_power;
extern const struct qual_step_def qual_step_lane_ber;
extern const struct qual_step_def qual_step_module_power;
extern const struct qual_step_def qual_step_verdict;

void qual_plan_default(struct qual_plan *p);
int qual_plan_append(struct qual_plan *p, const struct qual_step_def *d);
/* Inserts d after (before) the step called name. BERT_ERR_RANGE when no
 * such step, BERT_ERR_ARG for a duplicate name or a full plan. */
int qual_plan_insert_after(struct qual_plan *p, const char *name,
			   const struct qual_step_def *d);
int qual_plan_insert_before(struct qual_plan *p, const char *name,
			    const struct qual_step_def *d);
int qual_plan_remove(struct qual_plan *p, const char *name);
/* Index of the step called name, or -1. */
int qual_plan_find(const struct qual_plan *p, const char *name);

/* ---- progress ----------------------------------------------------------- */

enum qual_event_kind {
	QUAL_EV_RUN_BEGIN = 0,
	QUAL_EV_STEP_BEGIN,
	QUAL_EV_LANE,		/* a step starts work on a lane (text says what) */
	QUAL_EV_BER,		/* a BER poll: ber points at the loop's result */
	QUAL_EV_POINT,		/* a sweep point */
	QUAL_EV_MEASUREMENT,	/* a measurement was added */
	QUAL_EV_STEP_END,
	QUAL_EV_RUN_END,
	QUAL_EV_INFO,		/* free text */
	QUAL_EV_SWEEP_POINT,	/* a sweep point as it lands, for live progress
				 * (the record gets its points as POINT) */
};

struct sweep_point;

struct qual_event {
	enum qual_event_kind kind;
	const char *step;		/* current step name, NULL outside steps */
	unsigned step_index, nsteps;	/* 0-based index, plan length */
	unsigned lane;			/* 0 = not lane-specific */
	uint64_t t_ns;			/* station time since the run began */
	const char *text;		/* INFO, LANE; NULL otherwise */
	const struct qual_measurement *m;	/* MEASUREMENT */
	const struct qual_point *pt;		/* POINT */
	const struct lane_ber_result *ber;	/* BER */
	const struct qual_step *s;		/* STEP_END */
	const struct qual_record *rec;		/* always */
	enum qual_verdict verdict;	/* STEP_END, RUN_END */
	const struct sweep_point *spt;	/* SWEEP_POINT: lane in lane */
	unsigned done, expected;	/* SWEEP_POINT: points so far, expected */
};

typedef void (*qual_progress_fn)(void *user, const struct qual_event *ev);

/* ---- shared-instrument arbitration hook (bertd) -------------------------- */

struct qual_arbiter {
	/* Acquire instrument name (station name) for lane of this site; may
	 * wait on the clock; BERT_OK or an error (BERT_ERR_ABORTED). */
	int (*acquire)(void *user, const char *instr, unsigned lane);
	void (*release)(void *user, const char *instr, unsigned lane);
	void *user;
};

/* ---- options and context ------------------------------------------------- */

/* What "Tx" means in the budget point "receiver sees Tx - budget". */
enum qual_budget_ref {
	/* The weakest transmitter the profile allows (the low limit of
	 * tx_oma, falling back to the module's own when the profile has none):
	 * the receiver is tested at the OMA a compliant link guarantees it. */
	QUAL_BUDGET_REF_PROFILE = 0,
	/* The module's own launch OMA of that lane (its loopback link). */
	QUAL_BUDGET_REF_MODULE,
};

struct qual_options {
	bool stop_on_fail;		/* or the profile's [verdict] stop_on_fail */
	double budget_db;		/* NAN = profile channel_budget_db */
	enum qual_budget_ref budget_ref;
	unsigned pattern;		/* enum cmis_pattern, default PRBS31Q */
	double ber_cl;			/* NAN = profile confidence */
	uint64_t ber_max_time_ns;	/* default 60 s */
	uint64_t ber_min_errors;	/* default 0 */
	unsigned voa_iterations;	/* closed-loop VOA corrections (2) */
	/* Budget point open loop: no meter read to check it (bertd, when
	 * the meter is shared by several sites). The VOA's repeatable offset
	 * cancels between the tx_power tap reading and the setting. */
	bool budget_open_loop;
	/* VOA setting while tx_power reads the tap (0: open). Off the 0 dB
	 * stop the VOA's setting error is a constant offset that cancels
	 * along the open-loop chain (it cannot go below 0 dB at the stop). */
	double tx_voa_db;
	bool safe_at_end;		/* Tx off also after a normal run (false) */
};

void qual_options_default(struct qual_options *o);

/* What the steps learned about one lane (index 1..lanes). NAN = unknown. */
struct qual_lane_state {
	double tx_avg_dom_dbm;		/* DOM Tx power */
	double tx_avg_meter_dbm;	/* external meter through the calibration */
	double tx_avg_dbm;		/* best estimate: meter, else DOM */
	double tx_oma_dbm;		/* from tx_avg_dbm and the stimulus ER */
	double voa_start_db;		/* VOA setting found at the start */
	double budget_atten_db;		/* VOA setting of the budget point */
	double rx_avg_budget_dbm;	/* receive power at the budget point */
	double rx_oma_budget_dbm;	/* receive OMA at the budget point */
	double rx_sens_oma_dbm;		/* set by the sensitivity step */
	double rx_sens_unc_db;
	double rx_sens_fit_sigma_db;	/* its fit and calibration shares, 1-sigma */
	double rx_sens_cal_sigma_db;
	bool has_voa, has_meter;
};

/* The engine's private state of a run: qual_ctx_init() sets it, qual_run()
 * and the steps own it (ctx->run); callers configure the rest of struct
 * qual_ctx and never touch this part. */
struct qual_run_state {
	const struct qual_plan *plan;
	unsigned step_index;
	struct qual_step *cur;			/* step in progress */
	uint64_t t0;				/* clock at the run's start */
	struct cmis_info *info;			/* identify's decode */
	struct cmis_diag *diag;			/* opened by lane_ber on demand */
	unsigned lanes;				/* media lanes under test */
	unsigned lanes_per_link;
	unsigned appsel;			/* application brought up */
	uint8_t host_mask;			/* host lanes brought up */
	uint8_t media_mask;			/* media lanes under test */
	struct qual_lane_state lane[QUAL_SITE_LANES + 1];
	/* Stimulus flags and the module's own alarms (alarms.h), judged by
	 * the verdict step with its clean read. */
	struct qual_alarm_state alarms;
	bool tx_touched;			/* bring-up enabled Tx */
	bool voa_touched;
	struct lane_io lio;			/* the site's lanes (lane_io.h) */
	struct qual_arbiter lio_arb;		/* the arbiter lio sees */
	int last_error;				/* of the last failed step */
	int journal_error;			/* first journal failure, 0 = none */
	char journal_msg[QUAL_RUN_MSG_MAX];	/* its detail */
};

struct qual_ctx {
	/* -- configured by the caller (qual_ctx_init() fills the defaults) -- */
	const struct profile *profile;		/* required */
	const struct qual_station *station;	/* may be NULL */
	const struct qual_site *site;		/* may be NULL: no instruments */
	struct qual_site_io *io;		/* fixture, module, instruments */
	struct bert_clock *clock;		/* NULL = the fixture's */
	struct qual_record *rec;		/* required, qual_record_init()ed */
	struct qual_journal journal;		/* no ops = not journaled */
	struct qual_options opts;
	qual_progress_fn progress;		/* may be NULL */
	void *progress_user;
	struct qual_arbiter arbiter;		/* no-ops when NULL */
	bool (*abort)(void *user);		/* may be NULL */
	void *abort_user;

	/* -- the engine's, read by steps -- */
	struct qual_run_state run;
};

/* Zeroes ctx and sets defaults (options, NaN lane state). */
void qual_ctx_init(struct qual_ctx *ctx);
/* Frees what the engine allocated in ctx (info, diag); not the caller's. */
void qual_ctx_release_all(struct qual_ctx *ctx);

/* Runs the plan (see the top of this file). Returns BERT_OK when the run
 * completed (whatever the verdict: ctx->rec->verdict), BERT_ERR_ABORTED, or
 * the error that ended the run (a required step failed, the store failed);
 * the record is finished in every case. */
int qual_run(struct qual_ctx *ctx, const struct qual_plan *plan);
/* The error of the last step that failed in the run (BERT_OK when none):
 * tells a caller why a run errored without reaching into the run state. */
int qual_ctx_last_error(const struct qual_ctx *ctx);

/* ---- for steps ----------------------------------------------------------- */

bool qual_ctx_aborted(struct qual_ctx *ctx);
/* Sleeps on the clock; BERT_ERR_ABORTED when aborted. */
int qual_ctx_sleep(struct qual_ctx *ctx, uint64_t ns);
/* Adds a measurement judged against the profile's limits of name (none when
 * the profile has none); unit from the catalogue. Emits MEASUREMENT. */
int qual_ctx_measure(struct qual_ctx *ctx, struct qual_step *step,
		     const char *name, unsigned lane, double value,
		     double uncertainty, const char *method);
/* The same with explicit limits (a step's default rule, e.g. no alarm). */
int qual_ctx_measure_lim(struct qual_ctx *ctx, struct qual_step *step,
			 const char *name, unsigned lane, double value,
			 double uncertainty, const char *method,
			 const struct qual_limits *lim);
/* The same with the uncertainty budget: U (k = 2) is 2 sqrt(sum u_i^2) of
 * the n components, which the record keeps. */
int qual_ctx_measure_budget(struct qual_ctx *ctx, struct qual_step *step,
			    const char *name, unsigned lane, double value,
			    const struct qual_ucomp *c, unsigned n, const char *method);
/* Adds an ERROR measurement (could not be taken) with a reason. */
int qual_ctx_measure_error(struct qual_ctx *ctx, struct qual_step *step,
			   const char *name, unsigned lane, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int qual_ctx_point(struct qual_ctx *ctx, struct qual_step *step,
		   const struct qual_point *pt);
/* Sets the step message and returns QUAL_STEP_RC_SKIP. */
int qual_ctx_skip(struct qual_ctx *ctx, struct qual_step *step,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void qual_ctx_info(struct qual_ctx *ctx, unsigned lane, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void qual_ctx_emit(struct qual_ctx *ctx, struct qual_event *ev);
int qual_ctx_acquire(struct qual_ctx *ctx, const char *instr, unsigned lane);
void qual_ctx_release(struct qual_ctx *ctx, const char *instr, unsigned lane);

/* Instruments of a lane through the site calibration (and the arbiter):
 * set the lane's VOA; read the lane's tap power at the meter (routing the
 * switch first) in dBm at the detector. BERT_ERR_UNSUPPORTED when the lane
 * has no such instrument. */
int qual_ctx_voa_set(struct qual_ctx *ctx, unsigned lane, double db);
int qual_ctx_meter_read(struct qual_ctx *ctx, unsigned lane, double *dbm);
/* Meter reading behind the tap and the VOA -> launch power (site.h). */
double qual_ctx_tx_from_meter(const struct qual_ctx *ctx, double meter_dbm,
			      double voa_db);
/* OMA minus average power of lane through its stimulus ER (site.h,
 * qual_site_er()); NAN without an ER. */
double qual_ctx_oma_offset(const struct qual_ctx *ctx, unsigned lane);
/* The stimulus ER's component of an OMA figure's budget for lane: u of the
 * OMA offset (qual_oma_offset_u_db()), type B, the note saying whether the
 * ER was calibrated or assumed. */
void qual_ctx_er_component(const struct qual_ctx *ctx, unsigned lane,
			   struct qual_ucomp *c);
/* Sets each lane's VOA in mask (bit n = lane n+1) so its receiver sees
 * target[lane] dBm OMA (closed loop on the meter when there is one) and fills
 * the lane state budget_atten_db, rx_avg_budget_dbm, rx_oma_budget_dbm. The
 * VOA channels are set together and settle together, then each lane's tap is
 * read and the corrections are again set together, so the station waits one
 * settling time per round instead of one per lane. target[lane] and
 * rc[lane] are indexed by lane (1-based); rc[lane] gets each lane's outcome.
 * Returns BERT_ERR_ABORTED when aborted, else BERT_OK. */
int qual_ctx_set_rx_oma_lanes(struct qual_ctx *ctx, uint32_t mask,
			      const double *target, int *rc);
/* Reads and decodes the module (identity, monitors, latched flags: the read
 * clears the flags). */
int qual_ctx_read_info(struct qual_ctx *ctx, struct cmis_info *info);
/* Opens ctx->run.diag when not open yet. */
int qual_ctx_diag(struct qual_ctx *ctx, struct cmis_diag **out);

#endif
