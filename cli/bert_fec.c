// SPDX-License-Identifier: MIT
/* bert fec analyze: what a pre-FEC BER or a codeword histogram means after
 * RS(544,514) (IEEE 802.3 Clauses 91 and 119). Random errors assumed for --ber; the
 * histogram form also checks that assumption (burst verdict). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/figure.h"
#include "bert/signal/berstat.h"
#include "bert/signal/fec.h"
#include "cli/bert.h"
#include "cli/common.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: bert fec analyze (--ber BER | --histogram C0,...,C15,CU)\n"
		"                        [--flr-factor F] [--json] [-q] [-v]\n\n"
		"  --ber BER        pre-FEC bit error ratio, 0..0.5 (random errors)\n"
		"  --histogram L    17 codeword counts: 0..15 corrected symbols, uncorrectable\n"
		"  --flr-factor F   FLR = F x CER (2.125 for 400G, 1.125 without interleave)\n");
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void print_kv(const char *k, double v)
{
	printf("%-16s %.4g\n", k, v);
}

/* A modelled ratio (CER, FLR, post-FEC BER from the random-error chain):
 * below the reporting floor the model says nothing a test time could
 * confirm, so it prints "< 1e-15" and is stored as the floor, its name
 * listed in "below_floor" (the rule of bert/core/figure.h). */
static void print_model(const char *k, double v)
{
	if (v < BERT_FIG_FLOOR)
		printf("%-16s < %s\n", k, BERT_FIG_FLOOR_TEXT);
	else
		print_kv(k, v);
}

/* The BER margin to the KP4 threshold in decades; a BER above the
 * threshold is "above" it, not a negative "below". */
static void print_margin(double decades)
{
	if (!isfinite(decades))
		printf("%-16s n/a (a BER of 0 has no finite margin)\n", "margin");
	else
		printf("%-16s %.2f decades %s the %.1e threshold\n", "margin",
		       fabs(decades), decades >= 0 ? "below" : "above",
		       BERT_KP4_THRESHOLD_BER);
}

static void model_text(char *buf, size_t size, double v)
{
	if (v < BERT_FIG_FLOOR)
		snprintf(buf, size, "< %s", BERT_FIG_FLOOR_TEXT);
	else
		snprintf(buf, size, "%.3g", v);
}

static void set_model(json_t *j, json_t *below, const char *k, double v)
{
	if (!isfinite(v)) {
		json_object_set_new(j, k, json_null());
		return;
	}
	if (v < BERT_FIG_FLOOR) {
		v = BERT_FIG_FLOOR;
		json_array_append_new(below, json_string(k));
	}
	json_object_set_new(j, k, json_real(v));
}

static void set_floor(json_t *j, json_t *below)
{
	json_object_set_new(j, "reporting_floor", json_real(BERT_FIG_FLOOR));
	json_object_set_new(j, "below_floor", below);
}

