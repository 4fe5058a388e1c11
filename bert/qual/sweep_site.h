/* SPDX-License-Identifier: MIT */
/* The sensitivity sweep on a station site (site.h): the module's media
 * PRBS generators and checkers count the errors (OIF-CMIS 5.x Pages 13h/14h, through
 * fixtures/cmis/diag.h, the primitives under lane_ber.h), each lane's VOA
 * channel sets the loss, the lane's tap meter (through the switch) reads
 * the power, and the site calibration turns it into receive power
 * (the lane I/O and its formulas are lane_io.h's).
 *
 * sweep_site_begin() saves the diagnostics controls, starts generators and
 * checkers (PRBS31Q) on the lanes, selects the 1 s update period and the
 * counters, and waits for lock; sweep_site_end() restores the controls. */
#ifndef BERT_QUAL_SWEEP_SITE_H
#define BERT_QUAL_SWEEP_SITE_H

#include "bert/qual/lane_io.h"
#include "bert/qual/site.h"
#include "bert/qual/sweep.h"
#include "fixtures/cmis/diag.h"

struct qual_arbiter;

struct sweep_site {
	/* Optional (bertd): shared-instrument arbitration per meter read. The
	 * lane's switch and meter are acquired around each read and the switch
	 * is routed every time (another site may have moved it). NULL or no
	 * acquire hook: the caller holds the instruments for the sweep. */
	const struct qual_arbiter *arb;
	struct cmis_diag *diag;
	struct bert_clock *clock;
	const struct qual_site *site;
	struct qual_site_io *io;
	unsigned pattern;		/* enum cmis_pattern, PRBS31Q */
	unsigned nlanes;
	unsigned lane[SWEEP_MAX_LANES];	/* module media lanes */
	/* private */
	uint8_t mask;			/* module lane mask */
	bool counters;
	uint64_t period_ns, t_reset, t_sel;
	struct lane_io lio;		/* the lanes' instruments (lane_io.h) */
	struct cmis_diag_saved saved;
	bool started;
};

/* Lanes must each have a VOA and a meter. BERT_ERR_UNSUPPORTED otherwise. */
int sweep_site_begin(struct sweep_site *s);
int sweep_site_end(struct sweep_site *s);
/* Fills io (ops, ctx, clock, dwell, lanes, calibration). Budget attenuation
 * and OMA are the caller's (NAN OMA = the sweep reads the meter). */
void sweep_site_io(struct sweep_site *s, struct sweep_io *io);

#endif
