// SPDX-License-Identifier: MIT
/* EXFO FVA-3150 variable attenuator (EXFO FVA-3150 Variable Attenuator User
 * Manual, "Controlling Your Variable Attenuator Remotely"): INP:ATT,
 * INP:OFFS, INP:WAV, OUTP[:STAT]; "all keywords must be UPPERCASE
 * characters" ("Command Structure"), so only the upper-case short forms
 * are accepted (a long or lower-case keyword is -113 Undefined header).
 * ATT? [MIN|MAX] ("Specific commands") adds the CAL offset (`cal_db` in
 * the bench section) and answers in the form "99.999" dB. One channel. */
#include <string.h>

#include "instruments/sim/emu_internal.h"

static const struct emu_unit db_units[] = { { "DB", 1.0 }, { NULL, 0 } };

static void att(struct scpi_emu *e, const struct emu_call *c)
{
	double v;

	if (c->query) {
		emu_reply(e, e->now, "%.3f", e->ch[0].att_disp);
		return;
	}
	if (emu_arg_number(e, c, 0, db_units, e->ch[0].offset,
			   e->m->att_max_db + e->ch[0].offset, e->ch[0].offset, &v))
		emu_voa_set_att(e, 0, v);
}

static void att_legacy(struct scpi_emu *e, const struct emu_call *c)
{
	double v = e->ch[0].att_disp;

	if (c->nargs && !strcmp(c->args[0], "MIN"))
		v = e->ch[0].offset;
	else if (c->nargs && !strcmp(c->args[0], "MAX"))
		v = e->m->att_max_db + e->ch[0].offset;
	else if (c->nargs) {
		emu_error(e, EMU_E_ILLEGAL_VALUE);
		return;
	}
	emu_reply(e, e->now, "%.3f", v + e->cal_db);
}

static void offs(struct scpi_emu *e, const struct emu_call *c)
{
	double v, filt;

	if (c->query) {
		emu_reply(e, e->now, "%.3f", e->ch[0].offset);
		return;
	}
	if (!emu_arg_number(e, c, 0, db_units, -60, 60, 0, &v))
		return;
	filt = e->ch[0].att_disp - e->ch[0].offset;
	e->ch[0].offset = v;
	e->ch[0].att_disp = filt + v;
}

static void wav(struct scpi_emu *e, const struct emu_call *c)
{
	double nm;

	if (c->query) {
		emu_reply(e, e->now, "%.2f", e->ch[0].wl_nm);
		return;
	}
	if (emu_arg_wavelength(e, c, 0, &nm)) {
		e->ch[0].wl_nm = nm;
		emu_voa_apply(e, 0);
		emu_voa_settle(e);
	}
}

static void stat(struct scpi_emu *e, const struct emu_call *c)
{
	bool on;

	if (c->query) {
		emu_reply(e, e->now, "%d", e->ch[0].enabled ? 1 : 0);
		return;
	}
	if (emu_arg_bool(e, c, 0, &on)) {
		e->ch[0].enabled = on;
		emu_voa_apply(e, 0);
		emu_voa_settle(e);
	}
}

static const struct emu_cmd fva_cmds[] = {
	{ ":INPut:ATTenuation", att, 0 },
	{ ":INPut:ATTenuation?", att, 0 },
	{ ":ATTenuation?", att_legacy, 1 },
	{ ":INPut:OFFSet", offs, 0 },
	{ ":INPut:OFFSet?", offs, 0 },
	{ ":INPut:WAVelength", wav, 0 },
	{ ":INPut:WAVelength?", wav, 0 },
	{ ":OUTPut[:STATe]", stat, 0 },
	{ ":OUTPut[:STATe]?", stat, 0 },
	{ NULL, NULL, 0 },
};

const struct emu_model emu_exfo_fva3150 = {
	.name = "exfo-fva3150",
	.summary = "EXFO FVA-3150 variable attenuator",
	.kind = EMU_VOA,
	.vendor = "EXFO", .model = "FVA-3150",
	.max_ch = 1, .att_max_db = 60.0, .settle_s = 0.2,
	.wl_min_nm = 1250, .wl_max_nm = 1650,
	.cmds = fva_cmds,
	.upper_short_only = true,
};
