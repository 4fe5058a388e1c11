// SPDX-License-Identifier: MIT
/* Rendering of a decoded CMIS module as JSON and text (see common_cmis.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/figure.h"
#include "cli/common.h"
#include "cli/common_cmis.h"

#define KEY_W 20	/* width of the text keys */
/* A power monitor reading 0 (OIF-CMIS lane monitors: 0.1 uW per LSB). */
#define NO_LIGHT BERT_FIG_NO_LIGHT_TEXT

/* "name" or "unknown (0xNN)" in buf. */
static const char *name_or_code(const char *name, unsigned code, char *buf,
				size_t size)
{
	if (name)
		return name;
	snprintf(buf, size, "unknown (0x%02x)", code);
	return buf;
}

/* Round to a sensible number of decimals so JSON shows 3.3, not
 * 3.2999999999999998. */
static json_t *json_num_r(double v, int decimals)
{
	double m = pow(10, decimals);

	if (!isfinite(v))
		return json_null();
	return json_real(round(v * m) / m);
}

static json_t *json_csum(enum cmis_csum c)
{
	switch (c) {
	case CMIS_CSUM_VALID:
		return json_true();
	case CMIS_CSUM_INVALID:
		return json_false();
	default:
		return json_null();
	}
}

static json_t *json_str_or_null(bool present, const char *s)
{
	return present ? json_string(s) : json_null();
}

static json_t *json_lane_list(uint8_t mask)
{
	json_t *a = json_array();
	unsigned k;

	for (k = 0; k < 8; k++)
		if (mask & (1u << k))
			json_array_append_new(a, json_integer(k + 1));
	return a;
}

static json_t *json_duration(const struct cmis_duration *d)
{
	return json_pack("{s:i, s:o, s:o}", "code", d->code,
			 "min_ms", json_integer(d->min_ms),
			 "max_ms", d->max_ms == CMIS_DURATION_UNBOUNDED ?
			 json_null() : json_integer(d->max_ms));
}

static json_t *json_threshold(const struct cmis_threshold *t, int decimals)
{
	return json_pack("{s:o, s:o, s:o, s:o}",
			 "high_alarm", json_num_r(t->high_alarm, decimals),
			 "low_alarm", json_num_r(t->low_alarm, decimals),
			 "high_warning", json_num_r(t->high_warn, decimals),
			 "low_warning", json_num_r(t->low_warn, decimals));
}

static json_t *json_flag_names(uint32_t flags, const char *(*name)(unsigned),
			       unsigned count)
{
	json_t *a = json_array();
	unsigned b;

	for (b = 0; b < count; b++)
		if (flags & (1u << b))
			json_array_append_new(a, json_string(name(b)));
	return a;
}

static const char *severity(enum cmis_flag_kind k)
{
	return k == CMIS_FLAG_ALARM ? "alarm" : "warning";
}

/* Monitors are per media lane (11h:154-201): a DR4 has 8 host lanes but 4
 * media lanes, and rows 5-8 would be empty. Show the media lanes when the
 * applications say how many there are. */
static unsigned monitor_lanes(const struct cmis_info *in)
{
	if (in->media_lanes && in->media_lanes < in->lanes.count)
		return in->media_lanes;
	return in->lanes.count;
}

