// SPDX-License-Identifier: MIT
/* Keysight N7752A / N7761A / N7762A / N7764A multiport VOAs (Keysight N77xx
 * Series Programming Guide, "Slot numbering", pp. 20-21): each attenuator
 * occupies two slots, its attenuator and its power monitor, so attenuator
 * k is addressed as INP(2k-1) (an N7764A's four are INP1, INP3, INP5,
 * INP7; an N7752A's two INP1, INP3, its power meters slots 5 and 6).
 * Commands INP{n}:ATT, INP{n}:OFFS?, INP{n}:WAV, OUTP{n}:STAT. One
 * channel tops out near 45 dB (40 dB on the N7752A); cascade two for more. */
#include "instruments/instr.h"

static const char *const vendors[] = {
	"Keysight Technologies", "Agilent Technologies", NULL,
};
static const char *const models[] = { "N7752A", "N7761A", "N7762A", "N7764A", NULL };
static const unsigned chans[] = { 2, 1, 2, 4 };

static const struct scpi_command cmds[] = {
	{ VOA_SET_ATT, "INP{k}:ATT {v}", 0 },
	{ VOA_GET_ATT, "INP{k}:ATT?", 0 },
	{ VOA_GET_OFFSET, "INP{k}:OFFS?", 0 },
	{ VOA_SET_WAV, "INP{k}:WAV {v}NM", 0 },
	{ VOA_GET_WAV, "INP{k}:WAV?", 1e9 },
	{ VOA_SET_ENABLE, "OUTP{k}:STAT {i}", 0 },
	{ VOA_GET_ENABLE, "OUTP{k}:STAT?", 0 },
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
	.model_chans = chans,
	.slot_stride = 2,
};
