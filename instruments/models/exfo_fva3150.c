// SPDX-License-Identifier: MIT
/* EXFO FVA-3150 (and FVA-3100) variable attenuator: INP:ATT, INP:OFFS,
 * INP:WAV, OUTP:STAT (EXFO FVA-3150 Variable Attenuator User Manual,
 * "Controlling Your Variable Attenuator Remotely"; upper-case short
 * keywords, as the manual requires). ATT? adds the CAL offset and is
 * therefore not used; INP:ATT? minus INP:OFFS? is the filter attenuation,
 * the same definition as Keysight's. */
#include "instruments/instr.h"

static const char *const vendors[] = { "EXFO", NULL };
static const char *const models[] = { "FVA-3150", "FVA-3100", NULL };

static const struct scpi_command cmds[] = {
	{ VOA_SET_ATT, "INP:ATT {v}", 0 },
	{ VOA_GET_ATT, "INP:ATT?", 0 },
	{ VOA_GET_OFFSET, "INP:OFFS?", 0 },
	{ VOA_SET_WAV, "INP:WAV {v}NM", 0 },
	{ VOA_GET_WAV, "INP:WAV?", 0 },
	{ VOA_SET_ENABLE, "OUTP:STAT {i}", 0 },
	{ VOA_GET_ENABLE, "OUTP:STAT?", 0 },
	{ 0, NULL, 0 },
};

const struct instr_model instr_exfo_fva3150 = {
	.name = "exfo-fva3150",
	.summary = "EXFO FVA-3150 variable attenuator",
	.kinds = INSTR_VOA,
	.vendors = vendors,
	.models = models,
	.cmds = cmds,
	.max_chan = 1,
};
