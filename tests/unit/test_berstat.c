// SPDX-License-Identifier: MIT
/* bert/signal/berstat against IEEE 802.3 Clause 91 and the
 * BER statistics of docs/SOURCES.md. */
#include <math.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/signal/berstat.h"
#include "common.h"

#define REL(a, b, tol) ck_assert_msg(fabs((a) - (b)) <= (tol) * fabs(b), \
				     "%s = %g, want %g", #a, (double)(a), (double)(b))

/* docs/SOURCES.md, BER statistics, the lambda table */
START_TEST(test_lambda_table)
{
	static const double cls[3] = { 0.90, 0.95, 0.99 };
	static const double tab[3][6] = {
		{ 2.303, 3.890, 5.322, 6.681, 7.994, 9.275 },
		{ 2.996, 4.744, 6.296, 7.754, 9.154, 10.513 },
		{ 4.605, 6.638, 8.406, 10.045, 11.605, 13.108 },
	};
	unsigned i, e;

	for (i = 0; i < 3; i++)
		for (e = 0; e < 6; e++)
			ck_assert_double_eq_tol(bert_ber_lambda(e, cls[i]), tab[i][e], 6e-4);
	/* 1e-12 at 95% with 0 errors: 3.0e12 bits, 28 s at 106.25 Gb/s */
	REL(bert_ber_bits_needed(1e-12, 0, 0.95), 2.996e12, 1e-3);
	ck_assert_double_eq_tol(bert_ber_bits_needed(1e-12, 0, 0.95) / 106.25e9, 28.2, 0.1);
	REL(bert_ber_upper(0, 2.996e12, 0.95), 1e-12, 1e-3);
	ck_assert(isnan(bert_ber_lambda(0, 1.5)));
}
END_TEST

START_TEST(test_early_stop)
{
	ck_assert_int_eq(bert_ber_early_stop(0, 1e12, 1e-12, 0.95), BERT_STOP_CONTINUE);
	ck_assert_int_eq(bert_ber_early_stop(0, 3.1e12, 1e-12, 0.95), BERT_STOP_PASS);
	ck_assert_int_eq(bert_ber_early_stop(2, 1e12, 1e-12, 0.95), BERT_STOP_CONTINUE);
	/* 10 errors where 1 is expected */
	ck_assert_int_eq(bert_ber_early_stop(10, 1e12, 1e-12, 0.95), BERT_STOP_FAIL);
}
END_TEST

START_TEST(test_q)
{
	ck_assert_double_eq_tol(bert_q_from_ber_nrz(2.4e-4), 3.49, 0.005);
	ck_assert_double_eq_tol(bert_q_from_ber_pam4(2.4e-4), 3.414, 0.001);
	/* TDECQ target SER 4.8e-4 = 2 x 2.4e-4 gives Qt = 3.414 */
	REL(bert_ber_from_q_pam4(3.414) * 2, 4.8e-4, 2e-3);
	REL(bert_ber_from_q_nrz(bert_q_from_ber_nrz(1e-12)), 1e-12, 1e-9);
	REL(bert_ber_from_q_pam4(bert_q_from_ber_pam4(1e-5)), 1e-5, 1e-9);
}
END_TEST

/* IEEE 802.3 Clauses 91 and 119: CER 8.2e-13 and FLR 1.7e-12 at 2.4e-4, and the
 * sensitivity row */
START_TEST(test_fec_chain)
{
	static const double ber[5] = { 1e-4, 2e-4, 3e-4, 5e-4, 1e-3 };
	static const double cer[5] = { 1.4e-18, 5.4e-14, 2.1e-11, 2.8e-8, 1.5e-4 };
	struct bert_fec_chain c;
	unsigned i;

	ck_assert_int_eq(bert_fec_chain_from_ber(2.4e-4, BERT_FLR_FACTOR_400G, &c), BERT_OK);
	REL(c.ser, 2.40e-3, 2e-3);
	REL(c.cer, 8.2e-13, 0.01);
	REL(c.flr, 1.7e-12, 0.02);
	ck_assert_double_eq_tol(c.margin_decades, 0, 1e-12);
	ck_assert(c.post_fec_ber > 0 && c.post_fec_ber < c.cer);
	for (i = 0; i < 5; i++) {
		bert_fec_chain_from_ber(ber[i], BERT_FLR_FACTOR_400G, &c);
		REL(c.cer, cer[i], 0.05);
	}
	ck_assert_int_eq(bert_fec_chain_from_ber(2, 2.125, &c), BERT_ERR_RANGE);
	ck_assert_int_eq(bert_fec_chain_from_ber(-1, 2.125, &c), BERT_ERR_RANGE);
}
END_TEST

