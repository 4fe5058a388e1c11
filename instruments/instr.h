/* SPDX-License-Identifier: MIT */
/* Instrument drivers, libsigrok style: front ends (voa.h, opm.h, osw.h) over
 * per-model SCPI command tables (one file each in instruments/models).
 *
 * An instrument URI is a transport URI (scpi.h), optionally led by a model
 * name and followed by a channel address:
 *
 *   [MODEL:]TRANSPORT-URI[#slot=N,chan=M]
 *   keysight-8163:tcp:10.0.0.5:5025#slot=2,chan=1
 *   serial:/dev/ttyUSB0?baud=115200#chan=3
 *
 * Without a model, *IDN? picks the table; an instrument no table claims is
 * BERT_ERR_UNSUPPORTED with the list of supported models. */
#ifndef BERT_INSTRUMENTS_INSTR_H
#define BERT_INSTRUMENTS_INSTR_H

#include <stdbool.h>

#include "instruments/scpi.h"

enum instr_kind {
	INSTR_VOA = 1 << 0,
	INSTR_OPM = 1 << 1,
	INSTR_OSW = 1 << 2,
};

/* What a model table may define. Placeholders in the command text:
 * {s} slot, {c} channel (or switch input), {v} the value (%.4f), {i} the
 * value as an integer, {w} a power given in dBm written in W. */
enum instr_cmd_id {
	VOA_SET_ATT = 1,	/* displayed attenuation (offset included) */
	VOA_GET_ATT,
	VOA_GET_OFFSET,		/* the user offset the display adds */
	VOA_SET_WAV,		/* nm */
	VOA_GET_WAV,
	VOA_SET_ENABLE,		/* shutter open = 1 */
	VOA_GET_ENABLE,
	OPM_SET_WAV,		/* nm */
	OPM_GET_WAV,
	OPM_SET_ATIME,		/* averaging time, s */
	OPM_SET_AVG_COUNT,	/* averaging as a sample count */
	OPM_SET_AUTORANGE,
	OPM_SET_RANGE,		/* dBm (or {w}) */
	OPM_SET_UNIT_DBM,
	OPM_READ,		/* self-triggering read, dBm */
	OSW_ROUTE,		/* {c} input, {i} output */
	OSW_GET_ROUTE,
};

/* One command of a model (libsigrok's struct scpi_command). scale
 * multiplies a numeric reply (0 = 1), e.g. 1e9 for a wavelength in m. */
struct scpi_command {
	int id;
	const char *cmd;
	double scale;
};

struct instr_model {
	const char *name;		/* in URIs and station files */
	const char *summary;
	unsigned kinds;			/* INSTR_* it can be */
	const char *const *vendors;	/* *IDN? vendor field, NULL-terminated */
	const char *const *models;	/* *IDN? model field */
	const struct scpi_command *cmds;	/* ends with id 0 */
	bool slot_addressing;		/* takes #slot= */
	unsigned max_chan;
	double avg_sample_s;		/* OPM_SET_AVG_COUNT: seconds per sample */
};

/* Every supported model, NULL-terminated. */
extern const struct instr_model *const instr_models[];
const struct instr_model *instr_model_find(const char *name);
/* "keysight-8163 (8163A/B, 8164A/B), ..." into buf. */
const char *instr_models_list(char *buf, size_t size);

struct instr_uri {
	char model[32];		/* "" when not named */
	char transport[256];
	unsigned slot, chan;	/* 1 when not given */
	bool has_slot, has_chan;
};

int instr_uri_parse(const char *uri, struct instr_uri *u);

struct instr {
	struct scpi_dev *dev;
	const struct instr_model *model;
	struct scpi_idn idn;
	enum instr_kind kind;
	unsigned slot, chan;
};

/* Opens uri as an instrument of the given kind: transport, *IDN?, model
 * table (named or picked by *IDN?), kind and address checks. */
int instr_open(const char *uri, enum instr_kind kind, struct bert_clock *clock,
	       struct instr **out);
void instr_close(struct instr *in);
bool instr_has(const struct instr *in, int id);
/* Sends command id with value (and chan, for switches: the input). */
int instr_cmd(struct instr *in, int id, unsigned chan, double value);
int instr_query(struct instr *in, int id, unsigned chan, double *out);
/* Waits until the instrument is done (*OPC?) with a bound of timeout_ns. */
int instr_settle(struct instr *in, uint64_t timeout_ns);

#endif
