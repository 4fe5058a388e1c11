// SPDX-License-Identifier: MIT
/* The SCPI emulators against their vendors' programming guides: for every
 * emulated model, forms the manual accepts and forms a real instrument
 * refuses, each with the error it queues for SYST:ERR? (and no reply), the
 * reply format, and the slot/channel addressing seen at the plant. Each
 * case names the guide and section it comes from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "common.h"
#include "instruments/sim/scpi_emu.h"

/* ---- a plant that records what the emulators did ---- */

static struct {
	double voa_db[9];
	unsigned route[65];
	const char *model;
} plant;

static int p_voa_set(void *ctx, const char *instr, unsigned ch, double db)
{
	(void)ctx;
	(void)instr;
	if (ch < 9)
		plant.voa_db[ch] = db;
	return BERT_OK;
}

static int p_voa_enable(void *ctx, const char *instr, unsigned ch, bool on)
{
	(void)ctx;
	(void)instr;
	(void)ch;
	(void)on;
	return BERT_OK;
}

static int p_route(void *ctx, const char *instr, unsigned in, unsigned out)
{
	(void)ctx;
	(void)instr;
	plant.route[in] = out;
	return BERT_OK;
}

static int p_route_get(void *ctx, const char *instr, unsigned in, unsigned *out)
{
	(void)ctx;
	(void)instr;
	*out = plant.route[in];
	return BERT_OK;
}

static int p_meter(void *ctx, const char *instr, unsigned ch, double *mw)
{
	(void)ctx;
	(void)instr;
	(void)ch;
	*mw = 0.1;
	return BERT_OK;
}

static const char *p_get(void *ctx, const char *instr, const char *key)
{
	(void)ctx;
	(void)instr;
	if (!strcmp(key, "emulate"))
		return plant.model;
	if (!strcmp(key, "accuracy_db") || !strcmp(key, "noise"))
		return "0";
	if (!strcmp(key, "outputs"))
		return "4";
	if (!strcmp(key, "inputs"))
		return "8";
	return NULL;
}

static const struct emu_plant_ops ops = {
	.voa_set = p_voa_set, .voa_enable = p_voa_enable, .switch_route = p_route,
	.switch_get = p_route_get, .meter_input_mw = p_meter, .get = p_get,
};

struct gcase {
	const char *model;
	const char *cmd;	/* may be several units joined with ';' */
	int err;		/* SCPI error expected in SYST:ERR?, 0 = none */
	const char *reply;	/* expected reply (prefix), NULL = none at all */
	const char *why;	/* guide and section */
};

#define K8164 "keysight-8164b-81577a"
#define K8163 "keysight-8163b-81634b"
#define N7764 "keysight-n7764a"
#define N7752 "keysight-n7752a"
#define FVA   "exfo-fva3150"
#define PM100 "thorlabs-pm100d"
#define OSW   "scpi-switch"
#define KG    "8163A/B, 8164A/B & 8166A/B Mainframes Programming Guide"
#define NG    "N77xx Series Programming Guide"
#define FG    "EXFO FVA-3150 User Manual"
#define TG    "Thorlabs PM100D Operation Manual"
#define SCPI  "SCPI 1999 vol. 1 ch. 6 / vol. 2 ch. 21"

