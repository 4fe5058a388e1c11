// SPDX-License-Identifier: MIT
/* bert decode FILE: decode a CMIS memory image file (optoe / `ethtool -m raw
 * on` binary, or `ethtool -m hex on` text) without any fixture. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "cli/common_cmis.h"
#include "fixtures/cmis/decode.h"
#include "fixtures/cmis/image.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: bert decode FILE [--json] [-v] [-q]\n\n"
		"Decodes a CMIS module memory image: the linear binary layout of\n"
		"optoe and 'ethtool -m DEV raw on' (lower page, then page P at\n"
		"128*(P+1)), or the text of 'ethtool -m DEV hex on'.\n\n"
		"  --json     JSON on stdout\n"
		"  -v         more detail (advertising, monitors, thresholds)\n"
		"  -q         no warnings, errors only\n"
		"A bad checksum is decoded, marked and warned about (exit 0); an\n"
		"unreadable or malformed file exits 2.\n");
}

int cmd_decode(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct cmis_image img;
	struct cmis_info info;
	const char *path;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jvqh", longopts, NULL)) != -1) {
		/* no --fixture here: the common options without it */
		if (c != CLI_OPT_FIXTURE && cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return cli_usage_error("decode: expected one FILE");
	}
	cli_setup_logging(&o);
	path = argv[optind];

	err = cmis_image_load(path, &img);
	if (err)
		return cli_error(err, "decode");
	err = cmis_decode(&img.map, &info);
	cmis_image_free(&img);
	if (err)
		return cli_error(err, "decode");
	if (!o.quiet)
		cli_cmis_warn(&info, path);
	if (o.json)
		cli_print_json(cli_cmis_info_json(&info));
	else if (o.quiet)
		cli_cmis_print_identity_line(stdout, &info);
	else
		cli_cmis_print_info(stdout, &info,
				    o.verbose ? CLI_CMIS_ALL : CLI_CMIS_INFO,
				    o.verbose);
	return EXIT_OK;
}
