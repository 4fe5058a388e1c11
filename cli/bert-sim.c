// SPDX-License-Identifier: MIT
/* bert-sim: the virtual bench out of process.
 *
 *   bert-sim serve [--bench FILE] [--speed N] [--dir DIR] [--json] [-q] [-v]
 *
 * Serves the bench's instruments on pseudo-terminals and loopback TCP ports
 * and each fixture site's module on a Unix socket (sim-socket:PATH), in real
 * time (times --speed) until SIGTERM or Ctrl-C. With --json the first thing
 * on stdout is one JSON object naming every endpoint (the contract scripts
 * rely on), flushed before serving starts. */
#include <stdio.h>
#include <string.h>

#include "cli/bert-sim.h"
#include "cli/common.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: bert-sim serve [--bench FILE] [--speed N] [--dir DIR] "
		"[--json] [-q] [-v]\n\n"
		"Runs a virtual bench: instruments on ptys and loopback TCP ports,\n"
		"modules behind Unix sockets (bert --fixture sim-socket:PATH).\n"
		"  --bench FILE  bench or module INI (default: the default bench)\n"
		"  --speed N     bench time runs N times real time (default 1)\n"
		"  --dir DIR     where the sockets go (default: a new /tmp/bert-sim-*)\n"
		"  --json        print the endpoints as one JSON object first\n"
		"Stops cleanly on SIGTERM or Ctrl-C.\n");
}

int main(int argc, char **argv)
{
	cli_prog = "bert-sim";
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "serve"))
		return bert_sim_serve(argc - 1, argv + 1);
	fprintf(stderr, "bert-sim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
