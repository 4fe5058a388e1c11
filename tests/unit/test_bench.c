// SPDX-License-Identifier: MIT
/* The virtual bench: receiver model, statistics of the drawn error counts
 * against the model BER (on the virtual clock; counts, not timing), bench
 * INI errors, instruments' view of the plant, the burst penalty after FEC. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "bert/core/units.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/fixture.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/bench_fec.h"
#include "fixtures/sim/module_diag.h"
#include "fixtures/sim/cmis_module.h"
#include "common.h"
#include "rig.h"

/* Site 1 of the bench at path, powered up. */
static void rig_open(struct rig *r, const char *path)
{
	rig_bench_open(r, path, NULL);
	sim_module_set_lpmode(r->m, false);
	ck_assert_int_eq(bert_clock_sleep(r->clk, 3 * BERT_NS_PER_S), BERT_OK);
}

/* PRBS31Q on media lanes 1-4, counters reset; the caller waits. */
static void prbs_start(struct rig *r)
{
	rig_sel(r, 0, 0x13);
	rig_wr1(r, CMIS_P13_MEDIA_GEN_PATTERN, 0);
	rig_wr1(r, CMIS_P13_MEDIA_GEN_PATTERN + 1, 0);
	rig_wr1(r, CMIS_P13_MEDIA_CHK_PATTERN, 0);
	rig_wr1(r, CMIS_P13_MEDIA_CHK_PATTERN + 1, 0);
	rig_wr1(r, CMIS_P13_MEDIA_GEN_ENABLE, 0x0f);
	rig_wr1(r, CMIS_P13_MEDIA_CHK_ENABLE, 0x0f);
	ck_assert_int_eq(bert_clock_sleep(r->clk, 50 * BERT_NS_PER_MS), BERT_OK);
	rig_wr1(r, CMIS_P13_MEAS_CTRL, CMIS_P13_MEAS_RESET_ERR);
	rig_wr1(r, CMIS_P13_MEAS_CTRL, 0);
}

static void media_counts(struct rig *r, uint64_t err[4], uint64_t bits[4])
{
	uint8_t res[64];
	unsigned l;

	rig_sel(r, 0, 0x14);
	rig_wr1(r, CMIS_P14_SELECTOR, CMIS_DIAG_MEDIA_CNT_1_4);
	ck_assert_int_eq(bert_clock_sleep(r->clk, CMIS_P14_SELECTOR_SETTLE_MS *
					  BERT_NS_PER_MS), BERT_OK);
	ck_assert_int_eq(rig_rd(r, 192, res, 64), BERT_OK);
	for (l = 0; l < 4; l++) {
		err[l] = bert_get_le64(&res[16 * l]);
		bits[l] = bert_get_le64(&res[16 * l + 8]);
	}
}

/* ---- model --------------------------------------------------------------- */

START_TEST(test_model_at_sensitivity)
{
	struct rig r;
	struct sim_bench_lane lm;
	double sens_mw = bert_dbm_to_mw(-6.5), att;

	rig_open(&r, NULL);
	ck_assert(fabs(sim_bench_q_sens(r.b) - 3.414) < 0.001);
	ck_assert(fabs(sim_pam4_ber(sim_bench_q_sens(r.b)) - 2.4e-4) < 1e-9);
	/* attenuate lane 1 to exactly its sensitivity OMA: BER 2.4e-4 */
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 1, &lm), BERT_OK);
	att = 10 * log10(lm.oma_mw / sens_mw);
	ck_assert_int_eq(sim_bench_voa_set(r.b, "voa1", 1, att), BERT_OK);
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 1, &lm), BERT_OK);
	ck_assert(fabs(lm.oma_mw / sens_mw - 1) < 1e-9);
	ck_assert(fabs(lm.ber / 2.4e-4 - 1) < 1e-6);
	/* DR4 at 2.4e-4: random-error CER 8.2e-13 (IEEE 802.3 Clauses 91 and 119) */
	ck_assert(fabs(lm.cer / 8.2e-13 - 1) < 0.05);
	/* OMA = 2 Pavg (ER-1)/(ER+1), ER 4.5 dB */
	{
		double er = pow(10, 0.45);

		ck_assert(fabs(lm.oma_mw / lm.avg_mw - 2 * (er - 1) / (er + 1)) < 1e-9);
	}
	/* the other lanes are untouched */
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 2, &lm), BERT_OK);
	ck_assert(lm.ber < 1e-30);
	rig_close(&r);
}
END_TEST

