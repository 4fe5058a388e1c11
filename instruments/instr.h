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
 * {s} slot, {c} channel (or switch input), {k} the instrument's own number
 * for channel c (slot_stride (c - 1) + 1: an N7764A's attenuator c sits in
 * slot 2c - 1), {v} the value (%.4f), {i} the value as an integer, {w} a
 * power given in dBm written in W. */
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
	/* optional, parallel to models[]: channels of each *IDN? model
	 * (0 = max_chan) */
	const unsigned *model_chans;
	unsigned slot_stride;		/* {k}; 0 = 1 */
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

/* ---- connections and channel handles ---------------------------------------
 *
 * An instrument is one connection (struct instr_conn): one transport opened
 * once, one *IDN?, one model table, shared by reference count. Whoever
 * drives a channel of it (a lane's VOA channel, a meter channel, the switch)
 * holds a channel handle (struct instr) on the connection, never a
 * connection of its own: a meter 32 lanes read through a switch is one
 * socket, one serial port, one USBTMC claim.
 *
 * Faults: when an exchange loses the link (BERT_ERR_NODEV, BERT_ERR_IO: the
 * port vanished, the socket was reset) the connection is marked lost and
 * every handle made before that fails from then on with an error naming the
 * instrument, so each run that was using it ends cleanly instead of driving
 * an instrument whose settings it no longer knows. The next handle made on
 * the connection (the next run) reopens it, once for all its users.
 *
 * Threads: handles of one connection may live in several threads (bertd
 * sites); exchanges on one connection must not overlap. On the monotonic
 * clock (real hardware) the connection serialises them itself; on a virtual
 * clock a plain mutex would stall time, so there the caller's arbiter
 * (bertd's, keyed on the connection) keeps them apart. */
struct instr_conn;

struct instr {
	struct instr_conn *conn;	/* a reference */
	struct scpi_dev *dev;		/* the connection's device (stable across reopens) */
	const struct instr_model *model;
	struct scpi_idn idn;
	enum instr_kind kind;
	unsigned slot, chan;
	unsigned epoch;			/* the connection's epoch at creation */
};

/* Opens uri ([MODEL:]TRANSPORT[#slot=,chan=]; the address gives the
 * defaults of its channel handles) as one connection: transport, *IDN?,
 * model table. name (NULL = the URI) is what errors call it, e.g. the
 * station's [instrument NAME]. */
int instr_conn_open(const char *name, const char *uri, struct bert_clock *clock,
		    struct instr_conn **out);
/* Drops a reference; the last one closes the transport. */
void instr_conn_put(struct instr_conn *c);
const char *instr_conn_name(const struct instr_conn *c);
/* The *IDN? answer of the connection's last open. */
const struct scpi_idn *instr_conn_idn(const struct instr_conn *c);
/* How many times the transport was opened (1 + reopens after faults). */
unsigned instr_conn_opens(const struct instr_conn *c);
/* The key two URIs share when they name the same connection: the transport
 * part, without model prefix and address. */
int instr_conn_key(const char *uri, char *key, size_t size);

/* A channel handle of kind on c: chan 0 = the URI's #chan= (else 1). On a
 * mainframe (slot_addressing) whose URI names no #slot=, channel n is the
 * module in slot n. Checks that the model is of that kind and has the
 * channel; reopens c first when it was lost. */
int instr_channel(struct instr_conn *c, enum instr_kind kind, unsigned chan,
		  struct instr **out);

/* A station's connections by their key, each opened on first use. */
struct instr_pool;
int instr_pool_new(struct instr_pool **out);
/* Drops the pool's references (handles keep theirs). */
void instr_pool_free(struct instr_pool *p);
/* The connection of uri (a new reference), opened under name on first use;
 * later names of the same transport share it (a model named differently
 * is BERT_ERR_CONFIG). */
int instr_pool_get(struct instr_pool *p, const char *name, const char *uri,
		   struct bert_clock *clock, struct instr_conn **out);
/* The connections of the pool (a run's trace lists them): the count, and
 * the i-th connection (borrowed), NULL past the end or while it opens. */
unsigned instr_pool_count(struct instr_pool *p);
struct instr_conn *instr_pool_at(struct instr_pool *p, unsigned i);

/* Opens uri as an instrument of the given kind: a connection of its own and
 * a channel handle on it (transport, *IDN?, model table, kind and address
 * checks). */
int instr_open(const char *uri, enum instr_kind kind, struct bert_clock *clock,
	       struct instr **out);
/* Drops the handle (and its connection reference). */
void instr_close(struct instr *in);
bool instr_has(const struct instr *in, int id);
/* Sends command id with value (and chan, for switches: the input). */
int instr_cmd(struct instr *in, int id, unsigned chan, double value);
int instr_query(struct instr *in, int id, unsigned chan, double *out);
/* Waits until the instrument is done (*OPC?) with a bound of timeout_ns. */
int instr_settle(struct instr *in, uint64_t timeout_ns);

#endif