json_t *cli_cmis_dom_json(const struct cmis_info *in)
{
	json_t *root, *lanes, *alarms, *th;
	unsigned i, b;
	char buf[32];

	lanes = json_array();
	alarms = json_array();
	for (b = 0; b < CMIS_MFLAG_COUNT; b++) {
		enum cmis_flag_kind k = cmis_module_flag_kind(b);

		if ((in->module_flags & (1u << b)) && k != CMIS_FLAG_EVENT)
			json_array_append_new(alarms, json_pack("{s:s, s:s, s:s}",
				"source", "module", "flag", cmis_module_flag_name(b),
				"severity", severity(k)));
	}
	for (i = 0; in->lanes.present && i < monitor_lanes(in); i++) {
		const struct cmis_lane *l = &in->lanes.lane[i];

		json_array_append_new(lanes, json_pack(
			"{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:i, s:s, s:i, s:i, s:b, s:b}",
			"lane", l->lane,
			"tx_bias_ma", json_num_r(l->tx_bias_ma, 3),
			"tx_power_dbm", json_num_r(l->tx_power_dbm, 2),
			"tx_power_mw", json_num_r(l->tx_power_mw, 4),
			"rx_power_dbm", json_num_r(l->rx_power_dbm, 2),
			"rx_power_mw", json_num_r(l->rx_power_mw, 4),
			"flags", json_flag_names(l->flags, cmis_lane_flag_name,
						 CMIS_LFLAG_COUNT),
			"dp_state", name_or_code(cmis_dp_state_name(l->dp_state),
						 l->dp_state, buf, sizeof(buf)),
			"dp_state_code", l->dp_state,
			"config_status", cmis_config_status_name(l->config_status) ?
				cmis_config_status_name(l->config_status) : "reserved",
			"config_status_code", l->config_status,
			"active_appsel", l->active_appsel,
			"tx_output_valid", l->tx_output_valid,
			"rx_output_valid", l->rx_output_valid));
		/* a null dBm says why: 0 mW is no light, not a failed read */
		{
			json_t *e = json_array_get(lanes, json_array_size(lanes) - 1);

			if (l->tx_power_mw == 0)
				json_object_set_new(e, "tx_power_note", json_string(NO_LIGHT));
			if (l->rx_power_mw == 0)
				json_object_set_new(e, "rx_power_note", json_string(NO_LIGHT));
		}
		for (b = 0; b < CMIS_LFLAG_COUNT; b++) {
			enum cmis_flag_kind k = cmis_lane_flag_kind(b);

			if ((l->flags & (1u << b)) && k != CMIS_FLAG_EVENT)
				json_array_append_new(alarms, json_pack(
					"{s:s, s:i, s:s, s:s}", "source", "lane",
					"lane", l->lane, "flag", cmis_lane_flag_name(b),
					"severity", severity(k)));
		}
	}
	th = json_object();
	if (in->thresh.present) {
		json_object_set_new(th, "temperature_c", json_threshold(&in->thresh.temp_c, 3));
		json_object_set_new(th, "vcc_v", json_threshold(&in->thresh.vcc_v, 4));
		json_object_set_new(th, "tx_power_mw", json_threshold(&in->thresh.tx_power_mw, 4));
		json_object_set_new(th, "tx_bias_ma", json_threshold(&in->thresh.tx_bias_ma, 3));
		json_object_set_new(th, "rx_power_mw", json_threshold(&in->thresh.rx_power_mw, 4));
	}
	root = json_pack("{s:{s:o, s:o, s:n, s:o}, s:o, s:o, s:o}",
			 "module",
			 "temperature_c", json_num_r(in->temp_c, 3),
			 "vcc_v", json_num_r(in->vcc_v, 4),
			 "power_w",
			 "flags", json_flag_names(in->module_flags, cmis_module_flag_name,
						  CMIS_MFLAG_COUNT),
			 "lanes", lanes,
			 "thresholds", th,
			 "alarms", alarms);
	return root;
}

static json_t *json_vendor(const struct cmis_info *in)
{
	const struct cmis_vendor *v = &in->vendor;
	bool p = in->page00_present;

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "name", json_str_or_null(p, v->name),
			 "oui", json_str_or_null(p, v->oui),
			 "pn", json_str_or_null(p, v->pn),
			 "rev", json_str_or_null(p, v->rev),
			 "sn", json_str_or_null(p, v->sn),
			 "date_code", json_str_or_null(p, v->date_code),
			 "date", json_str_or_null(p && v->date[0], v->date),
			 "lot", json_str_or_null(p, v->lot),
			 "clei", json_str_or_null(p, v->clei));
}

