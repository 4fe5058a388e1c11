// SPDX-License-Identifier: MIT
/* usbtmc_host: runs a command with a USBTMC instrument plugged in under
 * umockdev, as umockdev-run does with a recorded device, but with the
 * device answered live by the USBTMC model (usbtmc_dev.h) in front of a
 * SCPI stream:
 *
 *   usbtmc_host --backend HOST:PORT [--vid HEX --pid HEX] [--serial S]
 *               [--manufacturer S] [--product S] [--hold-reply N]
 *               [--unplug-at N] [--max-in N] [--wmax N] [--stall-out N]
 *               [--counters FILE] -- CMD ARG...
 *
 * CMD runs with LD_PRELOAD=$USBDEV_PRELOAD (default umockdev's preload
 * library) and the testbed's UMOCKDEV_DIR; this process is not preloaded.
 * Exits with CMD's status (SIGTERM, SIGINT and SIGHUP are passed on to it);
 * the device's counters go to FILE as one JSON line. Test support only. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/usbdev/usbtmc_dev.h"

static volatile pid_t child;

/* SIGTERM / SIGINT / SIGHUP go to the command; this process writes the
 * counters once the command has ended. */
static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int connect_tcp(const char *hp)
{
	char host[128], *colon;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
	int fd;

	snprintf(host, sizeof(host), "%s", hp);
	colon = strrchr(host, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static unsigned num(const char *s, int base)
{
	char *end;
	unsigned long v = strtoul(s, &end, base);

	if (*end || !*s || v > 0xffffffffUL) {
		fprintf(stderr, "usbtmc_host: '%s': expected a number\n", s);
		exit(2);
	}
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "vid", required_argument, NULL, 'V' },
		{ "pid", required_argument, NULL, 'P' },
		{ "serial", required_argument, NULL, 's' },
		{ "manufacturer", required_argument, NULL, 'm' },
		{ "product", required_argument, NULL, 'p' },
		{ "hold-reply", required_argument, NULL, 'H' },
		{ "unplug-at", required_argument, NULL, 'U' },
		{ "max-in", required_argument, NULL, 'M' },
		{ "wmax", required_argument, NULL, 'W' },
		{ "stall-out", required_argument, NULL, 'S' },
		{ "counters", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct usbtmc_dev_cfg cfg = {
		.vid = 0x1313, .pid = 0x8078, .manufacturer = "Thorlabs",
		.product = "PM100D", .serial = "P0012345", .backend_fd = -1,
	};
	const char *backend = NULL, *counters = NULL, *pre = getenv("USBDEV_PRELOAD");
	UMockdevTestbed *tb;
	struct usbtmc_dev *t;
	int c, st = 0;
	pid_t pid;
	struct sigaction sa = { .sa_flags = 0 };
	FILE *f;

	while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case 'b': backend = optarg; break;
		case 'V': cfg.vid = (uint16_t)num(optarg, 16); break;
		case 'P': cfg.pid = (uint16_t)num(optarg, 16); break;
		case 's': cfg.serial = optarg; break;
		case 'm': cfg.manufacturer = optarg; break;
		case 'p': cfg.product = optarg; break;
		case 'H': cfg.hold_reply = num(optarg, 10); break;
		case 'U': cfg.unplug_at = num(optarg, 10); break;
		case 'M': cfg.max_in = num(optarg, 10); break;
		case 'W': cfg.wmax = num(optarg, 10); break;
		case 'S': cfg.stall_out = num(optarg, 10); break;
		case 'c': counters = optarg; break;
		default: return 2;
		}
	}
	if (!backend || optind >= argc) {
		fprintf(stderr, "usage: usbtmc_host --backend HOST:PORT [options] -- CMD...\n");
		return 2;
	}
	cfg.backend_fd = connect_tcp(backend);
	if (cfg.backend_fd < 0) {
		fprintf(stderr, "usbtmc_host: %s: cannot connect: %s\n", backend, strerror(errno));
		return 3;
	}
	tb = umockdev_testbed_new();	/* sets UMOCKDEV_DIR for the child */
	if (usbtmc_dev_new(tb, &cfg, &t)) {
		fprintf(stderr, "usbtmc_host: cannot add the device to the testbed\n");
		close(cfg.backend_fd);
		g_object_unref(tb);
		return 3;
	}
	fflush(NULL);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		setenv("LD_PRELOAD", pre && *pre ? pre : "libumockdev-preload.so.0", 1);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "usbtmc_host: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	child = pid;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid < 0)
		st = 127 << 8;
	if (counters) {
		f = fopen(counters, "w");
		if (f) {
			usbtmc_dev_counters_json(t, f);
			fclose(f);
		}
	}
	usbtmc_dev_free(t);
	g_object_unref(tb);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
