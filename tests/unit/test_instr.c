// SPDX-License-Identifier: MIT
/* instruments/: SCPI reply parsers, the common layer and every model table
 * against its emulator over the sim transport (virtual clock, fake plant),
 * loopback TCP and a pty (termios path), the faults (silent instrument,
 * garbage, queued SCPI error, vanished serial device, TCP reset), USBTMC
 * framing and message engine, the station file. */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "bert/core/units.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/bench.h"
#include "instruments/opm.h"
#include "instruments/osw.h"
#include "instruments/scpi.h"
#include "instruments/scpi_sim.h"
#include "instruments/sim/emu_hub.h"
#include "instruments/instr_file.h"
#include "instruments/usbtmc.h"
#include "instruments/voa.h"
#include "common.h"

/* ---- a tiny fake plant ---- */

struct fake_instr {
	const char *name;
	const char *keys[8][2];
};

static struct fake_plant {
	double voa_db[8];
	bool voa_on[8];
	unsigned route[8];
	double meter_mw;
	const struct fake_instr *instr;
} fp;

static const struct fake_instr fake_instrs[] = {
	{ "voa1", { { "type", "voa" }, { "channels", "4" } } },
	{ "k8164", { { "type", "voa" }, { "emulate", "keysight-8164b-81577a" } } },
	{ "n7752", { { "type", "voa" }, { "emulate", "keysight-n7752a" } } },
	{ "fva", { { "type", "voa" }, { "emulate", "exfo-fva3150" }, { "cal_db", "0.7" } } },
	{ "opm1", { { "type", "meter" } } },
	{ "pm100", { { "type", "meter" }, { "emulate", "thorlabs-pm100d" } } },
	{ "osw1", { { "type", "switch" }, { "inputs", "4" }, { "outputs", "2" } } },
	{ "acme", { { "type", "voa" }, { "idn", "ACME Corp,WIDGET-9,1,1" } } },
	{ NULL, { { NULL, NULL } } },
};

static const struct fake_instr *fake_find(const char *name)
{
	const struct fake_instr *f;

	for (f = fake_instrs; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

static int f_voa_set(void *ctx, const char *instr, unsigned ch, double db)
{
	(void)ctx;
	(void)instr;
	fp.voa_db[ch] = db;
	return BERT_OK;
}

static int f_voa_enable(void *ctx, const char *instr, unsigned ch, bool on)
{
	(void)ctx;
	(void)instr;
	fp.voa_on[ch] = on;
	return BERT_OK;
}

static int f_route(void *ctx, const char *instr, unsigned in, unsigned out)
{
	(void)ctx;
	(void)instr;
	fp.route[in] = out;
	return BERT_OK;
}

static int f_route_get(void *ctx, const char *instr, unsigned in, unsigned *out)
{
	(void)ctx;
	(void)instr;
	*out = fp.route[in];
	return BERT_OK;
}

static int f_meter(void *ctx, const char *instr, unsigned ch, double *mw)
{
	(void)ctx;
	(void)instr;
	(void)ch;
	*mw = fp.meter_mw;
	return BERT_OK;
}

static const char *f_get(void *ctx, const char *instr, const char *key)
{
	const struct fake_instr *f = fake_find(instr);
	unsigned i;

	(void)ctx;
	for (i = 0; f && i < 8 && f->keys[i][0]; i++)
		if (!strcmp(f->keys[i][0], key))
			return f->keys[i][1];
	return NULL;
}

static const struct emu_plant_ops fake_ops = {
	.voa_set = f_voa_set,
	.voa_enable = f_voa_enable,
	.switch_route = f_route,
	.switch_get = f_route_get,
	.meter_input_mw = f_meter,
	.get = f_get,
};

static struct bert_clock *vclock;

static void plant_setup(void)
{
	struct emu_plant p = { .ops = &fake_ops, .ctx = &fp };

	memset(&fp, 0, sizeof(fp));
	fp.meter_mw = 0.1;	/* -10 dBm */
	vclock = bert_clock_virtual_new();
	p.clock = vclock;
	scpi_sim_set_plant(&p);
}

static void plant_teardown(void)
{
	scpi_sim_reset();
	bert_clock_free(vclock);
}

/* ---- pure parsers ---- */

START_TEST(test_parse_double)
{
	static const struct { const char *s; int rc; double v; } cases[] = {
		{ "1.5", BERT_OK, 1.5 }, { " -12.345E+00 ", BERT_OK, -12.345 },
		{ "+6.000000E+00", BERT_OK, 6 }, { "42", BERT_OK, 42 }, { ".5", BERT_OK, 0.5 },
		{ "", BERT_ERR_PROTOCOL, 0 }, { "   ", BERT_ERR_PROTOCOL, 0 },
		{ "nan", BERT_ERR_PROTOCOL, 0 }, { "NaN", BERT_ERR_PROTOCOL, 0 },
		{ "inf", BERT_ERR_PROTOCOL, 0 }, { "0x10", BERT_ERR_PROTOCOL, 0 },
		{ "1.5 dB", BERT_ERR_PROTOCOL, 0 }, { "abc", BERT_ERR_PROTOCOL, 0 },
		{ "1e", BERT_ERR_PROTOCOL, 0 }, { "-", BERT_ERR_PROTOCOL, 0 },
		{ "9.91E37", BERT_ERR_RANGE, 0 }, { "+9.91E+37", BERT_ERR_RANGE, 0 },
		{ "-9.91E37", BERT_ERR_RANGE, 0 }, { "1e999", BERT_ERR_PROTOCOL, 0 },
	};
	size_t i;
	double v;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = scpi_parse_double(cases[i].s, &v);

		ck_assert_msg(rc == cases[i].rc, "'%s': rc %d", cases[i].s, rc);
		if (rc == BERT_OK)
			ck_assert_double_eq_tol(v, cases[i].v, 1e-12);
	}
	ck_assert_int_eq(scpi_parse_double("9.91E37", &v), BERT_ERR_RANGE);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "overload"));
}
END_TEST