static json_t *json_apps(const struct cmis_info *in)
{
	json_t *a = json_array();
	char hb[32], mb[32];
	unsigned i;

	for (i = 0; i < in->app_count; i++) {
		const struct cmis_app *ap = &in->apps[i];

		json_array_append_new(a, json_pack(
			"{s:i, s:i, s:s, s:i, s:s, s:i, s:i, s:o, s:o}",
			"appsel", ap->appsel,
			"host_id", ap->host_id,
			"host", name_or_code(ap->host_name, ap->host_id, hb, sizeof(hb)),
			"media_id", ap->media_id,
			"media", name_or_code(ap->media_name, ap->media_id, mb, sizeof(mb)),
			"host_lanes", ap->host_lanes,
			"media_lanes", ap->media_lanes,
			"host_lane_starts", json_lane_list(ap->host_lane_options),
			"media_lane_starts", ap->media_lane_options_present ?
				json_lane_list(ap->media_lane_options) : json_null()));
	}
	return a;
}

static json_t *json_advert(const struct cmis_advert *a)
{
	char fw[16], hw[16];

	if (!a->present)
		return json_null();
	snprintf(fw, sizeof(fw), "%u.%u", a->fw_inactive_major, a->fw_inactive_minor);
	snprintf(hw, sizeof(hw), "%u.%u", a->hw_major, a->hw_minor);
	return json_pack(
		"{s:s, s:s, s:o, s:o, s:{s:b, s:b, s:b, s:i}, s:{s:o, s:o, s:o, s:o, s:o, s:o},"
		" s:{s:b, s:b, s:b}, s:i, s:s, s:i}",
		"firmware_inactive", fw,
		"hardware_revision", hw,
		"wavelength_nm", a->wavelength_nm > 0 ? json_num_r(a->wavelength_nm, 3) : json_null(),
		"wavelength_tolerance_nm", a->wavelength_nm > 0 ?
			json_num_r(a->wavelength_tol_nm, 3) : json_null(),
		"pages",
		"page_03h", a->page_03h, "diagnostics_13h_14h", a->pages_diag,
		"vdm_20h_2fh", a->pages_vdm, "banks", a->banks,
		"durations",
		"dp_init", json_duration(&a->dp_init),
		"dp_deinit", json_duration(&a->dp_deinit),
		"module_pwr_up", json_duration(&a->mod_pwr_up),
		"module_pwr_dn", json_duration(&a->mod_pwr_dn),
		"tx_turn_on", json_duration(&a->tx_turn_on),
		"tx_turn_off", json_duration(&a->tx_turn_off),
		"lane_monitors",
		"tx_bias", a->mon_tx_bias, "tx_power", a->mon_tx_power,
		"rx_power", a->mon_rx_power,
		"tx_bias_multiplier", a->bias_mult,
		"rx_power_type", a->rx_power_avg ? "average" : "OMA",
		"cdb_instances", a->cdb_instances);
}

