/* SPDX-License-Identifier: MIT */
/* Measurements, limits and verdicts: the unit every qualification step
 * produces and every report, record and store row carries.
 *
 * A measurement is a value with its unit, the lane it belongs to (0 = the
 * module as a whole), the limits it is judged against, the marginal band,
 * the expanded measurement uncertainty, the method that produced it, and the
 * verdict.
 *
 * Decision rule (qual_judge; the metrology behind it is in the comment of
 * measurement.c and in profiles/README.md "Verdicts"):
 *
 *   d = distance from the value to the nearest limit, positive inside
 *       (in decades for log-scale quantities such as BER)
 *   U = expanded uncertainty (k = 2, about 95 %); unknown (NaN) counts as 0
 *   m = marginal band
 *
 *   value NaN, bad limits, negative U, or <= 0 on a log scale -> ERROR
 *   d < 0                                                     -> FAIL
 *   guard strict and d < U                                    -> FAIL
 *   d < m (simple)  or  d < U + m (marginal, strict)          -> MARGINAL
 *   otherwise                                                 -> PASS
 *
 * Limits are inclusive (a value equal to a limit is inside). A measurement
 * without limits is informational and passes unless its value is NaN.
 *
 * Aggregation (qual_verdict_worst): FAIL > ERROR > MARGINAL > PASS > NONE.
 * A definite failure of the module outranks an error of the station: a run in
 * which one measurement failed and another could not be taken is a FAIL.
 * MARGINAL is a pass with a warning (exit code 0).
 */
#ifndef BERT_QUAL_MEASUREMENT_H
#define BERT_QUAL_MEASUREMENT_H

#include <stdbool.h>
#include <stddef.h>

#define QUAL_NAME_MAX	48
#define QUAL_UNIT_MAX	16
#define QUAL_METHOD_MAX	64
#define QUAL_MSG_MAX	160

enum qual_verdict {
	QUAL_NONE = 0,		/* not judged yet (empty step, run in progress) */
	QUAL_PASS,
	QUAL_MARGINAL,
	QUAL_ERROR,		/* could not be measured or judged */
	QUAL_FAIL,
};

/* How the uncertainty enters the verdict (profile key `guard`). */
enum qual_guard {
	QUAL_GUARD_MARGINAL = 0,	/* default: within U of a limit -> MARGINAL */
	QUAL_GUARD_SIMPLE,		/* U is recorded, the verdict ignores it */
	QUAL_GUARD_STRICT,		/* within U of a limit -> FAIL (guarded acceptance) */
};

/* Linear quantities (dBm, dB, W, degC) compare as they are; log quantities
 * (BER, FLR: ratios spanning decades) compare as log10(value), and their
 * marginal band and uncertainty are in decades. */
enum qual_scale {
	QUAL_SCALE_LINEAR = 0,
	QUAL_SCALE_LOG10,
};

struct qual_limits {
	double low, high;	/* NAN = no such limit */
	double marginal;	/* band inside each limit, >= 0 (0 = none) */
	enum qual_guard guard;
	enum qual_scale scale;
};

/* One component of an uncertainty budget (GUM, JCGM 100:2008): a source,
 * its standard uncertainty u (k = 1) in the measurement's unit (decades on
 * a log scale) as it enters the value (sensitivity coefficient applied),
 * the evaluation type ('A' from this run's statistics, 'B' from other
 * knowledge: calibrations, data sheets, assumptions) and a note. The
 * expanded uncertainty of the measurement is U = 2 sqrt(sum u^2). */
#define QUAL_UCOMP_MAX		6
#define QUAL_UCOMP_NAME_MAX	24
#define QUAL_UCOMP_NOTE_MAX	72
struct qual_ucomp {
	char source[QUAL_UCOMP_NAME_MAX];
	double u;
	char type;
	char note[QUAL_UCOMP_NOTE_MAX];
};
/* 2 sqrt(sum u^2) over n components; NAN when n == 0 or any u is NAN. */
double qual_ucomp_expanded(const struct qual_ucomp *c, unsigned n);
/* Fills one component. */
void qual_ucomp_set(struct qual_ucomp *c, const char *source, double u, char type,
		    const char *note);