START_TEST(test_parse_idn_err_block)
{
	struct scpi_idn idn;
	uint8_t blk[] = "#216abcdefghijklmnop";
	size_t hl, dl;
	char text[64];
	bool b;
	int code;
	long l;

	ck_assert_int_eq(scpi_parse_idn("Keysight Technologies,N7764A,DE123, 1.2.3 ", &idn),
			 BERT_OK);
	ck_assert_str_eq(idn.vendor, "Keysight Technologies");
	ck_assert_str_eq(idn.model, "N7764A");
	ck_assert_str_eq(idn.serial, "DE123");
	ck_assert_str_eq(idn.firmware, "1.2.3");
	ck_assert_int_eq(scpi_parse_idn("only,three,fields", &idn), BERT_ERR_PROTOCOL);
	ck_assert_int_eq(scpi_parse_idn("a,b,c,d,e", &idn), BERT_ERR_PROTOCOL);
	ck_assert_int_eq(scpi_parse_idn(",b,c,d", &idn), BERT_ERR_PROTOCOL);
	ck_assert_int_eq(scpi_parse_idn("a\x01,b,c,d", &idn), BERT_ERR_PROTOCOL);

	ck_assert_int_eq(scpi_parse_error("-113,\"Undefined header\"", &code, text,
					  sizeof(text)), BERT_OK);
	ck_assert_int_eq(code, -113);
	ck_assert_str_eq(text, "Undefined header");
	ck_assert_int_eq(scpi_parse_error("+0,\"No error\"", &code, text, sizeof(text)),
			 BERT_OK);
	ck_assert_int_eq(code, 0);
	ck_assert_int_eq(scpi_parse_error("0", &code, text, sizeof(text)), BERT_OK);
	ck_assert_int_eq(scpi_parse_error("x,\"y\"", &code, text, sizeof(text)),
			 BERT_ERR_PROTOCOL);
	ck_assert_int_eq(scpi_parse_error("-222,\"open", &code, text, sizeof(text)),
			 BERT_ERR_PROTOCOL);

	ck_assert_int_eq(scpi_parse_block_header(blk, sizeof(blk) - 1, &hl, &dl), BERT_OK);
	ck_assert_uint_eq(hl, 4);
	ck_assert_uint_eq(dl, 16);
	ck_assert_int_eq(scpi_parse_block_header((const uint8_t *)"#0abc", 5, &hl, &dl),
			 BERT_ERR_PROTOCOL);
	ck_assert_int_eq(scpi_parse_block_header((const uint8_t *)"#3 12", 5, &hl, &dl),
			 BERT_ERR_PROTOCOL);
	ck_assert_int_eq(scpi_parse_block_header((const uint8_t *)"#31", 3, &hl, &dl),
			 BERT_ERR_PROTOCOL);

	ck_assert_int_eq(scpi_parse_bool(" ON", &b), BERT_OK);
	ck_assert(b);
	ck_assert_int_eq(scpi_parse_bool("0", &b), BERT_OK);
	ck_assert(!b);
	ck_assert_int_eq(scpi_parse_bool("2", &b), BERT_ERR_PROTOCOL);
	ck_assert_int_eq(scpi_parse_int("12", &l), BERT_OK);
	ck_assert_int_eq(scpi_parse_int("1.5", &l), BERT_ERR_PROTOCOL);
}
END_TEST

START_TEST(test_uri)
{
	struct instr_uri u;

	ck_assert_int_eq(instr_uri_parse("keysight-8163:tcp:10.0.0.5:5025#slot=2,chan=1", &u),
			 BERT_OK);
	ck_assert_str_eq(u.model, "keysight-8163");
	ck_assert_str_eq(u.transport, "tcp:10.0.0.5:5025");
	ck_assert_uint_eq(u.slot, 2);
	ck_assert_uint_eq(u.chan, 1);
	ck_assert_int_eq(instr_uri_parse("serial:/dev/ttyUSB0?baud=115200#chan=3", &u), BERT_OK);
	ck_assert_str_eq(u.model, "");
	ck_assert_str_eq(u.transport, "serial:/dev/ttyUSB0?baud=115200");
	ck_assert_uint_eq(u.chan, 3);
	ck_assert_uint_eq(u.slot, 1);
	ck_assert_int_eq(instr_uri_parse("sim:voa1#lane=2", &u), BERT_ERR_CONFIG);
	ck_assert_int_eq(instr_uri_parse("nothing", &u), BERT_ERR_CONFIG);
}
END_TEST

/* ---- models against their emulators, in process ---- */

START_TEST(test_voa_models)
{
	static const struct { const char *uri; unsigned ch; const char *model; } cases[] = {
		{ "sim:voa1#chan=3", 3, "keysight-n77xx" },
		{ "sim:k8164#slot=2", 2, "keysight-8163" },
		{ "keysight-8163:sim:k8164#slot=1,chan=1", 1, "keysight-8163" },
		{ "sim:n7752#chan=2", 2, "keysight-n77xx" },
		{ "sim:fva", 1, "exfo-fva3150" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct voa *v;
		struct instr *in;
		double db, nm;
		bool on;
		uint64_t t0;

		ck_assert_msg(voa_open(cases[i].uri, NULL, &v) == BERT_OK, "%s: %s",
			      cases[i].uri, bert_error_detail());
		in = voa_instr(v);
		ck_assert_str_eq(in->model->name, cases[i].model);
		/* a user offset on the instrument must not change what
		 * "attenuation" means */
		ck_assert_int_eq(instr_has(in, VOA_GET_OFFSET), true);
		ck_assert_int_eq(scpi_cmd(in->dev, "%s", !strcmp(cases[i].model, "exfo-fva3150") ?
				 "INP:OFFS 2.5" : !strcmp(cases[i].model, "keysight-8163") ?
				 (i == 1 ? ":INP2:OFFS 2.5" : ":INP1:OFFS 2.5") :
				 (cases[i].ch == 3 ? "INP3:OFFS 2.5" : "INP2:OFFS 2.5")), BERT_OK);
		t0 = bert_clock_now(vclock);
		ck_assert_msg(voa_set_attenuation(v, 6.0) == BERT_OK, "%s: %s", cases[i].uri,
			      bert_error_detail());
		/* settling took clock time, not wall time */
		ck_assert_uint_gt(bert_clock_now(vclock), t0);
		ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
		ck_assert_double_eq_tol(db, 6.0, 1e-3);
		/* the plant sees 6 dB within the emulated setting accuracy */
		ck_assert_msg(fabs(fp.voa_db[cases[i].ch] - 6.0) <= 0.1 + 1e-9, "%s: plant %g",
			      cases[i].uri, fp.voa_db[cases[i].ch]);
		ck_assert_int_eq(voa_set_wavelength(v, 1550), BERT_OK);
		ck_assert_int_eq(voa_get_wavelength(v, &nm), BERT_OK);
		ck_assert_double_eq_tol(nm, 1550, 1e-3);
		ck_assert_int_eq(voa_set_enabled(v, false), BERT_OK);
		ck_assert(!fp.voa_on[cases[i].ch]);
		ck_assert_int_eq(voa_get_enabled(v, &on), BERT_OK);
		ck_assert(!on);
		ck_assert_int_eq(voa_set_enabled(v, true), BERT_OK);
		ck_assert(fp.voa_on[cases[i].ch]);
		/* out of the instrument's range: its -222 comes back */
		ck_assert_int_eq(voa_set_attenuation(v, 80), BERT_ERR_RANGE);
		ck_assert_ptr_nonnull(strstr(bert_error_detail(), "-222"));
		ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
		ck_assert_double_eq_tol(db, 6.0, 1e-3);
		voa_close(v);
	}
}
END_TEST

START_TEST(test_voa_accuracy_repeatable)
{
	struct voa *v;
	double a, b, c;

	ck_assert_int_eq(voa_open("sim:voa1#chan=1", NULL, &v), BERT_OK);
	ck_assert_int_eq(voa_set_attenuation(v, 10), BERT_OK);
	a = fp.voa_db[1] - 10;
	ck_assert_int_eq(voa_set_attenuation(v, 3), BERT_OK);
	b = fp.voa_db[1] - 3;
	ck_assert_double_eq_tol(a, b, 1e-12);	/* same channel, same wavelength */
	ck_assert_int_eq(voa_set_wavelength(v, 1550), BERT_OK);
	c = fp.voa_db[1] - 3;
	ck_assert(fabs(c - a) > 1e-9);		/* another wavelength, another offset */
	ck_assert(fabs(a) <= 0.1 && fabs(c) <= 0.1);
	voa_close(v);
}
END_TEST

START_TEST(test_opm_models)
{
	static const char *const uris[] = { "sim:opm1#slot=1", "sim:pm100" };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct opm *m;
		double dbm, nm;
		uint64_t t0;

		ck_assert_msg(opm_open(uris[i], NULL, &m) == BERT_OK, "%s: %s", uris[i],
			      bert_error_detail());
		ck_assert_int_eq(opm_set_wavelength(m, 1311), BERT_OK);
		ck_assert_int_eq(opm_get_wavelength(m, &nm), BERT_OK);
		ck_assert_double_eq_tol(nm, 1311, 1e-3);
		ck_assert_int_eq(opm_set_averaging(m, 0.5), BERT_OK);
		fp.meter_mw = 0.25;
		t0 = bert_clock_now(vclock);
		ck_assert_msg(opm_read_dbm(m, &dbm) == BERT_OK, "%s", bert_error_detail());
		/* the averaging time passed on the clock */
		ck_assert_uint_ge(bert_clock_now(vclock) - t0, 490 * BERT_NS_PER_MS);
		ck_assert_double_eq_tol(dbm, bert_mw_to_dbm(0.25), 0.05);
		/* manual range below the signal: the overload value */
		ck_assert_int_eq(opm_set_range(m, false, -30), BERT_OK);
		ck_assert_int_eq(opm_read_dbm(m, &dbm), BERT_ERR_RANGE);
		ck_assert_int_eq(opm_set_range(m, true, 0), BERT_OK);
		ck_assert_int_eq(opm_read_dbm(m, &dbm), BERT_OK);
		opm_close(m);
	}
}
END_TEST