static const struct gcase cases[] = {
	/* Keysight 8164B + 81577A: :INPut[n][:CHANnel[m]]:ATTenuation */
	{ K8164, ":INPut2:CHANnel1:ATTenuation 10dB", 0, NULL, KG ", Signal Conditioning: long form" },
	{ K8164, "inp2:att 10", 0, NULL, KG ", Signal Conditioning: short form, any case" },
	{ K8164, "INP2:ATT 10;INP2:ATT?", 0, "+1.00000000E+001", SCPI ": ';' joins units" },
	{ K8164, "INP2:ATT MAX;INP2:ATT?", 0, "+6.00000000E+001", KG ": MAX = filter at its greatest" },
	{ K8164, "INP2:ATT? MIN", 0, "+0.00000000E+000", KG ": ATT? MIN|DEF|MAX" },
	{ K8164, "INP2:ATT? 5", -224, NULL, KG ": ATT? takes only MIN|DEF|MAX" },
	{ K8164, "INP:ATT 3;INP1:ATT?", 0, "+3.00000000E+000", KG ": [n] omitted = 1" },
	{ K8164, "INP2:ATTEN 5", -113, NULL, KG ": neither the short nor the long form" },
	{ K8164, "INP2:ATT 99", -222, NULL, KG ": beyond the module's range" },
	{ K8164, "INP2:ATT 5XY", -131, NULL, SCPI ": unit suffix dB only" },
	{ K8164, "INP2:ATT abc", -104, NULL, SCPI ": numeric expected" },
	{ K8164, "INP2:ATT", -109, NULL, SCPI ": missing parameter" },
	{ K8164, "INP2:ATT 5,6", -108, NULL, SCPI ": one parameter" },
	{ K8164, "INP9:ATT 5", -114, NULL, KG ": no slot 9" },
	{ K8164, "INP2:CHAN2:ATT 5", -114, NULL, KG ": one channel per 81577A" },
	{ K8164, "INP2::ATT 5", -102, NULL, SCPI ": empty node" },
	{ K8164, "INP2:ATT$ 5", -102, NULL, SCPI ": not a mnemonic character" },
	{ K8164, "INP2:ATT:", -102, NULL, SCPI ": trailing colon" },
	{ K8164, "INP2:ATTENUATIONXYZ 5", -112, NULL, SCPI ": mnemonic longer than 12" },
	{ K8164, "*RST 5", -108, NULL, "IEEE 488.2 10.32: *RST takes no parameter" },
	{ K8164, "*IDN", -113, NULL, "IEEE 488.2 10.14: *IDN is a query only" },
	{ K8164, "*IDN?", 0, "Keysight Technologies,8164B,", "IEEE 488.2 10.14" },
	{ K8164, "INP2:ATT 0.125;INP2:ATT?", 0, "+1.25000000E-001", KG ": float replies as +1.33555600E-006" },
	{ K8164, ":OUTP2:STAT 0;:OUTP2?", 0, "0", KG ": [:STATe] optional" },
	{ K8164, ":INP2:WAV 1550NM;:INP2:WAV?", 0, "+1.55000000E-006", KG ": wavelength in m" },
	{ K8164, ":INP2:WAV 1100NM", -222, NULL, KG ": 81577A wavelength range" },
	/* 8163B + 81634B: :SENSe[n][:CHANnel[m]]:POWer:... */
	{ K8163, ":SENS1:POW:ATIM 200MS;:SENS1:POW:ATIM?", 0, "+2.00000000E-001", KG ", Measurement Operations: ATIM units" },
	{ K8163, ":SENS1:POW:RANG -25DBM;:SENS1:POW:RANG?", 0, "-2.00000000E+001", KG ": ranges in 10 dB steps" },
	{ K8163, ":SENS1:POW:UNIT 0;:READ1:POW?", 0, "-1.00000000E+001", KG ": READ self-triggers" },
	{ K8163, ":SENS1:POW:UNIT 2", -224, NULL, KG ": UNIT 0|1 (dBm|W)" },
	{ K8163, ":SENSe3:POW:ATIM 1", -114, NULL, KG ": two slots" },
	/* N7764A: attenuator k in slots 2k-1 and 2k, no CHANnel node */
	{ N7764, "INP1:ATT 5", 0, NULL, NG ", Slot numbering: attenuator 1 = slot 1" },
	{ N7764, "INP7:ATT 5", 0, NULL, NG ", Slot numbering: attenuator 4 = slot 7" },
	{ N7764, "INP8:ATT 5", 0, NULL, NG ", Slot numbering: slot 8 = attenuator 4" },
	{ N7764, "INP5:ATT 7;INP6:ATT?", 0, "+7.00000000E+000", NG ", Slot numbering: 5 and 6 are one attenuator" },
	{ N7764, "INP9:ATT 5", -114, NULL, NG ", Slot numbering: 4 attenuators, slots 1-8" },
	{ N7764, "INP1:CHAN1:ATT 5", -113, NULL, NG ": slots only, no CHANnel node" },
	{ N7764, "INP1:ATT 46", -222, NULL, NG ": 45 dB range" },
	{ N7764, "INP3:ATT? MAX", 0, "+4.50000000E+001", NG ": ATT? MIN|DEF|MAX" },
	/* N7752A: attenuators in slots 1-4, power meters in 5 and 6 */
	{ N7752, "INP3:ATT 5", 0, NULL, NG ", Slot numbering: attenuator 2 = slot 3" },
	{ N7752, "INP5:ATT 5", -114, NULL, NG ", Slot numbering: slot 5 is a power meter" },
	/* EXFO FVA-3150: upper-case short keywords only */
	{ FVA, "INP:ATT 10", 0, NULL, FG ", Command Structure" },
	{ FVA, "OUTP 1", 0, NULL, FG ", Command Structure: OUTP[:STAT]" },
	{ FVA, "OUTP:STAT 0;OUTP:STAT?", 0, "0", FG ", Command Structure" },
	{ FVA, "INPut:ATTenuation 10", -113, NULL, FG ", Command Structure: keywords UPPERCASE short" },
	{ FVA, "inp:att 10", -113, NULL, FG ", Command Structure: keywords UPPERCASE" },
	{ FVA, "INP:ATT 12.5;ATT?", 0, "12.500", FG ", ATTenuation?: \"99.999\" in dB" },
	{ FVA, "ATT? MIN", 0, "0.000", FG ", ATTenuation?: MIN" },
	{ FVA, "ATT? 3", -224, NULL, FG ", ATTenuation?: MIN or MAX" },
	{ FVA, "INP2:ATT 3", -113, NULL, FG ": one attenuator, no suffix" },
	/* Thorlabs PM100D */
	{ PM100, "*IDN?", 0, "THORLABS,PM100D,", TG ", *IDN?: THORLABS,MMM,SSS,X.X.X" },
	{ PM100, "sense:correction:wavelength 1310", 0, NULL, TG ", command format: long form, any case" },
	{ PM100, "CORR:WAV 1550;CORR:WAV?", 0, "1550.0", TG ", command format: [SENSe] optional" },
	{ PM100, "CORR:WAV? MAX", 0, "1700.0", TG ", SENSe:CORRection:WAVelength? [MIN|MAX]" },
	{ PM100, "CORR:WAVE 1550", -113, NULL, TG ", command format: CUR and CURREN generate an error" },
	{ PM100, "SENS:POW:DC:UNIT XYZ", -224, NULL, TG ", POWer:DC:UNIT W|DBM" },
	{ PM100, "SENS:POW:DC:UNIT DBM;MEAS:POW?", 0, "-1.0000E+01", TG ", MEASure:POWer?" },
	{ PM100, "SENS:AVER:COUN 0", -222, NULL, TG ", AVERage:COUNt >= 1" },
	/* bert's own switch dialect (instruments/README.md) */
	{ OSW, "ROUT1 2;ROUT1?", 0, "2", "instruments/README.md, scpi-switch" },
	{ OSW, "ROUT9 1", -114, NULL, "scpi-switch: inputs 1..8" },
	{ OSW, "ROUT1 5", -222, NULL, "scpi-switch: outputs 1..4" },
};

