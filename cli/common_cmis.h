/* SPDX-License-Identifier: MIT */
/* Rendering of a decoded CMIS module (fixtures/cmis/decode.h) for the
 * commands that show one: `bert decode`, `bert info`, `bert dom`. JSON keys
 * are a contract (never rename them; adding is fine). Every
 * module string goes through cli_safe(). */
#ifndef BERT_CLI_COMMON_CMIS_H
#define BERT_CLI_COMMON_CMIS_H

#include <jansson.h>
#include <stdio.h>

#include "fixtures/cmis/decode.h"

/* What cli_cmis_print_info() shows. */
enum cli_cmis_section {
	CLI_CMIS_IDENTITY	= 1u << 0,	/* identifier, vendor, media, power */
	CLI_CMIS_APPS		= 1u << 1,	/* applications table */
	CLI_CMIS_ADVERT		= 1u << 2,	/* page 01h advertising */
	CLI_CMIS_MONITORS	= 1u << 3,	/* module + lane monitors, flags */
	CLI_CMIS_THRESHOLDS	= 1u << 4,	/* page 02h */
	CLI_CMIS_INFO		= CLI_CMIS_IDENTITY | CLI_CMIS_APPS,
	CLI_CMIS_ALL		= 0x1f,
};

/* The `bert info --json` / `bert decode --json` object: identifier,
 * identifier_code, cmis_revision, vendor{name,oui,pn,rev,sn,date_code,...},
 * media_type, applications[{appsel,host_id,host,media_id,media,host_lanes,
 * media_lanes,...}], module_state, checksums{page00h,page01h,page02h} plus
 * memory_model, firmware, connector, power, advertising, dom (the
 * cli_cmis_dom_json() object) and warnings. Returns a new reference. */
json_t *cli_cmis_info_json(const struct cmis_info *info);
/* The `bert dom --json` object: {"module": {temperature_c, vcc_v, power_w
 * (null)}, "lanes": [{lane, tx_bias_ma, tx_power_dbm, tx_power_mw,
 * rx_power_dbm, rx_power_mw, flags[], dp_state, config_status}],
 * "thresholds": {...}, "alarms": [...]}. Non-finite numbers are null. */
json_t *cli_cmis_dom_json(const struct cmis_info *info);

/* Aligned "key: value" text of the sections asked for (enum
 * cli_cmis_section bits); verbose > 0 adds raw codes and advertising. */
void cli_cmis_print_info(FILE *f, const struct cmis_info *info,
			 unsigned sections, int verbose);
/* -q of info and decode: "VENDOR PN SN SERIAL" on one line. */
void cli_cmis_print_identity_line(FILE *f, const struct cmis_info *info);
/* Monitors only: module line, one row per lane, alarms (bert dom). */
void cli_cmis_print_dom(FILE *f, const struct cmis_info *info);
/* One "PROG: warning: WHAT: text" line on stderr per decoder warning (bad
 * checksums, unknown identifier ...). Returns the number printed. */
int cli_cmis_warn(const struct cmis_info *info, const char *what);

#endif
