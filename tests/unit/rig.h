/* SPDX-License-Identifier: MIT */
/* The test rig the emulator suites share: a virtual clock, the sim I2C bus
 * at 400 kHz and an emulated module on it, either standing alone or as site
 * 1 of a virtual bench, reached only through I2C as a host reaches a real
 * module. Every helper fails the calling test on a setup error. */
#ifndef BERT_TESTS_UNIT_RIG_H
#define BERT_TESTS_UNIT_RIG_H

#include <stdint.h>

#include "bert/qual/engine.h"
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

/* A qualification run as qualify wires it: the default station around one
 * emulated module (site 1), a profile, the site's I/O, the record, the
 * default plan and the context. Set up in two halves so a test can change
 * the station or the profile before the site opens, and the plan after. */
struct qrig {
	struct qual_station st;
	struct profile prof;
	struct qual_site_io io;
	struct qual_record rec;
	struct qual_plan plan;
	struct qual_ctx ctx;
};

/* The station on fixture "sim:MODULE" (module: a path in the tree, or an
 * absolute path; NULL = "sim:", the built-in good module) and the profile
 * at profile_path in the tree. */
struct qrig *qrig_new(const char *module, const char *profile_path);
/* Opens the site, starts the record and the default plan, wires ctx. */
void qrig_open(struct qrig *r);
/* qrig_new() then qrig_open(). */
struct qrig *qrig_setup(const char *module, const char *profile_path);
void qrig_free(struct qrig *r);
/* The measurement `name` of lane in the step named step (NULL: any step),
 * or NULL. */
const struct qual_measurement *qrig_find(const struct qual_record *rec,
					 const char *step, const char *name,
					 unsigned lane);

#endif
