// SPDX-License-Identifier: MIT
/* bert fixture status | reset [--software] | lpmode on|off: the board's
 * lines, and the module's software reset. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/fixture.h"

/* The module's SoftwareReset (OIF-CMIS 5.x 6.3.2: the module runs Resetting
 * and MgmtInit, then answers in ModuleLowPwr or ModuleReady). */
static int software_reset(struct bert_fixture *f)
{
	struct cmis_dev *dev;
	int rc = cmis_open(f->bus, &dev);

	if (rc)
		return bert_fail_ctx(rc, "opening module");
	rc = cmis_software_reset(dev);
	cmis_close(dev);
	return rc;
}

/* ResetL must be held low for at least t_reset before release; 10 us is the
 * common SFF figure and harmless if a module needs less (unconfirmed for
 * CMIS, see OIF-CMIS 5.x management interface). */
#define RESET_PULSE_NS (10 * BERT_NS_PER_US)

static void fixture_usage(FILE *f)
{
	fprintf(f, "usage: bert fixture status | reset [--software] | lpmode on|off "
		"[--fixture URI] [--json]\n\n"
		"  status        module present, IntL, ResetL and LPMode levels, power\n"
		"  reset         pulse ResetL low\n"
		"  reset --software\n"
		"                the module's SoftwareReset bit (00h:26 bit 3) instead,\n"
		"                then wait until it answers again (at most 7 s)\n"
		"  lpmode on|off drive the LPMode line\n");
}

static int print_status(struct bert_fixture *f, const struct cli_opts *o)
{
	struct fixture_pins pins;
	double w = NAN;
	int rc;

	rc = bert_fixture_get_pins(f, &pins);
	if (rc)
		return cli_error(rc, "reading fixture lines");
	if (bert_fixture_power_w(f, &w) != BERT_OK)
		w = NAN;
	if (o->json) {
		json_t *root = json_pack("{s:s, s:b, s:b, s:b, s:b}",
					 "fixture", f->uri, "present", pins.present,
					 "intl_asserted", pins.intl, "resetl", pins.resetl,
					 "lpmode", pins.lpmode);

		json_object_set_new(root, "power_w", isfinite(w) ? json_real(w) : json_null());
		cli_print_json(root);
		return EXIT_OK;
	}
	if (o->quiet) {	/* the one value: is a module in the socket */
		printf("%s\n", pins.present ? "present" : "absent");
		return EXIT_OK;
	}
	printf("fixture:  %s\nmodule:   %s\nIntL:     %s\nResetL:   %s\nLPMode:   %s\n",
	       f->uri, pins.present ? "present" : "absent",
	       pins.intl ? "asserted" : "deasserted", pins.resetl ? "high" : "low (reset)",
	       pins.lpmode ? "high (low power)" : "low");
	if (isfinite(w))
		printf("power:    %.2f W\n", w);
	return EXIT_OK;
}

int cmd_fixture(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "software", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct bert_fixture *f;
	const char *verb;
	bool software = false;
	int c, rc, ex;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		if (c == 'S') {
			software = true;
			continue;
		}
		if (c == 'h') {
			fixture_usage(stdout);
			return EXIT_OK;
		}
		fixture_usage(stderr);
		return EXIT_USAGE;
	}
	if (optind >= argc) {
		fixture_usage(stderr);
		return EXIT_USAGE;
	}
	verb = argv[optind];
	if (strcmp(verb, "status") && strcmp(verb, "reset") && strcmp(verb, "lpmode"))
		return cli_usage_error("fixture: unknown action '%s'", verb);
	if (!strcmp(verb, "lpmode") && (optind + 2 != argc ||
	    (strcmp(argv[optind + 1], "on") && strcmp(argv[optind + 1], "off"))))
		return cli_usage_error("fixture lpmode: say on or off");
	if (software && strcmp(verb, "reset"))
		return cli_usage_error("fixture %s: --software goes with reset", verb);
	cli_setup_logging(&o);
	rc = bert_fixture_open(o.fixture, &f);
	if (rc)
		return cli_error(rc, "opening fixture");
	if (!strcmp(verb, "reset") && software) {
		rc = software_reset(f);
	} else if (!strcmp(verb, "reset")) {
		rc = bert_fixture_set_resetl(f, false);
		if (!rc)
			rc = bert_clock_sleep(f->clock, RESET_PULSE_NS);
		if (!rc)
			rc = bert_fixture_set_resetl(f, true);
	} else if (!strcmp(verb, "lpmode")) {
		rc = bert_fixture_set_lpmode(f, !strcmp(argv[optind + 1], "on"));
	}
	ex = rc ? cli_error(rc, verb) : print_status(f, &o);
	bert_fixture_close(f);
	return ex;
}