json_t *cli_cmis_info_json(const struct cmis_info *in)
{
	json_t *root, *warn;
	char idb[32], stb[32], fw[16], mtb[32], cb[32], tb[32];
	bool p0 = in->page00_present;
	uint32_t w;

	snprintf(fw, sizeof(fw), "%u.%u", in->fw_major, in->fw_minor);
	warn = json_array();
	for (w = in->warnings; w; w &= w - 1)
		json_array_append_new(warn, json_string(cmis_warning_text(w)));
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:b, s:s, s:s}",
			 "identifier", name_or_code(in->identifier, in->identifier_code,
						    idb, sizeof(idb)),
			 "identifier_code", in->identifier_code,
			 "cmis_revision", in->revision,
			 "memory_model", in->flat_mem ? "flat" : "paged",
			 "module_state", in->module_state ? in->module_state :
				(snprintf(stb, sizeof(stb), "reserved (%u)",
					  in->module_state_code), stb),
			 "module_state_code", in->module_state_code,
			 "interrupt", in->interrupt_asserted,
			 "fault_cause", name_or_code(in->fault_cause_name, in->fault_cause,
						     cb, sizeof(cb)),
			 "firmware", fw);
	json_object_set_new(root, "vendor", json_vendor(in));
	json_object_set_new(root, "media_type",
			    json_string(name_or_code(in->media_type_name, in->media_type,
						     mtb, sizeof(mtb))));
	json_object_set_new(root, "media_type_code", json_integer(in->media_type));
	json_object_set_new(root, "connector", p0 ? json_string(name_or_code(
		in->connector_name, in->connector, cb, sizeof(cb))) : json_null());
	json_object_set_new(root, "connector_code", p0 ? json_integer(in->connector) : json_null());
	json_object_set_new(root, "media_technology", p0 ? json_string(name_or_code(
		in->media_tech_name, in->media_tech, tb, sizeof(tb))) : json_null());
	json_object_set_new(root, "power_class", p0 ? json_integer(in->power_class) : json_null());
	json_object_set_new(root, "max_power_w", p0 ? json_num_r(in->max_power_w, 2) : json_null());
	json_object_set_new(root, "cable_length_m", p0 ? json_num_r(in->cable_length_m, 1) : json_null());
	json_object_set_new(root, "host_lanes", json_integer(in->host_lanes));
	json_object_set_new(root, "media_lanes", json_integer(in->media_lanes));
	json_object_set_new(root, "applications", json_apps(in));
	json_object_set_new(root, "advertising", json_advert(&in->adv));
	json_object_set_new(root, "checksums", json_pack("{s:o, s:o, s:o}",
		"page00h", json_csum(in->csum_00h),
		"page01h", json_csum(in->csum_01h),
		"page02h", json_csum(in->csum_02h)));
	json_object_set_new(root, "dom", cli_cmis_dom_json(in));
	json_object_set_new(root, "warnings", warn);
	return root;
}

/* ---- text --------------------------------------------------------------- */

