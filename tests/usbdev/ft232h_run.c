// SPDX-License-Identifier: MIT
/* ft232h_run: runs commands against an emulated FTDI adapter at the usbdevfs
 * level (ft232h_dev.h), with the emulated board and CMIS module of a sim
 * bench behind its MPSSE port, as umockdev-run runs a program against a
 * recorded device:
 *
 *   ft232h_run [--chip 232h|2232h|4232h] [--serial S]
 *              [--module INI | --image FILE] [--board NAME] [--port N]
 *              [--stats FILE] STEP...
 *
 * --image serves a captured module memory (fixtures/sim/image_module.h) at
 * the module's address instead of the emulated CMIS module.
 *
 * STEPs, in order:
 *   @run PROG ARGS...   run PROG (until the next @word) under umockdev's
 *                       preload library ($FT232H_PRELOAD, default
 *                       libumockdev-preload.so.0) and wait for it
 *   @out=FILE @err=FILE where the next @run's stdout / stderr go
 *   @unplug-after=N     during what follows, unplug after N bulk URBs
 *   @unplug / @plug     unplug now / plug in again (same serial, next address)
 *
 * Exits with the last @run's status (2 for a usage error, 3 when the
 * emulation cannot start). --stats writes one JSON object: the URB counts
 * and each run's exit status. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/board.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/board_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "fixtures/sim/image_module.h"
#include "fixtures/sim/mpsse_engine.h"
#include "tests/usbdev/ft232h_dev.h"
#include "tests/usbdev/step_run.h"

struct rig {
	struct bert_clock *clock;
	struct sim_bench *bench;
	struct sim_board *sboard;
	struct board_desc board;
	struct mpsse_engine *eng[FT232H_DEV_MAX_IFACES];
	unsigned port;		/* 0-based, where the board hangs */
	struct step_run sr;	/* its clock page is shared with the programs run */
	struct ft232h_dev *d;
	struct sim_image_module *image;	/* --image: served instead of the module */
};

/* The board's wiring, as fixture_mpsse_sim.c has it: output pins drive
 * ResetL and LPMode; ModPrsL and IntL come back as input levels. */
static void on_output(void *user, unsigned port, uint8_t levels)
{
	struct rig *r = user;
	const struct board_pin *rs = &r->board.pin[BOARD_RESETL];
	const struct board_pin *lp = &r->board.pin[BOARD_LPMODE];

	if (rs->used && rs->port == port)
		sim_board_set_resetl(r->sboard, levels & rs->mask);
	if (lp->used && lp->port == port)
		sim_board_set_lpmode(r->sboard, levels & lp->mask);
}

static void drive_inputs(struct rig *r);

/* Around each bulk URB: the host's time (it may have slept) comes in
 * before, what the chip spent goes out after; the board's input lines are
 * refreshed before the chip samples them. */
static void on_bulk(void *user, int after)
{
	struct rig *r = user;

	step_run_sync(&r->sr, r->clock, after);
	if (!after)
		drive_inputs(r);
}

static void drive_inputs(struct rig *r)
{
	const struct board_pin *p = &r->board.pin[BOARD_MODPRSL];
	const struct board_pin *i = &r->board.pin[BOARD_INTL];
	struct mpsse_engine *e = r->eng[r->port];

	if (p->used)
		mpsse_engine_set_input(e, p->port, p->mask, sim_board_present(r->sboard) ? 0 : p->mask);
	if (i->used)
		mpsse_engine_set_input(e, i->port, i->mask,
				       sim_board_intl_asserted(r->sboard) ? 0 : i->mask);
}

