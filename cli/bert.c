// SPDX-License-Identifier: MIT
/* bert: the command-line front end. Dispatches to one command per file. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/clock.h"

#include "cli/bert.h"
#include "cli/common.h"

#define BERT_VERSION "0.1.0"

static const struct bert_cmd commands[] = {
	{ "scan", cmd_scan, "list FTDI adapters, i2c-dev buses and emulated fixtures" },
	{ "info", cmd_info, "identity, applications and state of the module" },
	{ "dom", cmd_dom, "module and lane monitors with thresholds and flags" },
	{ "dump", cmd_dump, "module memory as a binary or hex image" },
	{ "fixture", cmd_fixture, "fixture board lines: status, reset, lpmode" },
	{ "ber", cmd_ber, "lane BER with the module's PRBS generators and checkers" },
	{ "loopback", cmd_loopback, "module loopbacks: show, on, off per lane" },
	{ "vdm", cmd_vdm, "module VDM: pre-FEC BER, errored frames, eSNR, LTP ..." },
	{ "decode", cmd_decode, "decode a CMIS module image file (bin or ethtool hex)" },
	{ "fec", cmd_fec, "RS(544,514) analytics: pre-FEC BER or codeword histogram" },
	{ "prbs", cmd_prbs, "check a captured bit stream against a PRBS/QPRBS/SSPRQ" },
	{ "instr", cmd_instr, "lab instruments: list, idn, voa, opm, osw" },
	{ "qualify", cmd_qualify, "qualify a module against a profile: steps, verdicts, records, reports" },
	{ "results", cmd_results, "qualification runs in the results database: list, show, export" },
	{ "sweep", cmd_sweep, "receiver sensitivity: OMA at the FEC threshold BER per lane" },
	{ "budget", cmd_budget, "a planned plant's loss against a profile's channel budget" },
	{ "station", cmd_station, "the station daemon bertd: status, start, abort, watch" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct bert_cmd *c;

	fprintf(f, "usage: bert COMMAND [OPTIONS]\n\n"
		"Hardware-in-the-loop BERT and optical link test appliance.\n\n"
		"Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nEvery command takes --json, -q and -v; 'bert COMMAND --help' "
		"shows its options.\n\n"
		"Exit codes (the same for every command):\n"
		"  0  ok, or the verdict is PASS or MARGINAL\n"
		"  1  the verdict is FAIL\n"
		"  2  usage, configuration or bad input: an unknown option, a bad value,\n"
		"     a file that cannot be read or parsed, an output that cannot be\n"
		"     written, a lane or AppSel the module does not advertise\n"
		"  3  hardware or communication: no device, NACK, timeout, bad replies\n\n"
		"Output: errors always go to stderr as 'bert: WHERE: WHAT'. With --json\n"
		"stdout is JSON; a command that fails prints one object\n"
		"  {\"error\": {\"code\": EXIT, \"name\": \"BERT_ERR_...\", \"message\": \"...\"}}\n"
		"-q prints only the verdict line or the one value asked for (nothing for\n"
		"a command that only acts); -v adds log lines on stderr.\n");
}

/* Ctrl-C and SIGTERM ask every clock wait to return BERT_ERR_ABORTED, so a
 * command unwinds through its normal cleanup and leaves the module safe. */
static void on_signal(int sig)
{
	(void)sig;
	bert_abort_request();
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const struct bert_cmd *c;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a file-size limit (RLIMIT_FSIZE) fails the write with EFBIG and
	 * the store reports it, instead of the signal killing the run */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bert %s\n", BERT_VERSION);
		return EXIT_OK;
	}
	cli_json_errors = cli_args_want_json(argc, argv);
	cli_argv = argv + 1;
	opterr = 0;	/* refused options are reported by cli_common_option() */
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return cli_finish(c->main(argc - 1, argv + 1), c->name);
	cli_usage_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return cli_finish(EXIT_USAGE, "");
}