START_TEST(test_opm_noise_seeded)
{
	double a[4], b[4];
	struct opm *m;
	int k, i;

	for (k = 0; k < 2; k++) {
		plant_teardown();
		plant_setup();
		ck_assert_int_eq(opm_open("sim:opm1", NULL, &m), BERT_OK);
		ck_assert_int_eq(opm_set_averaging(m, 0.001), BERT_OK);
		for (i = 0; i < 4; i++)
			ck_assert_int_eq(opm_read_dbm(m, k ? &b[i] : &a[i]), BERT_OK);
		opm_close(m);
	}
	for (i = 0; i < 4; i++)
		ck_assert_double_eq(a[i], b[i]);
	ck_assert(a[0] != a[1]);	/* noisy, but reproducibly so */
}
END_TEST

START_TEST(test_osw_model)
{
	struct osw *s;
	unsigned out;

	ck_assert_int_eq(osw_open("sim:osw1", NULL, &s), BERT_OK);
	ck_assert_str_eq(osw_instr(s)->model->name, "scpi-switch");
	ck_assert_int_eq(osw_route(s, 3, 2), BERT_OK);
	ck_assert_uint_eq(fp.route[3], 2);
	ck_assert_int_eq(osw_get_route(s, 3, &out), BERT_OK);
	ck_assert_uint_eq(out, 2);
	ck_assert_int_eq(osw_route(s, 3, 9), BERT_ERR_RANGE);
	ck_assert_int_eq(osw_route(s, 1, 1), BERT_OK);
	osw_close(s);
}
END_TEST

START_TEST(test_wrong_kind_unknown_model)
{
	struct voa *v;
	struct osw *s;

	ck_assert_int_eq(osw_open("sim:voa1", NULL, &s), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "not an optical switch"));
	ck_assert_int_eq(voa_open("sim:acme", NULL, &v), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "unknown instrument 'ACME Corp "
				     "WIDGET-9'"));
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "keysight-8163"));
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "thorlabs-pm100d"));
	ck_assert_int_eq(voa_open("agilent-9999:sim:voa1", NULL, &v), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "supported: "));
	ck_assert_int_eq(voa_open("sim:nosuch", NULL, &v), BERT_ERR_NODEV);
	ck_assert_int_eq(voa_open("gpib:5", NULL, &v), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "'gpib' unknown"));
	ck_assert_int_eq(voa_open("keysight-n77xx:gpib:5", NULL, &v), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "tcp:, serial:"));
	/* a named model wins over *IDN?: the 8163 table on an N7764A gets the
	 * instrument's own "Undefined header" back */
	ck_assert_int_eq(voa_open("keysight-8163:sim:voa1", NULL, &v), BERT_OK);
	ck_assert_int_eq(voa_set_attenuation(v, 3), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "-113"));
	voa_close(v);
}
END_TEST

/* Faults on the sim transport: each gives a clear error and the next
 * command works. */
START_TEST(test_faults_sim)
{
	struct scpi_emu *e;
	struct scpi_dev *d;
	char line[128];
	double v;
	uint64_t t0;

	ck_assert_int_eq(scpi_open("sim:voa1", NULL, &d), BERT_OK);
	ck_assert_int_eq(scpi_sim_emu("voa1", &e), BERT_OK);
	d->timeout_ns = 300 * BERT_NS_PER_MS;

	/* unknown command: the instrument's own error text */
	ck_assert_int_eq(scpi_cmd(d, "FOO:BAR 1"), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "-113,\"Undefined header\""));
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "FOO:BAR 1"));
	/* unknown query: no reply, then the queue says why */
	ck_assert_int_eq(scpi_query(d, line, sizeof(line), "FOO?"), BERT_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "no reply to 'FOO?'"));
	ck_assert_int_eq(scpi_query_double(d, &v, "INP1:ATT?"), BERT_OK);

	/* silent instrument: a timeout on the (virtual) clock */
	scpi_emu_set_fault(e, EMU_FAULT_SILENT);
	t0 = bert_clock_now(vclock);
	ck_assert_int_eq(scpi_query_double(d, &v, "INP1:ATT?"), BERT_ERR_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "within 300 ms"));
	ck_assert_uint_ge(bert_clock_now(vclock) - t0, 300 * BERT_NS_PER_MS);
	scpi_emu_set_fault(e, EMU_FAULT_NONE);
	ck_assert_int_eq(scpi_query_double(d, &v, "INP1:ATT?"), BERT_OK);

	/* garbage reply */
	scpi_emu_set_fault(e, EMU_FAULT_GARBAGE);
	ck_assert_int_eq(scpi_query_double(d, &v, "INP1:ATT?"), BERT_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "not a number"));
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "\\x01garbage"));
	ck_assert_int_eq(scpi_query_double(d, &v, "INP1:ATT?"), BERT_OK);

	/* several errors queued: the first is reported, the queue drained */
	ck_assert_int_eq(scpi_send(d, "BAD1;BAD2;INP1:ATT 500"), BERT_OK);
	ck_assert_int_eq(scpi_drain_errors(d), BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(scpi_drain_errors(d), BERT_OK);
	ck_assert_int_eq(scpi_opc(d, BERT_NS_PER_S), BERT_OK);
	scpi_close(d);
}
END_TEST

/* The port vanishes with a query unanswered and comes back: the reopened
 * link does not read that reply as the answer to its first query. */