static void kv(FILE *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kv(FILE *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%-*s: ", KEY_W, key);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static const char *csum_text(enum cmis_csum c)
{
	return c == CMIS_CSUM_VALID ? "valid" :
	       c == CMIS_CSUM_INVALID ? "INVALID" : "absent";
}

static const char *lane_starts(uint8_t mask, char *buf, size_t size)
{
	size_t o = 0;
	unsigned k;

	buf[0] = '\0';
	for (k = 0; k < 8 && o + 4 < size; k++)
		if (mask & (1u << k))
			o += (size_t)snprintf(buf + o, size - o, "%s%u", o ? "," : "", k + 1);
	if (!o)
		snprintf(buf, size, "-");
	return buf;
}

static const char *fmt_duration(const struct cmis_duration *d, char *buf, size_t size)
{
	if (d->max_ms == CMIS_DURATION_UNBOUNDED)
		snprintf(buf, size, ">= %u ms", d->min_ms);
	else
		snprintf(buf, size, "< %u ms", d->max_ms);
	return buf;
}

static void print_identity(FILE *f, const struct cmis_info *in, int verbose)
{
	const struct cmis_vendor *v = &in->vendor;
	char s[CMIS_STR_MAX * 2], b1[32];

	kv(f, "Identifier", "%s (0x%02x)", name_or_code(in->identifier,
	   in->identifier_code, b1, sizeof(b1)), in->identifier_code);
	kv(f, "CMIS revision", "%s", in->revision);
	kv(f, "Memory model", "%s", in->flat_mem ? "flat" : "paged");
	if (in->module_state)
		kv(f, "Module state", "%s%s", in->module_state,
		   in->interrupt_asserted ? " (interrupt asserted)" : "");
	else
		kv(f, "Module state", "reserved (%u)", in->module_state_code);
	if (in->fault_cause || verbose)
		kv(f, "Fault cause", "%s", name_or_code(in->fault_cause_name,
		   in->fault_cause, b1, sizeof(b1)));
	kv(f, "Firmware", "%u.%u", in->fw_major, in->fw_minor);
	if (in->page00_present) {
		kv(f, "Vendor", "%s", cli_safe(v->name, s, sizeof(s)));
		kv(f, "Vendor OUI", "%s", v->oui);
		kv(f, "Part number", "%s", cli_safe(v->pn, s, sizeof(s)));
		kv(f, "Revision", "%s", cli_safe(v->rev, s, sizeof(s)));
		kv(f, "Serial number", "%s", cli_safe(v->sn, s, sizeof(s)));
		if (v->date[0])
			kv(f, "Date code", "%s%s%s", v->date, v->lot[0] ? " lot " : "",
			   cli_safe(v->lot, s, sizeof(s)));
		else
			kv(f, "Date code", "%s", cli_safe(v->date_code, s, sizeof(s)));
		if (v->clei[0] || verbose)
			kv(f, "CLEI", "%s", cli_safe(v->clei, s, sizeof(s)));
	} else {
		kv(f, "Vendor", "(page 00h absent)");
	}
	kv(f, "Media type", "%s (0x%02x)", name_or_code(in->media_type_name,
	   in->media_type, b1, sizeof(b1)), in->media_type);
	if (in->page00_present) {
		kv(f, "Connector", "%s (0x%02x)", name_or_code(in->connector_name,
		   in->connector, b1, sizeof(b1)), in->connector);
		kv(f, "Media technology", "%s (0x%02x)", name_or_code(in->media_tech_name,
		   in->media_tech, b1, sizeof(b1)), in->media_tech);
		kv(f, "Power class", "%u (max %.2f W)", in->power_class, in->max_power_w);
		if (in->cable_length_m > 0)
			kv(f, "Cable length", "%.1f m", in->cable_length_m);
	}
	kv(f, "Lanes", "%u host, %u media", in->host_lanes, in->media_lanes);
	kv(f, "Checksums", "00h %s, 01h %s, 02h %s", csum_text(in->csum_00h),
	   csum_text(in->csum_01h), csum_text(in->csum_02h));
}

static void print_apps(FILE *f, const struct cmis_info *in)
{
	char hb[32], mb[32], hs[24], ms[24];
	unsigned i;

	if (!in->app_count) {
		kv(f, "Applications", "none advertised");
		return;
	}
	fprintf(f, "Applications:\n");
	fprintf(f, "  %-6s %-38s %-38s %-6s %-15s %s\n", "AppSel",
		"Host interface", "Media interface", "Lanes",
		"Host starts", "Media starts");
	for (i = 0; i < in->app_count; i++) {
		const struct cmis_app *a = &in->apps[i];
		char hn[64], mn[64], ln[16];

		snprintf(hn, sizeof(hn), "%s [%02x]", name_or_code(a->host_name,
			 a->host_id, hb, sizeof(hb)), a->host_id);
		snprintf(mn, sizeof(mn), "%s [%02x]", name_or_code(a->media_name,
			 a->media_id, mb, sizeof(mb)), a->media_id);
		snprintf(ln, sizeof(ln), "%u/%u", a->host_lanes, a->media_lanes);
		fprintf(f, "  %-6u %-38s %-38s %-6s %-15s %s\n", a->appsel, hn, mn, ln,
			lane_starts(a->host_lane_options, hs, sizeof(hs)),
			a->media_lane_options_present ?
			lane_starts(a->media_lane_options, ms, sizeof(ms)) : "?");
	}
}

static void print_advert(FILE *f, const struct cmis_info *in)
{
	const struct cmis_advert *a = &in->adv;
	char d1[24], d2[24];

	if (!a->present) {
		kv(f, "Advertising", "(page 01h absent)");
		return;
	}
	kv(f, "Hardware revision", "%u.%u", a->hw_major, a->hw_minor);
	kv(f, "Inactive firmware", "%u.%u", a->fw_inactive_major, a->fw_inactive_minor);
	if (a->wavelength_nm > 0)
		kv(f, "Wavelength", "%.2f nm (+/- %.3f nm)", a->wavelength_nm,
		   a->wavelength_tol_nm);
	kv(f, "Pages", "03h %s, 13h-14h %s, 20h-2Fh %s, banks %u",
	   a->page_03h ? "yes" : "no", a->pages_diag ? "yes" : "no",
	   a->pages_vdm ? "yes" : "no", a->banks);
	kv(f, "DPInit / DPDeinit", "%s / %s", fmt_duration(&a->dp_init, d1, sizeof(d1)),
	   fmt_duration(&a->dp_deinit, d2, sizeof(d2)));
	kv(f, "ModulePwrUp / PwrDn", "%s / %s", fmt_duration(&a->mod_pwr_up, d1, sizeof(d1)),
	   fmt_duration(&a->mod_pwr_dn, d2, sizeof(d2)));
	kv(f, "TxTurnOn / TxTurnOff", "%s / %s", fmt_duration(&a->tx_turn_on, d1, sizeof(d1)),
	   fmt_duration(&a->tx_turn_off, d2, sizeof(d2)));
	kv(f, "Lane monitors", "Tx bias %s, Tx power %s, Rx power %s (%s)",
	   a->mon_tx_bias ? "yes" : "no", a->mon_tx_power ? "yes" : "no",
	   a->mon_rx_power ? "yes" : "no", a->rx_power_avg ? "average" : "OMA");
	kv(f, "Tx bias multiplier", "x%u", a->bias_mult);
	kv(f, "CDB instances", "%u", a->cdb_instances);
}

static void print_flag_list(FILE *f, uint32_t flags, const char *(*name)(unsigned),
			    unsigned count)
{
	unsigned b, n = 0;

	for (b = 0; b < count; b++)
		if (flags & (1u << b))
			fprintf(f, "%s%s", n++ ? "," : "", name(b));
	if (!n)
		fputc('-', f);
}

/* A power monitor reading in dBm; 0 mW is "no light" (below the monitor's
 * 0.1 uW step, OIF-CMIS lane monitors), never -inf. */
static const char *dbm_text(double mw, char *buf, size_t size)
{
	if (!(mw > 0))
		snprintf(buf, size, "%s", isnan(mw) ? "n/a" : "no light");
	else
		snprintf(buf, size, "%.2f", 10 * log10(mw));
	return buf;
}

/* "lo..hi" of a threshold pair, powers in dBm. */
static const char *range_text(double lo, double hi, bool mw, char *buf, size_t size)
{
	char a[16], b[16];

	if (mw)
		snprintf(buf, size, "%s..%s", dbm_text(lo, a, sizeof(a)),
			 dbm_text(hi, b, sizeof(b)));
	else
		snprintf(buf, size, "%.3g..%.3g", lo, hi);
	return buf;
}

/* "  (warning lo..hi, alarm lo..hi UNIT)" beside a module monitor */
static void module_mon(FILE *f, const char *key, const char *fmt, double v,
		       const struct cmis_threshold *t, bool have, const char *unit)
{
	char val[32];

	snprintf(val, sizeof(val), fmt, v);
	if (have)
		fprintf(f, "%-*s: %-12s (warning %.3g..%.3g, alarm %.3g..%.3g %s)\n", KEY_W, key,
			val, t->low_warn, t->high_warn, t->low_alarm, t->high_alarm, unit);
	else
		fprintf(f, "%-*s: %s\n", KEY_W, key, val);
}

void cli_cmis_print_dom(FILE *f, const struct cmis_info *in)
{
	const struct cmis_thresholds *t = &in->thresh;
	unsigned i;
	char b1[32], tx[16], rx[16], r1[40], r2[40], r3[40];

	module_mon(f, "Temperature", "%.2f C", in->temp_c, &t->temp_c, t->present, "C");
	module_mon(f, "Vcc", "%.4f V", in->vcc_v, &t->vcc_v, t->present, "V");
	fprintf(f, "%-*s: ", KEY_W, "Module flags");
	print_flag_list(f, in->module_flags, cmis_module_flag_name, CMIS_MFLAG_COUNT);
	fputc('\n', f);
	if (!in->lanes.present) {
		kv(f, "Lanes", "(page 11h absent)");
		return;
	}
	fprintf(f, "  %-4s %-14s %-14s %13s %17s %17s  %s\n", "Lane", "DP state",
		"Config", "Bias mA", "Tx dBm", "Rx dBm", "Flags");
	for (i = 0; i < monitor_lanes(in); i++) {
		const struct cmis_lane *l = &in->lanes.lane[i];
		const char *cs = cmis_config_status_name(l->config_status);

		fprintf(f, "  %-4u %-14s %-14s %13.3f %17s %17s  ", l->lane,
			name_or_code(cmis_dp_state_name(l->dp_state), l->dp_state,
				     b1, sizeof(b1)),
			cs ? cs : "reserved", l->tx_bias_ma,
			dbm_text(l->tx_power_mw, tx, sizeof(tx)),
			dbm_text(l->rx_power_mw, rx, sizeof(rx)));
		print_flag_list(f, l->flags, cmis_lane_flag_name, CMIS_LFLAG_COUNT);
		fputc('\n', f);
	}
	if (!t->present)
		return;
	/* the module's own thresholds (page 02h), in the columns they limit */
	fprintf(f, "  %-34s %13s %17s %17s\n", "warning thresholds",
		range_text(t->tx_bias_ma.low_warn, t->tx_bias_ma.high_warn, false, r1, sizeof(r1)),
		range_text(t->tx_power_mw.low_warn, t->tx_power_mw.high_warn, true, r2, sizeof(r2)),
		range_text(t->rx_power_mw.low_warn, t->rx_power_mw.high_warn, true, r3, sizeof(r3)));
	fprintf(f, "  %-34s %13s %17s %17s\n", "alarm thresholds",
		range_text(t->tx_bias_ma.low_alarm, t->tx_bias_ma.high_alarm, false, r1, sizeof(r1)),
		range_text(t->tx_power_mw.low_alarm, t->tx_power_mw.high_alarm, true, r2, sizeof(r2)),
		range_text(t->rx_power_mw.low_alarm, t->rx_power_mw.high_alarm, true, r3, sizeof(r3)));
}

static void print_threshold(FILE *f, const char *key, const struct cmis_threshold *t,
			    const char *unit)
{
	kv(f, key, "alarm %.3f..%.3f, warning %.3f..%.3f %s", t->low_alarm,
	   t->high_alarm, t->low_warn, t->high_warn, unit);
}

static void print_thresholds(FILE *f, const struct cmis_info *in)
{
	const struct cmis_thresholds *t = &in->thresh;

	if (!t->present) {
		kv(f, "Thresholds", "(page 02h absent)");
		return;
	}
	print_threshold(f, "Temperature limits", &t->temp_c, "C");
	print_threshold(f, "Vcc limits", &t->vcc_v, "V");
	print_threshold(f, "Tx power limits", &t->tx_power_mw, "mW");
	print_threshold(f, "Tx bias limits", &t->tx_bias_ma, "mA");
	print_threshold(f, "Rx power limits", &t->rx_power_mw, "mW");
}

void cli_cmis_print_identity_line(FILE *f, const struct cmis_info *in)
{
	char v[80], p[80], n[80];

	fprintf(f, "%s %s SN %s\n", cli_safe(in->vendor.name, v, sizeof(v)),
		cli_safe(in->vendor.pn, p, sizeof(p)), cli_safe(in->vendor.sn, n, sizeof(n)));
}

void cli_cmis_print_info(FILE *f, const struct cmis_info *in, unsigned sections,
			 int verbose)
{
	if (sections & CLI_CMIS_IDENTITY)
		print_identity(f, in, verbose);
	if (sections & CLI_CMIS_APPS)
		print_apps(f, in);
	if (sections & CLI_CMIS_ADVERT)
		print_advert(f, in);
	if (sections & CLI_CMIS_MONITORS)
		cli_cmis_print_dom(f, in);
	if (sections & CLI_CMIS_THRESHOLDS)
		print_thresholds(f, in);
}

int cli_cmis_warn(const struct cmis_info *in, const char *what)
{
	char s[512];
	uint32_t w;
	int n = 0;

	for (w = in->warnings; w; w &= w - 1, n++)
		fprintf(stderr, "%s: warning: %s: %s\n", cli_prog,
			cli_safe(what, s, sizeof(s)), cmis_warning_text(w));
	return n;
}
