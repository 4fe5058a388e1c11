/* SPDX-License-Identifier: MIT */
/* The run record: one qualification run of one module, as the engine builds
 * it step by step, the store journals it and the reports render it. The JSON
 * form is versioned and documented in bert/qual/RECORD.md.
 *
 * Times: wall_start / wall_end are UTC seconds since the epoch (for people
 * and databases); every other time is station time, nanoseconds of the
 * run's struct bert_clock since the run began (virtual on the virtual
 * bench), so a run's cost is the same figure on hardware and in simulation.
 *
 * Steps are held by pointer: a struct qual_step * stays valid while more
 * steps are added, until qual_record_free().
 */
#ifndef BERT_QUAL_RECORD_H
#define BERT_QUAL_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/qual/measurement.h"

struct profile;

#define QUAL_RECORD_SCHEMA	1	/* bump on incompatible changes */
#define QUAL_RECORD_KIND	"bert.run"
#define QUAL_STR_MAX		64
#define QUAL_URI_MAX		256
#define QUAL_UUID_MAX		37
#define QUAL_STEP_NAME_MAX	32
#define QUAL_RUN_MSG_MAX	256

struct qual_dut {
	char vendor[QUAL_STR_MAX];
	char pn[QUAL_STR_MAX];
	char sn[QUAL_STR_MAX];
	char rev[QUAL_STR_MAX];
	char firmware[QUAL_STR_MAX];
	/* the serial the operator entered (bert qualify --serial, bertd start
	 * "serial"), kept beside the module's own sn; "" = none entered */
	char operator_serial[QUAL_STR_MAX];
	/* CMIS 00h:182-189 as stored (YYMMDD + lot code); "" = not read */
	char date_code[QUAL_STR_MAX];
};

/* Traceability of a run: who ran it for what order and lot, where, and with
 * which instruments and calibration ("" = not given). */
#define QUAL_INSTR_MAX		8
#define QUAL_IDN_MAX		128
struct qual_instrument {
	char role[QUAL_STEP_NAME_MAX];	/* "meter", "voa1", "switch", ... */
	char idn[QUAL_IDN_MAX];		/* its *IDN? answer */
	char cal_date[QUAL_STR_MAX];	/* calibration date (station file) */
};

struct qual_trace {
	char operator_name[QUAL_STR_MAX];	/* --operator, station operator */
	char work_order[QUAL_STR_MAX];		/* --work-order */
	char lot[QUAL_STR_MAX];			/* --lot */
	char station_site[QUAL_STR_MAX];	/* the station file's site (a place) */
	char calibration[QUAL_RUN_MSG_MAX];	/* the station calibration used */
	struct qual_instrument instr[QUAL_INSTR_MAX];
	unsigned ninstr;
};

/* One point of a received-power sweep. */
struct qual_point {
	unsigned lane;
	double atten_db;	/* attenuator setting */
	double power_dbm;	/* average received power (meter, calibrated) */
	double oma_dbm;		/* received OMA; NAN when not converted */
	double ber;		/* pre-FEC BER at this point */
	uint64_t bits, errors;
	uint64_t t_ns;		/* station time of the point */
};

enum qual_step_status {
	QUAL_STEP_RUNNING = 0,	/* begun, not ended (journal shows a crash) */
	QUAL_STEP_DONE,		/* ran to the end; the verdict says how it went */
	QUAL_STEP_SKIPPED,	/* not run (stop on fail, not applicable) */
	QUAL_STEP_ERROR,	/* the station could not complete it */
	QUAL_STEP_ABORTED,	/* stopped on request */
};

enum qual_run_status {
	QUAL_RUN_RUNNING = 0,
	QUAL_RUN_COMPLETE,
	QUAL_RUN_ABORTED,	/* stopped on request, or its process died */
	QUAL_RUN_ERROR,		/* the station failed (not the module) */
};

struct qual_step {
	char name[QUAL_STEP_NAME_MAX];
	enum qual_step_status status;
	enum qual_verdict verdict;
	uint64_t start_ns, end_ns;
	char message[QUAL_RUN_MSG_MAX];
	struct qual_measurement *m;
	size_t nm, cap_m;
	struct qual_point *pts;
	size_t npts, cap_p;
};

