// SPDX-License-Identifier: MIT
/* BER statistics and FEC analytics (IEEE 802.3 Clauses 91 and 119;
 * docs/SOURCES.md, "Why 2.4e-4" and "BER statistics"). */
#include <math.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/signal/berstat.h"

#define HIST_NOISE	10	/* bins below this many counts are noise (S9) */

/* Exact summation is used while exp(-lambda) is representable and k is
 * small enough to sum; beyond, the Wilson-Hilferty form below. */
#define POISSON_EXACT_MAX_LAMBDA	700.0
#define POISSON_EXACT_MAX_K		100000u

/* P[X <= k] for X ~ Poisson(lambda). Exact by summation where exp(-lambda)
 * does not underflow; otherwise through P[X <= k] = P[chi2(2(k+1)) > 2 lambda]
 * with the Wilson-Hilferty normal form of chi2 (relative error of the bound
 * ~1e-4 at k >= 100, far below the statistical spread there). The plain sum
 * returned 0 for lambda > ~745, which froze the upper bound at 745 / bits
 * and hid failing lanes. */
static double poisson_cdf(uint64_t k, double lambda)
{
	double term, sum, n, z;
	uint64_t i;

	if (lambda < POISSON_EXACT_MAX_LAMBDA && k < POISSON_EXACT_MAX_K) {
		term = exp(-lambda);
		sum = term;
		for (i = 1; i <= k; i++) {
			term *= lambda / (double)i;
			sum += term;
		}
		return sum > 1.0 ? 1.0 : sum;
	}
	n = (double)k + 1.0;
	z = (cbrt(lambda / n) - (1.0 - 1.0 / (9.0 * n))) / sqrt(1.0 / (9.0 * n));
	return 0.5 * erfc(z / sqrt(2.0));
}

