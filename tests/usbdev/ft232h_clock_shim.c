// SPDX-License-Identifier: MIT
/* LD_PRELOAD shim for programs run by ft232h_run: their CLOCK_MONOTONIC is
 * the emulated adapter's virtual clock, so a bert command over ftdi:// waits
 * (module power-up, BER gating) in virtual time, as it does over mpsse-sim:,
 * and the emulated module behind the USB device sees the same time.
 *
 * The time lives in a file both processes map ($FT232H_CLOCK): base_ns (the
 * real monotonic time when the runner started) + virt_ns (virtual time
 * elapsed). clock_gettime(CLOCK_MONOTONIC*) reads base + virt;
 * clock_nanosleep(CLOCK_MONOTONIC) and nanosleep() advance virt to the
 * wake-up time and return at once. The runner advances virt by what the
 * emulated chip spends (bus time, latency periods). Other clocks pass
 * through. Without $FT232H_CLOCK everything passes through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tests/usbdev/ft232h_clock.h"

static struct ft232h_clock_page *page;
static int tried;

static struct ft232h_clock_page *get_page(void)
{
	const char *path;
	void *p;
	int fd;

	if (tried)
		return page;
	tried = 1;
	path = getenv("FT232H_CLOCK");
	if (!path || !*path)
		return NULL;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	p = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED)
		page = p;
	return page;
}

static int is_mono(clockid_t id)
{
	return id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW ||
	       id == CLOCK_MONOTONIC_COARSE || id == CLOCK_BOOTTIME;
}

static uint64_t now_ns(struct ft232h_clock_page *pg)
{
	return pg->base_ns + __atomic_load_n(&pg->virt_ns, __ATOMIC_SEQ_CST);
}

static void advance_to(struct ft232h_clock_page *pg, uint64_t t)
{
	uint64_t v = __atomic_load_n(&pg->virt_ns, __ATOMIC_SEQ_CST);

	if (t <= pg->base_ns)
		return;
	while (t - pg->base_ns > v &&
	       !__atomic_compare_exchange_n(&pg->virt_ns, &v, t - pg->base_ns, 0,
					    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	struct ft232h_clock_page *pg;

	if (is_mono(id) && (pg = get_page())) {
		uint64_t t = now_ns(pg);

		ts->tv_sec = (time_t)(t / 1000000000u);
		ts->tv_nsec = (long)(t % 1000000000u);
		return 0;
	}
	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	return real(id, ts);
}

int clock_nanosleep(clockid_t id, int flags, const struct timespec *req, struct timespec *rem)
{
	static int (*real)(clockid_t, int, const struct timespec *, struct timespec *);
	struct ft232h_clock_page *pg;

	if (is_mono(id) && (pg = get_page())) {
		uint64_t t = (uint64_t)req->tv_sec * 1000000000u + (uint64_t)req->tv_nsec;

		advance_to(pg, flags & TIMER_ABSTIME ? t : now_ns(pg) + t);
		return 0;
	}
	if (!real)
		real = (int (*)(clockid_t, int, const struct timespec *, struct timespec *))
		       dlsym(RTLD_NEXT, "clock_nanosleep");
	return real(id, flags, req, rem);
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	static int (*real)(const struct timespec *, struct timespec *);
	struct ft232h_clock_page *pg = get_page();

	if (pg) {
		advance_to(pg, now_ns(pg) + (uint64_t)req->tv_sec * 1000000000u +
			       (uint64_t)req->tv_nsec);
		return 0;
	}
	if (!real)
		real = (int (*)(const struct timespec *, struct timespec *))dlsym(RTLD_NEXT, "nanosleep");
	return real(req, rem);
}
