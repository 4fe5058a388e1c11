// SPDX-License-Identifier: MIT
/* A generic SCPI optical switch (the `scpi-switch` model): ROUT[n] <out>
 * connects input n to output <out>, ROUT[n]? returns it. Its command set is
 * bert's own (documented in instruments/README.md); vendor switches get
 * their own tables the same way. `ports` in the bench section = outputs. */
#include "instruments/sim/emu_internal.h"

static void route(struct scpi_emu *e, const struct emu_call *c)
{
	unsigned in = c->sfx[0], out = 0;
	double v;

	if (in < 1 || in > e->nch) {
		emu_error(e, EMU_E_HEADER_SUFFIX);
		return;
	}
	if (c->query) {
		if (e->plant.ops->switch_get(e->plant.ctx, e->instr, in, &out))
			out = e->ch[in - 1].route;
		emu_reply(e, e->now, "%u", out);
		return;
	}
	if (!emu_arg_number(e, c, 0, NULL, 1, e->ports, 1, &v))
		return;
	if (v != (unsigned)v) {
		emu_error(e, EMU_E_ILLEGAL_VALUE);
		return;
	}
	e->ch[in - 1].route = (unsigned)v;
	if (e->plant.ops->switch_route(e->plant.ctx, e->instr, in, (unsigned)v))
		emu_error(e, -200, "Execution error");
	emu_voa_settle(e);	/* switching time */
}

static const struct emu_cmd switch_cmds[] = {
	{ ":ROUTe#[:CHANnel]", route, 0 },
	{ ":ROUTe#[:CHANnel]?", route, 0 },
	{ NULL, NULL, 0 },
};

const struct emu_model emu_scpi_switch = {
	.name = "scpi-switch",
	.summary = "generic SCPI optical switch (ROUT[n] <out>)",
	.kind = EMU_OSW,
	.vendor = "BERT", .model = "OSW-SCPI",
	.max_ch = 64, .settle_s = 0.02,	/* 1x32, 1x48 and 1x64 exist */
	.cmds = switch_cmds,
};
