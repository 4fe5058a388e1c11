// SPDX-License-Identifier: MIT
/* Thorlabs PM100D / PM100A / PM101 consoles, usually over USBTMC:
 * sense:corr:wav <nm>, power:dc:unit DBM, measure:power?, the range in W
 * and averaging as a sample count (Thorlabs PM100D Operation Manual, "PM100D
 * SCPI Commands"). */
#include "instruments/instr.h"

static const char *const vendors[] = { "Thorlabs", NULL };
static const char *const models[] = { "PM100D", "PM100A", "PM101", NULL };

static const struct scpi_command cmds[] = {
	{ OPM_SET_WAV, "SENS:CORR:WAV {v}", 0 },
	{ OPM_GET_WAV, "SENS:CORR:WAV?", 0 },
	{ OPM_SET_AVG_COUNT, "SENS:AVER:COUN {i}", 0 },
	{ OPM_SET_AUTORANGE, "SENS:POW:DC:RANG:AUTO {i}", 0 },
	{ OPM_SET_RANGE, "SENS:POW:DC:RANG {w}", 0 },
	{ OPM_SET_UNIT_DBM, "SENS:POW:DC:UNIT DBM", 0 },
	{ OPM_READ, "MEAS:POW?", 0 },
	{ 0, NULL, 0 },
};

const struct instr_model instr_thorlabs_pm100d = {
	.name = "thorlabs-pm100d",
	.summary = "Thorlabs PM100D/PM100A/PM101 power meter console",
	.kinds = INSTR_OPM,
	.vendors = vendors,
	.models = models,
	.cmds = cmds,
	.max_chan = 1,
	.avg_sample_s = 0.003,
};
