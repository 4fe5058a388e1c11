// SPDX-License-Identifier: MIT
/* Keysight emulators (8163A/B, 8164A/B & 8166A/B Mainframes Programming
 * Guide; Keysight N77xx Series Programming Guide):
 *  - 8164B mainframe with 81577A VOA modules, one channel per slot:
 *    :INP[n][:CHAN[m]]:ATT <dB> (alpha = alpha_filter + alpha_offset),
 *    :INP[n]:OFFS, :INP[n]:WAV, :OUTP[n][:CHAN[m]][:STAT] (shutter);
 *  - 8163B mainframe with 81634B power sensors, one channel per slot:
 *    :SENS[n][:CHAN[m]]:POW:WAV, :POW:ATIM, :POW:RANG[:UPP] (10 dB steps),
 *    :POW:RANG:AUTO, :POW:UNIT 0/1, :READ[n][:CHAN[m]]:POW? (self-triggering:
 *    the reply comes after the averaging time), :FETC...:POW? (last value),
 *    :READ:POW:ALL:CONF? (a binary block listing slot/channel pairs);
 *  - N7764A 4-channel / N7752A 2-channel VOAs (Keysight N77xx Series
 *    Programming Guide, "Slot numbering", pp. 20-21): attenuator k
 *    occupies slots 2k-1 and 2k (the attenuator and its power monitor), so
 *    INP(2k-1) and INP(2k) both address it; a slot past the last
 *    attenuator (an N7752A's meters in 5 and 6, or none) is -114 Header
 *    suffix out of range. INP{n}:ATT, INP{n}:OFFS, INP{n}:WAV,
 *    OUTP{n}:STAT. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bert/core/units.h"
#include "instruments/sim/emu_internal.h"

/* Keysight's float replies: "+1.33555600E-006", sign, nine digits, a
 * three-digit exponent (8163A/B, 8164A/B & 8166A/B Mainframes Programming
 * Guide, :READ:POWer:ALL? example; the N77xx answer alike). */
static const struct emu_unit db_units[] = { { "DB", 1.0 }, { NULL, 0 } };
static const struct emu_unit dbm_units[] = { { "DBM", 1.0 }, { NULL, 0 } };
static const struct emu_unit s_units[] = {
	{ "S", 1.0 }, { "MS", 1e-3 }, { "US", 1e-6 }, { NULL, 0 },
};

/* ---- VOA (81577A in an 8164B, and the N77xx) ---- */

static int voa_ch(struct scpi_emu *e, const struct emu_call *c)
{
	return emu_ch_index(e, c, 0, 1);
}

/* N77xx: two slots per attenuator. */
static int n77_ch(struct scpi_emu *e, const struct emu_call *c)
{
	unsigned slot = c->sfx[0];

	if (slot < 1 || slot > 2 * e->nch || c->sfx[1] != 1) {
		emu_error(e, EMU_E_HEADER_SUFFIX);
		return -1;
	}
	return (int)(slot - 1) / 2;
}

static int voa_chan(struct scpi_emu *e, const struct emu_call *c)
{
	return e->m->slot_addressing ? voa_ch(e, c) : n77_ch(e, c);
}

static void voa_att(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = voa_chan(e, c);
	double v;

	if (ch < 0)
		return;
	if (c->query && c->nargs) {
		/* ATT? MIN|DEF|MAX: the factor where the filter is at 0 dB (MIN,
		 * DEF) or at its greatest (MAX) (8163A/B, 8164A/B & 8166A/B
		 * Mainframes Programming Guide, "Signal Conditioning") */
		if (!strncasecmp(c->args[0], "MIN", 3) || !strncasecmp(c->args[0], "DEF", 3))
			emu_reply_real(e, e->now, e->ch[ch].offset);
		else if (!strncasecmp(c->args[0], "MAX", 3))
			emu_reply_real(e, e->now, e->m->att_max_db + e->ch[ch].offset);
		else
			emu_error(e, EMU_E_ILLEGAL_VALUE);
		return;
	}
	if (c->query) {
		emu_reply_real(e, e->now, e->ch[ch].att_disp);
		return;
	}
	if (emu_arg_number(e, c, 0, db_units, e->ch[ch].offset,
			   e->m->att_max_db + e->ch[ch].offset, e->ch[ch].offset, &v))
		emu_voa_set_att(e, (unsigned)ch, v);
}

static void voa_offs(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = voa_chan(e, c);
	double v, filt;

	if (ch < 0)
		return;
	if (c->query) {
		emu_reply_real(e, e->now, e->ch[ch].offset);
		return;
	}
	if (!emu_arg_number(e, c, 0, db_units, -200, 200, 0, &v))
		return;
	/* The filter stays put; the displayed attenuation moves with the
	 * offset (alpha = alpha_filter + alpha_offset). */
	filt = e->ch[ch].att_disp - e->ch[ch].offset;
	e->ch[ch].offset = v;
	e->ch[ch].att_disp = filt + v;
}

