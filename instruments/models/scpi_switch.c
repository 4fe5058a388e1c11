// SPDX-License-Identifier: MIT
/* The generic SCPI optical switch: ROUT{in} {out} connects input in to
 * output out, ROUT{in}? reads it back (instruments/README.md). Another
 * vendor's switch is another table of the same two commands. */
#include "instruments/instr.h"

static const char *const vendors[] = { "BERT", NULL };
static const char *const models[] = { "OSW-SCPI", NULL };

static const struct scpi_command cmds[] = {
	{ OSW_ROUTE, "ROUT{c} {i}", 0 },
	{ OSW_GET_ROUTE, "ROUT{c}?", 0 },
	{ 0, NULL, 0 },
};

const struct instr_model instr_scpi_switch = {
	.name = "scpi-switch",
	.summary = "generic SCPI optical switch (ROUT[n] <out>)",
	.kinds = INSTR_OSW,
	.vendors = vendors,
	.models = models,
	.cmds = cmds,
};
