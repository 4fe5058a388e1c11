/* SPDX-License-Identifier: MIT */
/* The `sim:NAME` transport: the SCPI emulator of bench instrument NAME, in
 * process, on the bench's clock (virtual in sim runs). The one place outside
 * instruments/sim that maps a URI to an emulator.
 *
 * Emulators live in a process-wide registry so an instrument keeps its
 * settings between opens, as a real one does. The registry acts on the plant
 * set with scpi_sim_set_bench() / scpi_sim_set_plant(); when none is set, the
 * first sim: URI loads the default bench on a new virtual clock. */
#ifndef BERT_INSTRUMENTS_SCPI_SIM_H
#define BERT_INSTRUMENTS_SCPI_SIM_H

#include "instruments/sim/scpi_emu.h"

struct sim_bench;

/* Points the registry at a bench (NULL: forget it). Drops the emulators made
 * for the previous plant. The caller keeps ownership of b. Binding the bench
 * that is already bound only counts a reference (its emulators keep their
 * state), and NULL drops one: the emulators go with the last reference, so
 * several sites of one shared bench bind and unbind independently. */
void scpi_sim_set_bench(struct sim_bench *b);
/* The same with any plant (tests use a fake one). */
void scpi_sim_set_plant(const struct emu_plant *plant);
/* The emulator behind sim:NAME (created on first use), for fault knobs. */
int scpi_sim_emu(const char *name, struct scpi_emu **out);
/* Frees the registry (and the default bench if it loaded one). */
void scpi_sim_reset(void);

#endif
