/* SPDX-License-Identifier: MIT */
/* The test rig the emulator suites share: a virtual clock, the sim I2C bus
 * at 400 kHz and an emulated module on it, either standing alone or as site
 * 1 of a virtual bench, reached only through I2C as a host reaches a real
 * module. Every helper fails the calling test on a setup error. */
#ifndef BERT_TESTS_UNIT_RIG_H
#define BERT_TESTS_UNIT_RIG_H

#include <stdint.h>

#include "fixtures/sim/cmis_module.h"

struct bert_clock;
struct i2c_bus;
struct sim_bench;

struct rig {
	struct bert_clock *clk;
	struct i2c_bus *bus;
	struct sim_bench *b;		/* NULL for a module on its own */
	struct sim_module *m;
	struct sim_module_cfg cfg;	/* the lone module's configuration */
};

/* A lone module with cfg (NULL = sim_module_cfg_default()). */
void rig_module_open(struct rig *r, const struct sim_module_cfg *cfg);
/* Site 1 of the bench in the INI text, else in the file path (NULL = the
 * default bench). */
void rig_bench_open(struct rig *r, const char *path, const char *text);
void rig_close(struct rig *r);

/* [W 0x50: off] Sr [R 0x50: n] STOP */
int rig_rd(struct rig *r, uint8_t off, uint8_t *buf, uint16_t n);
uint8_t rig_rd1(struct rig *r, uint8_t off);
/* [W 0x50: off, data...] STOP, n <= 31 */
int rig_wr(struct rig *r, uint8_t off, const uint8_t *data, unsigned n);
void rig_wr1(struct rig *r, uint8_t off, uint8_t v);
/* BankSelect and PageSelect in one write, as CMIS requires. */
void rig_sel(struct rig *r, uint8_t bank, uint8_t page);

#endif
