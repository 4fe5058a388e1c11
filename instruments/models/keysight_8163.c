// SPDX-License-Identifier: MIT
/* Keysight (Agilent, HP) 8163A/B and 8164A/B mainframes: VOA modules
 * (8156x/8157x, 81566A-81577A) and power sensors (81630/81634/81635) in
 * slots, addressed as :INP[n][:CHAN[m]] / :SENS[n][:CHAN[m]]
 * (8163A/B, 8164A/B & 8166A/B Mainframes Programming Guide, "Signal
 * Conditioning", "Measurement Functions"). A station's channel n of a
 * mainframe without #slot= is the module in slot n (instr_channel).
 * Attenuation alpha = alpha_filter + alpha_offset: the front end subtracts
 * :INP:OFFS? so attenuation means the filter's. */
#include "instruments/instr.h"

static const char *const vendors[] = {
	"Keysight Technologies", "Agilent Technologies", "Hewlett-Packard", NULL,
};
static const char *const models[] = { "8163A", "8163B", "8164A", "8164B", NULL };
/* module slots: two in an 8163, four in an 8164 (the 8164's laser slot 0
 * holds no VOA or sensor) */
static const unsigned slots[] = { 2, 2, 4, 4 };

static const struct scpi_command cmds[] = {
	{ VOA_SET_ATT, ":INP{s}:CHAN{c}:ATT {v}DB", 0 },
	{ VOA_GET_ATT, ":INP{s}:CHAN{c}:ATT?", 0 },
	{ VOA_GET_OFFSET, ":INP{s}:CHAN{c}:OFFS?", 0 },
	{ VOA_SET_WAV, ":INP{s}:CHAN{c}:WAV {v}NM", 0 },
	{ VOA_GET_WAV, ":INP{s}:CHAN{c}:WAV?", 1e9 },
	{ VOA_SET_ENABLE, ":OUTP{s}:CHAN{c}:STAT {i}", 0 },
	{ VOA_GET_ENABLE, ":OUTP{s}:CHAN{c}:STAT?", 0 },
	{ OPM_SET_WAV, ":SENS{s}:CHAN{c}:POW:WAV {v}NM", 0 },
	{ OPM_GET_WAV, ":SENS{s}:CHAN{c}:POW:WAV?", 1e9 },
	{ OPM_SET_ATIME, ":SENS{s}:CHAN{c}:POW:ATIM {v}S", 0 },
	{ OPM_SET_AUTORANGE, ":SENS{s}:CHAN{c}:POW:RANG:AUTO {i}", 0 },
	{ OPM_SET_RANGE, ":SENS{s}:CHAN{c}:POW:RANG {v}DBM", 0 },
	{ OPM_SET_UNIT_DBM, ":SENS{s}:CHAN{c}:POW:UNIT 0", 0 },
	{ OPM_READ, ":READ{s}:CHAN{c}:POW?", 0 },
	{ 0, NULL, 0 },
};

const struct instr_model instr_keysight_8163 = {
	.name = "keysight-8163",
	.summary = "Keysight 8163A/B, 8164A/B: VOA modules (81577A ...), sensors (81634B ...)",
	.kinds = INSTR_VOA | INSTR_OPM,
	.vendors = vendors,
	.models = models,
	.cmds = cmds,
	.slot_addressing = true,
	.max_chan = 4,
	.model_chans = slots,
};
