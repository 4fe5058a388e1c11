// SPDX-License-Identifier: MIT
/* bert vdm: the module's Versatile Diagnostics Monitoring (OIF-CMIS 5.x
 * 9): every configured observable with thresholds and latched flags, read
 * under FreezeRequest when statistics are configured. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/bert_lanes.h"
#include "cli/common.h"
#include "cli/common_module.h"
#include "fixtures/cmis/vdm.h"

static void vdm_usage(FILE *f)
{
	fprintf(f, "usage: bert vdm [--fixture URI] [--bring-up[=APPSEL]] [--stats] "
		"[--json] [-v] [-q]\n\n"
		"Reads every VDM observable (pre-FEC BER min/max/avg/current, errored\n"
		"frames, FERC, eSNR, LTP, laser temperature ...) with its thresholds and\n"
		"latched flags. Statistics are read frozen (2Fh:144) and released after.\n"
		"Reading clears the latched flags.\n");
}

static const char *const flag_names[4] = {
	"high_alarm", "low_alarm", "high_warn", "low_warn",
};

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *obs_json(const struct cmis_vdm_obs *ob)
{
	json_t *e = json_object(), *fl;
	unsigned i;

	json_object_set_new(e, "lane", json_integer(ob->lane));
	json_object_set_new(e, "type_id", json_integer(ob->type_id));
	json_object_set_new(e, "name", json_string(ob->type ? ob->type->name : "unknown"));
	if (ob->type)
		json_object_set_new(e, "unit", json_string(ob->type->unit));
	json_object_set_new(e, "statistic", json_boolean(ob->type && ob->type->statistic));
	json_object_set_new(e, "value", num(ob->value));
	json_object_set_new(e, "raw", json_integer(ob->raw));
	json_object_set_new(e, "group", json_integer(ob->group));
	json_object_set_new(e, "index", json_integer(ob->index));
	if (ob->thresh_present)
		json_object_set_new(e, "thresholds",
				    json_pack("{s:o, s:o, s:o, s:o, s:i}",
					      "high_alarm", num(ob->high_alarm),
					      "low_alarm", num(ob->low_alarm),
					      "high_warn", num(ob->high_warn),
					      "low_warn", num(ob->low_warn),
					      "set", (int)ob->thresh_set));
	if (ob->flags_present) {
		fl = json_array();
		for (i = 0; i < 4; i++)
			if (ob->flags & (1u << i))
				json_array_append_new(fl, json_string(flag_names[i]));
		json_object_set_new(e, "flags", fl);
	}
	return e;
}

/* -q: the observables' lines only, no headers */
static void print_text(const struct cmis_vdm_reading *rd, bool quiet)
{
	unsigned i, k;

	if (!quiet) {
		printf("VDM: %u groups, %u observables%s\n", rd->vdm.groups, rd->vdm.count,
		       rd->frozen ? " (statistics frozen while read)" : "");
		printf("%-4s %-26s %14s %-5s %12s %12s  %s\n", "lane", "observable",
		       "value", "unit", "low alarm", "high alarm", "flags");
	}
	for (i = 0; i < rd->vdm.count; i++) {
		const struct cmis_vdm_obs *ob = &rd->vdm.obs[i];
		const char *unit = ob->type ? ob->type->unit : "";
		char name[32];

		if (ob->type)
			snprintf(name, sizeof(name), "%s", ob->type->name);
		else
			snprintf(name, sizeof(name), "type %u", ob->type_id);
		if (ob->type && ob->type->format == CMIS_VDM_F16)
			printf("%-4u %-26s %14.3e %-5s", ob->lane, name, ob->value, unit);
		else
			printf("%-4u %-26s %14.3f %-5s", ob->lane, name, ob->value, unit);
		if (ob->thresh_present)
			printf(" %12.4g %12.4g ", ob->low_alarm, ob->high_alarm);
		else
			printf(" %12s %12s ", "-", "-");
		for (k = 0; k < 4; k++)
			if (ob->flags & (1u << k))
				printf(" %s", flag_names[k]);
		printf("\n");
	}
}

int cmd_vdm(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		CLI_MODULE_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_module_opts mo = { 0 };
	struct cmis_vdm_reading *rd;
	struct cli_opts o = { 0 };
	struct cli_module m;
	unsigned i;
	int c, ex, rc;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		ex = cli_module_option(c, optarg, &mo);
		if (ex > 0)
			return ex;
		if (ex == 0)
			continue;
		if (c == 'h') {
			vdm_usage(stdout);
			return EXIT_OK;
		}
		vdm_usage(stderr);
		return EXIT_USAGE;
	}
	if (optind != argc)
		return cli_usage_error("vdm: unexpected argument '%s'", argv[optind]);
	cli_setup_logging(&o);
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return cli_error(BERT_ERR_NOMEM, "vdm");
	ex = cli_module_start(&o, &mo, &m);
	if (ex) {
		free(rd);
		return ex;
	}
	rc = cmis_vdm_read(m.dev, rd);
	if (rc) {
		ex = cli_diag_error(rc, "reading VDM");
		goto out;
	}
	if (o.json) {
		json_t *root = json_object(), *arr = json_array();

		json_object_set_new(root, "groups", json_integer(rd->vdm.groups));
		json_object_set_new(root, "frozen", json_boolean(rd->frozen));
		for (i = 0; i < rd->vdm.count; i++)
			json_array_append_new(arr, obs_json(&rd->vdm.obs[i]));
		json_object_set_new(root, "observables", arr);
		json_object_set_new(root, "station_time_s",
				    json_real(bert_clock_now(m.fixture->clock) / 1e9));
		if (mo.stats)
			json_object_set_new(root, "i2c", cli_i2c_stats_json(&m.fixture->bus->stats));
		cli_print_json(root);
	} else {
		print_text(rd, o.quiet);
	}
	ex = EXIT_OK;
out:
	cli_module_close(&m);
	free(rd);
	return ex;
}