static int rig_open(struct rig *r, enum mpsse_chip chip, unsigned nports,
		    const char *module, const char *image, const char *board)
{
	struct i2c_target tg;
	unsigned i;
	int rc;

	rc = board_desc_load(board, &r->board);
	if (rc)
		return rc;
	r->clock = bert_clock_virtual_new();
	if (!r->clock)
		return BERT_ERR_NOMEM;
	rc = sim_bench_load(module, r->clock, &r->bench);
	if (rc)
		return rc;
	r->sboard = sim_board_new(sim_bench_module(r->bench, 1), r->board.shunt_ohm);
	if (!r->sboard)
		return BERT_ERR_NOMEM;
	for (i = 0; i < nports; i++) {
		r->eng[i] = mpsse_engine_new(r->clock, chip);
		if (!r->eng[i])
			return BERT_ERR_NOMEM;
	}
	if (image) {
		rc = sim_image_module_load(image, &r->image);
		if (rc)
			return rc;
		tg = sim_image_module_target(r->image);
	} else {
		tg = sim_board_module_target(r->sboard);
	}
	rc = mpsse_engine_attach(r->eng[r->port], &tg);
	if (!rc && r->board.has_monitor) {
		tg = sim_board_monitor_target(r->sboard, r->board.monitor_addr);
		rc = mpsse_engine_attach(r->eng[r->port], &tg);
	}
	if (rc)
		return rc;
	mpsse_engine_on_output(r->eng[r->port], on_output, r);
	drive_inputs(r);
	return BERT_OK;
}

static void rig_close(struct rig *r)
{
	unsigned i;

	for (i = 0; i < FT232H_DEV_MAX_IFACES; i++)
		mpsse_engine_free(r->eng[i]);
	sim_image_module_free(r->image);
	sim_board_free(r->sboard);
	sim_bench_free(r->bench);
	bert_clock_free(r->clock);
}

static void usage(void)
{
	fprintf(stderr, "usage: ft232h_run [--chip 232h|2232h|4232h] [--serial S] "
		"[--module INI | --image FILE] [--board NAME] [--port N] [--stats FILE] "
		"STEP...\n"
		"  --image FILE  a captured module memory (bin or hex, as bert decode\n"
		"                reads it) served byte for byte at 50h\n"
		"  STEP: @run PROG ARGS... | @out=FILE | @err=FILE | "
		"@unplug-after=N | @unplug | @plug\n");
}

static void write_stats(const char *path, struct ft232h_dev *d, struct mpsse_engine *e,
			const struct sim_image_module *image, const struct step_run *sr)
{
	struct sim_image_module_stats is = { 0 };
	struct mpsse_engine_stats es;
	struct ft232h_stats s;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "ft232h_run: %s: %s\n", path, strerror(errno));
		return;
	}
	ft232h_dev_stats(d, &s);
	mpsse_engine_stats(e, &es);
	fprintf(f, "{\"mpsse_bad_commands\": %llu, \"mpsse_contentions\": %llu, "
		"\"mpsse_stalls\": %llu, ", (unsigned long long)es.bad_commands,
		(unsigned long long)es.contentions, (unsigned long long)es.stalls);
	fprintf(f, "\"urbs_control\": %llu, \"urbs_bulk_out\": %llu, \"urbs_bulk_in\": %llu, "
		"\"in_packets\": %llu, \"in_status_only\": %llu, \"bytes_out\": %llu, "
		"\"bytes_in\": %llu, \"usb_round_trips\": %llu, \"refused\": %llu, "
		"\"claims\": %llu, \"nodev\": %llu, \"plugs\": %llu, \"unplugs\": %llu, ",
		(unsigned long long)s.urbs_control, (unsigned long long)s.urbs_bulk_out,
		(unsigned long long)s.urbs_bulk_in, (unsigned long long)s.in_packets,
		(unsigned long long)s.in_status_only, (unsigned long long)s.bytes_out,
		(unsigned long long)s.bytes_in, (unsigned long long)s.usb_round_trips,
		(unsigned long long)s.refused, (unsigned long long)s.claims,
		(unsigned long long)s.nodev, (unsigned long long)s.plugs,
		(unsigned long long)s.unplugs);
	if (image) {
		sim_image_module_stats(image, &is);
		fprintf(f, "\"image_bytes_read\": %llu, \"image_refused_writes\": %llu, "
			"\"image_absent_reads\": %llu, ", (unsigned long long)is.bytes_read,
			(unsigned long long)is.refused_writes,
			(unsigned long long)is.absent_reads);
	}
	step_run_write_rcs(sr, f);
	fclose(f);
}

