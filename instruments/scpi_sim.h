/* SPDX-License-Identifier: MIT */
/* The `sim:` transport: a SCPI emulator of a virtual-bench instrument, in
 * process, on the bench's clock. The one place outside instruments/sim
 * that maps a URI to an emulator:
 *
 *   sim:NAME@BENCH   instrument NAME of the bench BENCH, found in the
 *                    fixture layer's bench registry (fixture_sim.h): a
 *                    bench file (as in sim:PATH?site=N fixtures) or the
 *                    name an emulated fixture gives its bench
 *                    (bert_fixture_bench(), e.g. "fixture-3")
 *   sim:NAME         instrument NAME of the process's default bench
 *                    (benches/default.ini), or of the plant a test set
 *
 * One emulator per instrument and bench; it lives while a connection to it
 * is open (and, for the default bench, until scpi_sim_reset(), so the
 * instrument keeps its settings between opens as a real one does). Each
 * open counts as one connection to the emulator (scpi_emu_stats). */
#ifndef BERT_INSTRUMENTS_SCPI_SIM_H
#define BERT_INSTRUMENTS_SCPI_SIM_H

#include <stdbool.h>
#include <stddef.h>

struct emu_plant;
struct scpi_emu;

/* uri with its sim: instruments bound to bench (NULL or "" = unchanged):
 * "sim:NAME[#addr]" becomes "sim:NAME@BENCH[#addr]", a model prefix is
 * kept; every other URI (and a sim: URI that names a bench) is copied. */
int scpi_sim_bind(const char *uri, const char *bench, char *out, size_t size);
/* Tests: sim:NAME without a bench acts on plant (NULL: the default bench
 * again). Drops the emulators made for the previous one. */
void scpi_sim_set_plant(const struct emu_plant *plant);
/* The emulator behind sim:ARG (ARG = NAME or NAME@BENCH), created on first
 * use and kept until scpi_sim_reset(), for fault knobs and counters. */
int scpi_sim_emu(const char *arg, struct scpi_emu **out);
/* Fault: the instrument's port vanished (true) or is back. While unplugged
 * every exchange and every open fails with BERT_ERR_NODEV. */
int scpi_sim_set_unplugged(const char *arg, bool unplugged);
/* Fault by name: the instrument stops answering ("silent": it reads every
 * command and answers none), its next reply is garbage ("garbage"), or its
 * port vanishes ("unplugged", as scpi_sim_set_unplugged()); "none" ends
 * them all. Set from any thread; a reply fault takes effect at the next
 * command the instrument receives. BERT_ERR_ARG for another name. */
int scpi_sim_set_fault(const char *arg, const char *fault);
/* Frees the emulators kept (open connections keep theirs). */
void scpi_sim_reset(void);

#endif