static void voa_wav(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = voa_chan(e, c);
	double nm;

	if (ch < 0)
		return;
	if (c->query) {
		emu_reply_real(e, e->now, e->ch[ch].wl_nm * 1e-9);
		return;
	}
	if (emu_arg_wavelength(e, c, 0, &nm)) {
		e->ch[ch].wl_nm = nm;
		emu_voa_apply(e, (unsigned)ch);	/* accuracy depends on it */
		emu_voa_settle(e);
	}
}

static void voa_stat(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = voa_chan(e, c);
	bool on;

	if (ch < 0)
		return;
	if (c->query) {
		emu_reply(e, e->now, "%d", e->ch[ch].enabled ? 1 : 0);
		return;
	}
	if (emu_arg_bool(e, c, 0, &on)) {
		e->ch[ch].enabled = on;
		emu_voa_apply(e, (unsigned)ch);
		emu_voa_settle(e);
	}
}

static void slot_idn(struct scpi_emu *e, const struct emu_call *c)
{
	unsigned slot = c->sfx[0];

	if (slot < 1 || slot > e->nch) {
		emu_reply_bytes(e, e->now, "", 0);	/* empty slot */
		return;
	}
	emu_reply(e, e->now, "Keysight Technologies,%s,%s-%u,1.0",
		  e->m->kind == EMU_VOA ? "81577A" : "81634B", e->serial, slot);
}

static const struct emu_cmd k8164_voa_cmds[] = {
	{ ":INPut#[:CHANnel#]:ATTenuation", voa_att, 0 },
	{ ":INPut#[:CHANnel#]:ATTenuation?", voa_att, 1 },
	{ ":INPut#[:CHANnel#]:OFFSet", voa_offs, 0 },
	{ ":INPut#[:CHANnel#]:OFFSet?", voa_offs, 0 },
	{ ":INPut#[:CHANnel#]:WAVelength", voa_wav, 0 },
	{ ":INPut#[:CHANnel#]:WAVelength?", voa_wav, 0 },
	{ ":OUTPut#[:CHANnel#][:STATe]", voa_stat, 0 },
	{ ":OUTPut#[:CHANnel#][:STATe]?", voa_stat, 0 },
	{ ":SLOT#:IDN?", slot_idn, 0 },
	{ NULL, NULL, 0 },
};

/* No CHANnel node: an N77xx addresses its attenuators by slot alone
 * (Keysight N77xx Series Programming Guide, "Slot numbering"). */
static const struct emu_cmd n77xx_cmds[] = {
	{ ":INPut#:ATTenuation", voa_att, 0 },
	{ ":INPut#:ATTenuation?", voa_att, 1 },
	{ ":INPut#:OFFSet", voa_offs, 0 },
	{ ":INPut#:OFFSet?", voa_offs, 0 },
	{ ":INPut#:WAVelength", voa_wav, 0 },
	{ ":INPut#:WAVelength?", voa_wav, 0 },
	{ ":OUTPut#[:STATe]", voa_stat, 0 },
	{ ":OUTPut#[:STATe]?", voa_stat, 0 },
	{ NULL, NULL, 0 },
};

/* ---- power sensors (81634B in an 8163B) ---- */

static int pm_ch(struct scpi_emu *e, const struct emu_call *c)
{
	return emu_ch_index(e, c, 0, 1);
}

static void pm_wav(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = pm_ch(e, c);
	double nm;

	if (ch < 0)
		return;
	if (c->query)
		emu_reply_real(e, e->now, e->ch[ch].wl_nm * 1e-9);
	else if (emu_arg_wavelength(e, c, 0, &nm))
		e->ch[ch].wl_nm = nm;
}

static void pm_atim(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = pm_ch(e, c);
	double s;

	if (ch < 0)
		return;
	if (c->query)
		emu_reply_real(e, e->now, e->ch[ch].atim_s);
	else if (emu_arg_number(e, c, 0, s_units, 100e-6, 10.0, 0.1, &s))
		e->ch[ch].atim_s = s;
}

static void pm_rang(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = pm_ch(e, c);
	double r;

	if (ch < 0)
		return;
	if (c->query) {
		emu_reply_real(e, e->now, e->ch[ch].range_dbm);
		return;
	}
	if (!emu_arg_number(e, c, 0, dbm_units, e->m->range_min_dbm, e->m->range_max_dbm,
			    0, &r))
		return;
	/* the sensor ranges in 10 dB steps: round up to the next one */
	e->ch[ch].range_dbm = ceil(r / 10.0 - 1e-9) * 10.0;
	e->ch[ch].autorange = false;
}

static void pm_rang_auto(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = pm_ch(e, c);
	bool on;

	if (ch < 0)
		return;
	if (c->query)
		emu_reply(e, e->now, "%d", e->ch[ch].autorange ? 1 : 0);
	else if (emu_arg_bool(e, c, 0, &on))
		e->ch[ch].autorange = on;
}

