// SPDX-License-Identifier: MIT
/* The sample 400G-DR4 run record the qual, store and report suites
 * share (see qual_sample.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "bert/qual/profile.h"
#include "bert/qual/record.h"
#include "qual_sample.h"

static struct qual_limits lim(double lo, double hi, double m)
{
	struct qual_limits l = qual_limits_none();

	l.low = lo;
	l.high = hi;
	l.marginal = m;
	return l;
}

void sample_record(struct qual_record *r)
{
	struct qual_limits ber = lim(NAN, 2.4e-4, 0.3);
	struct qual_measurement m;
	struct qual_step *s;
	struct qual_point pt;
	unsigned l;

	ber.scale = QUAL_SCALE_LOG10;
	qual_record_init(r, "0.1.0-test");
	snprintf(r->dut.vendor, sizeof(r->dut.vendor), "A&B <Optics> \"Q\"\x01\xff");
	snprintf(r->dut.pn, sizeof(r->dut.pn), "SIM-400G-DR4");
	snprintf(r->dut.sn, sizeof(r->dut.sn), "=SN,0001");
	snprintf(r->dut.rev, sizeof(r->dut.rev), "A0");
	snprintf(r->dut.firmware, sizeof(r->dut.firmware), "1.0");
	snprintf(r->station, sizeof(r->station), "lab-1");
	r->site = 2;
	snprintf(r->fixture, sizeof(r->fixture), "sim:fixtures/sim/modules/dr4-weak-lane3.ini");
	snprintf(r->profile, sizeof(r->profile), "400gbase-dr4");
	snprintf(r->profile_hash, sizeof(r->profile_hash), "fnv1a64:0123456789abcdef");
	r->lanes = 4;
	r->lanes_per_link = 4;

	s = qual_record_step_begin(r, "identify", 0);
	ck_assert_ptr_nonnull(s);
	qual_step_end(s, QUAL_STEP_DONE, 1500000000ull, NULL);

	s = qual_record_step_begin(r, "tx_power", 1500000000ull);
	for (l = 1; l <= 4; l++) {
		struct qual_limits t = lim(-2.9, 4.0, 0.3);

		/* lane 2 sits 0.1 dB inside the max: marginal */
		qual_measure(&m, "tx_power_avg", l, l == 2 ? 3.9 : 1.0 + 0.1 * l, "dBm",
			     &t, 0.1, "dom");
		ck_assert_int_eq(qual_step_add(s, &m), 0);
	}
	qual_step_end(s, QUAL_STEP_DONE, 2000000000ull, NULL);

	s = qual_record_step_begin(r, "ber", 2000000000ull);
	for (l = 1; l <= 4; l++) {
		qual_measure(&m, "pre_fec_ber", l, l == 3 ? 3.1e-3 : 2.0e-6 * l, "",
			     &ber, NAN, "bert-cl95");
		ck_assert_int_eq(qual_step_add(s, &m), 0);
	}
	pt = (struct qual_point){ .lane = 3, .atten_db = 3.5, .power_dbm = -4.2,
				  .oma_dbm = NAN, .ber = 3.1e-3, .bits = 1000000000000ull,
				  .errors = 3100000000ull, .t_ns = 2500000000ull };
	ck_assert_int_eq(qual_step_add_point(s, &pt), 0);
	pt.atten_db = 4.0;
	pt.power_dbm = -INFINITY;
	pt.t_ns = 3000000000ull;
	ck_assert_int_eq(qual_step_add_point(s, &pt), 0);
	qual_step_end(s, QUAL_STEP_DONE, 62000000000ull, NULL);

	s = qual_record_step_begin(r, "rx_power", 62000000000ull);
	for (l = 1; l <= 4; l++) {
		struct qual_limits t = lim(-5.9, 4.0, 0);

		if (l == 4)	/* no light at all */
			qual_measure(&m, "rx_power_avg", l, -INFINITY, "dBm", &t, NAN, "dom");
		else
			qual_measure(&m, "rx_power_avg", l, -1.0, "dBm", &t, NAN, "dom");
		ck_assert_int_eq(qual_step_add(s, &m), 0);
	}
	qual_step_end(s, QUAL_STEP_DONE, 63000000000ull, NULL);

	s = qual_record_step_begin(r, "module", 63000000000ull);
	{
		struct qual_limits p = lim(NAN, 12, 0);

		qual_measure(&m, "module_power", 0, 7.25, "W", &p, 0.05, "ina226");
		/* an uncertainty budget, with a note that needs escaping */
		qual_ucomp_set(&m.ucomp[0], "shunt", 0.02, 'B', "INA226 \"shunt\" 1 %");
		qual_ucomp_set(&m.ucomp[1], "noise", 0.0075, 'A', "");
		m.nucomp = 2;
		ck_assert_int_eq(qual_step_add(s, &m), 0);
		qual_measure_error(&m, "case_temperature", 0, "degC", NULL,
				   "DOM read failed: NACK <page 11h> & retry");
		ck_assert_int_eq(qual_step_add(s, &m), 0);
	}
	qual_step_end(s, QUAL_STEP_DONE, 64000000000ull, NULL);

	s = qual_record_step_begin(r, "sensitivity", 64000000000ull);
	qual_step_end(s, QUAL_STEP_SKIPPED, 64000000000ull, "stop on fail");

	qual_record_finish(r, QUAL_RUN_COMPLETE, 64000000000ull, NULL);
}
