// SPDX-License-Identifier: MIT
/* bert budget: a planned fiber plant's insertion loss against a profile's
 * channel budget with its required margin, for the team that plans a link
 * before modules are in hand. No hardware.
 *
 *   loss   = length x fiber loss + connectors x connector loss
 *            + splices x splice loss
 *   margin = channel budget - loss
 *   fits   = margin >= required margin (the profile's link_margin minimum)
 *            and length <= the profile's reach
 *
 * A plant that fits the product budget yet exceeds the standard's channel
 * IL (channel_il_db, 3.00 dB for 400GBASE-DR4, IEEE 802.3 Table 124-8)
 * gets the profile's channel_il_verdict (default fail), said in words.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/profile.h"
#include "bert/qual/sweep.h"
#include "cli/bert.h"
#include "cli/common.h"

/* bert's planning default per fusion splice (not in the profiles) */
#define SPLICE_DB_DEFAULT	0.1

static struct profile prof;

static void budget_usage(FILE *f)
{
	fprintf(f, "usage: bert budget --length L [--profile NAME] [--connectors N]\n"
		"                   [--splices N] [--fiber-loss DB_PER_KM]\n"
		"                   [--connector-loss DB] [--splice-loss DB] [--json]\n\n"
		"Checks a planned plant against the profile's channel budget:\n"
		"loss = length x fiber loss + connectors x connector loss + splices x\n"
		"splice loss; it fits when budget - loss >= the required margin and the\n"
		"length is within the profile's reach.\n"
		"  --profile NAME       profile name or file (default 400gbase-dr4)\n"
		"  --length L           fiber length with its unit: 500m, 0.5km\n"
		"  --connectors N       mated connections (default 2)\n"
		"  --splices N          fusion splices (default 0)\n"
		"  --fiber-loss X       dB/km (default: the profile's, 0.5 for DR4)\n"
		"  --connector-loss X   dB per connection (default: the profile's)\n"
		"  --splice-loss X      dB per splice (default %.1f)\n"
		"Exit 0 fits, 1 does not fit, 2 usage or profile error.\n",
		SPLICE_DB_DEFAULT);
}

/* "500m", "0.5km", "500 m" -> km; -1 on error. */
static double parse_length_km(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v) || v < 0)
		return -1;
	while (*end == ' ')
		end++;
	if (!strcmp(end, "m"))
		return v / 1000;
	if (!strcmp(end, "km"))
		return v;
	return -1;
}

static int parse_db(const char *opt, const char *s, double max, double *out)
{
	char *end;

	*out = strtod(s, &end);
	if (end == s || *end || !(*out >= 0 && *out <= max))
		return cli_usage_error("%s: '%s' is not a loss in dB (0-%g)", opt, s, max);
	return 0;
}

static int parse_count(const char *opt, const char *s, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || *end || s[0] == '-' || v > 1000)
		return cli_usage_error("%s: '%s' is not a count (0-1000)", opt, s);
	*out = (unsigned)v;
	return 0;
}

