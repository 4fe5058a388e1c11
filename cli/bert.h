/* SPDX-License-Identifier: MIT */
/* The `bert` program: one entry per command, each in cli/bert_<command>.c. */
#ifndef BERT_CLI_BERT_H
#define BERT_CLI_BERT_H

#include <stdbool.h>

struct bert_cmd {
	const char *name;
	int (*main)(int argc, char **argv);	/* argv[0] is the command name */
	const char *summary;
};

struct qual_record;
/* cli/bert_pdf.c: the HTML certificate printed to a PDF file by headless
 * Chromium; BERT_ERR_CONFIG (naming the package) when it is missing. */
int bert_pdf_write(const struct qual_record *rec, const char *out);

/* cli/bert_results_report.c: bert results report (fleet views) */
int cmd_results_report(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_dom(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_fixture(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_ber(int argc, char **argv);
int cmd_loopback(int argc, char **argv);
int cmd_vdm(int argc, char **argv);
int cmd_fec(int argc, char **argv);
int cmd_prbs(int argc, char **argv);
int cmd_instr(int argc, char **argv);
int cmd_results(int argc, char **argv);
/* bert results db|sync (cli/bert_results_central.c); argv[0] is "results". */
int cmd_results_central(int argc, char **argv);
struct store;
/* After a run of `bert qualify --station FILE`: uploads what the station
 * store holds for the file's [store] central, if any. A failure is a
 * warning: the run is stored and waits for the next sync. */
void cli_central_push(const char *station_file, struct store *st, bool quiet);
int cmd_qualify(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_budget(int argc, char **argv);
int cmd_station(int argc, char **argv);

#endif
