/* SPDX-License-Identifier: MIT */
/* BER statistics and FEC analytics (IEEE 802.3 Clause 91;
 * docs/SOURCES.md):
 * confidence bounds, test length, early stop, Q <-> BER, waterfall fits,
 * pre-FEC BER -> SER -> CER -> FLR -> post-FEC BER, and histogram analysis. */
#ifndef BERT_SIGNAL_BERSTAT_H
#define BERT_SIGNAL_BERSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/signal/fec.h"

#define BERT_KP4_THRESHOLD_BER	2.4e-4	/* PMD BER limit, IEEE 802.3 Cl. 124 */
#define BERT_FLR_FACTOR_400G	2.125	/* (1 + 2 * 8) / 8 */
#define BERT_FLR_FACTOR_X1	1.125

/* Poisson: lambda such that P[X <= errors; lambda] = 1 - cl, i.e.
 * chi2_cl(2(E+1))/2 (2.996 for 0 errors at 95%). NaN for cl outside (0,1). */
double bert_ber_lambda(uint64_t errors, double cl);
/* Upper bound of BER at confidence cl after `errors` in `bits`. */
double bert_ber_upper(uint64_t errors, double bits, double cl);
/* Bits needed to assert BER < target at cl if `errors` occur. */
double bert_ber_bits_needed(double target, uint64_t errors, double cl);

enum bert_stop {
	BERT_STOP_CONTINUE = 0,
	BERT_STOP_PASS,		/* upper bound at cl below target */
	BERT_STOP_FAIL,		/* more errors than target allows at cl */
};
enum bert_stop bert_ber_early_stop(uint64_t errors, double bits, double target,
				   double cl);

/* NRZ: BER = erfc(Q/sqrt2)/2. Gray PAM4, equal eyes: SER = 0.75 erfc(Q/sqrt2),
 * BER = SER/2. */
double bert_q_from_ber_nrz(double ber);
double bert_ber_from_q_nrz(double q);
double bert_q_from_ber_pam4(double ber);
double bert_ber_from_q_pam4(double q);

/* Waterfall (docs/SOURCES.md, BER statistics): Q in linear units against
 * power in mW, or
 * log10(-log10 BER) against dBm; interpolated to target_ber. */
enum bert_wf_method {
	BERT_WF_Q_LINEAR,
	BERT_WF_LOGLOG,
};
struct bert_wf_point {
	double dbm;
	double ber;	/* 0 < ber < 0.5 */
};
struct bert_wf_fit {
	double slope, intercept, r2;
	double dbm_at_target;
	double sigma_db;	/* 1-sigma of dbm_at_target from the residuals */
	bool extrapolated;	/* target outside the measured BER range */
};
/* BERT_ERR_ARG with fewer than 3 usable points or a flat fit. */
int bert_waterfall_fit(const struct bert_wf_point *p, size_t n,
		       enum bert_wf_method m, bool pam4, double target_ber,
		       struct bert_wf_fit *fit);

/* Frame loss ratio from the codeword error ratio: 1 - (1 - CER)^factor,
 * which is factor x CER (BERT_FLR_FACTOR_400G and the like) while
 * CER is small and never exceeds 1, as a ratio must not. */
double bert_flr_from_cer(double cer, double factor);

/* Random errors through RS(544,514): SER = 1-(1-BER)^10,
 * CER = P[Bin(544, SER) > 15], FLR = bert_flr_from_cer(), post-FEC BER = bits left
 * wrong by failed decodes (passed through uncorrected) / bits. */
struct bert_fec_chain {
	double ber, ser, cer, flr, post_fec_ber;
	double margin_decades;	/* log10(2.4e-4 / ber) */
};
int bert_fec_chain_from_ber(double ber, double flr_factor,
			    struct bert_fec_chain *out);
/* P[Bin(n, p) = k], accurate in the far tail. */
double bert_binom_pmf(unsigned n, unsigned k, double p);

/* Codeword histogram (the SONiC FEC-histogram method, docs/SOURCES.md). */
struct bert_hist_analysis {
	uint64_t codewords;
	double ser;		/* sum k C_k / (544 N), uncorrectable as 16 */
	double ber_lower;	/* sum k C_k / (5440 N) */
	double cer;		/* observed: C_unc / N */
	double flr;		/* observed: bert_flr_from_cer(cer) */
	double post_fec_ber_min; /* what the uncorrectables imply: cer x 16 / 5440;
				  * a post-FEC estimate is never below it */
	double cer_predicted;	/* fit of log10(C_k/N), k = 1..15, to k = 16..20 */
	double flr_predicted;
	double r2;		/* of that fit; NaN without 2 bins of >= 10 */
	unsigned fit_bins;
	int max_bin;		/* highest non-zero bin 0..16, -1 if empty */
	double binom_tail;	/* expected codewords at >= tail_from, Bin(544, SER) */
	uint64_t obs_tail;
	unsigned tail_from;
	bool bursty;		/* observed tail well above the binomial one */
};
int bert_hist_analyze(const struct bert_rs_hist *h, double flr_factor,
		      struct bert_hist_analysis *out);

#endif
