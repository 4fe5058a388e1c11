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

#include "bert/qual/engine.h"

/* CMIS advertises no monitor sampling period; modules sample every 10 to
 * 100 ms in practice. The clean read waits ten of the slowest. */
#define QUAL_ALARM_CLEAN_WAIT_NS	(1000 * BERT_NS_PER_MS)

/* True when bert's stimulus can cause lane flag bit (enum cmis_lane_flag). */
bool qual_lane_flag_from_stimulus(unsigned bit);

/* Reads and clears the latched flags after the stimulus `during` (step
 * name or "return to nominal"): stimulus flags go into step as
 * stimulus_flags per lane, the module's own alarms into ctx->own_alarms. */
int qual_alarms_collect(struct qual_ctx *ctx, struct qual_step *step,
			const char *during);

/* The verdict's clean read: collect, wait, read again; adds dom_alarms to
 * step (the clean read's alarms plus ctx->own_alarms). */
int qual_alarms_judge(struct qual_ctx *ctx, struct qual_step *step);

#endif