struct qual_record {
	int schema;
	int64_t id;			/* store row id; 0 = not stored */
	char uuid[QUAL_UUID_MAX];
	char bert_version[QUAL_STR_MAX];
	enum qual_run_status status;
	enum qual_verdict verdict;
	struct qual_dut dut;
	struct qual_trace trace;
	char station[QUAL_STR_MAX];
	unsigned site;			/* 1..N; 0 = none */
	char fixture[QUAL_URI_MAX];
	char profile[QUAL_STR_MAX];
	char profile_hash[QUAL_STR_MAX];
	unsigned lanes, lanes_per_link;
	int64_t wall_start, wall_end;	/* UTC seconds; 0 = unknown / not ended */
	uint64_t station_ns;		/* station time of the run */
	char host[QUAL_STR_MAX];
	int pid;
	char message[QUAL_RUN_MSG_MAX];
	struct qual_step **steps;
	size_t nsteps, cap_steps;
};

/* Empty record: schema, a fresh random UUID, status running, verdict none,
 * wall_start now, host and pid of this process. */
void qual_record_init(struct qual_record *r, const char *bert_version);
void qual_record_free(struct qual_record *r);
/* Name, hash, lane count and lanes per link from a loaded profile. */
void qual_record_set_profile(struct qual_record *r, const struct profile *p);

/* Appends a running step; NULL on allocation failure. */
struct qual_step *qual_record_step_begin(struct qual_record *r, const char *name,
					 uint64_t start_ns);
int qual_step_add(struct qual_step *s, const struct qual_measurement *m);
int qual_step_add_point(struct qual_step *s, const struct qual_point *pt);
/* Ends a step: status, end time, message (may be NULL), and the verdict,
 * the worst of its measurements; ERROR and ABORTED add QUAL_ERROR; SKIPPED
 * leaves it QUAL_NONE. */
void qual_step_end(struct qual_step *s, enum qual_step_status status,
		   uint64_t end_ns, const char *message);
/* Ends the run: the verdict is the worst of the steps; a run that did not
 * complete is at least QUAL_ERROR (a fail stays a fail). */
void qual_record_finish(struct qual_record *r, enum qual_run_status status,
			uint64_t station_ns, const char *message);
/* The verdict of the steps so far (for a run in progress). */
enum qual_verdict qual_record_verdict(const struct qual_record *r);
/* out[0] module, out[1..r->lanes] per lane, over every step. */
void qual_record_lane_verdicts(const struct qual_record *r, enum qual_verdict *out);

json_t *qual_step_to_json(const struct qual_step *s);
/* The trace object of RECORD.md ("trace") and back; from_json ignores
 * unknown fields, BERT_ERR_PROTOCOL naming the bad one. */
json_t *qual_trace_to_json(const struct qual_trace *t);
int qual_trace_from_json(const json_t *j, struct qual_trace *t);
/* Adds an instrument row; BERT_ERR_RANGE when the table is full. */
int qual_trace_add_instrument(struct qual_trace *t, const char *role, const char *idn,
			      const char *cal_date);
/* The record as the versioned JSON document of RECORD.md. */
json_t *qual_record_to_json(const struct qual_record *r);
/* Parses it back (derived fields such as lane verdicts are recomputed, not
 * read). BERT_ERR_PROTOCOL with the path of the bad field on malformed
 * input; BERT_ERR_UNSUPPORTED for a newer schema. On error *r is freed. */
int qual_record_from_json(const json_t *j, struct qual_record *r);

const char *qual_step_status_name(enum qual_step_status s);
int qual_step_status_parse(const char *s, enum qual_step_status *out);
const char *qual_run_status_name(enum qual_run_status s);
int qual_run_status_parse(const char *s, enum qual_run_status *out);
/* Length of the valid UTF-8 sequence at s (1..4), 0 when s does not start
 * one (overlong forms, surrogates and U+FFFE/FFFF count as invalid). */
size_t qual_utf8_len(const unsigned char *s);
/* "2025-01-31T12:00:00Z"; buf of at least 32 bytes. */
const char *qual_time_iso(int64_t t, char *buf, size_t size);
int qual_time_parse(const char *s, int64_t *t);

#endif