/* The runner's own steps. */
static int own_step(void *user, const char *a)
{
	struct rig *r = user;

	if (!strncmp(a, "@unplug-after=", 14)) {
		ft232h_dev_arm_unplug(r->d, (unsigned)atoi(a + 14));
	} else if (!strcmp(a, "@unplug")) {
		ft232h_dev_unplug(r->d);
	} else if (!strcmp(a, "@plug")) {
		ft232h_dev_unplug(r->d);	/* completes an armed unplug */
		if (ft232h_dev_plug(r->d))
			return 3;
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *serial = "BERT232H", *module = "", *board = "default", *stats = NULL;
	const char *image = NULL;
	enum mpsse_chip chip = MPSSE_FT232H;
	unsigned nports = 1;
	struct rig r = { .sr = { "ft232h_run", "FT232H_PRELOAD", usage } };
	UMockdevTestbed *tb;
	int last, i, rc;

	/* Under umockdev's preload itself, so that its uevents (udev's view of
	 * the testbed's /sys) reach the programs it runs. */
	if (ft232h_reexec_preloaded(argv)) {
		perror("ft232h_run: re-exec under umockdev");
		return 3;
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			usage();
			return 2;
		}
		if (!strcmp(argv[i], "--chip")) {
			if (!strcmp(v, "232h"))
				chip = MPSSE_FT232H, nports = 1;
			else if (!strcmp(v, "2232h"))
				chip = MPSSE_FT2232H, nports = 2;
			else if (!strcmp(v, "4232h"))
				chip = MPSSE_FT4232H, nports = 4;
			else {
				usage();
				return 2;
			}
		} else if (!strcmp(argv[i], "--serial")) {
			serial = v;
		} else if (!strcmp(argv[i], "--module")) {
			module = v;
		} else if (!strcmp(argv[i], "--image")) {
			image = v;
		} else if (!strcmp(argv[i], "--board")) {
			board = v;
		} else if (!strcmp(argv[i], "--port")) {
			r.port = (unsigned)atoi(v) - 1;
		} else if (!strcmp(argv[i], "--stats")) {
			stats = v;
		} else {
			usage();
			return 2;
		}
	}
	if (r.port >= nports) {
		fprintf(stderr, "ft232h_run: --port %u: the chip has ports 1..%u\n",
			r.port + 1, nports);
		return 2;
	}
	rc = rig_open(&r, chip, nports, module, image, board);
	if (rc) {
		fprintf(stderr, "ft232h_run: %s: %s\n", bert_strerror(rc), bert_error_detail());
		rig_close(&r);
		return 3;
	}
	if (step_run_clock(&r.sr, r.clock)) {
		rig_close(&r);
		return 3;
	}
	tb = umockdev_testbed_new();
	r.d = ft232h_dev_new(tb, chip, serial, r.eng);
	if (!r.d || ft232h_dev_plug(r.d)) {
		fprintf(stderr, "ft232h_run: cannot set up the emulated adapter\n");
		ft232h_dev_free(r.d);
		g_object_unref(tb);
		step_run_clock_free(&r.sr);
		rig_close(&r);
		return 3;
	}
	ft232h_dev_on_bulk(r.d, on_bulk, &r);
	last = step_run_steps(&r.sr, argc, argv, i, own_step, &r);
	if (stats)
		write_stats(stats, r.d, r.eng[r.port], r.image, &r.sr);
	g_object_unref(tb);
	ft232h_dev_free(r.d);
	step_run_clock_free(&r.sr);
	rig_close(&r);
	return last;
}
