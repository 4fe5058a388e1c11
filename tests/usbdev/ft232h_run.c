// SPDX-License-Identifier: MIT
/* ft232h_run: runs commands against an emulated FTDI adapter at the usbdevfs
 * level (ft232h_dev.h), with the emulated board and CMIS module of a sim
 * bench behind its MPSSE port, as umockdev-run runs a program against a
 * recorded device:
 *
 *   ft232h_run [--chip 232h|2232h|4232h] [--serial S] [--module INI]
 *              [--board NAME] [--port N] [--stats FILE] STEP...
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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/board.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/board_sim.h"
#include "fixtures/sim/cmis_module.h"
#include "fixtures/sim/mpsse_engine.h"
#include "tests/usbdev/ft232h_clock.h"
#include "tests/usbdev/ft232h_dev.h"

#define MAX_RUNS 32

static char clock_path[64];

struct rig {
	struct bert_clock *clock;
	struct sim_bench *bench;
	struct sim_board *sboard;
	struct board_desc board;
	struct mpsse_engine *eng[FT232H_DEV_MAX_IFACES];
	unsigned port;		/* 0-based, where the board hangs */
	struct ft232h_clock_page *time;	/* shared with the programs run */
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
	uint64_t host, own = bert_clock_now(r->clock);

	host = __atomic_load_n(&r->time->virt_ns, __ATOMIC_SEQ_CST);
	if (!after) {
		if (host > own)
			bert_clock_sleep_until(r->clock, host);
		drive_inputs(r);
	} else if (own > host) {
		__atomic_store_n(&r->time->virt_ns, own, __ATOMIC_SEQ_CST);
	}
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
		    const char *module, const char *board)
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
	tg = sim_board_module_target(r->sboard);
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
	sim_board_free(r->sboard);
	sim_bench_free(r->bench);
	bert_clock_free(r->clock);
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

/* Runs argv with stdout / stderr redirected where asked; returns its exit
 * status (128 + signal when killed). The main loop runs meanwhile, so an
 * armed unplug's sysfs removal happens while the program runs. */
