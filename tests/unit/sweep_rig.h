/* SPDX-License-Identifier: MIT */
/* A sensitivity sweep on the seeded virtual bench for the tests: the
 * default station around a module INI, the module up, the sweep run at the
 * budget point, and the bench's true per-lane sensitivities to score it
 * (sim_bench_lane_model: tests only, never the measurement). */
#ifndef BERT_TESTS_UNIT_SWEEP_RIG_H
#define BERT_TESTS_UNIT_SWEEP_RIG_H

#include "bert/qual/sweep.h"

struct sweep_rig_out {
	struct sweep_result res;
	double true_oma_dbm[SWEEP_MAX_LANES];	/* OMA at BER 2.4e-4 */
	double seconds;				/* station time of the sweep */
};

/* module: path of a module INI (NULL = the built-in good DR4). */
int sweep_rig_run(const char *module, enum sweep_method m, struct sweep_rig_out *o);

#endif
