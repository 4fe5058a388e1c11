// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "cli/common.h"

const char *cli_prog = "bert";

bool cli_common_option(int c, const char *arg, struct cli_opts *o)
{
	switch (c) {
	case 'j':
		o->json = true;
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

int cli_exit_code(int err)
{
	switch (err) {
	case BERT_OK:
		return EXIT_OK;
	case BERT_ERR_ARG:
	case BERT_ERR_CONFIG:
	case BERT_ERR_RANGE:
		return EXIT_USAGE;
	default:
		return EXIT_HW;
	}
}

int cli_error(int err, const char *what)
{
	const char *d = bert_error_detail();

	if (d[0])
		fprintf(stderr, "%s: %s: %s: %s\n", cli_prog, what, bert_strerror(err), d);
	else
		fprintf(stderr, "%s: %s: %s\n", cli_prog, what, bert_strerror(err));
	return cli_exit_code(err);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

static void stderr_log(void *user, enum bert_log_level level, const char *prefix,
		       const char *fmt, va_list ap)
{
	(void)user;
	fprintf(stderr, "%s: %s: %s: ", cli_prog, bert_log_level_name(level), prefix);
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
