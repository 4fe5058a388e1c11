// SPDX-License-Identifier: MIT
/* i2cdev_probe: run by i2cdev_run (tests/cli/test_i2cdev.sh) against the
 * emulated /dev/i2c-7. Checks the kernel semantics the device answers with
 * (raw ioctls, as linux/i2c-dev.h defines them) and that bert's i2c-dev
 * backend (fixtures/i2c_linux.c) translates them. Prints one line per
 * failed check; exit 0 when all pass, 1 otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "fixtures/i2c_linux.h"

#define K_I2C_SLAVE 0x0703
#define K_I2C_FUNCS 0x0705
#define K_I2C_RDWR 0x0707
#define K_I2C_M_RD 0x0001

struct k_msg {
	uint16_t addr, flags, len;
	uint8_t *buf;
};

struct k_rdwr {
	struct k_msg *msgs;
	uint32_t nmsgs;
};

static int failed;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failed = 1; \
		printf("FAIL line %d: ", __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static int rdwr(int fd, struct k_msg *m, unsigned n, int *e)
{
	struct k_rdwr r = { m, n };
	int rc = ioctl(fd, K_I2C_RDWR, &r);

	*e = rc < 0 ? errno : 0;
	return rc;
}

static void raw_checks(const char *path)
{
	static uint8_t big[8193];
	struct k_msg m[43];
	uint8_t off = 0, id = 0, w[10] = { 0 };
	unsigned long funcs = 0;
	unsigned i;
	int fd = open(path, O_RDWR), e, rc;

	CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
	if (fd < 0)
		return;
	CHECK(ioctl(fd, K_I2C_FUNCS, &funcs) == 0 && funcs == 1, "I2C_FUNCS 0x%lx", funcs);
	CHECK(ioctl(fd, K_I2C_SLAVE, 0x50) == 0, "I2C_SLAVE 0x50: %s", strerror(errno));
	CHECK(ioctl(fd, K_I2C_SLAVE, 0x80) < 0 && errno == EINVAL, "I2C_SLAVE 0x80 accepted");
	/* the identifier byte: offset write, repeated START, one-byte read */
	m[0] = (struct k_msg){ 0x50, 0, 1, &off };
	m[1] = (struct k_msg){ 0x50, K_I2C_M_RD, 1, &id };
	rc = rdwr(fd, m, 2, &e);
	CHECK(rc == 2 && id == 0x18, "RDWR identifier: rc %d (%s), byte 0x%02x", rc,
	      strerror(e), id);
	/* nothing at 0x51: the address phase is not acknowledged */
	m[0].addr = 0x51;
	rc = rdwr(fd, m, 1, &e);
	CHECK(rc < 0 && e == ENXIO, "RDWR to 0x51: rc %d, %s", rc, strerror(e));
	/* nine data bytes: the module NACKs the ninth (8-byte write limit) */
	m[0] = (struct k_msg){ 0x50, 0, 10, w };
	w[0] = 0x80;
	rc = rdwr(fd, m, 1, &e);
	CHECK(rc < 0 && e == EREMOTEIO, "RDWR 9-byte write: rc %d, %s", rc, strerror(e));
	/* the I2C_RDWR limits of i2c-dev.c */
	for (i = 0; i < 43; i++)
		m[i] = (struct k_msg){ 0x50, K_I2C_M_RD, 1, &id };
	rc = rdwr(fd, m, 43, &e);
	CHECK(rc < 0 && e == EINVAL, "RDWR 43 messages: rc %d, %s", rc, strerror(e));
	rc = rdwr(fd, m, 42, &e);
	CHECK(rc == 42, "RDWR 42 messages: rc %d, %s", rc, strerror(e));
	rc = rdwr(fd, m, 0, &e);
	CHECK(rc < 0 && e == EINVAL, "RDWR no messages: rc %d, %s", rc, strerror(e));
	m[0] = (struct k_msg){ 0x50, K_I2C_M_RD, sizeof(big), big };
	rc = rdwr(fd, m, 1, &e);
	CHECK(rc < 0 && e == EINVAL, "RDWR 8193 bytes: rc %d, %s", rc, strerror(e));
	m[0].len = 8192;
	rc = rdwr(fd, m, 1, &e);
	CHECK(rc == 1, "RDWR 8192 bytes: rc %d, %s", rc, strerror(e));
	m[0] = (struct k_msg){ 0x50, 0x4000 /* I2C_M_NOSTART */, 1, &off };
	rc = rdwr(fd, m, 1, &e);
	CHECK(rc < 0 && e == EOPNOTSUPP, "RDWR I2C_M_NOSTART: rc %d, %s", rc, strerror(e));
	close(fd);
}

static void bert_checks(const char *path)
{
	struct i2c_bus *bus = NULL;
	uint8_t off = 0, id = 0, w[10] = { 0x80 };
	struct i2c_msg m[2];
	int rc;

	rc = i2c_linux_open(path, bert_clock_monotonic(), &bus);
	CHECK(rc == BERT_OK, "i2c_linux_open: %s", bert_error_detail());
	if (rc)
		return;
	m[0] = (struct i2c_msg){ 0x50, 0, 1, &off };
	m[1] = (struct i2c_msg){ 0x50, I2C_MSG_READ, 1, &id };
	rc = i2c_xfer(bus, m, 2);
	CHECK(rc == BERT_OK && id == 0x18, "identifier through bert: %d %s", rc,
	      bert_error_detail());
	m[0].addr = 0x51;
	rc = i2c_xfer(bus, m, 1);
	CHECK(rc == BERT_ERR_NACK && strstr(bert_error_detail(), path) &&
	      strstr(bert_error_detail(), strerror(ENXIO)),
	      "address NACK through bert: %d %s", rc, bert_error_detail());
	m[0] = (struct i2c_msg){ 0x50, I2C_MSG_STOP, 10, w };
	rc = i2c_xfer(bus, m, 1);
	CHECK(rc == BERT_ERR_NACK && strstr(bert_error_detail(), strerror(EREMOTEIO)),
	      "data NACK through bert: %d %s", rc, bert_error_detail());
	i2c_bus_free(bus);
	rc = i2c_linux_open("/dev/i2c-9", bert_clock_monotonic(), &bus);
	CHECK(rc == BERT_ERR_NODEV && !bus, "absent /dev/i2c-9: %d %s", rc, bert_error_detail());
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/dev/i2c-7";

	raw_checks(path);
	bert_checks(path);
	if (!failed)
		printf("i2cdev_probe: all checks passed on %s\n", path);
	return failed;
}