int cmd_budget(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "profile", required_argument, NULL, 'P' },
		{ "length", required_argument, NULL, 'L' },
		{ "connectors", required_argument, NULL, 'C' },
		{ "splices", required_argument, NULL, 'S' },
		{ "fiber-loss", required_argument, NULL, 'F' },
		{ "connector-loss", required_argument, NULL, 'c' },
		{ "splice-loss", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	const char *pname = "400gbase-dr4", *length = NULL;
	struct sweep_plant pl = { .length_km = -1, .connectors = 2 };
	double fiber = NAN, conn = NAN, splice = SPLICE_DB_DEFAULT;
	double loss, margin, req, budget;
	bool reach_ok, fits, il_ok;
	enum qual_verdict verdict;
	const char *word;
	int c, ex;

	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		ex = 0;
		switch (c) {
		case 'P':
			pname = optarg;
			break;
		case 'L':
			length = optarg;
			pl.length_km = parse_length_km(optarg);
			if (pl.length_km < 0 || pl.length_km > 10000)
				return cli_usage_error("--length: '%s' is not a length with "
						       "its unit (e.g. 500m or 0.5km)", optarg);
			break;
		case 'C':
			ex = parse_count("--connectors", optarg, &pl.connectors);
			break;
		case 'S':
			ex = parse_count("--splices", optarg, &pl.splices);
			break;
		case 'F':
			ex = parse_db("--fiber-loss", optarg, 10, &fiber);
			break;
		case 'c':
			ex = parse_db("--connector-loss", optarg, 10, &conn);
			break;
		case 's':
			ex = parse_db("--splice-loss", optarg, 10, &splice);
			break;
		case 'h':
			budget_usage(stdout);
			return EXIT_OK;
		default:
			budget_usage(stderr);
			return EXIT_USAGE;
		}
		if (ex)
			return ex;
	}
	if (optind != argc)
		return cli_usage_error("budget: unexpected argument '%s'", argv[optind]);
	if (!length)
		return cli_usage_error("budget: --length is required (e.g. --length 500m)");
	cli_setup_logging(&o);
	{
		int rc = profile_load(pname, &prof);

		if (rc)
			return cli_error(rc, "profile");
	}
	pl.fiber_db_per_km = isfinite(fiber) ? fiber : prof.fiber_loss_db_per_km;
	pl.connector_db = isfinite(conn) ? conn : prof.connector_loss_db;
	pl.splice_db = splice;
	if (!isfinite(pl.fiber_db_per_km) || !isfinite(pl.connector_db))
		return cli_usage_error("budget: profile %s sets no fiber or connector loss; "
				       "give --fiber-loss and --connector-loss", prof.name);
	budget = prof.channel_budget_db;
	if (!(budget > 0))
		return cli_usage_error("budget: profile %s sets no channel budget", prof.name);
	req = profile_required_margin(&prof);
	loss = sweep_plant_loss_db(&pl);
	margin = budget - loss;
	reach_ok = !(prof.reach_m > 0) || pl.length_km * 1000 <= prof.reach_m + 1e-9;
	fits = margin >= req - 1e-9 && reach_ok;
	il_ok = !isfinite(prof.channel_il_db) || loss <= prof.channel_il_db + 1e-9;
	verdict = !fits ? QUAL_FAIL : il_ok ? QUAL_PASS :
		  prof.channel_il_verdict != QUAL_NONE ? prof.channel_il_verdict : QUAL_FAIL;
	word = verdict == QUAL_PASS ? "FITS" : verdict == QUAL_MARGINAL ? "MARGINAL" :
	       "DOES NOT FIT";
	if (o.json) {
		json_t *j = json_object();

		json_object_set_new(j, "profile", json_string(prof.name));
		json_object_set_new(j, "length_km", json_real(pl.length_km));
		json_object_set_new(j, "fiber_db_per_km", json_real(pl.fiber_db_per_km));
		json_object_set_new(j, "connectors", json_integer(pl.connectors));
		json_object_set_new(j, "connector_db", json_real(pl.connector_db));
		json_object_set_new(j, "splices", json_integer(pl.splices));
		json_object_set_new(j, "splice_db", json_real(pl.splice_db));
		json_object_set_new(j, "fiber_loss_db", json_real(pl.length_km * pl.fiber_db_per_km));
		json_object_set_new(j, "connector_loss_db", json_real(pl.connectors * pl.connector_db));
		json_object_set_new(j, "splice_loss_db", json_real(pl.splices * pl.splice_db));
		json_object_set_new(j, "insertion_loss_db", json_real(loss));
		json_object_set_new(j, "channel_budget_db", json_real(budget));
		if (isfinite(prof.channel_il_db))
			json_object_set_new(j, "ieee_channel_il_db", json_real(prof.channel_il_db));
		json_object_set_new(j, "margin_db", json_real(margin));
		json_object_set_new(j, "required_margin_db", json_real(req));
		json_object_set_new(j, "reach_m", json_real(prof.reach_m));
		json_object_set_new(j, "reach_ok", json_boolean(reach_ok));
		json_object_set_new(j, "fits", json_boolean(fits));
		json_object_set_new(j, "ieee_il_ok", json_boolean(il_ok));
		json_object_set_new(j, "verdict", json_string(qual_verdict_name(verdict)));
		cli_print_json(j);
	} else if (!o.quiet) {
		printf("profile %s: channel budget %.2f dB, required margin %.2f dB\n",
		       prof.name, budget, req);
		printf("  fiber      %8.3f km x %.3f dB/km = %6.2f dB\n", pl.length_km,
		       pl.fiber_db_per_km, pl.length_km * pl.fiber_db_per_km);
		printf("  connectors %8u    x %.3f dB    = %6.2f dB\n", pl.connectors,
		       pl.connector_db, pl.connectors * pl.connector_db);
		printf("  splices    %8u    x %.3f dB    = %6.2f dB\n", pl.splices,
		       pl.splice_db, pl.splices * pl.splice_db);
		printf("  insertion loss %.2f dB", loss);
		if (isfinite(prof.channel_il_db))
			printf(" (IEEE channel IL max %.2f dB)", prof.channel_il_db);
		printf("\n  margin %.2f dB (budget - loss), required %.2f dB\n", margin, req);
		if (!reach_ok)
			printf("  length %.0f m exceeds the profile's reach %.0f m\n",
			       pl.length_km * 1000, prof.reach_m);
		if (!il_ok)
			printf("  insertion loss %.2f dB exceeds the IEEE channel IL max %.2f "
			       "dB by %.2f dB: out of the standard (profile verdict %s)\n",
			       loss, prof.channel_il_db, loss - prof.channel_il_db,
			       qual_verdict_name(verdict));
		printf("%s\n", word);
	}
	return verdict == QUAL_FAIL ? EXIT_VERDICT_FAIL : EXIT_OK;
}
