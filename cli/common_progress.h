/* SPDX-License-Identifier: MIT */
/* Live progress of long work (sweeps, qualify's sensitivity step) on
 * stderr: one line per sweep point as it lands with the station time
 * elapsed and an estimate of what remains. Only on a terminal and never
 * with -q, so logs, pipes and scripts see nothing extra. */
#ifndef BERT_CLI_COMMON_PROGRESS_H
#define BERT_CLI_COMMON_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/common.h"

struct sweep_point;

struct cli_progress {
	bool on;
	uint64_t t0_ns;		/* station time the work began */
};

/* On when stderr is a terminal and o is not quiet; t0_ns: the start. */
void cli_progress_init(struct cli_progress *p, const struct cli_opts *o, uint64_t t0_ns);
/* One point: lane, the point (its t_ns is station time), points done and
 * expected in all. */
void cli_progress_point(const struct cli_progress *p, unsigned lane,
			const struct sweep_point *pt, unsigned done, unsigned expected);

#endif
