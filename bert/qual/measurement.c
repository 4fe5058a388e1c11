// SPDX-License-Identifier: MIT
/* Measurements, limits and the decision rule.
 *
 * Why this rule. A spec limit says where the true value must lie; a
 * measurement gives an estimate v with an expanded uncertainty U (k = 2,
 * about 95 % coverage, GUM). ILAC-G8 and ASME B89.7.3.1 name the choices:
 *  - simple acceptance: judge v alone, U only reported;
 *  - guarded acceptance: accept only when [v - U, v + U] lies inside the
 *    limits, so the probability of passing a non-conforming module is at
 *    most about 2.5 % (the consumer's risk), at the price of rejecting some
 *    good ones near the limit (the producer's risk).
 * bert reports v against the limits, never v shifted by U: a value outside
 * the limits is always a FAIL (a best estimate out of spec is not accepted on
 * the grounds that the truth might be inside). Inside the limits, the zone
 * within U of a limit is where conformance is not demonstrated:
 *  - guard "marginal" (default) flags it MARGINAL: pass, but look at it;
 *  - guard "strict" makes it a FAIL: guarded acceptance, for a factory;
 *  - guard "simple" ignores it.
 * The marginal band m is engineering margin on top of that: a value that
 * passes but sits within m (after the guard zone) of a limit is MARGINAL.
 * Unknown uncertainty (NaN) counts as 0 and the message says so when it
 * matters; a negative uncertainty is an error of the step that produced it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/measurement.h"

const struct qual_quantity qual_quantities[] = {
	/* transmitter, per lane */
	{ "tx_power_avg", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "average launch power" },
	{ "tx_oma", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "launch power, OMAouter" },
	{ "tx_oma_minus_tdecq", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "launch power in OMAouter minus TDECQ" },
	{ "tx_tdecq", "dB", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "transmitter and dispersion eye closure for PAM4" },
	{ "tx_er", "dB", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR, "extinction ratio" },
	{ "tx_power_off", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "average launch power of an OFF transmitter" },
	/* receiver and link, per lane */
	{ "rx_power_avg", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "average receive power" },
	{ "rx_oma", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "receive power, OMAouter" },
	{ "rx_sensitivity_oma", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "receiver sensitivity (OMAouter at the FEC threshold BER)" },
	{ "pre_fec_ber", "", QUAL_SCOPE_LANE, QUAL_SCALE_LOG10,
	  "pre-FEC bit error ratio at the budget point" },
	{ "post_fec_ber", "", QUAL_SCOPE_LANE, QUAL_SCALE_LOG10,
	  "bit error ratio after RS decoding" },
	{ "flr", "", QUAL_SCOPE_LANE, QUAL_SCALE_LOG10,
	  "frame loss ratio estimated from the codeword error ratio" },
	{ "link_margin", "dB", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "Tx OMA - Rx sensitivity OMA - channel budget" },
	/* the sensitivity sweep (bert/qual/sweep.h) */
	{ "rx_sensitivity_avg", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "receiver sensitivity as average power (through the stimulus ER)" },
	{ "waterfall_floor", "", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "1 when the waterfall shows an error floor (marginal)" },
	{ "waterfall_poor_fit", "", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "1 when the Q-linear fit is poor, chi2/dof > 9 (marginal)" },
	/* DOM readings judged against operator alarm levels */
	{ "dom_rx_power", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "DOM receive power" },
	{ "dom_tx_power", "dBm", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "DOM transmit power" },
	{ "dom_tx_bias", "mA", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "DOM laser bias current" },
	{ "dom_temperature", "degC", QUAL_SCOPE_MODULE, QUAL_SCALE_LINEAR,
	  "DOM case temperature (alarm level)" },
	{ "dom_alarms", "", QUAL_SCOPE_MODULE, QUAL_SCALE_LINEAR,
	  "alarms of the module's own: latched at nominal conditions after "
	  "clearing, or module-level during the run (0 unless limited)" },
	{ "stimulus_flags", "", QUAL_SCOPE_LANE, QUAL_SCALE_LINEAR,
	  "flags latched while bert stimulated the lane (record, not verdict)" },
	/* module */
	{ "serial_match", "", QUAL_SCOPE_MODULE, QUAL_SCALE_LINEAR,
	  "1 when the serial the operator entered is the module's own (00h:166), "
	  "0 on a mismatch (fails unless the profile limits it otherwise)" },
	{ "case_temperature", "degC", QUAL_SCOPE_MODULE, QUAL_SCALE_LINEAR,
	  "case temperature during the run (operating range)" },
	{ "supply_voltage", "V", QUAL_SCOPE_MODULE, QUAL_SCALE_LINEAR,
	  "supply voltage" },
	{ "module_power", "W", QUAL_SCOPE_MODULE, QUAL_SCALE_LINEAR,
	  "module power consumption" },
	{ NULL, NULL, 0, 0, NULL },
};

