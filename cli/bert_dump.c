// SPDX-License-Identifier: MIT
/* bert dump: the module's memory in the forms `bert decode` reads back. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "cli/common_module.h"
#include "fixtures/cmis/image.h"

static void dump_usage(FILE *f)
{
	fprintf(f, "usage: bert dump [--fixture URI] [--format hex|bin] [-o FILE] "
		"[--bring-up[=APPSEL]] [--stats] [--json]\n\n"
		"Reads lower memory and pages 00h, 01h, 02h, 10h, 11h (00h only on\n"
		"flat-memory modules) and writes them in the linear layout of optoe\n"
		"and `ethtool -m DEV raw on` (bin) or as `ethtool -m DEV hex on` text\n"
		"(hex, the default). `bert decode FILE` reads both.\n"
		"  --json   {\"fixture\", \"format\", \"file\" (-o FILE, else null), \"bytes\",\n"
		"           \"pages\": {\"lower\": HEX, \"00h\": HEX, ...}}; with -o the image goes\n"
		"           to FILE as well\n");
}

static json_t *page_hex(const uint8_t *p)
{
	char s[2 * CMIS_PAGE_SIZE + 1];
	unsigned i;

	for (i = 0; i < CMIS_PAGE_SIZE; i++)
		sprintf(s + 2 * i, "%02x", p[i]);
	return json_string(s);
}

int cmd_dump(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		CLI_MODULE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct cli_module_opts mo = { 0 };
	struct cli_module m;
	struct cmis_snapshot *snap = NULL;
	const char *out_path = NULL;
	bool bin = false;
	unsigned p;
	FILE *out = stdout;
	int c, rc, ex;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "o:", longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		ex = cli_module_option(c, optarg, &mo);
		if (ex >= 0) {
			if (ex)
				return ex;
			continue;
		}
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "bin"))
				bin = true;
			else if (!strcmp(optarg, "hex"))
				bin = false;
			else
				return cli_usage_error("--format: '%s' is not hex or bin", optarg);
			break;
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			dump_usage(stdout);
			return EXIT_OK;
		default:
			dump_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("dump: unexpected argument '%s'", argv[optind]);
	if (bin && !out_path && !o.json && isatty(STDOUT_FILENO))
		return cli_usage_error("dump: refusing to write binary to a terminal; "
				       "use -o FILE or redirect");
	cli_setup_logging(&o);
	/* an output that cannot be written fails before the module is touched */
	if (out_path && !(out = fopen(out_path, bin ? "wb" : "w")))
		return cli_error(bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s",
					   out_path, strerror(errno)), "dump");
	ex = cli_module_start(&o, &mo, &m);
	if (ex) {
		if (out != stdout)
			fclose(out);
		return ex;
	}
	ex = cli_module_snapshot(&m, &snap);
	if (ex)
		goto out;
	if (o.json && out != stdout) {	/* the image to -o FILE, the summary below */
		rc = bin ? cmis_image_write_bin(out, &snap->map) :
			   cmis_image_write_hex(out, &snap->map);
		if (fclose(out) != 0 && !rc)
			rc = bert_fail(BERT_ERR_IO, "%s: write failed", out_path);
		out = stdout;
		if (rc) {
			ex = cli_error(rc == BERT_ERR_IO ? BERT_ERR_CONFIG : rc,
				       "writing the image");
			goto out;
		}
	}
	if (o.json) {
		json_t *root = json_object(), *pages = json_object();
		char key[8];

		json_object_set_new(root, "fixture", json_string(m.fixture->uri));
		json_object_set_new(root, "format", json_string(bin ? "bin" : "hex"));
		json_object_set_new(root, "file", out_path ? json_string(out_path) : json_null());
		json_object_set_new(root, "bytes",
				    json_integer((json_int_t)cmis_image_linear_len(&snap->map)));
		json_object_set_new(pages, "lower", page_hex(snap->lower));
		for (p = 0; p < CMIS_MAX_PAGES; p++)
			if (snap->map.upper[p]) {
				snprintf(key, sizeof(key), "%02xh", p);
				json_object_set_new(pages, key, page_hex(snap->map.upper[p]));
			}
		json_object_set_new(root, "pages", pages);
		if (mo.stats)
			json_object_set_new(root, "i2c", cli_i2c_stats_json(&m.fixture->bus->stats));
		cli_print_json(root);
		ex = EXIT_OK;
		goto out;
	}
	rc = bin ? cmis_image_write_bin(out, &snap->map) :
		   cmis_image_write_hex(out, &snap->map);
	if (out != stdout && fclose(out) != 0 && !rc)
		rc = bert_fail(BERT_ERR_IO, "%s: write failed", out_path);
	else
		fflush(stdout);
	out = stdout;
	if (rc == BERT_ERR_IO)	/* the output could not be written: class 2 */
		rc = BERT_ERR_CONFIG;
	ex = rc ? cli_error(rc, "writing the image") : EXIT_OK;
	if (mo.stats && !ex)
		fprintf(stderr, "I2C: %llu transactions, %llu USB round trips\n",
			(unsigned long long)m.fixture->bus->stats.transactions,
			(unsigned long long)m.fixture->bus->stats.usb_round_trips);
out:
	if (out != stdout)
		fclose(out);
	free(snap);
	cli_module_close(&m);
	return ex;
}