START_TEST(test_reopen_drops_stale_reply)
{
	struct scpi_dev *d;
	struct scpi_idn idn;

	ck_assert_int_eq(scpi_open("sim:voa1", NULL, &d), BERT_OK);
	d->timeout_ns = 300 * BERT_NS_PER_MS;
	ck_assert_int_eq(scpi_send(d, "*OPC?"), BERT_OK);	/* its "1" is never read */
	ck_assert_int_eq(scpi_sim_set_unplugged("voa1", true), BERT_OK);
	ck_assert_int_eq(scpi_idn(d, &idn), BERT_ERR_NODEV);
	ck_assert_int_eq(scpi_sim_set_unplugged("voa1", false), BERT_OK);
	ck_assert_int_eq(scpi_reopen(d), BERT_OK);
	ck_assert_int_eq(scpi_idn(d, &idn), BERT_OK);
	ck_assert_str_eq(idn.model, "N7764A");
	ck_assert_int_eq(scpi_drain_errors(d), BERT_OK);
	scpi_close(d);
}
END_TEST

START_TEST(test_block_and_compound)
{
	struct scpi_dev *d;
	uint8_t blk[64];
	size_t n;
	double v;

	ck_assert_int_eq(scpi_open("sim:opm1", NULL, &d), BERT_OK);
	ck_assert_int_eq(scpi_query_block(d, blk, sizeof(blk), &n, ":READ:POW:ALL:CONF?"),
			 BERT_OK);
	ck_assert_uint_eq(n, 8);	/* two sensors x (slot, chan) */
	ck_assert_uint_eq(blk[0], 1);
	ck_assert_uint_eq(blk[4], 2);
	ck_assert_uint_eq(blk[6], 1);
	/* the line after a block works */
	ck_assert_int_eq(scpi_query_double(d, &v, ":sens1:pow:wav?"), BERT_OK);
	/* long forms, lower case, compound messages */
	ck_assert_int_eq(scpi_cmd(d, ":SENSE2:CHANNEL1:POWER:WAVELENGTH 1550NM;"
				  ":sense2:power:atime 20MS"), BERT_OK);
	ck_assert_int_eq(scpi_query_double(d, &v, "SENS2:POW:WAV?"), BERT_OK);
	ck_assert_double_eq_tol(v, 1550e-9, 1e-15);
	ck_assert_int_eq(scpi_cmd(d, ":SENSE3:POW:ATIM 1"), BERT_ERR_PROTOCOL);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "-114"));
	scpi_close(d);
}
END_TEST

/* ---- over real fds: a hub thread serves the emulators ---- */

struct hub_thread {
	struct emu_hub *hub;
	pthread_t th;
	volatile bool stop;
};

static void *hub_main(void *arg)
{
	struct hub_thread *t = arg;

	while (!t->stop)
		emu_hub_run_once(t->hub, 20);
	return NULL;
}

static struct hub_thread ht;

static void hub_setup(void)
{
	plant_setup();
	/* the plant's virtual clock runs 1000x real time in the server */
	ck_assert_int_eq(emu_hub_new(vclock, 1000.0, &ht.hub), BERT_OK);
	ht.stop = false;
}

static void hub_start(void)
{
	pthread_create(&ht.th, NULL, hub_main, &ht);
}

static void hub_teardown(void)
{
	ht.stop = true;
	pthread_join(ht.th, NULL);
	emu_hub_free(ht.hub);
	plant_teardown();
}

START_TEST(test_tcp)
{
	struct scpi_emu *e;
	struct voa *v;
	struct scpi_dev *d;
	char uri[64];
	uint16_t port = 0;
	double db;

	ck_assert_int_eq(scpi_sim_emu("voa1", &e), BERT_OK);
	ck_assert_int_eq(emu_hub_add_tcp(ht.hub, e, &port), BERT_OK);
	hub_start();
	snprintf(uri, sizeof(uri), "tcp:127.0.0.1:%u#chan=2", port);
	ck_assert_msg(voa_open(uri, NULL, &v) == BERT_OK, "%s", bert_error_detail());
	ck_assert_str_eq(voa_instr(v)->idn.model, "N7764A");
	ck_assert_int_eq(voa_set_attenuation(v, 6), BERT_OK);
	ck_assert_double_eq_tol(fp.voa_db[2], 6, 0.1 + 1e-9);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	ck_assert_double_eq_tol(db, 6, 1e-3);

	/* a second client while bert holds the instrument is reset at once
	 * (a raw-socket LAN instrument serves one client); bert keeps working */
	{
		struct sockaddr_in a = { .sin_family = AF_INET };
		struct timeval tv = { .tv_sec = 5 };
		struct scpi_emu_stats st;
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		char b;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons(port);
		ck_assert_int_ge(fd, 0);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
		ck_assert_int_le(read(fd, &b, 1), 0);
		close(fd);
		ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
		scpi_emu_stats(e, &st);
		ck_assert_uint_eq(st.connections, 1);
		ck_assert_uint_eq(st.refused, 1);
		ck_assert_uint_eq(st.protocol_errors, 0);
	}

	/* queued SCPI error over the wire */
	d = voa_instr(v)->dev;
	ck_assert_int_eq(scpi_cmd(d, "INP2:ATT 99"), BERT_ERR_RANGE);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "-222,\"Data out of range\""));

	/* peer reset: a clear error naming the instrument; the handle stays
	 * failed (its user no longer knows the instrument's state) and the
	 * next handle on the connection reconnects, once */
	emu_hub_fault_drop(ht.hub, e);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_ERR_IO);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "tcp 127.0.0.1"));
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "instrument tcp:127.0.0.1:"));
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_ERR_NODEV);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "connection lost"));
	{
		struct voa *v2;

		ck_assert_uint_eq(instr_conn_opens(voa_instr(v)->conn), 1);
		ck_assert_int_eq(voa_channel(voa_instr(v)->conn, 2, &v2), BERT_OK);
		ck_assert_uint_eq(instr_conn_opens(voa_instr(v)->conn), 2);
		/* once for all users: the next handle finds it open */
		{
			struct voa *v3;

			ck_assert_int_eq(voa_channel(voa_instr(v)->conn, 1, &v3), BERT_OK);
			ck_assert_uint_eq(instr_conn_opens(voa_instr(v)->conn), 2);
			ck_assert_int_eq(voa_get_attenuation(v3, &db), BERT_OK);
			voa_close(v3);
		}
		voa_close(v);
		v = v2;
	}
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	ck_assert_double_eq_tol(db, 6, 1e-3);

	/* silent instrument over TCP: timeout, then it answers again */
	d->timeout_ns = 200 * BERT_NS_PER_MS;
	scpi_emu_set_fault(e, EMU_FAULT_SILENT);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_ERR_TIMEOUT);
	scpi_emu_set_fault(e, EMU_FAULT_NONE);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	/* garbage over TCP */
	scpi_emu_set_fault(e, EMU_FAULT_GARBAGE);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_ERR_PROTOCOL);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	voa_close(v);

	ck_assert_int_eq(scpi_open("tcp:127.0.0.1:1", NULL, &d), BERT_ERR_NODEV);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "refused"));
}
END_TEST