const struct qual_quantity *qual_quantity_find(const char *name)
{
	const struct qual_quantity *q;

	for (q = qual_quantities; q->name; q++)
		if (!strcmp(q->name, name))
			return q;
	return NULL;
}

struct qual_limits qual_limits_none(void)
{
	struct qual_limits l = {
		.low = NAN, .high = NAN, .marginal = 0,
		.guard = QUAL_GUARD_MARGINAL, .scale = QUAL_SCALE_LINEAR,
	};
	return l;
}

bool qual_limits_empty(const struct qual_limits *l)
{
	return isnan(l->low) && isnan(l->high);
}

static void say(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!why || !size)
		return;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

enum qual_verdict qual_judge(double value, double uncertainty,
			     const struct qual_limits *lim, const char *unit,
			     char *why, size_t why_size)
{
	bool log = lim->scale == QUAL_SCALE_LOG10;
	const char *u = unit && unit[0] ? unit : "";
	const char *sp = u[0] ? " " : "";
	const char *band = log ? " decades" : u[0] ? " " : "";
	const char *bu = log ? "" : u;
	double v = value, lo = lim->low, hi = lim->high;
	double U = uncertainty, m = lim->marginal, d = INFINITY;
	const char *which = NULL;
	double lv = NAN;

	say(why, why_size, "%s", "");
	if (isnan(value)) {
		say(why, why_size, "not measured");
		return QUAL_ERROR;
	}
	if (!isnan(lo) && !isnan(hi) && lo > hi) {
		say(why, why_size, "bad limits: min %g > max %g", lo, hi);
		return QUAL_ERROR;
	}
	if (isnan(m) || m < 0) {
		say(why, why_size, "bad marginal band %g", m);
		return QUAL_ERROR;
	}
	if (!isnan(U) && U < 0) {
		say(why, why_size, "negative uncertainty %g", U);
		return QUAL_ERROR;
	}
	if (isnan(U))
		U = 0;
	if (log) {
		if (v < 0 || (!isnan(lo) && lo <= 0) || (!isnan(hi) && hi <= 0)) {
			say(why, why_size, "log-scale quantity with a negative "
			    "value or a limit <= 0");
			return QUAL_ERROR;
		}
		v = log10(v);	/* 0 -> -inf: no errors seen */
		lo = isnan(lo) ? NAN : log10(lo);
		hi = isnan(hi) ? NAN : log10(hi);
	}
	if (!isnan(lo) && v - lo < d) {
		d = v - lo;
		which = "min";
		lv = lim->low;
	}
	if (!isnan(hi) && hi - v < d) {
		d = hi - v;
		which = "max";
		lv = lim->high;
	}
	if (!which)
		return QUAL_PASS;	/* informational */
	if (d < 0) {
		say(why, why_size, "%g%s%s %s %s %g%s%s", value, sp, u,
		    which[1] == 'i' ? "<" : ">", which, lv, sp, u);
		return QUAL_FAIL;
	}
	if (lim->guard == QUAL_GUARD_STRICT && d < U) {
		say(why, why_size, "%g%s%s within its uncertainty %g%s%s of %s %g%s%s "
		    "(strict guard band)", value, sp, u, U, band, bu, which, lv, sp, u);
		return QUAL_FAIL;
	}
	if (lim->guard == QUAL_GUARD_SIMPLE)
		U = 0;
	if (d < U + m) {
		if (d < U)
			say(why, why_size, "%g%s%s within its uncertainty %g%s%s of "
			    "%s %g%s%s", value, sp, u, U, band, bu, which, lv, sp, u);
		else
			say(why, why_size, "%g%s%s within %g%s%s of %s %g%s%s", value,
			    sp, u, U + m, band, bu, which, lv, sp, u);
		return QUAL_MARGINAL;
	}
	return QUAL_PASS;
}

