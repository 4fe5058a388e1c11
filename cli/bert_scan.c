// SPDX-License-Identifier: MIT
/* bert scan: what bert can reach from here: FTDI adapters, i2c-dev buses and
 * the emulated fixtures. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "fixtures/fixture.h"
#include "fixtures/ftdi_port.h"
#include "fixtures/i2c_linux.h"

#define MODULES_DIR "fixtures/sim/modules"

static void scan_usage(FILE *f)
{
	fprintf(f, "usage: bert scan [--json] [--dev DIR]\n\n"
		"Lists FTDI adapters (VID:PID, serial, description, MPSSE interfaces),\n"
		"i2c-dev buses and the emulated fixtures, with the URI to use for each.\n"
		"  --dev DIR   where to look for i2c-N nodes (default /dev)\n");
}

static const char *product_name(uint16_t pid)
{
	switch (pid) {
	case 0x6014: return "232h";
	case 0x6010: return "2232h";
	case 0x6011: return "4232h";
	}
	return NULL;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "dev", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct ftdi_adapter *ad = NULL;
	struct i2c_linux_adapter *ia = NULL;
	const struct fixture_ops *const *op;
	const char *dev_dir = NULL, *ftdi_err = NULL;
	json_t *root, *jf, *ji, *js;
	size_t nf = 0, ni = 0, i;
	char uri[512], errbuf[512], vidpid[16], busaddr[16];
	struct dirent *de;
	DIR *d;
	int c, rc;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		if (c == 'd') {
			dev_dir = optarg;
			continue;
		}
		if (c == 'h') {
			scan_usage(stdout);
			return EXIT_OK;
		}
		scan_usage(stderr);
		return EXIT_USAGE;
	}
	cli_setup_logging(&o);
	/* A host without USB access (container, no permissions) still lists
	 * the rest: the FTDI error is reported, not fatal. */
	rc = ftdi_port_list(&ad, &nf);
	if (rc) {
		snprintf(errbuf, sizeof(errbuf), "%s: %s", bert_strerror(rc),
			 bert_error_detail());
		ftdi_err = errbuf;
		nf = 0;
	}
	rc = i2c_linux_list(dev_dir, &ia, &ni);
	if (rc) {
		free(ad);
		return cli_error(rc, "listing i2c-dev buses");
	}

	root = json_object();
	jf = json_array();
	for (i = 0; i < nf; i++) {
		const char *p = product_name(ad[i].pid);

		snprintf(uri, sizeof(uri), "ftdi://ftdi:%s%s%s/1", p ? p : "",
			 ad[i].serial[0] ? ":" : "", ad[i].serial);
		if (!p)
			snprintf(uri, sizeof(uri), "ftdi://%04x:%04x%s%s/1", ad[i].vid,
				 ad[i].pid, ad[i].serial[0] ? ":" : "", ad[i].serial);
		snprintf(vidpid, sizeof(vidpid), "%04x:%04x", ad[i].vid, ad[i].pid);
		snprintf(busaddr, sizeof(busaddr), "%u:%u", ad[i].usb_bus, ad[i].usb_addr);
		json_array_append_new(jf, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}",
			"vid_pid", vidpid, "serial", ad[i].serial,
			"description", ad[i].description, "bus_addr", busaddr,
			"interfaces", ad[i].interfaces,
			"mpsse_interfaces", ad[i].mpsse_interfaces, "uri", uri));
	}
	ji = json_array();
	for (i = 0; i < ni; i++) {
		snprintf(uri, sizeof(uri), "i2c-dev:%s", ia[i].path);
		json_array_append_new(ji, json_pack("{s:s, s:s, s:s}", "path", ia[i].path,
						    "name", ia[i].name, "uri", uri));
	}
	js = json_array();
	for (op = bert_fixture_schemes; *op; op++)
		if (!strcmp((*op)->scheme, "sim") || !strcmp((*op)->scheme, "mpsse-sim")) {
			snprintf(uri, sizeof(uri), "%s:", (*op)->scheme);
			json_array_append_new(js, json_pack("{s:s, s:s}", "uri", uri,
							    "summary", (*op)->summary));
		}
	d = opendir(MODULES_DIR);
	while (d && (de = readdir(d)))
		if (strstr(de->d_name, ".ini")) {
			snprintf(uri, sizeof(uri), "sim:%s/%s", MODULES_DIR, de->d_name);
			json_array_append_new(js, json_pack("{s:s, s:s}", "uri", uri,
							    "summary", "emulated module"));
		}
	if (d)
		closedir(d);
	json_object_set_new(root, "ftdi", jf);
	if (ftdi_err)
		json_object_set_new(root, "ftdi_error", json_string(ftdi_err));
	json_object_set_new(root, "i2c_dev", ji);
	json_object_set_new(root, "sim", js);

	if (o.json) {
		cli_print_json(root);
	} else if (o.quiet) {
		/* the values asked for: hardware fixture URIs, one a line */
		json_t *v;
		size_t k;

		json_array_foreach(jf, k, v)
			printf("%s\n", json_string_value(json_object_get(v, "uri")));
		json_array_foreach(ji, k, v)
			printf("%s\n", json_string_value(json_object_get(v, "uri")));
		json_decref(root);
	} else {
		json_t *v;
		size_t k;

		printf("FTDI adapters:%s\n", nf ? "" : " none");
		if (ftdi_err)
			printf("  (%s)\n", ftdi_err);
		json_array_foreach(jf, k, v)
			printf("  %-9s %-16s %-24s MPSSE ports %lld  %s\n",
			       json_string_value(json_object_get(v, "vid_pid")),
			       json_string_value(json_object_get(v, "serial")),
			       json_string_value(json_object_get(v, "description")),
			       json_integer_value(json_object_get(v, "mpsse_interfaces")),
			       json_string_value(json_object_get(v, "uri")));
		printf("i2c-dev buses:%s\n", ni ? "" : " none");
		json_array_foreach(ji, k, v)
			printf("  %-16s %-24s %s\n", json_string_value(json_object_get(v, "path")),
			       json_string_value(json_object_get(v, "name")),
			       json_string_value(json_object_get(v, "uri")));
		printf("Emulated fixtures:\n");
		json_array_foreach(js, k, v)
			printf("  %-48s %s\n", json_string_value(json_object_get(v, "uri")),
			       json_string_value(json_object_get(v, "summary")));
		json_decref(root);
	}
	free(ad);
	free(ia);
	return EXIT_OK;
}