START_TEST(test_pty)
{
	struct scpi_emu *e, *m;
	struct opm *o;
	struct voa *v;
	char pty[64], link[128], uri[256], pty2[64];
	double db;

	ck_assert_int_eq(scpi_sim_emu("voa1", &e), BERT_OK);
	ck_assert_int_eq(scpi_sim_emu("opm1", &m), BERT_OK);
	ck_assert_int_eq(emu_hub_add_pty(ht.hub, e, pty, sizeof(pty)), BERT_OK);
	ck_assert_int_eq(emu_hub_add_pty(ht.hub, m, pty2, sizeof(pty2)), BERT_OK);
	hub_start();
	/* the device path goes through a symlink, as /dev/serial/by-id does,
	 * so the test can "replug" the adapter behind it */
	snprintf(link, sizeof(link), "/tmp/bert-test-tty-%d", (int)getpid());
	unlink(link);
	ck_assert_int_eq(symlink(pty, link), 0);
	snprintf(uri, sizeof(uri), "serial:%s?baud=115200&term=crlf#chan=4", link);
	ck_assert_msg(voa_open(uri, NULL, &v) == BERT_OK, "%s", bert_error_detail());
	/* libserialport refuses a pty: the termios path took over */
	ck_assert(!scpi_serial_uses_libserialport(voa_instr(v)->dev));
	ck_assert_int_eq(voa_set_attenuation(v, 7.5), BERT_OK);
	ck_assert_double_eq_tol(fp.voa_db[4], 7.5, 0.1 + 1e-9);
	/* a serial port has one user: a second open is refused, the first
	 * keeps working */
	{
		struct voa *v2;

		ck_assert_int_eq(voa_open(uri, NULL, &v2), BERT_ERR_AGAIN);
		ck_assert_ptr_nonnull(strstr(bert_error_detail(), "already open"));
		ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	}

	/* the adapter vanishes mid-run */
	emu_hub_fault_vanish(ht.hub, e);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_ERR_NODEV);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), link));
	/* still gone: the handle stays failed, a new one cannot reopen */
	unlink(link);
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_ERR_NODEV);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "connection lost"));
	{
		struct voa *v2;

		ck_assert_int_eq(voa_channel(voa_instr(v)->conn, 4, &v2), BERT_ERR_NODEV);
		ck_assert_ptr_nonnull(strstr(bert_error_detail(), "reopening"));
		/* replugged (a new pty behind the same name): the next handle
		 * reconnects and finds the instrument as it was */
		ck_assert_int_eq(emu_hub_add_pty(ht.hub, e, pty, sizeof(pty)), BERT_OK);
		ck_assert_int_eq(symlink(pty, link), 0);
		ck_assert_int_eq(voa_channel(voa_instr(v)->conn, 4, &v2), BERT_OK);
		voa_close(v);
		v = v2;
	}
	ck_assert_int_eq(voa_get_attenuation(v, &db), BERT_OK);
	ck_assert_double_eq_tol(db, 7.5, 1e-3);
	voa_close(v);
	unlink(link);

	/* the meter on its own pty, default serial settings */
	snprintf(uri, sizeof(uri), "serial:%s", pty2);
	ck_assert_msg(opm_open(uri, NULL, &o) == BERT_OK, "%s", bert_error_detail());
	ck_assert_int_eq(opm_set_averaging(o, 0.01), BERT_OK);
	ck_assert_int_eq(opm_read_dbm(o, &db), BERT_OK);
	ck_assert_double_eq_tol(db, -10, 0.05);
	opm_close(o);
	{
		struct scpi_dev *d;

		ck_assert_int_eq(scpi_open("serial:/dev/nonexistent-bert", NULL, &d),
				 BERT_ERR_NODEV);
	}
}
END_TEST

/* ---- USBTMC framing (USBTMC 1.0 section 3) ---- */

START_TEST(test_usbtmc_framing)
{
	uint8_t out[64], req[12];
	const uint8_t cmd[] = "*IDN?\n";
	size_t n;
	uint32_t sz;
	bool eom;
	uint8_t b = 254;

	/* bTag runs 1..255 and skips 0 */
	b = usbtmc_btag_next(b);
	ck_assert_uint_eq(b, 255);
	ck_assert_uint_eq(usbtmc_btag_next(b), 1);

	/* DEV_DEP_MSG_OUT "*IDN?\n" bTag 1: 12 + 6 + 2 alignment bytes */
	n = usbtmc_msg_out(out, sizeof(out), 1, cmd, 6, true);
	ck_assert_uint_eq(n, 20);
	{
		static const uint8_t want[20] = {
			0x01, 0x01, 0xfe, 0x00, 0x06, 0x00, 0x00, 0x00,
			0x01, 0x00, 0x00, 0x00, '*', 'I', 'D', 'N', '?', '\n', 0, 0,
		};
		ck_assert_mem_eq(out, want, 20);
	}
	ck_assert_uint_eq(usbtmc_msg_out(out, 16, 1, cmd, 6, true), 0);
	/* without EOM, payload a multiple of 4: no alignment */
	n = usbtmc_msg_out(out, sizeof(out), 7, cmd, 4, false);
	ck_assert_uint_eq(n, 16);
	ck_assert_uint_eq(out[8], 0);
	ck_assert_uint_eq(out[2], 0xf8);

	/* REQUEST_DEV_DEP_MSG_IN for 1024 bytes, bTag 2, TermChar '\n' */
	usbtmc_request_in(req, 2, 1024, '\n');
	{
		static const uint8_t want[12] = {
			0x02, 0x02, 0xfd, 0x00, 0x00, 0x04, 0x00, 0x00, 0x02, '\n', 0, 0,
		};
		ck_assert_mem_eq(req, want, 12);
	}
	usbtmc_request_in(req, 3, 64, -1);
	ck_assert_uint_eq(req[8], 0);
	ck_assert_uint_eq(req[9], 0);

	/* DEV_DEP_MSG_IN header checks */
	{
		uint8_t h[12] = { 0x02, 0x05, 0xfa, 0, 0x10, 0, 0, 0, 0x01, 0, 0, 0 };

		ck_assert_int_eq(usbtmc_parse_in_header(h, 12, 5, 64, &sz, &eom), BERT_OK);
		ck_assert_uint_eq(sz, 16);
		ck_assert(eom);
		ck_assert_int_eq(usbtmc_parse_in_header(h, 12, 6, 64, &sz, &eom),
				 BERT_ERR_PROTOCOL);	/* bTag */
		ck_assert_int_eq(usbtmc_parse_in_header(h, 12, 5, 8, &sz, &eom),
				 BERT_ERR_PROTOCOL);	/* above the request */
		h[2] = 0xfb;
		ck_assert_int_eq(usbtmc_parse_in_header(h, 12, 5, 64, &sz, &eom),
				 BERT_ERR_PROTOCOL);	/* ~bTag */
		h[2] = 0xfa;
		h[0] = 0x01;
		ck_assert_int_eq(usbtmc_parse_in_header(h, 12, 5, 64, &sz, &eom),
				 BERT_ERR_PROTOCOL);	/* MsgID */
		ck_assert_int_eq(usbtmc_parse_in_header(h, 11, 5, 64, &sz, &eom),
				 BERT_ERR_PROTOCOL);
	}
}
END_TEST

