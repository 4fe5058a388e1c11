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
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <umockdev.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/board_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "tests/i2cdev/i2cdev_dev.h"
#include "tests/usbdev/ft232h_clock.h"

#define MAX_RUNS 32

struct rig {
	struct bert_clock *clock;
	struct sim_bench *bench;
	struct sim_board *sboard;
	struct ft232h_clock_page *time;
};

/* Before each transfer the caller's time comes in (it may have slept),
 * after it the time the bus spent goes out. */
static void on_xfer(void *user, int after)
{
	struct rig *r = user;
	uint64_t host = __atomic_load_n(&r->time->virt_ns, __ATOMIC_SEQ_CST);
	uint64_t own = bert_clock_now(r->clock);

	if (!after) {
		if (host > own)
			bert_clock_sleep_until(r->clock, host);
	} else if (own > host) {
		__atomic_store_n(&r->time->virt_ns, own, __ATOMIC_SEQ_CST);
	}
}

struct child {
	GMainLoop *loop;
	int status;
};

static void child_done(GPid pid, gint status, gpointer user)
{
	struct child *c = user;

	c->status = status;
	g_spawn_close_pid(pid);
	g_main_loop_quit(c->loop);
}

/* Runs argv with stdout / stderr redirected where asked; its exit status
 * (128 + signal when killed). */
static int run_child(char **argv, const char *out, const char *err)
{
	const char *pre = getenv("I2CDEV_PRELOAD");
	struct child c = { g_main_loop_new(NULL, FALSE), 0 };
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("i2cdev_run: fork");
		g_main_loop_unref(c.loop);
		return 3;
	}
	if (pid == 0) {
		int fd;

		if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
			dup2(fd, 1), close(fd);
		if (err && (fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0)
			dup2(fd, 2), close(fd);
		setenv("LD_PRELOAD", pre && *pre ? pre : "libumockdev-preload.so.0", 1);
		execvp(argv[0], argv);
		fprintf(stderr, "i2cdev_run: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	g_child_watch_add(pid, child_done, &c);
	g_main_loop_run(c.loop);
	g_main_loop_unref(c.loop);
	if (WIFEXITED(c.status))
		return WEXITSTATUS(c.status);
	return 128 + (WIFSIGNALED(c.status) ? WTERMSIG(c.status) : 0);
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

static void write_stats(const char *path, struct i2cdev_dev *d, const int *rcs, unsigned n)
{
	struct i2cdev_stats s;
	FILE *f = fopen(path, "w");
	unsigned i;

	if (!f) {
		fprintf(stderr, "i2cdev_run: %s: %s\n", path, strerror(errno));
		return;
	}
	i2cdev_dev_stats(d, &s);
	fprintf(f, "{\"opens\": %llu, \"ioctl_rdwr\": %llu, \"ioctl_funcs\": %llu, "
		"\"ioctl_slave\": %llu, \"msgs\": %llu, \"addr_nacks\": %llu, "
		"\"data_nacks\": %llu, \"refused\": %llu, \"bytes_read\": %llu, "
		"\"bytes_written\": %llu, \"latency_ns\": %llu, \"stretch_ns\": %llu, \"rc\": [",
		(unsigned long long)s.opens, (unsigned long long)s.ioctl_rdwr,
		(unsigned long long)s.ioctl_funcs, (unsigned long long)s.ioctl_slave,
		(unsigned long long)s.msgs, (unsigned long long)s.addr_nacks,
		(unsigned long long)s.data_nacks, (unsigned long long)s.refused,
		(unsigned long long)s.bytes_read, (unsigned long long)s.bytes_written,
		(unsigned long long)s.latency_ns, (unsigned long long)s.stretch_ns);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? ", " : "", rcs[i]);
	fprintf(f, "]}\n");
	fclose(f);
}

static int map_time(struct rig *r, char *tpath)
{
	struct timespec ts;
	int fd = mkstemp(tpath);

	if (fd < 0 || ftruncate(fd, sizeof(*r->time)) < 0) {
		perror("i2cdev_run: clock page");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	r->time = mmap(NULL, sizeof(*r->time), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (r->time == MAP_FAILED) {
		perror("i2cdev_run: mmap");
		r->time = NULL;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->time->base_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	r->time->virt_ns = bert_clock_now(r->clock);
	setenv("FT232H_CLOCK", tpath, 1);
	return 0;
}

int main(int argc, char **argv)
{
	const char *module = "", *stats = NULL, *out = NULL, *err = NULL;
	unsigned bus = 7, monitor = 0x40, seed = 0, nrun = 0;
	bool jitter = false;
	struct rig r = { 0 };
	struct i2cdev_dev *d = NULL;
	struct i2c_target tg[2];
	UMockdevTestbed *tb = NULL;
	char tpath[] = "/tmp/i2cdev_clock.XXXXXX";
	int rcs[MAX_RUNS], last = 0, i, rc;

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
	if (map_time(&r, tpath)) {
		last = 3;
		goto out;
	}
	tg[0] = sim_board_module_target(r.sboard);
	tg[1] = sim_board_monitor_target(r.sboard, monitor);
	tb = umockdev_testbed_new();
	d = i2cdev_dev_new(tb, bus, r.clock, tg, 2);
	if (!d) {
		fprintf(stderr, "i2cdev_run: cannot set up the emulated adapter\n");
		last = 3;
		goto out;
	}
	if (jitter)
		i2cdev_dev_set_jitter(d, seed);
	i2cdev_dev_on_xfer(d, on_xfer, &r);
	while (i < argc) {
		const char *a = argv[i];

		if (!strcmp(a, "@run")) {
			int j = ++i;
			char *sv;

			while (i < argc && argv[i][0] != '@')
				i++;
			if (i == j || nrun == MAX_RUNS) {
				usage();
				last = 2;
				break;
			}
			sv = argv[i];
			argv[i] = NULL;
			last = run_child(argv + j, out, err);
			argv[i] = sv;
			rcs[nrun++] = last;
			out = err = NULL;
			continue;
		}
		if (!strncmp(a, "@out=", 5)) {
			out = a + 5;
		} else if (!strncmp(a, "@err=", 5)) {
			err = a + 5;
		} else if (!strcmp(a, "@remove") || !strcmp(a, "@insert")) {
			i2cdev_dev_lock(d);
			sim_board_set_present(r.sboard, a[1] == 'i');
			i2cdev_dev_unlock(d);
			i2cdev_dev_set_present(d, tg[0].addr, a[1] == 'i');
		} else {
			usage();
			last = 2;
			break;
		}
		i++;
	}
	if (stats && d)
		write_stats(stats, d, rcs, nrun);
out:
	i2cdev_dev_free(d);
	if (tb)
		g_object_unref(tb);
	if (r.time) {
		munmap(r.time, sizeof(*r.time));
		unlink(tpath);
	}
	sim_board_free(r.sboard);
	sim_bench_free(r.bench);
	bert_clock_free(r.clock);
	return last;
}
