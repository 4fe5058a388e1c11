// SPDX-License-Identifier: MIT
/* The shared emulator test rig (see rig.h). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/bench.h"
#include "common.h"
#include "rig.h"

static void attach(struct rig *r)
{
	struct i2c_target t;

	r->bus = i2c_sim_new(r->clk, 400000);
	ck_assert_ptr_nonnull(r->bus);
	t = sim_module_target(r->m);
	ck_assert_int_eq(i2c_sim_attach(r->bus, &t), BERT_OK);
}

void rig_module_open(struct rig *r, const struct sim_module_cfg *cfg)
{
	memset(r, 0, sizeof(*r));
	if (cfg)
		r->cfg = *cfg;
	else
		sim_module_cfg_default(&r->cfg);
	r->clk = bert_clock_virtual_new();
	ck_assert_ptr_nonnull(r->clk);
	r->m = sim_module_new(&r->cfg, r->clk);
	ck_assert_ptr_nonnull(r->m);
	attach(r);
}

void rig_bench_open(struct rig *r, const char *path, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->clk = bert_clock_virtual_new();
	ck_assert_ptr_nonnull(r->clk);
	if (text)
		ck_assert_int_eq(sim_bench_load_string("t.ini", text, r->clk, &r->b),
				 BERT_OK);
	else
		ck_assert_int_eq(sim_bench_load(path, r->clk, &r->b), BERT_OK);
	r->m = sim_bench_module(r->b, 1);
	ck_assert_ptr_nonnull(r->m);
	attach(r);
}

void rig_close(struct rig *r)
{
	i2c_bus_free(r->bus);
	if (r->b)
		sim_bench_free(r->b);	/* owns its modules */
	else
		sim_module_free(r->m);
	bert_clock_free(r->clk);
}

int rig_rd(struct rig *r, uint8_t off, uint8_t *buf, uint16_t n)
{
	struct i2c_msg msgs[2] = {
		{ CMIS_I2C_ADDR, 0, 1, &off },
		{ CMIS_I2C_ADDR, I2C_MSG_READ | I2C_MSG_STOP, n, buf },
	};

	return i2c_xfer(r->bus, msgs, 2);
}

uint8_t rig_rd1(struct rig *r, uint8_t off)
{
	uint8_t v;

	ck_assert_int_eq(rig_rd(r, off, &v, 1), BERT_OK);
	return v;
}

int rig_wr(struct rig *r, uint8_t off, const uint8_t *data, unsigned n)
{
	uint8_t buf[32];
	struct i2c_msg msg = { CMIS_I2C_ADDR, I2C_MSG_STOP, (uint16_t)(n + 1), buf };

	ck_assert_uint_lt(n, sizeof(buf));
	buf[0] = off;
	memcpy(buf + 1, data, n);
	return i2c_xfer(r->bus, &msg, 1);
}

void rig_wr1(struct rig *r, uint8_t off, uint8_t v)
{
	ck_assert_int_eq(rig_wr(r, off, &v, 1), BERT_OK);
}

void rig_sel(struct rig *r, uint8_t bank, uint8_t page)
{
	uint8_t bp[2] = { bank, page };

	ck_assert_int_eq(rig_wr(r, CMIS_BANK_SELECT, bp, 2), BERT_OK);
}

struct qrig *qrig_new(const char *module, const char *profile_path)
{
	struct qrig *r = calloc(1, sizeof(*r));
	char uri[600];
	int rc;

	ck_assert_ptr_nonnull(r);
	snprintf(uri, sizeof(uri), "sim:%s", !module ? "" : module[0] == '/' ?
		 module : test_path(module));
	ck_assert_int_eq(qual_station_default(uri, &r->st), BERT_OK);
	rc = profile_load(test_path(profile_path), &r->prof);
	ck_assert_msg(rc == BERT_OK, "%s", bert_error_detail());
	return r;
}

void qrig_open(struct qrig *r)
{
	int rc = qual_site_open(&r->st, &r->st.site[0], NULL, &r->io);

	ck_assert_msg(rc == BERT_OK, "%s", bert_error_detail());
	qual_record_init(&r->rec, "test");
	qual_plan_default(&r->plan);
	qual_ctx_init(&r->ctx);
	r->ctx.profile = &r->prof;
	r->ctx.station = &r->st;
	r->ctx.site = &r->st.site[0];
	r->ctx.io = &r->io;
	r->ctx.rec = &r->rec;
}

struct qrig *qrig_setup(const char *module, const char *profile_path)
{
	struct qrig *r = qrig_new(module, profile_path);

	qrig_open(r);
	return r;
}

void qrig_free(struct qrig *r)
{
	qual_ctx_release_all(&r->ctx);
	qual_site_close(&r->io);
	qual_record_free(&r->rec);
	free(r);
}

const struct qual_measurement *qrig_find(const struct qual_record *rec,
					 const char *step, const char *name,
					 unsigned lane)
{
	size_t i, j;

	for (i = 0; i < rec->nsteps; i++)
		for (j = 0; j < rec->steps[i]->nm; j++)
			if ((!step || !strcmp(rec->steps[i]->name, step)) &&
			    !strcmp(rec->steps[i]->m[j].name, name) &&
			    rec->steps[i]->m[j].lane == lane)
				return &rec->steps[i]->m[j];
	return NULL;
}
