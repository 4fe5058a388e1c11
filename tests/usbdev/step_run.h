/* SPDX-License-Identifier: MIT */
/* The step runner that ft232h_run and i2cdev_run share: the virtual clock
 * page they give the programs they run (ft232h_clock.h), the sync of that
 * page with the emulation around each transfer, and the STEP list
 *
 *   @run PROG ARGS...   run PROG (until the next @word) under the preload
 *                       list in $<preload_env> (default
 *                       libumockdev-preload.so.0) and wait for it
 *   @out=FILE @err=FILE where the next @run's stdout / stderr go
 *
 * with the runner's own steps handed to its callback. Test support only. */
#ifndef BERT_TESTS_USBDEV_STEP_RUN_H
#define BERT_TESTS_USBDEV_STEP_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "tests/usbdev/ft232h_clock.h"

#define STEP_RUN_MAX 32

struct bert_clock;

struct step_run {
	const char *name;		/* "ft232h_run": prefix of messages */
	const char *preload_env;	/* "FT232H_PRELOAD" */
	void (*usage)(void);
	struct ft232h_clock_page *time;	/* NULL until step_run_clock() */
	char clock_path[64];
	int rcs[STEP_RUN_MAX];		/* each @run's exit status */
	unsigned nrun;
};

/* Maps the clock page at the clock's time and names it in $FT232H_CLOCK
 * for the programs run; 0, or -1 said on stderr. */
int step_run_clock(struct step_run *s, struct bert_clock *clk);
/* Unmaps and removes the clock page. */
void step_run_clock_free(struct step_run *s);
/* Around a transfer: before (after = 0) the emulation catches up with the
 * caller's time, after it the caller's time catches up with the bus's. */
void step_run_sync(struct step_run *s, struct bert_clock *clk, int after);
/* Ends a --stats JSON object: `"rc": [each @run's exit status]}`. */
void step_run_write_rcs(const struct step_run *s, FILE *f);
/* Runs the STEPs argv[i..argc). A step that is not @run/@out/@err goes to
 * other(user, step): 0 done, 3 the emulation failed (stops, status 3), -1
 * unknown (usage, status 2). Returns the last @run's exit status. */
int step_run_steps(struct step_run *s, int argc, char **argv, int i,
		   int (*other)(void *user, const char *step), void *user);

#endif
