/* SPDX-License-Identifier: MIT */
/* Private to the SCPI emulators: the engine state the model tables act on. */
#ifndef BERT_INSTRUMENTS_SIM_EMU_INTERNAL_H
#define BERT_INSTRUMENTS_SIM_EMU_INTERNAL_H

#include "instruments/sim/scpi_emu.h"

#define EMU_MAX_CH 64
#define EMU_MAX_ARGS 8
#define EMU_MAX_SFX 4
#define EMU_OUTQ 16
#define EMU_ERRQ 30		/* error queue depth, then -350 */

/* SCPI error codes (SCPI 1999 vol. 2, chapter 21). */
#define EMU_E_UNDEFINED_HEADER  -113, "Undefined header"
#define EMU_E_MISSING_PARAM     -109, "Missing parameter"
#define EMU_E_PARAM_NOT_ALLOWED -108, "Parameter not allowed"
#define EMU_E_DATA_TYPE         -104, "Data type error"
#define EMU_E_ILLEGAL_VALUE     -224, "Illegal parameter value"
#define EMU_E_OUT_OF_RANGE      -222, "Data out of range"
#define EMU_E_HEADER_SUFFIX     -114, "Header suffix out of range"
#define EMU_E_SYNTAX            -102, "Syntax error"
#define EMU_E_MNEMONIC_LONG     -112, "Program mnemonic too long"
#define EMU_E_INVALID_SUFFIX    -131, "Invalid suffix"

struct emu_call {
	unsigned sfx[EMU_MAX_SFX];	/* numeric suffixes, 1 when omitted */
	const char *args[EMU_MAX_ARGS];
	unsigned nargs;
	bool query;
};

/* A command: pattern in SCPI notation, upper case = short form,
 * '#' = numeric suffix, [..] = optional node, '?' at the end = query.
 * e.g. ":INPut#[:CHANnel#]:ATTenuation?" */
struct emu_cmd {
	const char *pattern;
	void (*fn)(struct scpi_emu *e, const struct emu_call *c);
	/* parameters it takes at most; 0 = the form's default: one for a
	 * command, none for a query (more: -108 Parameter not allowed). A
	 * query taking MIN|MAX|DEF says 1. */
	unsigned max_args;
};

struct emu_model {
	const char *name;		/* "keysight-8163" */
	const char *summary;
	enum emu_kind kind;
	const char *vendor, *model;	/* *IDN? fields */
	unsigned max_ch;		/* channels it can have */
	double att_max_db;		/* VOA range */
	double settle_s;		/* VOA / switch settling */
	double wl_min_nm, wl_max_nm;
	double range_min_dbm, range_max_dbm;	/* meter manual range */
	double floor_mw;		/* meter noise floor */
	bool slot_addressing;		/* channel = slot (8163/8164) */
	bool upper_short_only;		/* keywords in upper-case short form only */
	bool real_816x;			/* float replies as "+1.33555600E-006" */
	const struct emu_cmd *cmds;
};

struct emu_ch {
	double att_disp;	/* displayed attenuation = filter + offset, dB */
	double offset;		/* user offset, dB */
	double wl_nm;
	bool enabled;
	/* meter */
	double atim_s;
	double range_dbm;
	bool autorange;
	bool unit_watt;
	double last_mw;
	unsigned aver_count;
	/* switch: output port of input ch */
	unsigned route;
};

struct emu_out {
	uint64_t ready;
	size_t len;
	uint8_t data[256];
};

struct scpi_emu {
	const struct emu_model *m;
	struct emu_plant plant;
	char instr[64];
	char serial[32];
	char idn[128];		/* `idn` key: replaces the *IDN? reply */
	unsigned nch, ports;
	double accuracy_db;	/* VOA setting error bound */
	double noise_rel;	/* meter noise, relative, at 100 ms averaging */
	double settle_s;
	double cal_db;		/* EXFO: what ATT? adds over INP:ATT? */
	uint64_t seed, rng;
	enum emu_fault fault;
	uint64_t now;		/* time of the message being processed */
	uint64_t busy_until;	/* settling in progress */
	struct emu_ch ch[EMU_MAX_CH];
	int errq_code[EMU_ERRQ];
	char errq_text[EMU_ERRQ][64];
	unsigned nerr;
	struct emu_out out[EMU_OUTQ];
	unsigned out_head, out_n;
	struct scpi_emu_stats stats;
};

extern const struct emu_model emu_keysight_8163b;
extern const struct emu_model emu_keysight_8164b;
extern const struct emu_model emu_keysight_n7764a;
extern const struct emu_model emu_keysight_n7752a;
extern const struct emu_model emu_exfo_fva3150;
extern const struct emu_model emu_thorlabs_pm100d;
extern const struct emu_model emu_scpi_switch;

/* For the model tables. */
void emu_error(struct scpi_emu *e, int code, const char *text);
void emu_reply(struct scpi_emu *e, uint64_t ready, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void emu_reply_bytes(struct scpi_emu *e, uint64_t ready, const void *data, size_t len);
/* A float reply in the model's number format (real_816x, else %+.6E). */
void emu_reply_real(struct scpi_emu *e, uint64_t ready, double v);
/* Channel index 0.. from the call's suffixes (slot or channel); reports
 * -114 and returns -1 when out of range. */
int emu_ch_index(struct scpi_emu *e, const struct emu_call *c, unsigned sfx_slot,
		 unsigned sfx_chan);
/* Argument parsers: false (and -104/-109/-224 queued) on bad input.
 * Numbers take MIN/MAX/DEF (min, max, def given) and a unit suffix scaled
 * by the table: e.g. NM -> 1, M -> 1e9 for a value in nm. */
struct emu_unit {
	const char *suffix;
	double scale;
};
bool emu_arg_number(struct scpi_emu *e, const struct emu_call *c, unsigned i,
		    const struct emu_unit *units, double min, double max, double def,
		    double *out);
bool emu_arg_bool(struct scpi_emu *e, const struct emu_call *c, unsigned i, bool *out);
/* Wavelength in nm from "1310NM", "1.31E-6" (meters), "1310" (nm). */
bool emu_arg_wavelength(struct scpi_emu *e, const struct emu_call *c, unsigned i,
			double *nm);

/* Shared behaviour. */
void emu_voa_apply(struct scpi_emu *e, unsigned ch);	/* push to the plant */
bool emu_voa_set_att(struct scpi_emu *e, unsigned ch, double disp);
void emu_voa_settle(struct scpi_emu *e);
/* One meter measurement of channel ch over its averaging time, mW; sets
 * *ready to when it is done. Returns false on overload (above the range). */
bool emu_meter_measure(struct scpi_emu *e, unsigned ch, double avg_s, double *mw,
		       uint64_t *ready);
void emu_meter_reply(struct scpi_emu *e, unsigned ch, double mw, bool ok, uint64_t ready);

#endif