static int run_child(char **argv, const char *out, const char *err)
{
	const char *pre = getenv("FT232H_PRELOAD");
	struct child c = { g_main_loop_new(NULL, FALSE), 0 };
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("ft232h_run: fork");
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
		fprintf(stderr, "ft232h_run: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	g_child_watch_add(pid, child_done, &c);
	g_main_loop_run(c.loop);
	g_main_loop_unref(c.loop);
	if (WIFEXITED(c.status))
		return WEXITSTATUS(c.status);
	return 128 + (WIFSIGNALED(c.status) ? WTERMSIG(c.status) : 0);
}

static void usage(void)
{
	fprintf(stderr, "usage: ft232h_run [--chip 232h|2232h|4232h] [--serial S] "
		"[--module INI] [--board NAME] [--port N] [--stats FILE] STEP...\n"
		"  STEP: @run PROG ARGS... | @out=FILE | @err=FILE | "
		"@unplug-after=N | @unplug | @plug\n");
}

static void write_stats(const char *path, struct ft232h_dev *d, struct mpsse_engine *e,
			const int *rcs, unsigned n)
{
	struct mpsse_engine_stats es;
	struct ft232h_stats s;
	FILE *f = fopen(path, "w");
	unsigned i;

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
		"\"claims\": %llu, \"nodev\": %llu, \"plugs\": %llu, \"unplugs\": %llu, \"rc\": [",
		(unsigned long long)s.urbs_control, (unsigned long long)s.urbs_bulk_out,
		(unsigned long long)s.urbs_bulk_in, (unsigned long long)s.in_packets,
		(unsigned long long)s.in_status_only, (unsigned long long)s.bytes_out,
		(unsigned long long)s.bytes_in, (unsigned long long)s.usb_round_trips,
		(unsigned long long)s.refused, (unsigned long long)s.claims,
		(unsigned long long)s.nodev, (unsigned long long)s.plugs,
		(unsigned long long)s.unplugs);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? ", " : "", rcs[i]);
	fprintf(f, "]}\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *serial = "BERT232H", *module = "", *board = "default", *stats = NULL;
	const char *out = NULL, *err = NULL;
	enum mpsse_chip chip = MPSSE_FT232H;
	unsigned nports = 1;
	struct rig r = { 0 };
	struct ft232h_dev *d;
	UMockdevTestbed *tb;
	int rcs[MAX_RUNS], last = 0, i, rc;
	unsigned nrun = 0;

	/* Under umockdev's preload itself, so that its uevents (udev's view of
	 * the testbed's /sys) reach the programs it runs. */
	if (!getenv("LD_PRELOAD") || !strstr(getenv("LD_PRELOAD"), "libumockdev-preload")) {
		char *pre = getenv("LD_PRELOAD");
		char buf[1024];

		snprintf(buf, sizeof(buf), "%s%slibumockdev-preload.so.0", pre ? pre : "",
			 pre && *pre ? ":" : "");
		setenv("LD_PRELOAD", buf, 1);
		/* a sanitizer build: its runtime is not first any more */
		setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 0);
		execv("/proc/self/exe", argv);
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
	rc = rig_open(&r, chip, nports, module, board);
	if (rc) {
		fprintf(stderr, "ft232h_run: %s: %s\n", bert_strerror(rc), bert_error_detail());
		rig_close(&r);
		return 3;
	}
	{
		char tpath[] = "/tmp/ft232h_clock.XXXXXX";
		struct timespec ts;
		int fd = mkstemp(tpath);

		if (fd < 0 || ftruncate(fd, sizeof(*r.time)) < 0) {
			perror("ft232h_run: clock page");
			rig_close(&r);
			return 3;
		}
		r.time = mmap(NULL, sizeof(*r.time), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (r.time == MAP_FAILED) {
			perror("ft232h_run: mmap");
			unlink(tpath);
			rig_close(&r);
			return 3;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		r.time->base_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		r.time->virt_ns = bert_clock_now(r.clock);
		setenv("FT232H_CLOCK", tpath, 1);
		/* the name is in the environment; the file goes at exit */
		snprintf(clock_path, sizeof(clock_path), "%s", tpath);
	}
	tb = umockdev_testbed_new();
	d = ft232h_dev_new(tb, chip, serial, r.eng);
	if (!d || ft232h_dev_plug(d)) {
		fprintf(stderr, "ft232h_run: cannot set up the emulated adapter\n");
		ft232h_dev_free(d);
		g_object_unref(tb);
		rig_close(&r);
		return 3;
	}
	ft232h_dev_on_bulk(d, on_bulk, &r);
	while (i < argc) {
		const char *a = argv[i];

		if (!strcmp(a, "@run")) {
			int j = ++i;

			while (i < argc && argv[i][0] != '@')
				i++;
			if (i == j || nrun == MAX_RUNS) {
				usage();
				last = 2;
				break;
			}
			{
				char *sv = argv[i < argc ? i : argc];

				argv[i < argc ? i : argc] = NULL;
				last = run_child(argv + j, out, err);
				if (i < argc)
					argv[i] = sv;
			}
			rcs[nrun++] = last;
			out = err = NULL;
			continue;
		}
		if (!strncmp(a, "@out=", 5))
			out = a + 5;
		else if (!strncmp(a, "@err=", 5))
			err = a + 5;
		else if (!strncmp(a, "@unplug-after=", 14))
			ft232h_dev_arm_unplug(d, (unsigned)atoi(a + 14));
		else if (!strcmp(a, "@unplug"))
			ft232h_dev_unplug(d);
		else if (!strcmp(a, "@plug")) {
			ft232h_dev_unplug(d);	/* completes an armed unplug */
			if (ft232h_dev_plug(d)) {
				last = 3;
				break;
			}
		} else {
			usage();
			last = 2;
			break;
		}
		i++;
	}
	if (stats)
		write_stats(stats, d, r.eng[r.port], rcs, nrun);
	g_object_unref(tb);
	ft232h_dev_free(d);
	munmap(r.time, sizeof(*r.time));
	unlink(clock_path);
	rig_close(&r);
	return last;
}
