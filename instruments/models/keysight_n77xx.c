// SPDX-License-Identifier: MIT
/* Keysight N7752A / N7761A / N7762A / N7764A multiport VOAs: INP{ch}:ATT,
 * INP{ch}:OFFS, INP{ch}:WAV, OUTP{ch}:STAT (ANCHORS.md 4.1). One channel
 * tops out near 45 dB; cascade two for more. */
#include "instruments/instr.h"

static const char *const vendors[] = {
	"Keysight Technologies", "Agilent Technologies", NULL,
};
static const char *const models[] = { "N7752A", "N7761A", "N7762A", "N7764A", NULL };

static const struct scpi_command cmds[] = {
	{ VOA_SET_ATT, "INP{c}:ATT {v}", 0 },
	{ VOA_GET_ATT, "INP{c}:ATT?", 0 },
	{ VOA_GET_OFFSET, "INP{c}:OFFS?", 0 },
	{ VOA_SET_WAV, "INP{c}:WAV {v}NM", 0 },
	{ VOA_GET_WAV, "INP{c}:WAV?", 1e9 },
	{ VOA_SET_ENABLE, "OUTP{c}:STAT {i}", 0 },
	{ VOA_GET_ENABLE, "OUTP{c}:STAT?", 0 },
	{ 0, NULL, 0 },
};

const struct instr_model instr_keysight_n77xx = {
	.name = "keysight-n77xx",
	.summary = "Keysight N7752A/N776xA multiport VOA",
	.kinds = INSTR_VOA,
	.vendors = vendors,
	.models = models,
	.cmds = cmds,
	.max_chan = 4,
};
