/* SPDX-License-Identifier: MIT */
/* A small emulated I2C memory target for tests and benchmarks: a 256-byte
 * window with an offset pointer, a page-select byte at 127 choosing which
 * 128-byte upper page appears at 128..255 (the CMIS/SFF-8636 layout).
 * Header-only so unit tests, benchmarks and fuzz harnesses can share it. */
#ifndef BERT_TESTS_SIM_EEPROM_H
#define BERT_TESTS_SIM_EEPROM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "fixtures/sim/i2c_target.h"

#define SIM_EEPROM_PAGES 4

struct sim_eeprom {
	uint8_t lower[128];
	uint8_t upper[SIM_EEPROM_PAGES][128];
	uint8_t offset;
	bool first;		/* next written byte is the offset */
	unsigned starts, stops, reads, writes;
};

static inline uint8_t *sim_eeprom_at(struct sim_eeprom *ee, uint8_t off)
{
	if (off < 128)
		return &ee->lower[off];
	return &ee->upper[ee->lower[127] % SIM_EEPROM_PAGES][off - 128];
}

static inline bool sim_eeprom_start(void *dev, bool read)
{
	struct sim_eeprom *ee = dev;

	ee->starts++;
	ee->first = !read;
	return true;
}

static inline bool sim_eeprom_write(void *dev, uint8_t b)
{
	struct sim_eeprom *ee = dev;

	ee->writes++;
	if (ee->first) {
		ee->offset = b;
		ee->first = false;
	} else {
		*sim_eeprom_at(ee, ee->offset++) = b;
	}
	return true;
}

static inline uint8_t sim_eeprom_read(void *dev)
{
	struct sim_eeprom *ee = dev;

	ee->reads++;
	return *sim_eeprom_at(ee, ee->offset++);
}

static inline void sim_eeprom_stop(void *dev)
{
	((struct sim_eeprom *)dev)->stops++;
}

static const struct i2c_target_ops sim_eeprom_ops = {
	.start = sim_eeprom_start,
	.write = sim_eeprom_write,
	.read = sim_eeprom_read,
	.stop = sim_eeprom_stop,
};

/* Fills the memory with a pattern that tells pages and offsets apart. */
static inline void sim_eeprom_init(struct sim_eeprom *ee)
{
	unsigned p, i;

	memset(ee, 0, sizeof(*ee));
	for (i = 0; i < 127; i++)
		ee->lower[i] = (uint8_t)(i ^ 0x5a);
	for (p = 0; p < SIM_EEPROM_PAGES; p++)
		for (i = 0; i < 128; i++)
			ee->upper[p][i] = (uint8_t)(p * 37 + i * 3 + 1);
}

static inline struct i2c_target sim_eeprom_target(struct sim_eeprom *ee, uint8_t addr)
{
	return (struct i2c_target){ .addr = addr, .ops = &sim_eeprom_ops, .dev = ee };
}

#endif
