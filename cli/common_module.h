/* SPDX-License-Identifier: MIT */
/* Opening the module behind --fixture for the commands that talk to one. */
#ifndef BERT_CLI_COMMON_MODULE_H
#define BERT_CLI_COMMON_MODULE_H

#include "cli/common.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/fixture.h"

struct cli_module {
	struct bert_fixture *fixture;
	struct cmis_dev *dev;
};

/* Options of the commands that read a module: --bring-up[=APPSEL], --stats. */
struct cli_module_opts {
	unsigned appsel;	/* 0 = leave the module as it is */
	bool stats;
};
#define CLI_MODULE_LONGOPTS						\
	{ "bring-up", optional_argument, NULL, 'b' },			\
	{ "stats", no_argument, NULL, 's' }
/* Returns -1 when c is not one of these, 0 when taken, EXIT_USAGE (after
 * printing why) when its argument is bad. */
int cli_module_option(int c, const char *arg, struct cli_module_opts *mo);
/* cli_module_open(), then the bring-up --bring-up asked for. */
int cli_module_start(const struct cli_opts *o, const struct cli_module_opts *mo,
		     struct cli_module *m);

/* Opens o->fixture and the CMIS module on it. On failure prints the error
 * and returns the exit code (non-zero); on success returns 0. */
int cli_module_open(const struct cli_opts *o, struct cli_module *m);
void cli_module_close(struct cli_module *m);
/* Brings the module up with AppSel appsel on all the host lanes its
 * application allows from lane 1 (the lab's usual 1x400G or 4x100G case);
 * prints the error and returns the exit code on failure. */
int cli_module_bring_up(struct cli_module *m, unsigned appsel);

/* Reads the module's memory into a newly allocated snapshot (free() it).
 * Prints the error and returns the exit code on failure, 0 on success. */
int cli_module_snapshot(struct cli_module *m, struct cmis_snapshot **out);

/* The I2C figures behind --stats (their JSON keys are a contract: never rename). */
json_t *cli_i2c_stats_json(const struct i2c_stats *s);

#endif