double bert_ber_lambda(uint64_t errors, double cl)
{
	double lo = 0, hi = (double)errors + 10.0, mid;
	int it;

	if (!(cl > 0 && cl < 1))
		return NAN;
	/* the CDF falls as lambda grows: bisect on 1 - cl */
	while (poisson_cdf(errors, hi) > 1 - cl)
		hi *= 2;
	for (it = 0; it < 200; it++) {
		mid = 0.5 * (lo + hi);
		if (poisson_cdf(errors, mid) > 1 - cl)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

double bert_ber_upper(uint64_t errors, double bits, double cl)
{
	if (!(bits > 0))
		return NAN;
	return bert_ber_lambda(errors, cl) / bits;
}

double bert_ber_bits_needed(double target, uint64_t errors, double cl)
{
	if (!(target > 0))
		return NAN;
	return bert_ber_lambda(errors, cl) / target;
}

enum bert_stop bert_ber_early_stop(uint64_t errors, double bits, double target,
				   double cl)
{
	double lambda = bits * target;

	if (!(bits > 0) || !(target > 0) || !(cl > 0 && cl < 1))
		return BERT_STOP_CONTINUE;
	if (bert_ber_upper(errors, bits, cl) < target)
		return BERT_STOP_PASS;
	/* Seeing this many errors if the BER were exactly the target is
	 * unlikely at cl: P[X >= errors; lambda] < 1 - cl. */
	if (errors > 0 && 1.0 - poisson_cdf(errors - 1, lambda) < 1 - cl)
		return BERT_STOP_FAIL;
	return BERT_STOP_CONTINUE;
}

/* erfc^-1 by Newton on erfc, started from a tail approximation */
static double erfcinv(double y)
{
	double x;
	int i;

	if (!(y > 0 && y < 2))
		return NAN;
	if (y > 1)
		return -erfcinv(2 - y);
	x = sqrt(-log(y / 2.0));
	if (x < 0.5)
		x = (1 - y) * 0.886;
	for (i = 0; i < 60; i++) {
		double f = erfc(x) - y;
		double d = -2.0 / sqrt(M_PI) * exp(-x * x);
		double step = f / d;

		x -= step;
		if (fabs(step) < 1e-15 * (fabs(x) + 1e-300))
			break;
	}
	return x;
}

double bert_q_from_ber_nrz(double ber)
{
	return M_SQRT2 * erfcinv(2 * ber);
}

double bert_ber_from_q_nrz(double q)
{
	return 0.5 * erfc(q / M_SQRT2);
}

double bert_q_from_ber_pam4(double ber)
{
	return M_SQRT2 * erfcinv(ber / 0.375);
}

double bert_ber_from_q_pam4(double q)
{
	return 0.375 * erfc(q / M_SQRT2);
}

int bert_waterfall_fit(const struct bert_wf_point *p, size_t n,
		       enum bert_wf_method m, bool pam4, double target_ber,
		       struct bert_wf_fit *fit)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, ymin = INFINITY, ymax = -INFINITY;
	double xm, ym, b, a, ss_res = 0, s2, yt, x0, se;
	size_t i, k = 0;

	if (!p || !fit || !(target_ber > 0 && target_ber < 0.375))
		return bert_fail(BERT_ERR_ARG, "bad waterfall arguments");
	memset(fit, 0, sizeof(*fit));
	for (i = 0; i < n; i++) {
		double x, y;

		if (!(p[i].ber > 0 && p[i].ber < 0.375) || !isfinite(p[i].dbm))
			continue;
		if (m == BERT_WF_Q_LINEAR) {
			x = pow(10.0, p[i].dbm / 10.0);
			y = pam4 ? bert_q_from_ber_pam4(p[i].ber) : bert_q_from_ber_nrz(p[i].ber);
		} else {
			x = p[i].dbm;
			y = log10(-log10(p[i].ber));
		}
		sx += x; sy += y; sxx += x * x; sxy += x * y; syy += y * y;
		ymin = fmin(ymin, y);
		ymax = fmax(ymax, y);
		k++;
	}
	if (k < 3)
		return bert_fail(BERT_ERR_ARG, "waterfall needs 3 points, has %zu", k);
	xm = sx / (double)k;
	ym = sy / (double)k;
	sxx -= (double)k * xm * xm;
	sxy -= (double)k * xm * ym;
	syy -= (double)k * ym * ym;
	if (!(sxx > 0) || sxy == 0)
		return bert_fail(BERT_ERR_ARG, "waterfall is flat");
	b = sxy / sxx;
	a = ym - b * xm;
	ss_res = syy - b * sxy;
	if (ss_res < 0)
		ss_res = 0;
	fit->slope = b;
	fit->intercept = a;
	fit->r2 = syy > 0 ? 1 - ss_res / syy : 1;
	if (m == BERT_WF_Q_LINEAR)
		yt = pam4 ? bert_q_from_ber_pam4(target_ber) : bert_q_from_ber_nrz(target_ber);
	else
		yt = log10(-log10(target_ber));
	x0 = (yt - a) / b;
	/* delta method: var(x0) = s^2/b^2 (1/k + (yt - ym)^2 / (b^2 Sxx)) */
	s2 = k > 2 ? ss_res / (double)(k - 2) : 0;
	se = sqrt(s2 / (b * b) * (1.0 / (double)k + (yt - ym) * (yt - ym) / (b * b * sxx)));
	if (m == BERT_WF_Q_LINEAR) {
		if (!(x0 > 0))
			return bert_fail(BERT_ERR_RANGE, "fit does not reach the target");
		fit->dbm_at_target = 10 * log10(x0);
		fit->sigma_db = 10 / M_LN10 * se / x0;
	} else {
		fit->dbm_at_target = x0;
		fit->sigma_db = se;
	}
	fit->extrapolated = yt < ymin || yt > ymax;
	return BERT_OK;
}

double bert_binom_pmf(unsigned n, unsigned k, double p)
{
	if (k > n || p < 0 || p > 1)
		return 0;
	if (p == 0)
		return k == 0;
	if (p == 1)
		return k == n;
	return exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) +
		   k * log(p) + (n - k) * log1p(-p));
}

static double bert_binom_tail(unsigned n, unsigned k, double p)
{
	double s = 0;
	unsigned i;

	/* summed from the far end so the small terms are not lost */
	for (i = n; i > k; i--)
		s += bert_binom_pmf(n, i, p);
	return s;
}

double bert_flr_from_cer(double cer, double factor)
{
	if (!(cer > 0))
		return 0;
	if (cer >= 1)
		return 1;
	return -expm1(factor * log1p(-cer));
}

int bert_fec_chain_from_ber(double ber, double flr_factor,
			    struct bert_fec_chain *o)
{
	double bits_per_sym_err;
	unsigned k;