START_TEST(test_dark_and_monitor)
{
	struct rig r;
	struct sim_bench_lane lm;
	uint8_t raw[2];
	double mon;

	rig_open(&r, NULL);
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 3, &lm), BERT_OK);
	/* Rx power monitor: average power within the 0.5 dB accuracy */
	rig_sel(&r, 0, 0x11);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_RX_PWR + 4, raw, 2), BERT_OK);
	mon = bert_cmis_power_to_mw((uint16_t)(raw[0] << 8 | raw[1]));
	ck_assert_msg(fabs(10 * log10(mon / lm.avg_mw)) <= 0.5 + 0.01, "%g %g", mon, lm.avg_mw);
	/* shutter closed: dark, BER 0.5 */
	ck_assert_int_eq(sim_bench_voa_enable(r.b, "voa1", 3, false), BERT_OK);
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 3, &lm), BERT_OK);
	ck_assert(lm.avg_mw == 0 && lm.ber == 0.5 && lm.src_site == 0);
	ck_assert_int_eq(bert_clock_sleep(r.clk, 200 * BERT_NS_PER_MS), BERT_OK);
	ck_assert_int_eq(rig_rd(&r, CMIS_P11_RX_PWR + 4, raw, 2), BERT_OK);
	ck_assert_uint_eq(raw[0] | raw[1], 0);
	/* a transmitter turned off (10h:130) darkens its receiver */
	ck_assert_int_eq(sim_bench_voa_enable(r.b, "voa1", 3, true), BERT_OK);
	rig_sel(&r, 0, 0x10);
	rig_wr1(&r, CMIS_P10_TX_DISABLE, 0x02);
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 2, &lm), BERT_OK);
	ck_assert(lm.avg_mw == 0);
	rig_close(&r);
}
END_TEST

/* Drawn errors against the model, at several attenuations: within a 5 sigma
 * Poisson interval of bits x model BER (seeded: deterministic). */
START_TEST(test_ber_statistics)
{
	static const double att[] = { 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0 };
	struct rig r;
	unsigned i, l;

	rig_open(&r, NULL);
	for (i = 0; i < ARRAY_SIZE(att); i++) {
		uint64_t err[4], bits[4];
		double ber[4];

		ck_assert_int_eq(sim_bench_set_extra_loss(r.b, 1, att[i]), BERT_OK);
		for (l = 0; l < 4; l++) {
			struct sim_bench_lane lm;

			ck_assert_int_eq(sim_bench_lane_model(r.b, 1, l + 1, &lm), BERT_OK);
			ber[l] = lm.ber;
		}
		prbs_start(&r);
		ck_assert_int_eq(bert_clock_sleep(r.clk, BERT_NS_PER_S / 10), BERT_OK);
		media_counts(&r, err, bits);
		for (l = 0; l < 4; l++) {
			double lambda = (double)bits[l] * ber[l];

			ck_assert(bits[l] > 0.3 * 106.25e9 * 0.99);
			ck_assert_msg(fabs((double)err[l] - lambda) <= 5 * sqrt(lambda) + 1,
				      "att %.1f lane %u: %llu errors, model %.1f", att[i],
				      l + 1, (unsigned long long)err[l], lambda);
		}
	}
	rig_close(&r);
}
END_TEST

/* Bursts keep the mean BER (counts) but not the variance. */
START_TEST(test_burst_errors_mean)
{
	uint64_t s = 12345, sum = 0, sumsq = 0;
	unsigned i, n = 2000;
	double mean, var, lambda = 1e6 * 1e-4;

	for (i = 0; i < n; i++) {
		uint64_t e = sim_rng_errors(&s, 1e6, 1e-4, 0.75);

		sum += e;
		sumsq += e * e;
	}
	mean = (double)sum / n;
	var = (double)sumsq / n - mean * mean;
	ck_assert(fabs(mean - lambda) < 5 * sqrt(lambda * 7 / n));
	/* compound Poisson with runs of mean 4: variance ~7x the mean */
	ck_assert(var > 4 * lambda);
}
END_TEST

/* ---- FEC ------------------------------------------------------------------- */

START_TEST(test_burst_raises_cer)
{
	static const double ber[] = { 4e-4, 6e-4, 1e-3 };
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(ber); i++) {
		double rnd = bench_fec_cer_random(ber[i]);
		double mc0 = bench_fec_cer_burst(ber[i], 0, 7);
		double bur = bench_fec_cer_burst(ber[i], 0.6, 7);

		/* the Monte Carlo agrees with the binomial for random errors */
		if (rnd > 1e-4)
			ck_assert_msg(fabs(mc0 / rnd - 1) < 0.3, "ber %g: mc %g binomial %g",
				      ber[i], mc0, rnd);
		ck_assert_msg(bur > 3 * rnd, "ber %g: burst %g random %g", ber[i], bur, rnd);
	}
}
END_TEST

