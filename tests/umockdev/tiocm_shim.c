// SPDX-License-Identifier: MIT
/* LD_PRELOAD test shim, listed before umockdev's preload library: answers
 * the modem-bit ioctls (TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC) that a pty
 * rejects, so libserialport's sp_open() and configuration calls succeed on
 * umockdev's emulated /dev/ttyUSB0 (a pty underneath). Everything else goes
 * on to the next ioctl (umockdev's, then libc's). The shim reports DSR and
 * CTS asserted, as a USB-serial adapter with a cable attached would. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <termios.h>

typedef int (*ioctl_fn)(int, unsigned long, ...);

int ioctl(int fd, unsigned long request, ...)
{
	static ioctl_fn next;
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (request) {
	case TIOCMGET:
		*(int *)arg = TIOCM_DSR | TIOCM_CTS | TIOCM_CD;
		return 0;
	case TIOCMSET:
	case TIOCMBIS:
	case TIOCMBIC:
		return 0;
	}
	if (!next)
		next = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	return next(fd, request, arg);
}