int cmd_fec(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ber", required_argument, NULL, 'b' },
		{ "histogram", required_argument, NULL, 'H' },
		{ "flr-factor", required_argument, NULL, 'f' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	const char *ber_s = NULL, *hist_s = NULL;
	double factor = BERT_FLR_FACTOR_400G, ber;
	char *end;
	int c, rc;

	rc = cli_subcommand(&argc, &argv, "analyze", usage);
	if (rc >= 0)
		return rc;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, lo, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case 'b': ber_s = optarg; break;
		case 'H': hist_s = optarg; break;
		case 'f':
			factor = strtod(optarg, &end);
			if (*end || !(factor > 0))
				return cli_usage_error("--flr-factor: '%s' is not a positive number", optarg);
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	cli_setup_logging(&o);
	if (optind < argc)
		return cli_usage_error("fec analyze: unexpected argument '%s'", argv[optind]);
	if (!!ber_s == !!hist_s)
		return cli_usage_error("fec analyze: give exactly one of --ber and --histogram");

	if (ber_s) {
		struct bert_fec_chain ch;

		ber = strtod(ber_s, &end);
		if (*end || end == ber_s || !(ber >= 0 && ber <= 0.5))
			return cli_usage_error("--ber: '%s' is not a bit error ratio in 0..0.5", ber_s);
		rc = bert_fec_chain_from_ber(ber, factor, &ch);
		if (rc)
			return cli_error(rc, "fec analyze");
		if (o.json) {
			json_t *j = json_object(), *below = json_array();

			json_object_set_new(j, "ber", json_real(ch.ber));
			json_object_set_new(j, "ser", json_real(ch.ser));
			set_model(j, below, "cer", ch.cer);
			set_model(j, below, "flr", ch.flr);
			set_model(j, below, "post_fec_ber", ch.post_fec_ber);
			json_object_set_new(j, "threshold_ber", json_real(BERT_KP4_THRESHOLD_BER));
			json_object_set_new(j, "margin_decades", jnum(ch.margin_decades));
			json_object_set_new(j, "flr_factor", json_real(factor));
			set_floor(j, below);
			cli_print_json(j);
		} else if (o.quiet) {	/* the one value: post-FEC BER */
			if (ch.post_fec_ber < BERT_FIG_FLOOR)
				printf("< %s\n", BERT_FIG_FLOOR_TEXT);
			else
				printf("%.4g\n", ch.post_fec_ber);
		} else {
			print_kv("pre-FEC BER", ch.ber);
			print_kv("SER", ch.ser);
			print_model("CER", ch.cer);
			print_model("FLR", ch.flr);
			print_model("post-FEC BER", ch.post_fec_ber);
			print_margin(ch.margin_decades);
		}
		return EXIT_OK;
	}

	{
		struct bert_rs_hist h;
		struct bert_hist_analysis a;
		struct bert_fec_chain ch;
		double margin;

		rc = bert_rs_hist_parse(hist_s, strlen(hist_s), &h);
		if (rc)
			return cli_error(rc, "--histogram");
		rc = bert_hist_analyze(&h, factor, &a);
		if (rc)
			return cli_error(rc, "--histogram");
		/* the random-error chain from the histogram's own BER estimate */
		bert_fec_chain_from_ber(a.ber_lower, factor, &ch);
		if (ch.post_fec_ber < a.post_fec_ber_min)
			ch.post_fec_ber = a.post_fec_ber_min;
		margin = a.ber_lower > 0 ? log10(BERT_KP4_THRESHOLD_BER / a.ber_lower) : INFINITY;
		if (o.json) {
			json_t *j = json_object(), *below = json_array();

			json_object_set_new(j, "codewords", json_integer((json_int_t)a.codewords));
			json_object_set_new(j, "ber", json_real(a.ber_lower));
			json_object_set_new(j, "ser", json_real(a.ser));
			json_object_set_new(j, "cer", json_real(a.cer));
			json_object_set_new(j, "flr", json_real(a.flr));
			set_model(j, below, "post_fec_ber", ch.post_fec_ber);
			json_object_set_new(j, "threshold_ber", json_real(BERT_KP4_THRESHOLD_BER));
			json_object_set_new(j, "margin_decades", jnum(margin));
			set_model(j, below, "cer_predicted", a.fit_bins >= 2 ? a.cer_predicted : NAN);
			set_model(j, below, "flr_predicted", a.fit_bins >= 2 ? a.flr_predicted : NAN);
			json_object_set_new(j, "r2", jnum(a.r2));
			json_object_set_new(j, "fit_bins", json_integer(a.fit_bins));
			json_object_set_new(j, "max_bin", json_integer(a.max_bin));
			json_object_set_new(j, "bursty", json_boolean(a.bursty));
			set_floor(j, below);
			cli_print_json(j);
		} else if (o.quiet) {
			if (ch.post_fec_ber < BERT_FIG_FLOOR)
				printf("< %s\n", BERT_FIG_FLOOR_TEXT);
			else
				printf("%.4g\n", ch.post_fec_ber);
		} else {
			printf("%-16s %llu\n", "codewords", (unsigned long long)a.codewords);
			print_kv("pre-FEC BER >=", a.ber_lower);
			print_kv("SER", a.ser);
			print_kv("CER", a.cer);
			print_kv("FLR", a.flr);
			print_model("post-FEC BER", ch.post_fec_ber);
			if (a.fit_bins >= 2) {
				char cer_s[24], flr_s[24];

				model_text(cer_s, sizeof(cer_s), a.cer_predicted);
				model_text(flr_s, sizeof(flr_s), a.flr_predicted);
				printf("%-16s CER %s, FLR %s (R^2 %.3f, %u bins)\n",
				       "predicted", cer_s, flr_s, a.r2, a.fit_bins);
			}
			else
				printf("%-16s not enough bins with >= 10 counts\n", "predicted");
			print_margin(margin);
			printf("%-16s %d (FEC margin %d symbols)\n", "max bin", a.max_bin,
			       a.max_bin >= 0 && a.max_bin <= 15 ? 15 - a.max_bin : 0);
			printf("%-16s %s\n", "burst", a.bursty ?
			       "BURSTY: tail above the binomial, random-error figures are optimistic" :
			       "consistent with random errors");
		}
		return EXIT_OK;
	}
}
