/* SPDX-License-Identifier: MIT */
/* SCPI instrument emulators acting on the virtual bench. Each emulates one
 * model with its own command syntax (instruments/sim/emu_*.c tables), the
 * IEEE 488.2 common commands, an error queue (unknown commands land there as
 * -113 "Undefined header", as on the real instrument), settling and averaging
 * times on the clock, meter noise (seeded) and range limits, and VOA setting
 * accuracy (a small repeatable offset per channel and wavelength).
 *
 * An emulator is a message-level state machine with no I/O of its own: the
 * `sim:` transport feeds it in-process, `bert-sim serve` feeds it from a pty
 * or a TCP socket (scpi_emu_serve.h). A reply carries the clock time at which
 * it is ready (after the averaging time of a meter read, after a VOA settles
 * for *OPC?); readers wait on the clock for it.
 *
 * The plant is reached through struct emu_plant_ops: plant_bench.c maps it
 * onto fixtures/sim/bench.h; tests may pass a small fake plant. */
#ifndef BERT_INSTRUMENTS_SIM_SCPI_EMU_H
#define BERT_INSTRUMENTS_SIM_SCPI_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bert/core/clock.h"

struct emu_plant_ops {
	/* true attenuation in dB of a VOA channel / its shutter */
	int (*voa_set)(void *ctx, const char *instr, unsigned ch, double db);
	int (*voa_enable)(void *ctx, const char *instr, unsigned ch, bool on);
	int (*switch_route)(void *ctx, const char *instr, unsigned in, unsigned out);
	int (*switch_get)(void *ctx, const char *instr, unsigned in, unsigned *out);
	/* noise-free optical power at a meter channel's detector, mW */
	int (*meter_input_mw)(void *ctx, const char *instr, unsigned ch, double *mw);
	/* a key of the instrument's bench section, NULL when absent */
	const char *(*get)(void *ctx, const char *instr, const char *key);
};

struct emu_plant {
	const struct emu_plant_ops *ops;
	void *ctx;
	struct bert_clock *clock;
};

/* The plant of a struct sim_bench (plant_bench.c). */
struct sim_bench;
struct emu_plant emu_plant_of_bench(struct sim_bench *b);

enum emu_kind { EMU_VOA, EMU_OPM, EMU_OSW };

struct emu_model;
/* The emulated models, NULL-terminated. */
extern const struct emu_model *const emu_models[];

struct scpi_emu;

/* An emulator for the bench instrument instr. Its model comes from the
 * section's `model` key (names as in emu_models), else the default of its
 * kind (`type` = voa | opm | osw, else guessed from the name): Keysight
 * N7764A for VOAs, an 8163B with 81634B sensors for meters, the generic
 * SCPI switch. BERT_ERR_CONFIG for an unknown model or bad key. */
int scpi_emu_new(const struct emu_plant *plant, const char *instr, struct scpi_emu **out);
void scpi_emu_free(struct scpi_emu *e);
const char *scpi_emu_model(const struct scpi_emu *e);
const char *scpi_emu_instr(const struct scpi_emu *e);
enum emu_kind scpi_emu_kind(const struct scpi_emu *e);

/* Processes one program message (a line without its terminator; several
 * commands may be joined with ';') at the clock's current time. */
void scpi_emu_input(struct scpi_emu *e, const char *line);
/* Takes the next response message when it is ready at or before now: its
 * bytes (no terminator) into buf, *len its length. Returns false when there
 * is none ready. A reply longer than size is cut. */
bool scpi_emu_output(struct scpi_emu *e, uint64_t now, uint8_t *buf, size_t size,
		     size_t *len);
/* Clock time at which the next response is ready; UINT64_MAX when none is
 * queued. */
uint64_t scpi_emu_next_ready(const struct scpi_emu *e);

/* What an emulator counts, so a test can assert a bench was driven as a
 * real one must be: connections made to it (a sim: open, a TCP accept, a
 * serial open), connections refused (a second TCP client while one is
 * served, a second open of a serial port), and protocol errors (every
 * error it queued for SYST:ERR?: malformed or unknown commands, bad or
 * out-of-range data). */
struct scpi_emu_stats {
	unsigned connections;
	unsigned refused;
	unsigned protocol_errors;
	unsigned commands;		/* program message units processed */
};
void scpi_emu_stats(const struct scpi_emu *e, struct scpi_emu_stats *st);
void scpi_emu_count_connection(struct scpi_emu *e);
void scpi_emu_count_refused(struct scpi_emu *e);

/* Fault knobs for tests. */
enum emu_fault {
	EMU_FAULT_NONE,
	EMU_FAULT_SILENT,	/* reads everything, answers nothing */
	EMU_FAULT_GARBAGE,	/* the next reply is replaced by garbage */
};
void scpi_emu_set_fault(struct scpi_emu *e, enum emu_fault f);

#endif
