// SPDX-License-Identifier: MIT
/* The step runner of ft232h_run and i2cdev_run (see step_run.h). */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "tests/usbdev/step_run.h"

int step_run_clock(struct step_run *s, struct bert_clock *clk)
{
	char tpath[] = "/tmp/step_run_clock.XXXXXX";
	struct timespec ts;
	int fd = mkstemp(tpath);

	if (fd < 0 || ftruncate(fd, sizeof(*s->time)) < 0) {
		fprintf(stderr, "%s: clock page: %s\n", s->name, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tpath);
		}
		return -1;
	}
	s->time = mmap(NULL, sizeof(*s->time), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (s->time == MAP_FAILED) {
		fprintf(stderr, "%s: mmap: %s\n", s->name, strerror(errno));
		s->time = NULL;
		unlink(tpath);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->time->base_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	s->time->virt_ns = bert_clock_now(clk);
	/* the name is in the environment; the file goes at the end */
	snprintf(s->clock_path, sizeof(s->clock_path), "%s", tpath);
	setenv("FT232H_CLOCK", tpath, 1);
	return 0;
}

void step_run_clock_free(struct step_run *s)
{
	if (!s->time)
		return;
	munmap(s->time, sizeof(*s->time));
	unlink(s->clock_path);
	s->time = NULL;
}

void step_run_sync(struct step_run *s, struct bert_clock *clk, int after)
{
	uint64_t host = __atomic_load_n(&s->time->virt_ns, __ATOMIC_SEQ_CST);
	uint64_t own = bert_clock_now(clk);

	if (!after) {
		if (host > own)
			bert_clock_sleep_until(clk, host);
	} else if (own > host) {
		__atomic_store_n(&s->time->virt_ns, own, __ATOMIC_SEQ_CST);
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

/* Runs argv with stdout / stderr redirected where asked; returns its exit
 * status (128 + signal when killed). The main loop runs meanwhile, so the
 * emulation's sysfs changes (an armed unplug) happen while the program
 * runs. */
static int run_child(const struct step_run *s, char **argv, const char *out,
		     const char *err)
{
	const char *pre = getenv(s->preload_env);
	struct child c = { g_main_loop_new(NULL, FALSE), 0 };
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %s\n", s->name, strerror(errno));
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
		fprintf(stderr, "%s: %s: %s\n", s->name, argv[0], strerror(errno));
		_exit(127);
	}
	g_child_watch_add(pid, child_done, &c);
	g_main_loop_run(c.loop);
	g_main_loop_unref(c.loop);
	if (WIFEXITED(c.status))
		return WEXITSTATUS(c.status);
	return 128 + (WIFSIGNALED(c.status) ? WTERMSIG(c.status) : 0);
}

int step_run_steps(struct step_run *s, int argc, char **argv, int i,
		   int (*other)(void *user, const char *step), void *user)
{
	const char *out = NULL, *err = NULL;
	int last = 0, rc;

	while (i < argc) {
		const char *a = argv[i];

		if (!strcmp(a, "@run")) {
			int j = ++i;
			char *sv;

			while (i < argc && argv[i][0] != '@')
				i++;
			if (i == j || s->nrun == STEP_RUN_MAX) {
				s->usage();
				return 2;
			}
			sv = argv[i];	/* argv[argc] is NULL */
			argv[i] = NULL;
			last = run_child(s, argv + j, out, err);
			argv[i] = sv;
			s->rcs[s->nrun++] = last;
			out = err = NULL;
			continue;
		}
		if (!strncmp(a, "@out=", 5)) {
			out = a + 5;
		} else if (!strncmp(a, "@err=", 5)) {
			err = a + 5;
		} else {
			rc = other(user, a);
			if (rc < 0) {
				s->usage();
				return 2;
			}
			if (rc)
				return rc;
		}
		i++;
	}
	return last;
}

void step_run_write_rcs(const struct step_run *s, FILE *f)
{
	unsigned i;

	fprintf(f, "\"rc\": [");
	for (i = 0; i < s->nrun; i++)
		fprintf(f, "%s%d", i ? ", " : "", s->rcs[i]);
	fprintf(f, "]}\n");
}
