// SPDX-License-Identifier: MIT
/* The CLI contract in one place: the exit-code table, error rendering on
 * stderr or as one JSON object, logging to stderr (see common.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "cli/common.h"

const char *cli_prog = "bert";

char **cli_argv;

bool cli_common_option(int c, const char *arg, struct cli_opts *o)
{
	switch (c) {
	case '?':	/* getopt's refusal, said once in the contract's words */
		if (!opterr && cli_argv && optind > 0 && cli_argv[optind - 1])
			cli_usage_error("option '%s' is unknown here or needs a value; "
					"see --help", cli_argv[optind - 1]);
		return false;
	case 'j':
		o->json = true;
		cli_json_errors = true;
		return true;
	case 'q':
		o->quiet = true;
		return true;
	case 'v':
		o->verbose++;
		return true;
	case CLI_OPT_FIXTURE:
		o->fixture = arg;
		return true;
	}
	return false;
}

/* The contract every command follows (README "Exit codes and output").
 * One table: the error class decides the exit code, whatever the command. */
static const struct {
	int err;
	int exit;
} exit_table[] = {
	{ BERT_OK, EXIT_OK },
	{ BERT_ERR_ARG, EXIT_USAGE },		/* bad option or argument */
	{ BERT_ERR_CONFIG, EXIT_USAGE },	/* bad file, profile, URI; unwritable output */
	{ BERT_ERR_RANGE, EXIT_USAGE },		/* a value outside what is allowed */
	{ BERT_ERR_UNSUPPORTED, EXIT_USAGE },	/* asks what the device does not advertise */
	{ BERT_ERR_NOMEM, EXIT_HW },
	{ BERT_ERR_IO, EXIT_HW },
	{ BERT_ERR_NACK, EXIT_HW },
	{ BERT_ERR_TIMEOUT, EXIT_HW },
	{ BERT_ERR_NODEV, EXIT_HW },
	{ BERT_ERR_CHECKSUM, EXIT_HW },
	{ BERT_ERR_PROTOCOL, EXIT_HW },
	{ BERT_ERR_STATE, EXIT_HW },
	{ BERT_ERR_AGAIN, EXIT_HW },
	{ BERT_ERR_ABORTED, EXIT_HW },
	{ BERT_ERR_INTERNAL, EXIT_HW },
};

/* The contract of every command (README "Exit codes and output"):
 * exit codes by error class, one table: configuration, argument, range and
 * "the device does not advertise this" errors are 2 (usage, configuration or
 * bad input, an output that cannot be written included), the rest
 * hardware or communication errors (3). */
static int cli_exit_code(int err)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(exit_table); i++)
		if (exit_table[i].err == err)
			return exit_table[i].exit;
	return EXIT_HW;
}

bool cli_json_errors;

/* The first error of the run, for the one JSON error object. */
static struct {
	bool set;
	int err;
	int exit;
	char message[1024];
} first_error;
static bool stdout_json_done;

static void note_error(int err, int ex, const char *msg)
{
	if (first_error.set)
		return;
	first_error.set = true;
	first_error.err = err;
	first_error.exit = ex;
	snprintf(first_error.message, sizeof(first_error.message), "%s", msg);
}

/* Appends "part" to "out" unless out already ends with it or part is empty:
 * keeps the same context from appearing twice ("bertd: bertd: ..."). */
static void join(char *out, size_t size, const char *part)
{
	size_t n = strlen(out), k = strlen(part);

	if (!k)
		return;
	if (n >= k + 2 && !strncmp(out + n - k, part, k))
		return;
	if (n && !strncmp(part, out, n) && !strncmp(part + n, ": ", 2)) {
		snprintf(out, size, "%s", part);	/* part already starts with out */
		return;
	}
	snprintf(out + n, size - n, "%s%s", n ? ": " : "", part);
}