START_TEST(test_burst_ferc_through_vdm)
{
	struct rig r;
	char mod[] = "/tmp/bert-burst-XXXXXX", bench[] = "/tmp/bert-bench-XXXXXX";
	int fd;
	FILE *f;
	uint8_t v[128];
	double ferc1, ferc2;

	fd = mkstemp(mod);
	f = fdopen(fd, "w");
	fputs("[lane 1]\nburst = 0.6\n", f);
	fclose(f);
	fd = mkstemp(bench);
	f = fdopen(fd, "w");
	fprintf(f, "[site 1]\nmodule = %s\n[instrument voa1]\ntype = voa\nchannels = 2\n"
		"[path 1]\nfrom = 1:1\nto = 1:1\nvoa = voa1:1\n"
		"[path 2]\nfrom = 1:2\nto = 1:2\nvoa = voa1:2\n", mod);
	fclose(f);
	rig_open(&r, bench);
	/* both lanes at the same BER ~1e-3 */
	ck_assert_int_eq(sim_bench_set_extra_loss(r.b, 1, 8.2), BERT_OK);
	{
		struct sim_bench_lane a, c;

		ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 1, &a), BERT_OK);
		ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 2, &c), BERT_OK);
		ck_assert_msg(a.ber > 6e-4 && a.ber < 1.5e-3 && a.ber == c.ber, "%g", a.ber);
	}
	ck_assert_int_eq(bert_clock_sleep(r.clk, 5 * BERT_NS_PER_S), BERT_OK);
	rig_sel(&r, 0, 0x24);
	ck_assert_int_eq(rig_rd(&r, 128, v, 128), BERT_OK);
	/* descriptor 8 is FERC of lane 1, 20 of lane 2 */
	ferc1 = bert_f16_to_double((uint16_t)(v[16] << 8 | v[17]));
	ferc2 = bert_f16_to_double((uint16_t)(v[40] << 8 | v[41]));
	ck_assert_msg(ferc1 > 3 * ferc2 && ferc2 > 0, "burst %g random %g", ferc1, ferc2);
	rig_close(&r);
	unlink(mod);
	unlink(bench);
}
END_TEST

/* ---- instruments' view --------------------------------------------------- */

START_TEST(test_switch_and_meter)
{
	struct rig r;
	struct sim_bench_lane lm;
	unsigned out;
	double mw;

	rig_open(&r, NULL);
	ck_assert_uint_eq(sim_bench_instruments(r.b), 3);
	ck_assert_str_eq(sim_bench_instrument_get(r.b, "osw1", "type"), "switch");
	ck_assert_ptr_null(sim_bench_instrument_get(r.b, "osw1", "nope"));
	/* power-on route: input 1 -> output 1 -> opm1:1 */
	ck_assert_int_eq(sim_bench_meter_input_mw(r.b, "opm1", 1, &mw), BERT_OK);
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 1, &lm), BERT_OK);
	ck_assert(fabs(mw - lm.tap_mw) < 1e-12);
	ck_assert(fabs(lm.tap_mw / lm.avg_mw - 0.05 / 0.95) < 1e-9);
	ck_assert_int_eq(sim_bench_switch_route(r.b, "osw1", 3, 1), BERT_OK);
	ck_assert_int_eq(sim_bench_switch_get(r.b, "osw1", 1, &out), BERT_OK);
	ck_assert_uint_eq(out, 0);
	ck_assert_int_eq(sim_bench_voa_set(r.b, "voa1", 3, 3.0), BERT_OK);
	ck_assert_int_eq(sim_bench_meter_input_mw(r.b, "opm1", 1, &mw), BERT_OK);
	ck_assert_int_eq(sim_bench_lane_model(r.b, 1, 3, &lm), BERT_OK);
	ck_assert(fabs(mw - lm.tap_mw) < 1e-12);
	ck_assert_int_eq(sim_bench_voa_get(r.b, "voa1", 3, &mw), BERT_OK);
	ck_assert(mw == 3.0);
	ck_assert_int_eq(sim_bench_voa_set(r.b, "voa1", 5, 1), BERT_ERR_ARG);
	ck_assert_int_eq(sim_bench_voa_set(r.b, "osw1", 1, 1), BERT_ERR_ARG);
	ck_assert_int_eq(sim_bench_switch_route(r.b, "osw1", 5, 1), BERT_ERR_ARG);
	rig_close(&r);
}
END_TEST

