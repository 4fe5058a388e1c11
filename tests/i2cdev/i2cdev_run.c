// SPDX-License-Identifier: MIT
/* i2cdev_run: runs commands against an emulated Linux I2C adapter
 * (/dev/i2c-N under umockdev) with the emulated CMIS module (0x50) and the
 * board's INA226 power monitor (0x40) on its bus, as umockdev-run runs a
 * program against a recorded device:
 *
 *   i2cdev_run [--bus N] [--module INI] [--monitor ADDR] [--stats FILE]
 *              [--jitter-seed S] STEP...
 *
 * STEPs, in order:
 *   @run PROG ARGS...   run PROG (until the next @word) under the preload
 *                       list $I2CDEV_PRELOAD (default
 *                       libumockdev-preload.so.0) and wait for it
 *   @out=FILE @err=FILE where the next @run's stdout / stderr go
 *   @remove / @insert   take the module out of its cage / put it back (its
 *                       address is NACKed while out)
 *
 * The programs share the runner's virtual clock through the time page of
 * tests/usbdev/ft232h_clock.h (when $I2CDEV_PRELOAD lists the clock shim):
 * each I2C_RDWR first brings the emulation up to the caller's time, then
 * charges the bus time it spent (and, with --jitter-seed, a seeded
 * round-trip latency) to both.
 *
 * Exits with the last @run's status (2 for a usage error, 3 when the
 * emulation cannot start). --stats writes one JSON object with the ioctl
 * counts and each run's exit status. */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <umockdev.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/board_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "tests/i2cdev/i2cdev_dev.h"
#include "tests/usbdev/step_run.h"

struct rig {
	struct bert_clock *clock;
	struct sim_bench *bench;
	struct sim_board *sboard;
	struct step_run sr;
	struct i2cdev_dev *d;
	struct i2c_target tg[2];
};

/* Before each transfer the caller's time comes in (it may have slept),
 * after it the time the bus spent goes out. */
static void on_xfer(void *user, int after)
{
	struct rig *r = user;

	step_run_sync(&r->sr, r->clock, after);
}

static int num(const char *s, unsigned long max, unsigned *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 0);
	if (errno || end == s || *end || x > max)
		return -1;
	*v = (unsigned)x;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: i2cdev_run [--bus N] [--module INI] [--monitor ADDR] "
		"[--stats FILE] [--jitter-seed S] STEP...\n"
		"  STEP: @run PROG ARGS... | @out=FILE | @err=FILE | @remove | @insert\n");
}

static void write_stats(const char *path, struct i2cdev_dev *d, const struct step_run *sr)
{
	struct i2cdev_stats s;
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "i2cdev_run: %s: %s\n", path, strerror(errno));
		return;
	}
	i2cdev_dev_stats(d, &s);
	fprintf(f, "{\"opens\": %llu, \"ioctl_rdwr\": %llu, \"ioctl_funcs\": %llu, "
		"\"ioctl_slave\": %llu, \"msgs\": %llu, \"addr_nacks\": %llu, "
		"\"data_nacks\": %llu, \"refused\": %llu, \"bytes_read\": %llu, "
		"\"bytes_written\": %llu, \"latency_ns\": %llu, \"stretch_ns\": %llu, ",
		(unsigned long long)s.opens, (unsigned long long)s.ioctl_rdwr,
		(unsigned long long)s.ioctl_funcs, (unsigned long long)s.ioctl_slave,
		(unsigned long long)s.msgs, (unsigned long long)s.addr_nacks,
		(unsigned long long)s.data_nacks, (unsigned long long)s.refused,
		(unsigned long long)s.bytes_read, (unsigned long long)s.bytes_written,
		(unsigned long long)s.latency_ns, (unsigned long long)s.stretch_ns);
	step_run_write_rcs(sr, f);
	fclose(f);
}

/* The runner's own steps. */
static int own_step(void *user, const char *a)
{
	struct rig *r = user;

	if (strcmp(a, "@remove") && strcmp(a, "@insert"))
		return -1;
	i2cdev_dev_lock(r->d);
	sim_board_set_present(r->sboard, a[1] == 'i');
	i2cdev_dev_unlock(r->d);
	i2cdev_dev_set_present(r->d, r->tg[0].addr, a[1] == 'i');
	return 0;
}

int main(int argc, char **argv)
{
	const char *module = "", *stats = NULL;
	unsigned bus = 7, monitor = 0x40, seed = 0;
	bool jitter = false;
	struct rig r = { .sr = { "i2cdev_run", "I2CDEV_PRELOAD", usage } };
	UMockdevTestbed *tb = NULL;
	int last = 0, i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i += 2) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool ok = v != NULL;

		if (ok && !strcmp(o, "--bus"))
			ok = !num(v, 255, &bus);
		else if (ok && !strcmp(o, "--monitor"))
			ok = !num(v, 0x7f, &monitor);
		else if (ok && !strcmp(o, "--jitter-seed"))
			ok = !num(v, UINT32_MAX, &seed), jitter = true;
		else if (ok && !strcmp(o, "--module"))
			module = v;
		else if (ok && !strcmp(o, "--stats"))
			stats = v;
		else
			ok = false;
		if (!ok) {
			usage();
			return 2;
		}
	}
	/* $BERT_SIM_JITTER (a seed) turns the seeded latency on for a whole
	 * test plan (`make check JITTER=1`), as on the in-process sim bus. */
	if (!jitter && getenv("BERT_SIM_JITTER") && *getenv("BERT_SIM_JITTER")) {
		jitter = true;
		seed = (unsigned)strtoul(getenv("BERT_SIM_JITTER"), NULL, 0);
	}
	r.clock = bert_clock_virtual_new();
	rc = r.clock ? sim_bench_load(module, r.clock, &r.bench) : BERT_ERR_NOMEM;
	if (!rc) {
		r.sboard = sim_board_new(sim_bench_module(r.bench, 1), 0.010);
		rc = r.sboard ? BERT_OK : BERT_ERR_NOMEM;
	}
	if (rc) {
		fprintf(stderr, "i2cdev_run: %s: %s\n", bert_strerror(rc), bert_error_detail());
		last = 3;
		goto out;
	}
	/* A host cage whose platform does not drive the lines: ResetL and
	 * LPMode sit at the module's own pull-ups (QSFP-DD hardware
	 * specification, low-speed signals), out of reset, LPMode high. */
	sim_board_set_resetl(r.sboard, true);
	sim_board_set_lpmode(r.sboard, true);
	if (step_run_clock(&r.sr, r.clock)) {
		last = 3;
		goto out;
	}
	r.tg[0] = sim_board_module_target(r.sboard);
	r.tg[1] = sim_board_monitor_target(r.sboard, monitor);
	tb = umockdev_testbed_new();
	r.d = i2cdev_dev_new(tb, bus, r.clock, r.tg, 2);
	if (!r.d) {
		fprintf(stderr, "i2cdev_run: cannot set up the emulated adapter\n");
		last = 3;
		goto out;
	}
	if (jitter)
		i2cdev_dev_set_jitter(r.d, seed);
	i2cdev_dev_on_xfer(r.d, on_xfer, &r);
	last = step_run_steps(&r.sr, argc, argv, i, own_step, &r);
	if (stats)
		write_stats(stats, r.d, &r.sr);
out:
	i2cdev_dev_free(r.d);
	if (tb)
		g_object_unref(tb);
	step_run_clock_free(&r.sr);
	sim_board_free(r.sboard);
	sim_bench_free(r.bench);
	bert_clock_free(r.clock);
	return last;
}
