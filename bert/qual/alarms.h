/* SPDX-License-Identifier: MIT */
/* Module alarms versus stimulus flags.
 *
 * A qualification drives the module's lanes far from operating conditions on
 * purpose: bring-up turns the transmitters on, the VOAs walk the receivers
 * down their waterfall below the Rx-power-low alarm level, the generators
 * and checkers are reconfigured. The module latches flags for all of it
 * (OIF-CMIS 5.2 section 8.9.3, lane flags 11h:134-153, latched and cleared
 * on read). Those flags say what bert did, not what the module is:
 *
 *  - after each step that stimulated the lanes, qual_alarms_collect() reads
 *    (and so clears) every latched flag; a lane flag the stimulus can cause
 *    (Rx LOS, Rx CDR LOL, Rx power low alarm/warning, Tx LOS, Tx CDR LOL, Tx
 *    power/bias low alarm/warning, state and output changes) is recorded as
 *    a `stimulus_flags` measurement of its lane (informational: no limits,
 *    no verdict) naming the flags and the step;
 *  - a flag the stimulus cannot cause (case temperature, supply, aux
 *    monitors, firmware errors, Tx fault, the high alarms) is the module's
 *    own: it is kept in ctx->own_alarms and fails the verdict step, even
 *    though the read cleared it;
 *  - the verdict step puts the lanes back at nominal (the budget point, the
 *    generators and checkers restored), collects once more, waits
 *    QUAL_ALARM_CLEAN_WAIT_NS for the module to sample its monitors again,
 *    and judges `dom_alarms` from that clean read (every alarm counts) plus
 *    the own alarms of the run. A condition that persists re-latches after
 *    the clear, so a module alarming on its own (case above 75 degC, Tx
 *    fault) still fails.
 */
#ifndef BERT_QUAL_ALARMS_H
#define BERT_QUAL_ALARMS_H

#include <stdbool.h>

#include "bert/core/clock.h"
#include "bert/qual/measurement.h"
#include "bert/qual/profile.h"

struct cmis_dev;
struct qual_ctx;
struct qual_step;

/* CMIS advertises no monitor sampling period; modules sample every 10 to
 * 100 ms in practice. The clean read waits ten of the slowest. */
#define QUAL_ALARM_CLEAN_WAIT_NS	(1000 * BERT_NS_PER_MS)

/* The module's flags as bert classifies them, over the reads of a run. */
struct qual_alarm_state {
	unsigned lanes;				/* lanes under test (1..lanes) */
	unsigned own;				/* distinct alarms of the module's own */
	char own_names[QUAL_MSG_MAX];
	/* the last collect: stimulus flags per lane */
	unsigned stim[PROFILE_MAX_LANES + 1];
	char stim_names[PROFILE_MAX_LANES + 1][QUAL_MSG_MAX];
	/* the clean read: alarms at nominal, and how many the run had not
	 * already counted as the module's own */
	unsigned clean, clean_new;
	char clean_names[QUAL_MSG_MAX];
};

/* True when bert's stimulus can cause lane flag bit (enum cmis_lane_flag). */
bool qual_lane_flag_from_stimulus(unsigned bit);

/* Reads (and so clears) the latched flags: stim[] and stim_names[] get this
 * read's stimulus flags, own the module's own alarms (each counted once a
 * run). */
int qual_alarms_read(struct cmis_dev *dev, struct qual_alarm_state *a);
/* The clean read, with the lanes back at nominal and their flags just
 * collected (qual_alarms_read()): waits QUAL_ALARM_CLEAN_WAIT_NS on clock
 * and reads again; every alarm of that read is the module's (clean,
 * clean_names; clean_new those the run had not counted yet). */
int qual_alarms_clean_read(struct cmis_dev *dev, struct bert_clock *clock,
			   struct qual_alarm_state *a);
/* The alarms that fail the module: the clean read's plus the run's own. */
unsigned qual_alarms_total(const struct qual_alarm_state *a);
/* "at nominal after clearing: ...; own, during the run: ..." ("" = none). */
void qual_alarms_describe(const struct qual_alarm_state *a, char *buf, size_t size);

/* For the engine's steps: qual_alarms_read() on ctx's module, stimulus
 * flags recorded in step as stimulus_flags per lane ("latched during
 * `during` (cleared): names"), own alarms kept in ctx->run.alarms. */
int qual_alarms_collect(struct qual_ctx *ctx, struct qual_step *step,
			const char *during);
/* The verdict's clean read; adds dom_alarms (qual_alarms_total()) to step. */
int qual_alarms_judge(struct qual_ctx *ctx, struct qual_step *step);

#endif
