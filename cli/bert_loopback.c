// SPDX-License-Identifier: MIT
/* bert loopback: the module's host/media, input/output loopbacks per lane
 * (OIF-CMIS 5.x Pages 13h/14h, 13h:128 and 180-183). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/bert_lanes.h"
#include "cli/common.h"
#include "cli/common_module.h"
#include "fixtures/cmis/diag.h"

static void loopback_usage(FILE *f)
{
	fprintf(f, "usage: bert loopback [--side host|media] [--mode input|output] "
		"[--lanes LIST] [on|off]\n"
		"                     [--fixture URI] [--bring-up[=APPSEL]] [--json] [-v] [-q]\n\n"
		"Shows the module's loopbacks, or turns one on or off on the lanes given.\n"
		"  --side S     host or media (default media)\n"
		"  --mode M     output (the side's output turned back in) or input\n"
		"               (the side's input sent back out); default output\n"
		"  --lanes L    lanes, e.g. 1-4 or 1,3 (default 1-8)\n"
		"A loopback the module does not advertise is refused (exit 2) before\n"
		"anything is written.\n");
}

static const char *mode_name(enum cmis_loopback_dir d)
{
	return d == CMIS_LOOPBACK_OUTPUT ? "output" : "input";
}

static int show(struct cmis_diag *d, const struct cli_opts *o)
{
	const struct cmis_diag_caps *c = cmis_diag_caps(d);
	json_t *root = json_object(), *arr = json_array();
	int s, dir;

	for (s = 0; s < 2; s++) {
		for (dir = 0; dir < 2; dir++) {
			uint8_t lanes = 0;
			json_t *e;
			unsigned l;
			int rc;

			if (!c->loopback[s][dir])
				continue;
			rc = cmis_diag_loopback_get(d, (enum cmis_side)s,
						    (enum cmis_loopback_dir)dir, &lanes);
			if (rc) {
				json_decref(root);
				json_decref(arr);
				return cli_diag_error(rc, "reading loopbacks");
			}
			e = json_pack("{s:s, s:s, s:b, s:[]}", "side",
				      cmis_side_name((enum cmis_side)s), "mode",
				      mode_name((enum cmis_loopback_dir)dir), "per_lane",
				      c->loopback_per_lane[s], "lanes_on");
			for (l = 0; l < 8; l++)
				if (lanes & (1u << l))
					json_array_append_new(json_object_get(e, "lanes_on"),
							      json_integer(l + 1));
			json_array_append_new(arr, e);
			if (!o->json) {
				printf("%-5s %-6s %s:", cmis_side_name((enum cmis_side)s),
				       mode_name((enum cmis_loopback_dir)dir),
				       c->loopback_per_lane[s] ? "per lane" : "all lanes");
				if (!lanes)
					printf(" off");
				for (l = 0; l < 8; l++)
					if (lanes & (1u << l))
						printf(" %u", l + 1);
				printf("\n");
			}
		}
	}
	json_object_set_new(root, "loopbacks", arr);
	json_object_set_new(root, "simultaneous", json_boolean(c->loopback_simultaneous));
	if (o->json)
		cli_print_json(root);
	else {
		if (!json_array_size(arr))
			printf("the module advertises no loopback\n");
		json_decref(root);
	}
	return EXIT_OK;
}

int cmd_loopback(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_MODULE_LONGOPTS,
		{ "side", required_argument, NULL, 'S' },
		{ "mode", required_argument, NULL, 'M' },
		{ "lanes", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	enum cmis_loopback_dir dir = CMIS_LOOPBACK_OUTPUT;
	enum cmis_side side = CMIS_SIDE_MEDIA;
	struct cli_module_opts mo = { 0 };
	struct cli_opts o = { 0 };
	struct cmis_diag *d = NULL;
	struct cli_module m;
	uint8_t lanes = 0xff, now = 0;
	int c, ex, rc, set = -1;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		ex = cli_module_option(c, optarg, &mo);
		if (ex > 0)
			return ex;
		if (ex == 0)
			continue;
		switch (c) {
		case 'S':
			if (cli_parse_side(optarg, &side))
				return cli_usage_error("--side: '%s' is not host or media", optarg);
			break;
		case 'M':
			if (!strcmp(optarg, "input"))
				dir = CMIS_LOOPBACK_INPUT;
			else if (!strcmp(optarg, "output"))
				dir = CMIS_LOOPBACK_OUTPUT;
			else
				return cli_usage_error("--mode: '%s' is not input or output", optarg);
			break;
		case 'L':
			if (cli_parse_lanes(optarg, &lanes))
				return cli_usage_error("--lanes: '%s' is not a lane list "
						       "within 1-8 (e.g. 1-4 or 1,3)", optarg);
			break;
		case 'h':
			loopback_usage(stdout);
			return EXIT_OK;
		default:
			loopback_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (!strcmp(argv[optind], "on"))
			set = 1;
		else if (!strcmp(argv[optind], "off"))
			set = 0;
		else
			return cli_usage_error("loopback: '%s' is not on or off", argv[optind]);
		if (optind + 1 < argc)
			return cli_usage_error("loopback: unexpected argument '%s'",
					       argv[optind + 1]);
	}
	cli_setup_logging(&o);
	ex = cli_module_start(&o, &mo, &m);
	if (ex)
		return ex;
	rc = cmis_diag_open(m.dev, &d);
	if (rc) {
		ex = cli_diag_error(rc, "diagnostics");
		goto out;
	}
	if (set < 0) {
		ex = show(d, &o);
		goto out;
	}
	rc = cmis_diag_loopback_set(d, side, dir, lanes, set);
	if (!rc)
		rc = cmis_diag_loopback_get(d, side, dir, &now);
	if (rc) {
		ex = cli_diag_error(rc, "loopback");
		goto out;
	}
	if (o.json)
		cli_print_json(json_pack("{s:s, s:s, s:b, s:i, s:i}", "side",
					 cmis_side_name(side), "mode", mode_name(dir),
					 "on", set, "lanes", lanes, "lanes_on", now));
	else if (!o.quiet)
		printf("%s %s loopback turned %s for lanes 0x%02x (on now: 0x%02x)\n",
		       cmis_side_name(side), mode_name(dir), set ? "on" : "off", lanes, now);
	ex = EXIT_OK;
out:
	cmis_diag_close(d);
	cli_module_close(&m);
	return ex;
}
