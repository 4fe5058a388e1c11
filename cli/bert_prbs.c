// SPDX-License-Identifier: MIT
/* bert prbs check: offline check of a captured bit stream (bytes, MSB
 * first) against a PRBS/QPRBS/SSPRQ pattern: lock, errors, BER and its
 * upper bound at a confidence level (IEEE 802.3 120.5.11.2;
 * docs/SOURCES.md, BER statistics). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/signal/berstat.h"
#include "bert/signal/prbs.h"
#include "cli/bert.h"
#include "cli/common.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: bert prbs check --pattern NAME [--invert] [--lsb-first]\n"
		"                       [--cl 0.95] [--json] [-q] [-v] FILE\n"
		"       bert prbs gen --pattern NAME --bytes N [--invert] [--lsb-first]\n"
		"                     [--flip BIT]... [-o FILE] [--json] [-q] [-v] [> FILE]\n\n"
		"  gen --json prints {pattern, bytes, flips, file} and needs -o FILE;\n"
		"  check -q prints only the BER line.\n"
		"  NAME: PRBS7 PRBS9 PRBS11 PRBS13 PRBS15 PRBS20 PRBS23 PRBS31, the Q\n"
		"  variants (PRBS31Q ...: PAM4 levels, 2 bits a symbol) or SSPRQ\n");
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	uint8_t *b, *nb;

	if (!f)
		return bert_fail(BERT_ERR_CONFIG, "cannot open '%s'", path);
	b = malloc(cap);
	if (!b)
		goto err_close;
	while ((r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			nb = realloc(b, cap * 2);
			if (!nb)
				goto err_free;
			b = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(b);
		fclose(f);
		return bert_fail(BERT_ERR_IO, "reading '%s'", path);
	}
	fclose(f);
	*buf = b;
	*len = n;
	return BERT_OK;

err_free:
	free(b);
err_close:
	fclose(f);
	return bert_fail(BERT_ERR_NOMEM, "capture '%s'", path);
}

/* bert prbs gen: a capture to test with, optionally with flipped bits */
static int prbs_gen(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pattern", required_argument, NULL, 'p' },
		{ "bytes", required_argument, NULL, 'n' },
		{ "flip", required_argument, NULL, 'f' },
		{ "invert", no_argument, NULL, 'i' },
		{ "lsb-first", no_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	enum bert_prbs_pattern p = BERT_PRBS31;
	struct cli_opts o = { 0 };
	const char *out_path = NULL;
	FILE *out = stdout;
	struct bert_prbs_gen g;
	unsigned long long flips[64], n = 0;
	unsigned nflip = 0, flags = 0, i;
	const char *pat = NULL;
	uint8_t *buf;
	char *end;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "p:o:", lo, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case 'p': pat = optarg; break;
		case 'o': out_path = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'n':
			n = strtoull(optarg, &end, 0);
			if (*end || !n || n > (1ull << 32))
				return cli_usage_error("--bytes: '%s' is not a size", optarg);
			break;
		case 'f':
			if (nflip == 64)
				return cli_usage_error("--flip: at most 64");
			flips[nflip++] = strtoull(optarg, &end, 0);
			if (*end)
				return cli_usage_error("--flip: '%s' is not a bit index", optarg);
			break;
		case 'i': flags |= BERT_PRBS_INVERT; break;
		case 'l': flags |= BERT_PRBS_LSB_FIRST; break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("prbs gen: unexpected argument '%s'", argv[optind]);
	if (!pat || !n)
		return cli_usage_error("prbs gen: --pattern and --bytes are required");
	if (o.json && !out_path)
		return cli_usage_error("prbs gen --json: the stream needs -o FILE "
				       "(stdout carries the JSON)");
	if (!out_path && isatty(STDOUT_FILENO))
		return cli_usage_error("prbs gen: refusing to write binary to a terminal; "
				       "use -o FILE or redirect");
	cli_setup_logging(&o);
	rc = bert_prbs_from_name(pat, &p);
	if (rc)
		return cli_error(rc, "--pattern");
	rc = bert_prbs_gen_init(&g, p, 0, flags);
	if (rc)
		return cli_error(rc, "prbs gen");
	if (out_path && !(out = fopen(out_path, "wb")))
		return cli_error(bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s", out_path,
					   strerror(errno)), "prbs gen");
	buf = malloc(n);
	if (!buf) {
		if (out != stdout)
			fclose(out);
		return cli_error(BERT_ERR_NOMEM, "prbs gen");
	}
	bert_prbs_gen_bytes(&g, buf, n);
	for (i = 0; i < nflip; i++)
		if (flips[i] < n * 8)
			buf[flips[i] / 8] ^= (uint8_t)(0x80u >> (flips[i] % 8));
	rc = fwrite(buf, 1, n, out) == n ? BERT_OK :
		bert_fail(BERT_ERR_IO, "%s: write failed", out_path ? out_path : "stdout");
	if (out != stdout && fclose(out) && !rc)
		rc = bert_fail(BERT_ERR_IO, "%s: write failed", out_path);
	free(buf);
	if (rc)
		return cli_error(rc, "prbs gen");
	if (o.json)
		cli_print_json(json_pack("{s:s, s:I, s:i, s:s}", "pattern", bert_prbs_name(p),
					 "bytes", (json_int_t)n, "flips", (int)nflip,
					 "file", out_path));
	return EXIT_OK;
}