/* The message cli_error() prints, without the program name. */
static void cli_format_error(int err, const char *what, char *buf, size_t size)
{
	const char *d = bert_error_detail();

	buf[0] = '\0';
	if (what && strcmp(what, cli_prog))
		join(buf, size, what);
	/* the class in words when the detail does not say it */
	if (!d[0] || err == BERT_ERR_NOMEM || err == BERT_ERR_TIMEOUT ||
	    err == BERT_ERR_NACK || err == BERT_ERR_CHECKSUM)
		join(buf, size, bert_strerror(err));
	join(buf, size, d);
}

int cli_error(int err, const char *what)
{
	char msg[1024];
	int ex = cli_exit_code(err);

	cli_format_error(err, what, msg, sizeof(msg));
	fprintf(stderr, "%s: %s\n", cli_prog, msg);
	note_error(err, ex, msg);
	return ex;
}

int cli_usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", cli_prog, msg);
	note_error(BERT_ERR_ARG, EXIT_USAGE, msg);
	return EXIT_USAGE;
}

int cli_finish(int ex, const char *cmd)
{
	json_t *e;

	/* an output that cannot be written is class 2 -- stdout too (a full
	 * disk, a closed pipe): never exit 0 with the output lost */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		int e2 = errno;

		if (first_error.set)	/* the command said so already */
			return ex;
		fprintf(stderr, "%s: %s: writing the output: %s\n", cli_prog, cmd,
			strerror(e2 ? e2 : EIO));
		return ex == EXIT_OK || ex == EXIT_VERDICT_FAIL ? EXIT_USAGE : ex;
	}

	if (!cli_json_errors || ex < EXIT_USAGE || stdout_json_done)
		return ex;
	if (!first_error.set) {
		char msg[256];

		snprintf(msg, sizeof(msg), "usage error; see 'bert %s --help'", cmd);
		note_error(ex == EXIT_USAGE ? BERT_ERR_ARG : BERT_ERR_IO, ex, msg);
	}
	e = json_pack("{s:i,s:s,s:s}", "code", ex, "name",
		      bert_strerror_name(first_error.err), "message", first_error.message);
	cli_print_json(json_pack("{s:o}", "error", e));
	return ex;
}

bool cli_args_want_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			return true;
	}
	return false;
}

bool cli_ansi(FILE *f)
{
	const char *t = getenv("TERM");

	return isatty(fileno(f)) && t && strcmp(t, "dumb");
}

static void stderr_log(void *user, enum bert_log_level level, const char *prefix,
		       const char *fmt, va_list ap)
{
	(void)user;
	if (strcmp(prefix, cli_prog))
		fprintf(stderr, "%s: %s: %s: ", cli_prog, bert_log_level_name(level), prefix);
	else
		fprintf(stderr, "%s: %s: ", cli_prog, bert_log_level_name(level));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_setup_logging(const struct cli_opts *o)
{
	int level = BERT_LOG_WARN + o->verbose;

	if (o->quiet)
		level = BERT_LOG_ERR;
	if (level > BERT_LOG_SPEW)
		level = BERT_LOG_SPEW;
	bert_log_set_level((enum bert_log_level)level);
	bert_log_set_handler(stderr_log, NULL);
}

void cli_print_json(json_t *root)
{
	stdout_json_done = true;
	json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(root);
}

const char *cli_safe(const char *s, char *buf, unsigned size)
{
	unsigned o = 0;

	for (; *s && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (unsigned)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

uint64_t cli_parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end), mult = 1e9;

	if (end == s || !(v > 0))
		return 0;
	if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mult = 60e9;
	else if (!strcmp(end, "h"))
		mult = 3600e9;
	else if (*end && strcmp(end, "s"))
		return 0;
	if (v * mult > 7 * 86400e9)
		return 0;
	return (uint64_t)(v * mult);
}

int cli_subcommand(int *argc, char ***argv, const char *verb,
		   void (*usage)(FILE *f))
{
	if (*argc >= 2 && !strcmp((*argv)[1], verb)) {
		(*argc)--;
		(*argv)++;
		cli_argv = *argv;
		optind = 1;
		return -1;
	}
	if (*argc >= 2 && (!strcmp((*argv)[1], "--help") || !strcmp((*argv)[1], "-h"))) {
		usage(stdout);
		return EXIT_OK;
	}
	usage(stderr);
	return EXIT_USAGE;
}
