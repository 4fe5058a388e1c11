/* SPDX-License-Identifier: MIT */
/* Instrument I/O of the lanes of one station site, in one place for the
 * qualification steps (engine.c) and the sensitivity sweep (sweep_site.c):
 * set a lane's VOA channel, read a lane's tap through the optical switch at
 * the meter, each under the shared-instrument arbiter when there is one,
 * and turn meter readings into powers through the site calibration
 * (site.h):
 *
 *   power at the receiver = meter + tap_loss_db - through_loss_db
 *   launch power          = meter + tap_loss_db + VOA setting
 *                           + voa_loss_db + patch_loss_db
 *
 * Arbitration order is switch, then meter (the order bertd's arbiter is
 * deadlock-free for). Without an arbiter the caller holds the site's
 * instruments, so a switch already routed to the lane's input is not routed
 * again; with one, another site may have moved the switch between two
 * reads, so it is routed every time. Errors name the lane and the station's
 * instrument. */
#ifndef BERT_QUAL_LANE_IO_H
#define BERT_QUAL_LANE_IO_H

#include <stdbool.h>

#include "bert/qual/site.h"

struct qual_arbiter;	/* engine.h */

struct lane_io {
	const struct qual_site *site;		/* calibration; may be NULL */
	struct qual_site_io *io;		/* the lanes' handles */
	const struct qual_arbiter *arb;		/* NULL or no hooks: none */
	/* private: the last route set while unarbitrated */
	struct osw *routed_sw;
	unsigned routed_in;
};

void lane_io_init(struct lane_io *x, const struct qual_site *site,
		  struct qual_site_io *io, const struct qual_arbiter *arb);
/* The lane's handles, or NULL for a lane the site does not have. */
const struct qual_site_lane_io *lane_io_lane(const struct lane_io *x, unsigned lane);

/* Sets the lane's VOA to db. With wait false the move is started and the
 * channel settles on lane_io_voa_settle() (channels moved together settle
 * together). When before is not NULL and holds NAN, the setting found
 * before the move is stored there first (NAN when the VOA cannot say).
 * BERT_ERR_UNSUPPORTED when the lane has no VOA. */
int lane_io_voa_set(struct lane_io *x, unsigned lane, double db, bool wait,
		    double *before);
int lane_io_voa_settle(struct lane_io *x, unsigned lane);
/* Reads the lane's tap at the meter (dBm at the detector), routing the
 * switch first. BERT_ERR_UNSUPPORTED when the lane has no meter. */
int lane_io_meter_read(struct lane_io *x, unsigned lane, double *meter_dbm);

/* Meter reading -> power at the receiver / launch power; NAN without a
 * site or without a tap calibration. */
double lane_io_rx_from_meter(const struct qual_site *s, double meter_dbm);
double lane_io_tx_from_meter(const struct qual_site *s, double meter_dbm,
			     double voa_db);

#endif