/* Builds a device's Bulk-IN transfer: header + payload + alignment. */
static size_t in_transfer(uint8_t *t, uint8_t btag, const char *payload, size_t len, bool eom)
{
	size_t n = 12 + len;

	memset(t, 0, 12);
	t[0] = 2;
	t[1] = btag;
	t[2] = (uint8_t)(0xff - btag);
	t[4] = (uint8_t)len;
	t[5] = (uint8_t)(len >> 8);
	t[8] = eom ? 1 : 0;
	memcpy(t + 12, payload, len);
	while (n % 4)
		t[n++] = 0;
	return n;
}

START_TEST(test_usbtmc_reassembly)
{
	char text[200];
	uint8_t t[300], out[256];
	struct usbtmc_in in;
	size_t n, olen, i;

	/* 100-byte payload over 64-byte packets: 112 bytes = 64 + 48 (short) */
	memset(text, 'a', 100);
	n = in_transfer(t, 9, text, 100, true);
	ck_assert_uint_eq(n, 112);
	usbtmc_in_start(&in, 9, 1024);
	olen = 0;
	ck_assert_int_eq(usbtmc_in_feed(&in, t, 64, 64, out, sizeof(out), &olen), BERT_OK);
	ck_assert(!in.done);
	ck_assert_int_eq(usbtmc_in_feed(&in, t + 64, 48, 64, out, sizeof(out), &olen), BERT_OK);
	ck_assert(in.done);
	ck_assert(in.eom);
	ck_assert_uint_eq(olen, 100);

	/* exactly two full packets (116 payload + 12 = 128): done without a
	 * short packet; a zero-length packet after it is the next reader's */
	memset(text, 'b', 116);
	n = in_transfer(t, 10, text, 116, false);
	ck_assert_uint_eq(n, 128);
	usbtmc_in_start(&in, 10, 1024);
	olen = 0;
	ck_assert_int_eq(usbtmc_in_feed(&in, t, 128, 64, out, sizeof(out), &olen), BERT_OK);
	ck_assert(in.done);
	ck_assert(!in.eom);

	/* header split across tiny (8-byte, full-speed minimum) packets */
	n = in_transfer(t, 11, "1.25E-03\n", 9, true);
	usbtmc_in_start(&in, 11, 64);
	olen = 0;
	ck_assert_uint_eq(n, 24);
	for (i = 0; i < n; i += 8) {
		ck_assert(!in.done);
		ck_assert_int_eq(usbtmc_in_feed(&in, t + i, 8, 8, out, sizeof(out), &olen),
				 BERT_OK);
	}
	ck_assert(in.done);	/* ended on a packet boundary */
	ck_assert_int_eq(usbtmc_in_feed(&in, t, 0, 8, out, sizeof(out), &olen),
			 BERT_ERR_PROTOCOL);	/* the ZLP is not this transfer's */
	ck_assert_uint_eq(olen, 9);
	ck_assert_mem_eq(out, "1.25E-03\n", 9);

	/* a short packet before the payload is complete */
	n = in_transfer(t, 12, text, 100, true);
	usbtmc_in_start(&in, 12, 1024);
	olen = 0;
	ck_assert_int_eq(usbtmc_in_feed(&in, t, 40, 64, out, sizeof(out), &olen),
			 BERT_ERR_PROTOCOL);
	/* more bytes than the transfer announced */
	n = in_transfer(t, 13, "ok\n", 3, true);
	usbtmc_in_start(&in, 13, 1024);
	olen = 0;
	ck_assert_int_eq(usbtmc_in_feed(&in, t, n + 4, 64, out, sizeof(out), &olen),
			 BERT_ERR_PROTOCOL);
	/* message bigger than the caller's buffer */
	n = in_transfer(t, 14, text, 100, true);
	usbtmc_in_start(&in, 14, 1024);
	olen = 0;
	ck_assert_int_eq(usbtmc_in_feed(&in, t, n, 64, out, 50, &olen), BERT_ERR_PROTOCOL);
}
END_TEST

/* A USBTMC device on a fake link: it runs an emulator, splits its Bulk-IN
 * transfers into wMaxPacketSize packets, and records the control requests. */
struct fake_usb {
	struct scpi_emu *e;
	size_t wmax;
	uint8_t pending[512];
	size_t pending_len, pending_pos;
	uint8_t last_btag;
	uint32_t req_max;
	bool silent, want_in;
	int aborts_in, clears;
	unsigned out_transfers;
	char msg[512];
	size_t msg_len;
};

static int fu_bulk_out(void *ctx, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake_usb *u = ctx;
	uint32_t size = (uint32_t)buf[4] | (uint32_t)buf[5] << 8;

	(void)timeout_ms;
	ck_assert_uint_eq(len % 4, 0);
	ck_assert_uint_eq((uint8_t)(buf[1] + buf[2]), 0xff);
	ck_assert_uint_ne(buf[1], 0);
	u->last_btag = buf[1];
	if (buf[0] == USBTMC_DEV_DEP_MSG_OUT) {
		u->out_transfers++;
		memcpy(u->msg + u->msg_len, buf + 12, size);
		u->msg_len += size;
		if (buf[8] & 1) {	/* EOM: the message is complete */
			u->msg[u->msg_len] = '\0';
			if (u->msg_len && u->msg[u->msg_len - 1] == '\n')
				u->msg[u->msg_len - 1] = '\0';
			scpi_emu_input(u->e, u->msg);
			u->msg_len = 0;
		}
	} else if (buf[0] == USBTMC_REQUEST_DEV_DEP_MSG_IN) {
		u->want_in = true;
		u->req_max = size | (uint32_t)buf[6] << 16 | (uint32_t)buf[7] << 24;
	}
	return (int)len;
}

static int fu_bulk_in(void *ctx, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake_usb *u = ctx;
	size_t k;

	(void)timeout_ms;
	if (u->pending_pos == u->pending_len && u->want_in) {
		uint8_t data[300];
		size_t dl;

		u->want_in = false;
		if (u->silent || !scpi_emu_output(u->e, UINT64_MAX, data, sizeof(data) - 1, &dl))
			return BERT_ERR_TIMEOUT;
		data[dl++] = '\n';
		/* the payload is bounded by the request: split when larger */
		u->pending_len = in_transfer(u->pending, u->last_btag, (char *)data,
					     dl, true);
		u->pending_pos = 0;
	}
	if (u->pending_pos == u->pending_len)
		return BERT_ERR_TIMEOUT;
	/* one bulk read ends at the first short packet or at len */
	k = 0;
	while (k < len && u->pending_pos < u->pending_len) {
		size_t p = u->pending_len - u->pending_pos;

		if (p > u->wmax)
			p = u->wmax;
		memcpy(buf + k, u->pending + u->pending_pos, p);
		k += p;
		u->pending_pos += p;
		if (p < u->wmax)
			break;
	}
	return (int)k;
}

static int fu_control_in(void *ctx, uint8_t request, uint16_t value, uint8_t endpoint,
			 uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct fake_usb *u = ctx;

	(void)value;
	(void)endpoint;
	(void)timeout_ms;
	memset(buf, 0, len);
	switch (request) {
	case USBTMC_INITIATE_ABORT_BULK_IN:
		u->aborts_in++;
		buf[0] = USBTMC_STATUS_SUCCESS;
		buf[1] = u->last_btag;
		u->pending_pos = u->pending_len;
		break;
	case USBTMC_INITIATE_CLEAR: {
		uint8_t junk[300];
		size_t jl;

		/* the device clears its input and output buffers */
		while (scpi_emu_output(u->e, UINT64_MAX, junk, sizeof(junk), &jl))
			;
		u->pending_pos = u->pending_len;
		u->want_in = false;
		u->clears++;
		buf[0] = USBTMC_STATUS_SUCCESS;
		break;
	}
	default:
		buf[0] = USBTMC_STATUS_SUCCESS;
	}
	return (int)len;
}