START_TEST(test_module_ini_and_files)
{
	struct bert_clock *clk = bert_clock_virtual_new();
	struct sim_bench *b;

	ck_assert_int_eq(sim_bench_load(test_path("fixtures/sim/modules/dr1-100g.ini"),
					clk, &b), BERT_OK);
	ck_assert_uint_eq(sim_bench_sites(b), 1);
	sim_bench_free(b);
	ck_assert_int_eq(sim_bench_load(test_path("fixtures/sim/benches/default.ini"),
					clk, &b), BERT_OK);
	ck_assert_uint_eq(sim_bench_instruments(b), 3);
	sim_bench_free(b);
	ck_assert_int_eq(sim_bench_load(test_path("fixtures/sim/benches/two-site.ini"),
					clk, &b), BERT_OK);
	ck_assert_uint_eq(sim_bench_sites(b), 2);
	sim_bench_free(b);
	bert_clock_free(clk);
}
END_TEST

START_TEST(test_ini_errors)
{
	static const struct {
		const char *text, *detail;
	} cases[] = {
		{ "[site 1]\nmodule =\n[path 1]\nfrom = 1:1\nto = 1:1\nbogus = 3\n", "t.ini:6: unknown key" },
		{ "[site 1]\nmodule =\n[path 1]\nfrom = 1\n", "t.ini:4: from: expected SITE:LANE" },
		{ "[site 1]\nmodule =\n[path 1]\nfrom = 1:1\nto = 1:1\nfiber_km = -1\n", "t.ini:6:" },
		{ "[site 1]\nmodule =\n[nope]\nx = 1\n", "t.ini:4: unknown section [nope]" },
		{ "[site 1]\nmodule =\n[path 1]\nfrom = 1:1\nto = 1:1\nvoa = voa9:1\n",
		  "t.ini: [path 1] voa = voa9:1: no [instrument voa9]" },
		{ "[site 1]\nmodule =\n[instrument v]\ntype = voa\nchannels = 2\n"
		  "[path 1]\nfrom = 1:1\nto = 1:1\nvoa = v:3\n", "v has 2 channels" },
		{ "[site 1]\nmodule =\n[path 1]\nfrom = 1:1\nto = 1:5\n", "lane beyond" },
		{ "[site 1]\nmodule =\n[path 1]\nfrom = 1:1\nto = 1:1\n[path 2]\nfrom = 1:2\nto = 1:1\n",
		  "already fed by [path 1]" },
		{ "[site 1]\nmodule =\n[path 2]\nfrom = 1:1\nto = 1:1\n", "[path 1] missing" },
		{ "[site 2]\nmodule =\n", "[site 1] missing" },
		{ "[bench]\nseed = 1\n", "no [site 1]" },
		{ "[site 1]\nmodule =\n[instrument m]\nchannels = 1\n", "needs type" },
		{ "[site 1]\nmodule = /nonexistent.ini\n", "[site 1] module" },
	};
	struct bert_clock *clk = bert_clock_virtual_new();
	struct sim_bench *b;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ck_assert_int_eq(sim_bench_load_string("t.ini", cases[i].text, clk, &b),
				 BERT_ERR_CONFIG);
		ck_assert_ptr_null(b);
		ck_assert_msg(strstr(bert_error_detail(), cases[i].detail), "case %u: %s",
			      i, bert_error_detail());
	}
	bert_clock_free(clk);
}
END_TEST

START_TEST(test_fixture_attenuation)
{
	struct bert_fixture *f;
	struct sim_bench_lane lm;

	ck_assert_int_eq(bert_fixture_open("sim:", &f), BERT_OK);
	ck_assert_ptr_nonnull(fixture_sim_bench(f));
	ck_assert_ptr_eq(sim_bench_module(fixture_sim_bench(f), 1), fixture_sim_module(f));
	ck_assert_int_eq(sim_bench_set_extra_loss(fixture_sim_bench(f), 1, 4), BERT_OK);
	ck_assert_int_eq(sim_bench_lane_model(fixture_sim_bench(f), 1, 1, &lm), BERT_OK);
	ck_assert_int_eq(sim_bench_set_extra_loss(fixture_sim_bench(f), 2, 4), BERT_ERR_ARG);
	bert_fixture_close(f);
}
END_TEST

Suite *suite_bench(void)
{
	Suite *s = suite_create("bench");
	TCase *tc = tcase_create("model");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_model_at_sensitivity);
	tcase_add_test(tc, test_dark_and_monitor);
	tcase_add_test(tc, test_ber_statistics);
	tcase_add_test(tc, test_burst_errors_mean);
	tcase_add_test(tc, test_burst_raises_cer);
	tcase_add_test(tc, test_burst_ferc_through_vdm);
	suite_add_tcase(s, tc);
	tc = tcase_create("bench");
	tcase_add_test(tc, test_switch_and_meter);
	tcase_add_test(tc, test_module_ini_and_files);
	tcase_add_test(tc, test_ini_errors);
	tcase_add_test(tc, test_fixture_attenuation);
	suite_add_tcase(s, tc);
	return s;
}
