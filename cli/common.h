/* SPDX-License-Identifier: MIT */
/* Shared by the command-line programs: error rendering, exit codes, logging
 * to stderr, JSON output. Library code never prints; these helpers do. */
#ifndef BERT_CLI_COMMON_H
#define BERT_CLI_COMMON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (README, "What you type"; cli/common.c). */
enum cli_exit {
	EXIT_OK = 0,		/* ok / pass */
	EXIT_VERDICT_FAIL = 1,
	EXIT_USAGE = 2,		/* usage or configuration error */
	EXIT_HW = 3,		/* hardware or communication error */
};

/* Options every command takes. */
struct cli_opts {
	bool json;
	bool quiet;
	int verbose;
	const char *fixture;	/* --fixture URI */
};

extern const char *cli_prog;
/* The command's argv when the front end turned getopt's own messages off
 * (opterr = 0): cli_common_option() then reports a refused option. */
extern char **cli_argv;

/* getopt_long entries every command accepts; handle them with
 * cli_common_option() from the command's own switch. */
#define CLI_OPT_FIXTURE 0x100
#define CLI_COMMON_LONGOPTS						\
	{ "json", no_argument, NULL, 'j' },				\
	{ "quiet", no_argument, NULL, 'q' },				\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "help", no_argument, NULL, 'h' },				\
	{ "fixture", required_argument, NULL, CLI_OPT_FIXTURE }
#define CLI_COMMON_SHORTOPTS "jqvh"

/* Commands with one verb ("bert fec analyze"): when argv[1] is `verb`,
 * shifts it off (*argc, *argv now start at the verb, optind reset) and returns
 * -1 so the caller parses on; otherwise prints usage (stdout for --help) and
 * returns the exit code. */
int cli_subcommand(int *argc, char ***argv, const char *verb,
		   void (*usage)(FILE *f));

/* "90", "90s", "1500ms", "2m", "1h" -> ns (at most a week); 0 when the
 * text is not such a duration. */
uint64_t cli_parse_duration(const char *s);

/* Returns true when c was a common option (and records it in o). */
bool cli_common_option(int c, const char *arg, struct cli_opts *o);

/* Prints "PROG: WHAT: detail" on stderr (the error class in words when the
 * detail is empty; no repeated context); returns cli_exit_code(). */
int cli_error(int err, const char *what);
/* Prints "PROG: message" on stderr and returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set by --json (and by the front end before the command parses): a failing
 * command then prints one object {"error": {"code", "name", "message"}} on
 * stdout unless it already printed its JSON. */
extern bool cli_json_errors;
bool cli_args_want_json(int argc, char **argv);
/* Called with the command's exit code when it returns: prints the JSON
 * error object if one is owed; returns ex. */
int cli_finish(int ex, const char *cmd);
/* True when f is a terminal that takes ANSI cursor escapes (not
 * TERM=dumb): never escapes into a file, a pipe or a log. */
bool cli_ansi(FILE *f);
/* Installs the stderr log handler at the level -q / -v ask for. */
void cli_setup_logging(const struct cli_opts *o);
/* Prints root as indented JSON on stdout and drops the reference. */
void cli_print_json(json_t *root);
/* The terminal-safe form of s: non-printable bytes become \xNN. */
const char *cli_safe(const char *s, char *buf, unsigned size);

#endif