	if (!o)
		return bert_fail(BERT_ERR_ARG, "no output");
	if (!(ber >= 0 && ber <= 0.5))
		return bert_fail(BERT_ERR_RANGE, "BER %g outside 0..0.5", ber);
	if (!(flr_factor > 0))
		return bert_fail(BERT_ERR_RANGE, "FLR factor %g", flr_factor);
	memset(o, 0, sizeof(*o));
	o->ber = ber;
	o->ser = -expm1(BERT_RS_SYMBITS * log1p(-ber));
	o->cer = bert_binom_tail(BERT_RS_N, BERT_RS_T, o->ser);
	o->flr = bert_flr_from_cer(o->cer, flr_factor);
	/* a failed decode passes its k symbol errors through; each wrong
	 * symbol holds 10 BER / SER wrong bits on average */
	bits_per_sym_err = o->ser > 0 ? BERT_RS_SYMBITS * ber / o->ser : 0;
	for (k = BERT_RS_T + 1; k <= BERT_RS_N; k++)
		o->post_fec_ber += bert_binom_pmf(BERT_RS_N, k, o->ser) * k;
	o->post_fec_ber *= bits_per_sym_err / BERT_RS_CW_BITS;
	o->margin_decades = ber > 0 ? log10(BERT_KP4_THRESHOLD_BER / ber) : INFINITY;
	return BERT_OK;
}

int bert_hist_analyze(const struct bert_rs_hist *h, double flr_factor,
		      struct bert_hist_analysis *o)
{
	double n, syms = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0, mean;
	unsigned k;

	if (!h || !o)
		return bert_fail(BERT_ERR_ARG, "no histogram");
	memset(o, 0, sizeof(*o));
	o->max_bin = -1;
	for (k = 0; k < BERT_RS_HIST_BINS; k++) {
		o->codewords += h->bin[k];
		syms += (double)k * (double)h->bin[k];
		if (h->bin[k])
			o->max_bin = (int)k;
	}
	if (!o->codewords)
		return bert_fail(BERT_ERR_RANGE, "histogram counts no codewords");
	n = (double)o->codewords;
	o->ser = syms / (BERT_RS_N * n);
	o->ber_lower = syms / (BERT_RS_CW_BITS * n);
	o->cer = (double)h->bin[BERT_RS_UNCORRECTABLE] / n;
	o->flr = bert_flr_from_cer(o->cer, flr_factor);
	/* each uncorrectable codeword left at least t + 1 symbols, so at
	 * least t + 1 bits, wrong */
	o->post_fec_ber_min = o->cer * (BERT_RS_T + 1) / BERT_RS_CW_BITS;

	/* SONiC predictor: least squares on log10(C_k/N), k = 1..15 */
	for (k = 1; k <= BERT_RS_T; k++) {
		double y;

		if (h->bin[k] < HIST_NOISE)
			continue;
		y = log10((double)h->bin[k] / n);
		sx += k; sy += y; sxx += (double)k * k; sxy += k * y; syy += y * y;
		o->fit_bins++;
	}
	o->r2 = NAN;
	if (o->fit_bins >= 2) {
		double c = o->fit_bins, xm = sx / c, ym = sy / c, b, a, res;

		sxx -= c * xm * xm;
		sxy -= c * xm * ym;
		syy -= c * ym * ym;
		b = sxy / sxx;
		a = ym - b * xm;
		res = syy - b * sxy;
		o->r2 = syy > 0 ? 1 - (res < 0 ? 0 : res) / syy : 1;
		for (k = 16; k <= 20; k++)
			o->cer_predicted += pow(10.0, a + b * k);
		if (o->cer_predicted > 1)
			o->cer_predicted = 1;
		o->flr_predicted = bert_flr_from_cer(o->cer_predicted, flr_factor);
	}

	/* Burst check: tail from about two sigma above the mean, compared
	 * with Bin(544, SER) (A. Ran [S11], docs/SOURCES.md). */
	mean = BERT_RS_N * o->ser;
	{
		/* clamp as a double: a huge SER must not overflow the cast */
		double tf = ceil(mean + 2 * sqrt(mean));

		if (!(tf >= 2))
			tf = 2;
		if (tf > BERT_RS_UNCORRECTABLE)
			tf = BERT_RS_UNCORRECTABLE;
		o->tail_from = (unsigned)tf;
	}
	for (k = o->tail_from; k < BERT_RS_HIST_BINS; k++)
		o->obs_tail += h->bin[k];
	o->binom_tail = n * bert_binom_tail(BERT_RS_N, o->tail_from - 1, o->ser);
	/* bin by bin, so a few heavy far bins are not hidden by the near
	 * ones: bursty when a bin above the noise floor holds three times
	 * its binomial count plus three sigma */
	for (k = o->tail_from; k < BERT_RS_HIST_BINS; k++) {
		double e = n * (k == BERT_RS_UNCORRECTABLE ?
				bert_binom_tail(BERT_RS_N, BERT_RS_T, o->ser) :
				bert_binom_pmf(BERT_RS_N, k, o->ser));
		double c = (double)h->bin[k];

		if (c >= HIST_NOISE && c > 3 * e + 3 * sqrt(e))
			o->bursty = true;
	}
	return BERT_OK;
}