static void pm_unit(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = pm_ch(e, c);

	if (ch < 0)
		return;
	if (c->query) {
		emu_reply(e, e->now, "%d", e->ch[ch].unit_watt ? 1 : 0);
		return;
	}
	if (c->nargs < 1) {
		emu_error(e, EMU_E_MISSING_PARAM);
	} else if (!strcmp(c->args[0], "0") || !strcasecmp(c->args[0], "DBM")) {
		e->ch[ch].unit_watt = false;
	} else if (!strcmp(c->args[0], "1") || !strcasecmp(c->args[0], "W") ||
		   !strcasecmp(c->args[0], "WATT")) {
		e->ch[ch].unit_watt = true;
	} else {
		emu_error(e, EMU_E_ILLEGAL_VALUE);
	}
}

static void pm_read(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = pm_ch(e, c);
	uint64_t ready;
	double mw;
	bool ok;

	if (ch < 0)
		return;
	ok = emu_meter_measure(e, (unsigned)ch, e->ch[ch].atim_s, &mw, &ready);
	emu_meter_reply(e, (unsigned)ch, mw, ok, ready);
}

static void pm_fetch(struct scpi_emu *e, const struct emu_call *c)
{
	int ch = pm_ch(e, c);

	if (ch < 0)
		return;
	emu_meter_reply(e, (unsigned)ch, e->ch[ch].last_mw, true, e->now);
}

/* :READ:POW:ALL:CONF? -- a definite-length block of (slot, channel) pairs,
 * 16-bit little endian each, one pair per sensor channel. */
static void pm_all_conf(struct scpi_emu *e, const struct emu_call *c)
{
	uint8_t buf[8 + 4 * EMU_MAX_CH];
	unsigned i, n = 4 * e->nch;
	size_t h;

	(void)c;
	h = (size_t)snprintf((char *)buf, sizeof(buf), "#%u%u", n >= 10 ? 2u : 1u, n);
	for (i = 0; i < e->nch; i++) {
		buf[h + 4 * i] = (uint8_t)(i + 1);
		buf[h + 4 * i + 1] = 0;
		buf[h + 4 * i + 2] = 1;
		buf[h + 4 * i + 3] = 0;
	}
	emu_reply_bytes(e, e->now, buf, h + n);
}

static const struct emu_cmd k8163_pm_cmds[] = {
	{ ":SENSe#[:CHANnel#]:POWer:WAVelength", pm_wav, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:WAVelength?", pm_wav, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:ATIMe", pm_atim, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:ATIMe?", pm_atim, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:RANGe[:UPPer]", pm_rang, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:RANGe[:UPPer]?", pm_rang, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:RANGe:AUTO", pm_rang_auto, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:RANGe:AUTO?", pm_rang_auto, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:UNIT", pm_unit, 0 },
	{ ":SENSe#[:CHANnel#]:POWer:UNIT?", pm_unit, 0 },
	{ ":READ:POWer:ALL:CONFig?", pm_all_conf, 0 },
	{ ":READ#[:CHANnel#][:SCALar]:POWer[:DC]?", pm_read, 0 },
	{ ":FETCh#[:CHANnel#][:SCALar]:POWer[:DC]?", pm_fetch, 0 },
	{ ":SLOT#:IDN?", slot_idn, 0 },
	{ NULL, NULL, 0 },
};

const struct emu_model emu_keysight_8164b = {
	.name = "keysight-8164b-81577a",
	.summary = "Keysight 8164B mainframe, 81577A VOA modules (one per slot)",
	.kind = EMU_VOA,
	.vendor = "Keysight Technologies", .model = "8164B",
	.max_ch = 4, .att_max_db = 60.0, .settle_s = 0.1,
	.wl_min_nm = 1200, .wl_max_nm = 1700,
	.slot_addressing = true,
	.real_816x = true,
	.cmds = k8164_voa_cmds,
};

const struct emu_model emu_keysight_8163b = {
	.name = "keysight-8163b-81634b",
	.summary = "Keysight 8163B mainframe, 81634B power sensors (one per slot)",
	.kind = EMU_OPM,
	.vendor = "Keysight Technologies", .model = "8163B",
	.max_ch = 2,
	.wl_min_nm = 800, .wl_max_nm = 1700,
	.range_min_dbm = -70, .range_max_dbm = 10, .floor_mw = 1e-10,
	.slot_addressing = true,
	.real_816x = true,
	.cmds = k8163_pm_cmds,
};

const struct emu_model emu_keysight_n7764a = {
	.name = "keysight-n7764a",
	.summary = "Keysight N7764A 4-channel VOA",
	.kind = EMU_VOA,
	.vendor = "Keysight Technologies", .model = "N7764A",
	.max_ch = 4, .att_max_db = 45.0, .settle_s = 0.05,
	.wl_min_nm = 1260, .wl_max_nm = 1640,
	.cmds = n77xx_cmds,
	.real_816x = true,
};

const struct emu_model emu_keysight_n7752a = {
	.name = "keysight-n7752a",
	.summary = "Keysight N7752A 2-channel VOA",
	.kind = EMU_VOA,
	.vendor = "Keysight Technologies", .model = "N7752A",
	.max_ch = 2, .att_max_db = 40.0, .settle_s = 0.05,
	.wl_min_nm = 1260, .wl_max_nm = 1640,
	.cmds = n77xx_cmds,
	.real_816x = true,
};