static struct scpi_emu *make(const char *model, struct bert_clock *clock)
{
	struct emu_plant p = { .ops = &ops, .ctx = NULL, .clock = clock };
	struct scpi_emu *e;

	memset(&plant, 0, sizeof(plant));
	plant.model = model;
	ck_assert_msg(scpi_emu_new(&p, "dut", &e) == BERT_OK, "%s: %s", model,
		      bert_error_detail());
	return e;
}

static bool take(struct scpi_emu *e, char *buf, size_t size)
{
	size_t n;

	if (!scpi_emu_output(e, UINT64_MAX, (uint8_t *)buf, size - 1, &n))
		return false;
	buf[n] = '\0';
	return true;
}

START_TEST(test_grammar)
{
	const struct gcase *c = &cases[_i];
	struct bert_clock *clock = bert_clock_virtual_new();
	struct scpi_emu *e = make(c->model, clock);
	struct scpi_emu_stats st;
	char buf[256];
	int code;

	scpi_emu_input(e, c->cmd);
	if (c->reply) {
		ck_assert_msg(take(e, buf, sizeof(buf)), "%s '%s': no reply (%s)", c->model,
			      c->cmd, c->why);
		ck_assert_msg(!strncmp(buf, c->reply, strlen(c->reply)),
			      "%s '%s': '%s', want '%s' (%s)", c->model, c->cmd, buf, c->reply,
			      c->why);
	}
	ck_assert_msg(!take(e, buf, sizeof(buf)), "%s '%s': unexpected reply '%s' (%s)",
		      c->model, c->cmd, buf, c->why);
	scpi_emu_input(e, "SYST:ERR?");
	ck_assert(take(e, buf, sizeof(buf)));
	code = atoi(buf);
	ck_assert_msg(code == c->err, "%s '%s': SYST:ERR? '%s', want %d (%s)", c->model,
		      c->cmd, buf, c->err, c->why);
	scpi_emu_stats(e, &st);
	ck_assert_uint_eq(st.protocol_errors, c->err ? 1 : 0);
	scpi_emu_free(e);
	bert_clock_free(clock);
}
END_TEST

/* What reaches the plant: the N7764A's INP(2k-1) is attenuator k, the
 * 8164B's INP(n) the module in slot n. */
START_TEST(test_addressing)
{
	static const struct { const char *model, *cmd; unsigned ch; } a[] = {
		{ N7764, "INP1:ATT 11", 1 }, { N7764, "INP3:ATT 11", 2 },
		{ N7764, "INP5:ATT 11", 3 }, { N7764, "INP7:ATT 11", 4 },
		{ N7764, "INP8:ATT 11", 4 }, { N7752, "INP3:ATT 11", 2 },
		{ K8164, "INP3:ATT 11", 3 }, { K8164, "INP4:CHAN1:ATT 11", 4 },
	};
	struct bert_clock *clock = bert_clock_virtual_new();
	unsigned i, k;

	for (i = 0; i < ARRAY_SIZE(a); i++) {
		struct scpi_emu *e = make(a[i].model, clock);

		scpi_emu_input(e, a[i].cmd);
		for (k = 1; k <= 4; k++)
			ck_assert_msg(plant.voa_db[k] == (k == a[i].ch ? 11 : 0),
				      "%s '%s': channel %u at %g dB", a[i].model, a[i].cmd, k,
				      plant.voa_db[k]);
		scpi_emu_free(e);
	}
	bert_clock_free(clock);
}
END_TEST

Suite *suite_emu_grammar(void)
{
	Suite *s = suite_create("emu_grammar");
	TCase *tc = tcase_create("manuals");

	tcase_add_loop_test(tc, test_grammar, 0, ARRAY_SIZE(cases));
	tcase_add_test(tc, test_addressing);
	suite_add_tcase(s, tc);
	return s;
}
