// SPDX-License-Identifier: MIT
/* bert info: identity, applications and state of the module on a fixture. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "cli/common_cmis.h"
#include "cli/common_module.h"
#include "fixtures/cmis/decode.h"

static void info_usage(FILE *f)
{
	fprintf(f, "usage: bert info [--fixture URI] [--bring-up[=APPSEL]] [--stats] "
		"[--json] [-v] [-q]\n\n"
		"Shows the module's identity, applications, state and checksums.\n"
		"  --fixture URI      sim: (default), sim:MODULE.ini, mpsse-sim:, ftdi://..., i2c-dev:...\n"
		"  --bring-up[=N]     first activate application N (default 1) on its lanes\n"
		"  --stats            add I2C transaction statistics\n");
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_MODULE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct cli_module_opts mo = { 0 };
	struct cli_module m;
	struct cmis_snapshot *snap;
	struct cmis_info info;
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
		case 'h':
			info_usage(stdout);
			return EXIT_OK;
		default:
			info_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("info: unexpected argument '%s'", argv[optind]);
	cli_setup_logging(&o);
	ex = cli_module_start(&o, &mo, &m);
	if (ex)
		return ex;
	ex = cli_module_snapshot(&m, &snap);
	if (ex)
		goto out;
	cmis_decode(&snap->map, &info);
	if (!o.quiet)
		cli_cmis_warn(&info, m.fixture->uri);
	if (o.quiet && !o.json) {
		cli_cmis_print_identity_line(stdout, &info);
	} else if (o.json) {
		json_t *root = cli_cmis_info_json(&info);

		json_object_set_new(root, "fixture", json_string(m.fixture->uri));
		if (mo.stats)
			json_object_set_new(root, "i2c", cli_i2c_stats_json(&m.fixture->bus->stats));
		cli_print_json(root);
	} else {
		cli_cmis_print_info(stdout, &info, o.verbose ? CLI_CMIS_ALL : CLI_CMIS_INFO,
				    o.verbose);
		if (mo.stats) {
			const struct i2c_stats *s = &m.fixture->bus->stats;

			printf("I2C: %llu transactions, %llu retries after NACK, %llu USB "
			       "round trips, %llu bytes read, %.1f us bus time\n",
			       (unsigned long long)s->transactions,
			       (unsigned long long)s->retries,
			       (unsigned long long)s->usb_round_trips,
			       (unsigned long long)s->bytes_read, s->bus_time_ns / 1000.0);
		}
	}
	free(snap);
	ex = EXIT_OK;
out:
	cli_module_close(&m);
	return ex;
}
