// SPDX-License-Identifier: MIT
/* The emulators' plant on a struct sim_bench (fixtures/sim/bench.h). */
#include "fixtures/sim/bench.h"
#include "instruments/sim/scpi_emu.h"

static int voa_set(void *ctx, const char *instr, unsigned ch, double db)
{
	return sim_bench_voa_set(ctx, instr, ch, db < 0 ? 0 : db);
}

static int voa_enable(void *ctx, const char *instr, unsigned ch, bool on)
{
	return sim_bench_voa_enable(ctx, instr, ch, on);
}

static int switch_route(void *ctx, const char *instr, unsigned in, unsigned out)
{
	return sim_bench_switch_route(ctx, instr, in, out);
}

static int switch_get(void *ctx, const char *instr, unsigned in, unsigned *out)
{
	return sim_bench_switch_get(ctx, instr, in, out);
}

static int meter_input_mw(void *ctx, const char *instr, unsigned ch, double *mw)
{
	return sim_bench_meter_input_mw(ctx, instr, ch, mw);
}

static const char *get(void *ctx, const char *instr, const char *key)
{
	return sim_bench_instrument_get(ctx, instr, key);
}

static const struct emu_plant_ops bench_plant = {
	.voa_set = voa_set,
	.voa_enable = voa_enable,
	.switch_route = switch_route,
	.switch_get = switch_get,
	.meter_input_mw = meter_input_mw,
	.get = get,
};

struct emu_plant emu_plant_of_bench(struct sim_bench *b)
{
	return (struct emu_plant){ .ops = &bench_plant, .ctx = b,
				   .clock = sim_bench_clock(b) };
}
