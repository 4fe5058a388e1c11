/* SPDX-License-Identifier: MIT */
/* The `bert-sim` program: its commands, one file each (cli/bert-sim_*.c). */
#ifndef BERT_CLI_BERT_SIM_H
#define BERT_CLI_BERT_SIM_H

/* argv[0] is "serve". */
int bert_sim_serve(int argc, char **argv);

#endif