int cmd_prbs(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pattern", required_argument, NULL, 'p' },
		{ "invert", no_argument, NULL, 'i' },
		{ "lsb-first", no_argument, NULL, 'l' },
		{ "cl", required_argument, NULL, 'c' },
		CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct bert_prbs_check_opts co = { .pat = BERT_PRBS31 };
	struct bert_prbs_result r;
	const char *pat = NULL;
	double cl = 0.95, ber, upper;
	uint8_t *buf = NULL;
	size_t len = 0;
	char *end;
	int c, rc;

	if (argc >= 2 && !strcmp(argv[1], "gen")) {
		cli_argv = argv + 1;
		return prbs_gen(argc - 1, argv + 1);
	}
	rc = cli_subcommand(&argc, &argv, "check", usage);
	if (rc >= 0)
		return rc;
	while ((c = getopt_long(argc, argv, "p:" CLI_COMMON_SHORTOPTS, lo, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case 'p': pat = optarg; break;
		case 'i': co.flags |= BERT_PRBS_INVERT; break;
		case 'l': co.flags |= BERT_PRBS_LSB_FIRST; break;
		case 'c':
			cl = strtod(optarg, &end);
			if (*end || !(cl > 0 && cl < 1))
				return cli_usage_error("--cl: '%s' is not a confidence in (0, 1)", optarg);
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	cli_setup_logging(&o);
	if (!pat)
		return cli_usage_error("prbs check: --pattern is required");
	rc = bert_prbs_from_name(pat, &co.pat);
	if (rc)
		return cli_error(rc, "--pattern");
	if (optind + 1 != argc)
		return cli_usage_error("prbs check: give exactly one capture FILE");
	rc = read_file(argv[optind], &buf, &len);
	if (rc)
		return cli_error(rc, "prbs check");
	rc = bert_prbs_check(&co, buf, len, &r);
	free(buf);
	if (rc) {
		/* an empty or unlockable capture is bad input, not hardware */
		cli_error(rc, "prbs check");
		return EXIT_USAGE;
	}
	ber = r.bits_checked ? (double)r.bit_errors / (double)r.bits_checked : NAN;
	upper = bert_ber_upper(r.bit_errors, (double)r.bits_checked, cl);
	if (o.json) {
		json_t *j = json_object();

		json_object_set_new(j, "pattern", json_string(bert_prbs_name(co.pat)));
		json_object_set_new(j, "bits", json_integer((json_int_t)r.bits_total));
		json_object_set_new(j, "bits_checked", json_integer((json_int_t)r.bits_checked));
		json_object_set_new(j, "bit_errors", json_integer((json_int_t)r.bit_errors));
		if (bert_prbs_is_pam4(co.pat)) {
			json_object_set_new(j, "symbols_checked", json_integer((json_int_t)r.symbols_checked));
			json_object_set_new(j, "symbol_errors", json_integer((json_int_t)r.symbol_errors));
		}
		json_object_set_new(j, "ber", isfinite(ber) ? json_real(ber) : json_null());
		json_object_set_new(j, "ber_upper", isfinite(upper) ? json_real(upper) : json_null());
		json_object_set_new(j, "confidence", json_real(cl));
		json_object_set_new(j, "first_lock_bit", json_integer((json_int_t)r.first_lock_bit));
		json_object_set_new(j, "locks", json_integer(r.locks));
		json_object_set_new(j, "losses", json_integer(r.losses));
		json_object_set_new(j, "locked", json_boolean(r.locked));
		cli_print_json(j);
	} else if (o.quiet) {	/* the one value: the BER with its bound */
		printf("%.3g (< %.3g at %.0f%% confidence)\n", ber, upper, cl * 100);
	} else {
		printf("%-16s %s\n", "pattern", bert_prbs_name(co.pat));
		printf("%-16s %llu of %llu (lock at bit %llu, %u lock(s), %u loss(es)%s)\n",
		       "bits checked", (unsigned long long)r.bits_checked,
		       (unsigned long long)r.bits_total,
		       (unsigned long long)r.first_lock_bit, r.locks, r.losses,
		       r.locked ? "" : ", not locked at the end");
		printf("%-16s %llu\n", "bit errors", (unsigned long long)r.bit_errors);
		if (bert_prbs_is_pam4(co.pat))
			printf("%-16s %llu of %llu\n", "symbol errors",
			       (unsigned long long)r.symbol_errors,
			       (unsigned long long)r.symbols_checked);
		printf("%-16s %.3g (< %.3g at %.0f%% confidence)\n", "BER", ber,
		       upper, cl * 100);
	}
	return EXIT_OK;
}