struct qual_measurement {
	char name[QUAL_NAME_MAX];	/* catalogue name, e.g. "tx_oma" */
	unsigned lane;			/* 1..N, 0 = module */
	double value;			/* NAN = not measured */
	char unit[QUAL_UNIT_MAX];
	struct qual_limits lim;
	double uncertainty;		/* expanded U (k = 2); NAN = unknown */
	char method[QUAL_METHOD_MAX];	/* "dom", "meter", "bert-cl95", ... */
	enum qual_verdict verdict;
	char message[QUAL_MSG_MAX];	/* why (failures, errors, marginals) */
	/* the budget behind `uncertainty` (may be empty: U given whole) */
	struct qual_ucomp ucomp[QUAL_UCOMP_MAX];
	unsigned nucomp;
};

/* The catalogue of quantities a profile may limit and a step may measure.
 * The engine adds entries here when it learns to measure something new. */
enum qual_scope {
	QUAL_SCOPE_LANE,
	QUAL_SCOPE_MODULE,
};

struct qual_quantity {
	const char *name;
	const char *unit;
	enum qual_scope scope;
	enum qual_scale scale;
	const char *summary;
};

extern const struct qual_quantity qual_quantities[];	/* NULL-name terminated */
const struct qual_quantity *qual_quantity_find(const char *name);

/* Limits with no bounds, no band, guard marginal, linear scale. */
struct qual_limits qual_limits_none(void);
bool qual_limits_empty(const struct qual_limits *l);

/* The decision rule above. why (may be NULL) receives a one-line reason for
 * anything but PASS (and "" for PASS). */
enum qual_verdict qual_judge(double value, double uncertainty,
			     const struct qual_limits *lim, const char *unit,
			     char *why, size_t why_size);

/* The decision for a reading that is only a bound, true value < bound (a
 * power monitor reading 0: no light, bert/core/figure.h): a min limit >=
 * bound FAILs, a max limit >= bound is met, a limit below the bound cannot
 * be decided (ERROR, never PASS); no limits: PASS (informational). Margins
 * and uncertainty do not enter: the bound is all the reading says. why
 * (may be NULL) receives the reason for anything but PASS. */
enum qual_verdict qual_judge_below(double bound, const struct qual_limits *lim,
				   const char *unit, char *why, size_t why_size);

/* Fills a measurement and judges it. method and unit may be NULL (""). */
void qual_measure(struct qual_measurement *m, const char *name, unsigned lane,
		  double value, const char *unit, const struct qual_limits *lim,
		  double uncertainty, const char *method);
/* Re-judges m from its own fields (after a change of limits). */
void qual_measurement_judge(struct qual_measurement *m);
/* A measurement that could not be taken: value NAN, verdict ERROR. */
void qual_measure_error(struct qual_measurement *m, const char *name,
			unsigned lane, const char *unit,
			const struct qual_limits *lim, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

enum qual_verdict qual_verdict_worst(enum qual_verdict a, enum qual_verdict b);
/* Worst verdict of n measurements (QUAL_NONE when n == 0). */
enum qual_verdict qual_verdict_of(const struct qual_measurement *m, size_t n);
/* Per-lane verdicts: out[0] = module-scope measurements, out[1..lanes] = the
 * measurements of each lane. Measurements of lanes above `lanes` count
 * towards out[0] (they are a module-level anomaly, not ignored). */
void qual_verdict_by_lane(const struct qual_measurement *m, size_t n,
			  unsigned lanes, enum qual_verdict *out);
/* Verdict of one link of lanes_per_link lanes (link 1..): the worst of its
 * lanes and of the module-scope verdict by_lane[0]. */
enum qual_verdict qual_verdict_link(const enum qual_verdict *by_lane,
				    unsigned link, unsigned lanes_per_link);

const char *qual_verdict_name(enum qual_verdict v);	/* "pass", ... */
int qual_verdict_parse(const char *s, enum qual_verdict *v);
const char *qual_guard_name(enum qual_guard g);
int qual_guard_parse(const char *s, enum qual_guard *g);
const char *qual_scale_name(enum qual_scale s);
int qual_scale_parse(const char *s, enum qual_scale *sc);

#endif
