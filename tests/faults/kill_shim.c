// SPDX-License-Identifier: MIT
/* LD_PRELOAD shim for the storage fault tests: counts the writes a process
 * makes to files whose path contains $BERT_KILL_MATCH (default
 * "results.db": the database, its -wal and -shm) and, at the Nth one
 * ($BERT_KILL_AFTER_WRITES), writes only the first half of the buffer and
 * kills the process with SIGKILL: a torn write at a chosen point, the way
 * power loss or kill -9 ends a writer. fsync()/fdatasync() of a matching
 * file count as points too (the kill lands just before the sync).
 * Without $BERT_KILL_AFTER_WRITES the shim only passes calls through; with
 * $BERT_KILL_COUNT=FILE it appends the number of points seen at exit, so a
 * test can pick points inside a run's range. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long points;
static long kill_at = -1;
static const char *match = "results.db";
static const char *count_file;

static void report(void)
{
	FILE *f;

	if (!count_file)
		return;
	f = fopen(count_file, "a");
	if (f) {
		fprintf(f, "%ld\n", (long)atomic_load(&points));
		fclose(f);
	}
}

__attribute__((constructor)) static void shim_init(void)
{
	const char *n = getenv("BERT_KILL_AFTER_WRITES"), *m = getenv("BERT_KILL_MATCH");

	if (n && *n)
		kill_at = strtol(n, NULL, 10);
	if (m && *m)
		match = m;
	count_file = getenv("BERT_KILL_COUNT");
	if (count_file && *count_file)
		atexit(report);
	else
		count_file = NULL;
}

static int matches(int fd)
{
	char link[64], path[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = 0;
	return strstr(path, match) != NULL;
}

/* 1 when this call is the point to die at */
static int point(int fd)
{
	if (!matches(fd))
		return 0;
	return atomic_fetch_add(&points, 1) + 1 == kill_at;
}

static void die(void)
{
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*sync_fn)(int);

#define REAL(name, type) \
	static type real_##name; \
	if (!real_##name) \
		real_##name = (type)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(write, write_fn);
	if (point(fd)) {
		real_write(fd, buf, len / 2);
		die();
	}
	return real_write(fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	REAL(pwrite, pwrite_fn);
	if (point(fd)) {
		real_pwrite(fd, buf, len / 2, off);
		die();
	}
	return real_pwrite(fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	REAL(pwrite64, pwrite_fn);
	if (point(fd)) {
		real_pwrite64(fd, buf, len / 2, off);
		die();
	}
	return real_pwrite64(fd, buf, len, off);
}

int fsync(int fd)
{
	REAL(fsync, sync_fn);
	if (point(fd))
		die();
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	REAL(fdatasync, sync_fn);
	if (point(fd))
		die();
	return real_fdatasync(fd);
}
