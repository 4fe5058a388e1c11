// SPDX-License-Identifier: MIT
/* Thorlabs PM100D (Thorlabs PM100D Operation Manual, "PM100D SCPI
 * Commands"; the PM100 family's command format: a keyword in its short or
 * long form, either case, nothing in between, [..] nodes optional):
 * sense:corr:wav <nm> (and ? [MIN|MAX]), power:dc:unit W|DBM,
 * measure:power?, the autorange switch and a manual range in W, and the
 * averaging count. *IDN? answers "THORLABS,MMM,SSS,X.X.X" ("*IDN?"). The emulator takes 3 ms per averaged sample (the
 * console's nominal rate is of that order; not a datasheet figure). */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "bert/core/units.h"
#include "instruments/sim/emu_internal.h"

#define PM100D_SAMPLE_S 0.003

static const struct emu_unit w_units[] = {
	{ "W", 1.0 }, { "MW", 1e-3 }, { "UW", 1e-6 }, { "NW", 1e-9 }, { NULL, 0 },
};

static void wav(struct scpi_emu *e, const struct emu_call *c)
{
	double nm;

	if (c->query && c->nargs) {
		if (!strncasecmp(c->args[0], "MIN", 3))
			emu_reply(e, e->now, "%.1f", e->m->wl_min_nm);
		else if (!strncasecmp(c->args[0], "MAX", 3))
			emu_reply(e, e->now, "%.1f", e->m->wl_max_nm);
		else
			emu_error(e, EMU_E_ILLEGAL_VALUE);
	} else if (c->query)
		emu_reply(e, e->now, "%.1f", e->ch[0].wl_nm);
	else if (emu_arg_wavelength(e, c, 0, &nm))
		e->ch[0].wl_nm = nm;
}

static void unit(struct scpi_emu *e, const struct emu_call *c)
{
	if (c->query) {
		emu_reply(e, e->now, "%s", e->ch[0].unit_watt ? "W" : "DBM");
		return;
	}
	if (c->nargs < 1)
		emu_error(e, EMU_E_MISSING_PARAM);
	else if (!strcasecmp(c->args[0], "W"))
		e->ch[0].unit_watt = true;
	else if (!strcasecmp(c->args[0], "DBM"))
		e->ch[0].unit_watt = false;
	else
		emu_error(e, EMU_E_ILLEGAL_VALUE);
}

static void rang_auto(struct scpi_emu *e, const struct emu_call *c)
{
	bool on;

	if (c->query)
		emu_reply(e, e->now, "%d", e->ch[0].autorange ? 1 : 0);
	else if (emu_arg_bool(e, c, 0, &on))
		e->ch[0].autorange = on;
}

static void rang(struct scpi_emu *e, const struct emu_call *c)
{
	double w;

	if (c->query) {
		emu_reply(e, e->now, "%.6E", bert_dbm_to_mw(e->ch[0].range_dbm) * 1e-3);
		return;
	}
	if (!emu_arg_number(e, c, 0, w_units, 1e-9, 0.5, 1e-3, &w))
		return;
	e->ch[0].range_dbm = bert_mw_to_dbm(w * 1e3);
	e->ch[0].autorange = false;
}

static void aver(struct scpi_emu *e, const struct emu_call *c)
{
	double n;

	if (c->query)
		emu_reply(e, e->now, "%u", e->ch[0].aver_count);
	else if (emu_arg_number(e, c, 0, NULL, 1, 10000, 1, &n))
		e->ch[0].aver_count = (unsigned)n;
}

static void meas(struct scpi_emu *e, const struct emu_call *c)
{
	uint64_t ready;
	double mw;
	bool ok;

	(void)c;
	ok = emu_meter_measure(e, 0, e->ch[0].aver_count * PM100D_SAMPLE_S, &mw, &ready);
	emu_meter_reply(e, 0, mw, ok, ready);
}

static void fetch(struct scpi_emu *e, const struct emu_call *c)
{
	(void)c;
	emu_meter_reply(e, 0, e->ch[0].last_mw, true, e->now);
}

static const struct emu_cmd pm100d_cmds[] = {
	{ "[:SENSe]:CORRection:WAVelength", wav, 0 },
	{ "[:SENSe]:CORRection:WAVelength?", wav, 1 },
	{ "[:SENSe]:POWer:DC:UNIT", unit, 0 },
	{ "[:SENSe]:POWer:DC:UNIT?", unit, 0 },
	{ "[:SENSe]:POWer:DC:RANGe:AUTO", rang_auto, 0 },
	{ "[:SENSe]:POWer:DC:RANGe:AUTO?", rang_auto, 0 },
	{ "[:SENSe]:POWer:DC:RANGe[:UPPer]", rang, 0 },
	{ "[:SENSe]:POWer:DC:RANGe[:UPPer]?", rang, 0 },
	{ "[:SENSe]:AVERage[:COUNt]", aver, 0 },
	{ "[:SENSe]:AVERage[:COUNt]?", aver, 0 },
	{ ":MEASure[:SCALar][:POWer]?", meas, 0 },
	{ ":READ?", meas, 0 },
	{ ":FETCh?", fetch, 0 },
	{ NULL, NULL, 0 },
};

const struct emu_model emu_thorlabs_pm100d = {
	.name = "thorlabs-pm100d",
	.summary = "Thorlabs PM100D console with an InGaAs sensor",
	.kind = EMU_OPM,
	.vendor = "THORLABS", .model = "PM100D",
	.max_ch = 1,
	.wl_min_nm = 800, .wl_max_nm = 1700,
	.range_min_dbm = -60, .range_max_dbm = 20, .floor_mw = 1e-9,
	.cmds = pm100d_cmds,
};