enum qual_verdict qual_judge_below(double bound, const struct qual_limits *lim,
				   const char *unit, char *why, size_t why_size)
{
	const char *u = unit && unit[0] ? unit : "";
	const char *sp = u[0] ? " " : "";
	double lo = lim->low, hi = lim->high;

	say(why, why_size, "%s", "");
	if (isnan(bound)) {
		say(why, why_size, "not measured");
		return QUAL_ERROR;
	}
	if (!isnan(lo) && !isnan(hi) && lo > hi) {
		say(why, why_size, "bad limits: min %g > max %g", lo, hi);
		return QUAL_ERROR;
	}
	/* true < bound <= lo: below the minimum, whatever the true value */
	if (!isnan(lo) && lo >= bound) {
		say(why, why_size, "< %g%s%s < min %g%s%s", bound, sp, u, lo, sp, u);
		return QUAL_FAIL;
	}
	if (!isnan(lo)) {
		say(why, why_size, "< %g%s%s cannot show min %g%s%s is met", bound,
		    sp, u, lo, sp, u);
		return QUAL_ERROR;
	}
	if (!isnan(hi) && hi < bound) {
		say(why, why_size, "< %g%s%s cannot show max %g%s%s is met", bound,
		    sp, u, hi, sp, u);
		return QUAL_ERROR;
	}
	return QUAL_PASS;	/* below a max at or above the bound, or no limits */
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

void qual_measure(struct qual_measurement *m, const char *name, unsigned lane,
		  double value, const char *unit, const struct qual_limits *lim,
		  double uncertainty, const char *method)
{
	memset(m, 0, sizeof(*m));
	copy(m->name, sizeof(m->name), name);
	m->lane = lane;
	m->value = value;
	copy(m->unit, sizeof(m->unit), unit);
	m->lim = lim ? *lim : qual_limits_none();
	m->uncertainty = uncertainty;
	copy(m->method, sizeof(m->method), method);
	qual_measurement_judge(m);
}

void qual_measurement_judge(struct qual_measurement *m)
{
	m->verdict = qual_judge(m->value, m->uncertainty, &m->lim, m->unit,
				m->message, sizeof(m->message));
}

void qual_measure_error(struct qual_measurement *m, const char *name,
			unsigned lane, const char *unit,
			const struct qual_limits *lim, const char *fmt, ...)
{
	va_list ap;

	qual_measure(m, name, lane, NAN, unit, lim, NAN, NULL);
	va_start(ap, fmt);
	vsnprintf(m->message, sizeof(m->message), fmt, ap);
	va_end(ap);
	m->verdict = QUAL_ERROR;
}

enum qual_verdict qual_verdict_worst(enum qual_verdict a, enum qual_verdict b)
{
	return a > b ? a : b;
}

enum qual_verdict qual_verdict_of(const struct qual_measurement *m, size_t n)
{
	enum qual_verdict v = QUAL_NONE;
	size_t i;

	for (i = 0; i < n; i++)
		v = qual_verdict_worst(v, m[i].verdict);
	return v;
}

void qual_verdict_by_lane(const struct qual_measurement *m, size_t n,
			  unsigned lanes, enum qual_verdict *out)
{
	size_t i;

	for (i = 0; i <= lanes; i++)
		out[i] = QUAL_NONE;
	for (i = 0; i < n; i++) {
		unsigned l = m[i].lane <= lanes ? m[i].lane : 0;

		out[l] = qual_verdict_worst(out[l], m[i].verdict);
	}
}

enum qual_verdict qual_verdict_link(const enum qual_verdict *by_lane,
				    unsigned link, unsigned lanes_per_link)
{
	enum qual_verdict v = by_lane[0];
	unsigned l;

	if (link < 1 || lanes_per_link < 1)
		return QUAL_ERROR;
	for (l = (link - 1) * lanes_per_link + 1; l <= link * lanes_per_link; l++)
		v = qual_verdict_worst(v, by_lane[l]);
	return v;
}

static const char *const verdict_names[] = {
	[QUAL_NONE] = "none", [QUAL_PASS] = "pass", [QUAL_MARGINAL] = "marginal",
	[QUAL_ERROR] = "error", [QUAL_FAIL] = "fail",
};
static const char *const guard_names[] = {
	[QUAL_GUARD_MARGINAL] = "marginal", [QUAL_GUARD_SIMPLE] = "simple",
	[QUAL_GUARD_STRICT] = "strict",
};
static const char *const scale_names[] = {
	[QUAL_SCALE_LINEAR] = "linear", [QUAL_SCALE_LOG10] = "log10",
};

static int parse_name(const char *const *names, int n, const char *s, int *out,
		      const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (s && !strcmp(names[i], s)) {
			*out = i;
			return BERT_OK;
		}
	return bert_fail(BERT_ERR_CONFIG, "'%s' is not a %s", s ? s : "(null)", what);
}

#define NNAMES(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *qual_verdict_name(enum qual_verdict v)
{
	return (int)v >= 0 && (int)v < NNAMES(verdict_names) ? verdict_names[v] : "?";
}

int qual_verdict_parse(const char *s, enum qual_verdict *v)
{
	int i = 0, rc = parse_name(verdict_names, NNAMES(verdict_names), s, &i,
				   "verdict (pass, marginal, fail, error, none)");

	if (rc == BERT_OK)
		*v = (enum qual_verdict)i;
	return rc;
}

const char *qual_guard_name(enum qual_guard g)
{
	return (int)g >= 0 && (int)g < NNAMES(guard_names) ? guard_names[g] : "?";
}

int qual_guard_parse(const char *s, enum qual_guard *g)
{
	int i = 0, rc = parse_name(guard_names, NNAMES(guard_names), s, &i,
				   "guard (marginal, simple, strict)");

	if (rc == BERT_OK)
		*g = (enum qual_guard)i;
	return rc;
}

const char *qual_scale_name(enum qual_scale s)
{
	return (int)s >= 0 && (int)s < NNAMES(scale_names) ? scale_names[s] : "?";
}

int qual_scale_parse(const char *s, enum qual_scale *sc)
{
	int i = 0, rc = parse_name(scale_names, NNAMES(scale_names), s, &i,
				   "scale (linear, log10)");

	if (rc == BERT_OK)
		*sc = (enum qual_scale)i;
	return rc;
}

double qual_ucomp_expanded(const struct qual_ucomp *c, unsigned n)
{
	double s = 0;
	unsigned i;

	if (!n)
		return NAN;
	for (i = 0; i < n; i++) {
		if (!(c[i].u >= 0))
			return NAN;
		s += c[i].u * c[i].u;
	}
	return 2 * sqrt(s);
}

void qual_ucomp_set(struct qual_ucomp *c, const char *source, double u, char type,
		    const char *note)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->source, sizeof(c->source), "%s", source);
	c->u = u;
	c->type = type;
	snprintf(c->note, sizeof(c->note), "%s", note ? note : "");
}
