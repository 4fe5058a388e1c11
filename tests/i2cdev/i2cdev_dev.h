/* SPDX-License-Identifier: MIT */
/* An emulated Linux I2C adapter at the i2c-dev interface under umockdev:
 * /dev/i2c-N (character major 89) with its sysfs i2c-adapter and i2c-dev
 * entries, whose ioctls are answered from emulated I2C targets
 * (fixtures/sim/i2c_target.h) as the kernel's i2c-dev driver answers them
 * (Linux Documentation/i2c/dev-interface.rst, drivers/i2c/i2c-dev.c):
 *
 *   I2C_FUNCS        I2C_FUNC_I2C (plain transfers; no SMBus emulation)
 *   I2C_SLAVE(_FORCE) the address of later read()/write(), 7-bit: EINVAL
 *                    above 0x7f (no I2C_FUNC_10BIT_ADDR)
 *   I2C_RDWR         one combined transaction: repeated START between the
 *                    messages, STOP at the end; EINVAL for no messages,
 *                    more than I2C_RDWR_IOCTL_MAX_MSGS (42) or a message
 *                    longer than 8192 bytes, EOPNOTSUPP for flags other than
 *                    I2C_M_RD (the adapter has no protocol mangling);
 *                    returns the number of messages.
 *   other            ENOTTY
 *
 * A NACK ends the transaction with a STOP and fails the ioctl as adapter
 * drivers report it (Linux Documentation/i2c/fault-codes.rst): ENXIO when
 * the address byte was not acknowledged, EREMOTEIO when a data byte was not.
 *
 * Time: each I2C_RDWR charges its bus time at 400 kHz (9 SCL clocks per
 * byte, address included, plus START / repeated START / STOP times) to the
 * clock, plus the extra clock stretching a target asks for
 * (i2c_target_ops.stretch_ns) and, with jitter on, a seeded round-trip
 * latency of the host's driver stack.
 *
 * The handler runs on umockdev's worker thread; i2cdev_dev_lock() excludes
 * it while the caller changes the targets' state. */
#ifndef BERT_TESTS_I2CDEV_DEV_H
#define BERT_TESTS_I2CDEV_DEV_H

#include <stdint.h>
#include <umockdev.h>

#include "bert/core/clock.h"
#include "fixtures/sim/i2c_target.h"

#define I2CDEV_MAX_TARGETS 4
#define I2CDEV_MAX_MSGS 42		/* I2C_RDWR_IOCTL_MAX_MSGS, linux/i2c-dev.h */
#define I2CDEV_MAX_MSG_LEN 8192		/* i2c-dev.c refuses longer messages */

struct i2cdev_stats {
	uint64_t opens;			/* clients connected (open() of the node) */
	uint64_t ioctl_rdwr, ioctl_funcs, ioctl_slave;
	uint64_t msgs;			/* messages of successful and failed RDWRs */
	uint64_t addr_nacks, data_nacks;
	uint64_t refused;		/* EINVAL / EOPNOTSUPP / ENOTTY answers */
	uint64_t bytes_read, bytes_written;
	uint64_t latency_ns;		/* round-trip latency charged (jitter) */
	uint64_t stretch_ns;		/* SCL held low by the targets */
};

struct i2cdev_dev;

/* Adds /dev/i2c-<nr> to the testbed with its ioctl handler, the targets
 * (copied; their devs are not owned) on its bus, time on clock. NULL on
 * failure (printed on stderr). */
struct i2cdev_dev *i2cdev_dev_new(UMockdevTestbed *tb, unsigned nr, struct bert_clock *clock,
				  const struct i2c_target *targets, unsigned n);
void i2cdev_dev_free(struct i2cdev_dev *d);

/* Seeded round-trip latency per I2C_RDWR: 50 us plus a uniform 0..200 us,
 * from a generator seeded with seed (the same seed, the same times). */
void i2cdev_dev_set_jitter(struct i2cdev_dev *d, uint32_t seed);
/* Takes the target at addr off the bus (its address is NACKed) or puts it
 * back. */
void i2cdev_dev_set_present(struct i2cdev_dev *d, unsigned addr, bool present);
/* fn(user, 0) before each I2C_RDWR runs, fn(user, 1) after it (under the
 * device's lock, on the handler's thread). */
void i2cdev_dev_on_xfer(struct i2cdev_dev *d, void (*fn)(void *user, int after), void *user);
void i2cdev_dev_lock(struct i2cdev_dev *d);
void i2cdev_dev_unlock(struct i2cdev_dev *d);
void i2cdev_dev_stats(struct i2cdev_dev *d, struct i2cdev_stats *out);

#endif