static int fu_clear_halt(void *ctx, uint8_t endpoint)
{
	(void)ctx;
	(void)endpoint;
	return BERT_OK;
}

static const struct usbtmc_link_ops fake_usb_ops = {
	.bulk_out = fu_bulk_out,
	.bulk_in = fu_bulk_in,
	.control_in = fu_control_in,
	.clear_halt = fu_clear_halt,
};

/* A SuperSpeed instrument (1024-byte packets) that keeps streaming when
 * the host aborts a read or clears the device: every drain read fits the
 * link's scratch buffer. */
struct streaming_dev {
	size_t xfer_size, max_len;
	unsigned reads;
};

static int sd_bulk_out(void *ctx, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	(void)ctx;
	(void)buf;
	(void)timeout_ms;
	return (int)len;
}

static int sd_bulk_in(void *ctx, uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct streaming_dev *d = ctx;

	(void)timeout_ms;
	if (len > d->max_len)
		d->max_len = len;
	if (len > d->xfer_size)
		len = d->xfer_size;	/* keep the test itself in bounds */
	d->reads++;
	if (d->reads == 1)
		return BERT_ERR_TIMEOUT;	/* the read times out: abort */
	memset(buf, 0x5a, len);
	return (int)len;			/* full packets, never a short one */
}

static int sd_control_in(void *ctx, uint8_t request, uint16_t value, uint8_t endpoint,
			 uint8_t *buf, size_t len, unsigned timeout_ms)
{
	(void)ctx;
	(void)value;
	(void)endpoint;
	(void)timeout_ms;
	memset(buf, 0, len);
	buf[0] = request == USBTMC_CHECK_CLEAR_STATUS ||
		 request == USBTMC_CHECK_ABORT_BULK_IN_STATUS ? USBTMC_STATUS_PENDING
							      : USBTMC_STATUS_SUCCESS;
	if (len > 1)
		buf[1] = 0x01;		/* bmAbortBulkIn / bmClear: data to read */
	return (int)len;
}

static const struct usbtmc_link_ops streaming_ops = {
	.bulk_out = sd_bulk_out,
	.bulk_in = sd_bulk_in,
	.control_in = sd_control_in,
	.clear_halt = fu_clear_halt,
};

START_TEST(test_usbtmc_drain_bounded)
{
	struct streaming_dev d = { 0 };
	struct usbtmc_link l;
	uint8_t buf[64];
	size_t len;

	ck_assert_int_eq(usbtmc_link_init(&l, &streaming_ops, &d, 0x81, 0x02, 1024, 4096),
			 BERT_OK);
	d.xfer_size = l.xfer_size;
	ck_assert_int_eq(usbtmc_read(&l, buf, sizeof(buf), &len, 100), BERT_ERR_TIMEOUT);
	ck_assert_uint_gt(d.reads, 2);
	ck_assert_int_eq(usbtmc_clear(&l, 100), BERT_OK);
	ck_assert_uint_le(d.max_len, l.xfer_size);
	usbtmc_link_free(&l);
}
END_TEST

START_TEST(test_usbtmc_engine)
{
	struct fake_usb u = { .wmax = 64 };
	struct usbtmc_link l;
	uint8_t buf[512];
	size_t len;
	struct scpi_idn idn;
	char big[300];

	ck_assert_int_eq(scpi_sim_emu("pm100", &u.e), BERT_OK);
	ck_assert_int_eq(usbtmc_link_init(&l, &fake_usb_ops, &u, 0x81, 0x02, 64, 4096),
			 BERT_OK);
	ck_assert_int_eq(usbtmc_write(&l, (const uint8_t *)"*IDN?\n", 6, 100), BERT_OK);
	ck_assert_int_eq(usbtmc_read(&l, buf, sizeof(buf) - 1, &len, 100), BERT_OK);
	buf[len - 1] = '\0';
	ck_assert_int_eq(scpi_parse_idn((char *)buf, &idn), BERT_OK);
	ck_assert_str_eq(idn.model, "PM100D");
	/* a long command split in several transfers, EOM on the last only */
	l.max_transfer = 16;
	memset(big, ' ', sizeof(big));
	memcpy(big, "SENS:CORR:WAV 1550", 18);
	big[sizeof(big) - 1] = '\n';
	u.out_transfers = 0;
	ck_assert_int_eq(usbtmc_write(&l, (const uint8_t *)big, sizeof(big), 100), BERT_OK);
	ck_assert_uint_eq(u.out_transfers, (sizeof(big) + 15) / 16);
	l.max_transfer = 4096;
	ck_assert_int_eq(usbtmc_write(&l, (const uint8_t *)"SENS:CORR:WAV?\n", 15, 100),
			 BERT_OK);
	ck_assert_int_eq(usbtmc_read(&l, buf, sizeof(buf), &len, 100), BERT_OK);
	ck_assert_mem_eq(buf, "1550.0\n", 7);
	/* silent device: the read times out and the Bulk-IN transfer is
	 * aborted; a clear brings the device back */
	u.silent = true;
	ck_assert_int_eq(usbtmc_write(&l, (const uint8_t *)"*IDN?\n", 6, 100), BERT_OK);
	ck_assert_int_eq(usbtmc_read(&l, buf, sizeof(buf), &len, 100), BERT_ERR_TIMEOUT);
	ck_assert_int_eq(u.aborts_in, 1);
	ck_assert_int_eq(usbtmc_clear(&l, 100), BERT_OK);
	ck_assert_int_eq(u.clears, 1);
	u.silent = false;
	ck_assert_int_eq(usbtmc_write(&l, (const uint8_t *)"*OPC?\n", 6, 100), BERT_OK);
	ck_assert_int_eq(usbtmc_read(&l, buf, sizeof(buf), &len, 100), BERT_OK);
	ck_assert_mem_eq(buf, "1\n", 2);
	usbtmc_link_free(&l);
}
END_TEST

