/* SPDX-License-Identifier: MIT */
/* The station daemon's core (bertd), without sockets: the sites
 * of a station file, one worker thread per site running the qualification
 * plan, the shared-instrument arbiter, auto-start on insertion, reload,
 * progress events and results. cli/bertd.c puts the control socket and the
 * signals around it; the unit tests drive it directly.
 *
 * Sites. Each [site N] of the station gets a worker thread that idles (not
 * on the clock) until a start: a request (bertd_start) or, with the site's
 * auto_start, a module insertion seen on ModPrsL by bertd_poll(). A run
 * opens the site (fixture, module, instruments), runs the plan (the default
 * plan plus the sensitivity sweep and the link budget), journals every step
 * to the results store, closes the site and goes back to idle. Whatever
 * happens in a run (adapter unplugged, module NACKing, a step failing)
 * ends that run with its record (status error) and never another site's.
 *
 * Time. Sites whose fixtures are `sim:BENCH?site=N` share that bench and
 * its virtual clock; a worker takes part in the clock (registered) only
 * while it runs, and a start takes a clock hold until the worker is in, so
 * sites started together begin at the same station instant. With speed > 0
 * a pacer keeps virtual time at speed x wall time; 0 runs it as fast as the
 * CPU allows (tests, benchmark).
 *
 * Arbitration. An instrument the station gives to lanes of two or more
 * sites is shared: its uses (engine.h qual_ctx_acquire, one VOA setting or
 * one meter read) are serialized by a clock-aware lock (clock.h) granted
 * per use, FIFO or round robin by site, so sites interleave. Instruments of
 * one site only are never locked. Locks of one site nest (reentrant) and
 * are taken in one global order (VOAs, switches, meters), so no deadlock.
 */
#ifndef BERT_DAEMON_BERTD_CORE_H
#define BERT_DAEMON_BERTD_CORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bert/core/clock.h"
#include "bert/qual/engine.h"

struct bertd;

struct bertd_config {
	const char *station;		/* station file (required) */
	const char *db;			/* results store; NULL = default path */
	enum bert_clock_lock_policy policy;	/* FIFO by default */
	double speed;			/* virtual time / wall time; 0 = max */
	uint64_t ber_max_time_ns;	/* 0 = the engine's default */
	bool no_sweep;			/* plan without sensitivity/link_budget */
	bool budget_closed_loop;	/* shared meter: still check the budget
					 * point on the meter (one read a lane) */
	unsigned repeat;		/* runs per start, back to back (a module
					 * replaced at once; benchmark); 0 = 1 */
};

enum bertd_site_state {
	BERTD_IDLE = 0,
	BERTD_STARTING,		/* start requested, worker not in yet */
	BERTD_RUNNING,
	BERTD_ABORTING,
};

/* Receives every progress event as one JSON line (with '\n'), from worker
 * threads and from the caller's thread; must not block. */
typedef void (*bertd_sink_fn)(void *user, const char *line, size_t len);
/* Tests: every engine event of every site, in the site's worker thread,
 * synchronously (station time stands still for that site meanwhile). */
typedef void (*bertd_hook_fn)(void *user, unsigned site, const struct qual_event *ev);

/* Loads the station (relative sim: paths in fixture URIs are taken from the
 * station file's folder), opens the store (store_recover() marks runs of
 * dead processes aborted; *recovered gets how many, may be NULL), loads
 * shared benches and starts one idle worker per site. */
int bertd_open(const struct bertd_config *cfg, struct bertd **out, unsigned *recovered);
/* Aborts running sites, waits for them (modules left safe, records
 * stored) and frees everything. */
void bertd_close(struct bertd *d);

void bertd_set_sink(struct bertd *d, bertd_sink_fn fn, void *user);
void bertd_set_hook(struct bertd *d, bertd_hook_fn fn, void *user);

unsigned bertd_sites(const struct bertd *d);
/* Starts site (1..N, or 0 = every idle site, all at one station instant)
 * with profile (NULL/"" = the site's) and operator serial (NULL/"" = the
 * module's). BERT_ERR_RANGE no such site, BERT_ERR_STATE running (or, for
 * 0, nothing idle), BERT_ERR_CONFIG unknown profile. *started (may be NULL)
 * gets the number of sites started. */
int bertd_start(struct bertd *d, unsigned site, const char *profile, const char *serial,
		unsigned *started);
/* Asks site (0 = all running) to stop; BERT_ERR_STATE when it is idle. */
int bertd_abort(struct bertd *d, unsigned site);
/* Re-reads the station file: idle sites take the new description at once,
 * running ones when their run ends. The number of sites may not change. */
int bertd_reload(struct bertd *d);
/* Checks ModPrsL of the idle sites through the board's GPIO read on each
 * site's fixture, which stays open while the daemon runs (opened on first
 * use, reopened only after BERT_ERR_NODEV or a new URI; the runs use it
 * too), reads the EEPROM serial of a module once per insertion, and starts
 * auto-start sites whose module was inserted since the last call (absent ->
 * present). Cheap; call it periodically (bertd: every 50 ms). Returns the
 * number started. */
unsigned bertd_poll(struct bertd *d);
/* Emulated sites: insert/remove the module, unplug/replug the adapter
 * (-1 = leave). BERT_ERR_UNSUPPORTED for a fixture that is not sim:. */
int bertd_sim(struct bertd *d, unsigned site, int present, int unplugged);
/* Emulated instruments: a fault on the station's instrument name as the
 * site's bench sees it (sim: instruments only): "silent", "garbage" (the
 * next reply), "unplugged" (its port vanishes), "none" ends them. It acts
 * at the instrument's next command. BERT_ERR_CONFIG for a name the station
 * lacks, BERT_ERR_UNSUPPORTED for an instrument that is not sim:. */
int bertd_sim_instrument(struct bertd *d, unsigned site, const char *name,
			 const char *fault);

/* {"station":..., "sites":[{site, name, state, present, fixture, profile,
 *   run, step, step_index, steps, lane, t, last:{run,id,status,verdict}}],
 *   "station_ns":...} */
json_t *bertd_status(struct bertd *d);
/* {"cursor":C,"runs":[...]}: runs whose row changed after since (the
 * store's change counter; pass the cursor back to get only news). */
json_t *bertd_results(struct bertd *d, int64_t since, unsigned limit);
/* True when no site is starting or running. */
bool bertd_idle(struct bertd *d);
/* Blocks (wall time, not the clock) until every site is idle. */
void bertd_wait_idle(struct bertd *d);

/* Arbiter statistics of instrument name: grants, contended grants, station
 * time waited (summed over requests) and held. BERT_ERR_RANGE when not
 * shared. */
int bertd_arbiter_stats(struct bertd *d, const char *name, uint64_t *grants,
			uint64_t *contended, uint64_t *wait_ns, uint64_t *held_ns);
/* The clock of site (tests and the benchmark). */
struct bert_clock *bertd_site_clock(struct bertd *d, unsigned site);

#endif
