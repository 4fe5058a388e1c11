// SPDX-License-Identifier: MIT
/* bert dom: module and lane monitors with thresholds and latched flags. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "cli/common_cmis.h"
#include "cli/common_module.h"
#include "fixtures/cmis/decode.h"

static void dom_usage(FILE *f)
{
	fprintf(f, "usage: bert dom [--fixture URI] [--bring-up[=APPSEL]] [--watch SECONDS] "
		"[--count N] [--stats] [--json] [-v] [-q]\n\n"
		"Reads temperature, supply, module power and per-lane Tx bias, Tx power\n"
		"and Rx power with thresholds and latched flags.\n"
		"  --watch S    repeat every S seconds (clock time) until Ctrl-C or --count\n"
		"  --count N    stop after N readings (with --watch)\n"
		"  -q           only the alarm and warning flags, one a line (none: no output)\n"
		"A power monitor that reads 0 shows 'no light' (JSON: dbm null, mw 0).\n");
}

static int dom_once(struct cli_module *m, const struct cli_opts *o, bool stats)
{
	struct cmis_snapshot *snap;
	struct cmis_info info;
	double watts = NAN;
	int ex;

	ex = cli_module_snapshot(m, &snap);
	if (ex)
		return ex;
	cmis_decode(&snap->map, &info);
	if (bert_fixture_power_w(m->fixture, &watts) != BERT_OK)
		watts = NAN;	/* the fixture has no power monitor */
	if (o->json) {
		json_t *root = cli_cmis_dom_json(&info);
		json_t *mod = json_object_get(root, "module");

		if (mod && isfinite(watts))
			json_object_set_new(mod, "power_w", json_real(watts));
		json_object_set_new(root, "station_time_s",
				    json_real(bert_clock_now(m->fixture->clock) / 1e9));
		if (stats)
			json_object_set_new(root, "i2c", cli_i2c_stats_json(&m->fixture->bus->stats));
		cli_print_json(root);
	} else if (o->quiet) {
		/* only what needs attention: one line per alarm or warning flag */
		json_t *root = cli_cmis_dom_json(&info), *a;
		size_t k;

		json_array_foreach(json_object_get(root, "alarms"), k, a) {
			json_t *lane = json_object_get(a, "lane");

			if (lane)
				printf("lane %lld %s %s\n", json_integer_value(lane),
				       json_string_value(json_object_get(a, "severity")),
				       json_string_value(json_object_get(a, "flag")));
			else
				printf("module %s %s\n",
				       json_string_value(json_object_get(a, "severity")),
				       json_string_value(json_object_get(a, "flag")));
		}
		json_decref(root);
		fflush(stdout);
	} else {
		cli_cmis_print_dom(stdout, &info);
		if (isfinite(watts))
			printf("module power: %.2f W\n", watts);
		if (info.module_state_code != 3)
			printf("note: module is in %s; Tx is off until it is brought up "
			       "(--bring-up)\n", info.module_state ? info.module_state : "?");
		fflush(stdout);
	}
	free(snap);
	return EXIT_OK;
}

int cmd_dom(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_MODULE_LONGOPTS,
		{ "watch", required_argument, NULL, 'w' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct cli_module_opts mo = { 0 };
	struct cli_module m;
	unsigned count = 0, i;
	double watch = 0;
	char *end;
	int c, ex;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		ex = cli_module_option(c, optarg, &mo);
		if (ex >= 0) {
			if (ex)
				return ex;
			continue;
		}
		switch (c) {
		case 'w':
			watch = strtod(optarg, &end);
			if (*end || !(watch > 0) || watch > 86400)
				return cli_usage_error("--watch: '%s' is not a period in "
						       "seconds (0-86400]", optarg);
			break;
		case 'n':
			count = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !count)
				return cli_usage_error("--count: '%s' is not a positive "
						       "number", optarg);
			break;
		case 'h':
			dom_usage(stdout);
			return EXIT_OK;
		default:
			dom_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("dom: unexpected argument '%s'", argv[optind]);
	cli_setup_logging(&o);
	ex = cli_module_start(&o, &mo, &m);
	if (ex)
		return ex;
	for (i = 0; !watch || !count || i < count; i++) {
		if (i) {
			int rc = bert_clock_sleep(m.fixture->clock,
						  (uint64_t)(watch * 1e9));

			if (rc == BERT_ERR_ABORTED)
				break;
		}
		ex = dom_once(&m, &o, mo.stats);
		if (ex || !watch)
			break;
	}
	cli_module_close(&m);
	return ex;
}