START_TEST(test_station)
{
	char path[] = "/tmp/bert-station-XXXXXX";
	struct station st;
	const struct station_instr *si;
	char buf[300];
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fputs("; a station\n[station]\nname = lab1\n"
	      "[instrument voa1]\nuri = tcp:10.0.0.5:5025#slot=2\nmodel = keysight-8163\n"
	      "type = voa\nchannels = 1\nwavelength = 1311\n"
	      "[instrument opm1]\nuri = usbtmc:0x1313:0x8078\ntype = opm\n"
	      "[site 1]\nfixture = sim:\n", f);
	fclose(f);
	ck_assert_msg(station_load(path, &st) == BERT_OK, "%s", bert_error_detail());
	ck_assert_uint_eq(st.n_instr, 2);
	si = station_find(&st, "voa1");
	ck_assert_ptr_nonnull(si);
	ck_assert_str_eq(station_instr_uri(si, buf, sizeof(buf)),
			 "keysight-8163:tcp:10.0.0.5:5025#slot=2");
	ck_assert_double_eq(si->wavelength_nm, 1311);
	ck_assert_int_eq(si->kind, INSTR_VOA);
	si = station_find(&st, "opm1");
	ck_assert_int_eq(si->kind, INSTR_OPM);
	ck_assert_str_eq(si->model, "");

	f = fopen(path, "w");
	fputs("[instrument x]\nuri = tcp:h\nmodel = acme-1\n", f);
	fclose(f);
	ck_assert_int_eq(station_load(path, &st), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), ":3"));
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "supported"));
	f = fopen(path, "w");
	fputs("[instrument x]\nmodel = scpi-switch\n", f);
	fclose(f);
	ck_assert_int_eq(station_load(path, &st), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "no uri"));
	f = fopen(path, "w");
	fputs("[instrument x]\nuri = tcp:h\nspeed = 3\n", f);
	fclose(f);
	ck_assert_int_eq(station_load(path, &st), BERT_ERR_CONFIG);
	unlink(path);
}
END_TEST

/* The default bench's instruments act on the plant the module sees: the sim
 * fixture's bench, module brought up, VOA channel 1 set to 6 dB. */
START_TEST(test_on_bench)
{
	struct bert_fixture *f;
	struct cmis_dev *dev;
	struct sim_bench *b;
	struct sim_bench_lane lm0, lm1;
	struct voa *v;
	struct opm *m;
	struct osw *s;
	double dbm0, dbm1, db;
	char uri[3][128];

	ck_assert_int_eq(bert_fixture_open("sim:", &f), BERT_OK);
	b = fixture_sim_bench(f);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(bert_fixture_set_lpmode(f, false), BERT_OK);
	ck_assert_int_eq(cmis_open(f->bus, &dev), BERT_OK);
	ck_assert_msg(cmis_bring_up(dev, 1, 0xff) == BERT_OK, "%s", bert_error_detail());
	ck_assert_int_eq(sim_bench_lane_model(b, 1, 1, &lm0), BERT_OK);
	ck_assert(lm0.avg_mw > 0.1);
	/* the instruments reach this fixture's bench by its name */
	ck_assert_ptr_nonnull(bert_fixture_bench(f));
	ck_assert_int_eq(scpi_sim_bind("sim:voa1#chan=1", bert_fixture_bench(f), uri[0], 128),
			 BERT_OK);
	ck_assert_int_eq(scpi_sim_bind("sim:osw1", bert_fixture_bench(f), uri[1], 128), BERT_OK);
	ck_assert_int_eq(scpi_sim_bind("sim:opm1", bert_fixture_bench(f), uri[2], 128), BERT_OK);
	ck_assert(strstr(uri[0], "@fixture-") && strstr(uri[0], "#chan=1"));
	ck_assert_int_eq(voa_open(uri[0], NULL, &v), BERT_OK);
	ck_assert_int_eq(osw_open(uri[1], NULL, &s), BERT_OK);
	ck_assert_int_eq(opm_open(uri[2], NULL, &m), BERT_OK);
	ck_assert_int_eq(osw_route(s, 1, 1), BERT_OK);
	ck_assert_int_eq(opm_read_dbm(m, &dbm0), BERT_OK);
	ck_assert_int_eq(voa_set_attenuation(v, 6), BERT_OK);
	ck_assert_int_eq(sim_bench_voa_get(b, "voa1", 1, &db), BERT_OK);
	ck_assert_double_eq_tol(db, 6, 0.1 + 1e-9);
	ck_assert_int_eq(sim_bench_lane_model(b, 1, 1, &lm1), BERT_OK);
	ck_assert_double_eq_tol(bert_mw_to_dbm(lm0.avg_mw) - bert_mw_to_dbm(lm1.avg_mw), 6,
				0.1 + 1e-9);
	ck_assert_int_eq(opm_read_dbm(m, &dbm1), BERT_OK);
	ck_assert_double_eq_tol(dbm0 - dbm1, 6, 0.15);
	voa_close(v);
	osw_close(s);
	opm_close(m);
	cmis_close(dev);
	bert_fixture_close(f);
}
END_TEST

/* One connection to a mainframe, a handle per module: station channel n of
 * an 8164B without #slot= is the 81577A in slot n; the 8164's four slots
 * bound it (8163A/B, 8164A/B & 8166A/B Mainframes Programming Guide). */
START_TEST(test_mainframe_slots)
{
	struct instr_conn *c;
	struct voa *v[4], *none;
	unsigned n;

	ck_assert_int_eq(instr_conn_open("k8164", "sim:k8164", NULL, &c), BERT_OK);
	for (n = 1; n <= 4; n++) {
		ck_assert_msg(voa_channel(c, n, &v[n - 1]) == BERT_OK, "%s", bert_error_detail());
		ck_assert_uint_eq(voa_instr(v[n - 1])->slot, n);
		ck_assert_int_eq(voa_set_attenuation(v[n - 1], 2.0 * n), BERT_OK);
	}
	for (n = 1; n <= 4; n++)
		ck_assert_double_eq_tol(fp.voa_db[n], 2.0 * n, 0.1 + 1e-9);
	ck_assert_int_eq(voa_channel(c, 5, &none), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "channels 1..4"));
	ck_assert_uint_eq(instr_conn_opens(c), 1);
	for (n = 0; n < 4; n++)
		voa_close(v[n]);
	instr_conn_put(c);
}
END_TEST

Suite *suite_instr(void)
{
	Suite *s = suite_create("instr");
	TCase *tc = tcase_create("parse");
	TCase *sim = tcase_create("sim");
	TCase *wire = tcase_create("wire");
	TCase *usb = tcase_create("usbtmc");

	tcase_add_test(tc, test_parse_double);
	tcase_add_test(tc, test_parse_idn_err_block);
	tcase_add_test(tc, test_uri);
	tcase_add_test(tc, test_station);
	tcase_add_test(tc, test_on_bench);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(sim, plant_setup, plant_teardown);
	tcase_add_test(sim, test_voa_models);
	tcase_add_test(sim, test_voa_accuracy_repeatable);
	tcase_add_test(sim, test_opm_models);
	tcase_add_test(sim, test_opm_noise_seeded);
	tcase_add_test(sim, test_osw_model);
	tcase_add_test(sim, test_wrong_kind_unknown_model);
	tcase_add_test(sim, test_faults_sim);
	tcase_add_test(sim, test_reopen_drops_stale_reply);
	tcase_add_test(sim, test_block_and_compound);
	tcase_add_test(sim, test_mainframe_slots);
	suite_add_tcase(s, sim);

	tcase_add_checked_fixture(wire, hub_setup, hub_teardown);
	tcase_set_timeout(wire, 20);
	tcase_add_test(wire, test_tcp);
	tcase_add_test(wire, test_pty);
	suite_add_tcase(s, wire);

	tcase_add_checked_fixture(usb, plant_setup, plant_teardown);
	tcase_add_test(usb, test_usbtmc_framing);
	tcase_add_test(usb, test_usbtmc_reassembly);
	tcase_add_test(usb, test_usbtmc_engine);
	tcase_add_test(usb, test_usbtmc_drain_bounded);
	suite_add_tcase(s, usb);
	return s;
}