/* A histogram drawn from the binomial itself is not bursty and its
 * predicted CER is in the right decades; a fat tail is bursty. */
START_TEST(test_histogram)
{
	struct bert_rs_hist h = { { 0 } };
	struct bert_hist_analysis a;
	const double n = 1e12, ser = 2.4e-3;
	unsigned k;

	for (k = 0; k <= 15; k++)
		h.bin[k] = (uint64_t)llround(n * bert_binom_pmf(544, k, ser));
	ck_assert_int_eq(bert_hist_analyze(&h, BERT_FLR_FACTOR_400G, &a), BERT_OK);
	REL(a.ser, ser, 0.01);
	ck_assert(!a.bursty);
	ck_assert(a.r2 > 0.9);
	ck_assert(a.cer_predicted > 1e-16 && a.cer_predicted < 1e-10);
	ck_assert_int_eq(a.max_bin, 15);
	/* heavy tail */
	h.bin[12] += 1000000;
	ck_assert_int_eq(bert_hist_analyze(&h, BERT_FLR_FACTOR_400G, &a), BERT_OK);
	ck_assert(a.bursty);
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(bert_hist_analyze(&h, BERT_FLR_FACTOR_400G, &a), BERT_ERR_RANGE);
}
END_TEST

START_TEST(test_waterfall)
{
	/* synthetic PAM4 receiver, thermal-noise limited: Q = 6 * P(mW) */
	struct bert_wf_point p[6];
	struct bert_wf_fit f;
	double want;
	unsigned i;

	for (i = 0; i < 6; i++) {
		p[i].dbm = -4.0 + 0.5 * i;
		p[i].ber = bert_ber_from_q_pam4(6.0 * pow(10, p[i].dbm / 10));
	}
	want = 10 * log10(bert_q_from_ber_pam4(2.4e-4) / 6.0);
	ck_assert_int_eq(bert_waterfall_fit(p, 6, BERT_WF_Q_LINEAR, true, 2.4e-4, &f), BERT_OK);
	ck_assert_double_eq_tol(f.dbm_at_target, want, 1e-6);
	ck_assert_double_eq_tol(f.r2, 1.0, 1e-9);
	ck_assert(f.sigma_db < 1e-6);
	ck_assert_int_eq(bert_waterfall_fit(p, 6, BERT_WF_LOGLOG, true, 2.4e-4, &f), BERT_OK);
	ck_assert_double_eq_tol(f.dbm_at_target, want, 0.1);
	ck_assert(f.r2 > 0.99);
	ck_assert_int_eq(bert_waterfall_fit(p, 2, BERT_WF_LOGLOG, true, 2.4e-4, &f),
			 BERT_ERR_ARG);
}
END_TEST

START_TEST(test_large_counts)
{
	/* Past exp(-745) underflow: the bound keeps growing with the count
	 * (normal limit: E + z sqrt(E), z = 1.645 at 95 %), and a lane far
	 * above target fails, far below passes, after 1.28e11 bits. */
	static const uint64_t e[] = { 1000, 100000, 33940560 };
	unsigned i;

	for (i = 0; i < 3; i++) {
		double x = (double)e[i], lam = bert_ber_lambda(e[i], 0.95);

		ck_assert_msg(fabs(lam - (x + 1.645 * sqrt(x) + 1)) < 0.01 * sqrt(x) + 2,
			      "E=%llu lambda %g", (unsigned long long)e[i], lam);
	}
	ck_assert_int_eq(bert_ber_early_stop(33940560, 1.27784e11, 2.4e-4, 0.95),
			 BERT_STOP_FAIL);
	ck_assert_int_eq(bert_ber_early_stop(30000, 1.27784e11, 2.4e-4, 0.95),
			 BERT_STOP_PASS);
	/* right at the target: undecided */
	ck_assert_int_eq(bert_ber_early_stop(30667200, 1.27784e11, 2.4e-4, 0.95),
			 BERT_STOP_CONTINUE);
}
END_TEST

Suite *suite_berstat(void)
{
	Suite *s = suite_create("berstat");
	TCase *tc = tcase_create("berstat");

	tcase_add_test(tc, test_lambda_table);
	tcase_add_test(tc, test_early_stop);
	tcase_add_test(tc, test_large_counts);
	tcase_add_test(tc, test_q);
	tcase_add_test(tc, test_fec_chain);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_waterfall);
	suite_add_tcase(s, tc);
	return s;
}
