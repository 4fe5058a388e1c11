/* SPDX-License-Identifier: MIT */
/* The station store as the spool of the central database: which runs (and
 * how many of their steps) the central database acknowledged, what waits.
 *
 * The station store stays the journal: runs are written there first, step
 * by step, whatever the network does. The table central_uploads (created on
 * first use, bert/qual/RECORD.md) holds one row per run and central
 * database ("target", the URI without password): the run's change counter
 * and step count at the last acknowledged upload. A run is pending while
 * its change counter is above the acknowledged one (or it has none);
 * pending runs go oldest first (by row id).
 */
#ifndef BERT_STORE_SPOOL_H
#define BERT_STORE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "bert/store/store.h"

struct spool_item {
	int64_t id;		/* local run id */
	int64_t changed;	/* its change counter when listed */
	size_t acked_steps;	/* steps the target already has */
};

/* Creates the table when missing. */
int spool_init(struct store *st);
/* Up to max pending runs for target, oldest first. The caller frees *out. */
int spool_pending(struct store *st, const char *target, unsigned max,
		  struct spool_item **out, size_t *n);
/* Records an acknowledged upload of run id at change counter changed with
 * steps steps (central_id: the target's row id). */
int spool_ack(struct store *st, const char *target, int64_t id, int64_t changed,
	      size_t steps, int64_t central_id);
/* Pending runs and the wall_start (UTC s) of the oldest (0 when none). */
int spool_backlog(struct store *st, const char *target, unsigned *runs,
		  int64_t *oldest_wall);

#endif
