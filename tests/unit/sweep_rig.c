// SPDX-License-Identifier: MIT
/* A sensitivity sweep on the seeded virtual bench (sweep_rig.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/units.h"
#include "bert/qual/site.h"
#include "bert/qual/sweep_site.h"
#include "bert/signal/berstat.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/fixture.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/bench.h"
#include "instruments/voa.h"
#include "sweep_rig.h"

static struct qual_station st;

/* OMA at the receiver where the bench's BER is the target: the Gaussian
 * part Q = Qs OMA / OMAsens plus the lane's floor. */
static double true_sens(struct sim_bench *b, unsigned lane)
{
	struct sim_bench_lane lm;
	double qs = sim_bench_q_sens(b), sens_mw, floor, qf;

	if (sim_bench_lane_model(b, 1, lane, &lm) || !(lm.q > 0))
		return NAN;
	sens_mw = lm.oma_mw * qs / lm.q;
	floor = lm.ber - sim_pam4_ber(lm.q);
	if (floor < 0)
		floor = 0;
	qf = bert_q_from_ber_pam4(BERT_KP4_THRESHOLD_BER - floor);
	return bert_mw_to_dbm(sens_mw * qf / qs);
}

int sweep_rig_run(const char *module, enum sweep_method m, struct sweep_rig_out *o)
{
	struct qual_site_io io;
	struct sweep_site ss;
	struct sweep_config cfg;
	struct sweep_io sio;
	struct cmis_diag *d = NULL;
	struct sim_bench *b;
	char uri[600];
	unsigned l;
	uint64_t t0;
	int rc;

	memset(o, 0, sizeof(*o));
	snprintf(uri, sizeof(uri), "sim:%s", module ? module : "");
	rc = qual_station_default(uri, &st);
	if (!rc)
		rc = qual_site_open(&st, qual_station_site(&st, 1), NULL, &io);
	if (rc)
		return rc;
	b = fixture_sim_bench(io.fixture);
	rc = bert_fixture_set_lpmode(io.fixture, false);
	if (!rc)
		rc = cmis_bring_up(io.dev, 1, 0xff);
	if (!rc)
		rc = cmis_diag_open(io.dev, &d);
	memset(&ss, 0, sizeof(ss));
	ss.diag = d;
	ss.clock = io.fixture->clock;
	ss.site = qual_station_site(&st, 1);
	ss.io = &io;
	ss.nlanes = 4;
	for (l = 0; l < 4; l++)
		ss.lane[l] = l + 1;
	/* the budget point: 3.5 dB from Tx to Rx (patch cord and tap included) */
	for (l = 0; !rc && l < 4; l++)
		rc = voa_set_attenuation(io.lane[l + 1].voa, 3.5 - ss.site->patch_loss_db -
					 ss.site->through_loss_db);
	if (!rc)
		rc = sweep_site_begin(&ss);
	if (rc)
		goto out;
	for (l = 0; l < 4; l++)
		o->true_oma_dbm[l] = true_sens(b, l + 1);
	sweep_site_io(&ss, &sio);
	for (l = 0; l < 4; l++)
		sio.budget_atten_db[l] = 3.5 - ss.site->patch_loss_db -
					 ss.site->through_loss_db;
	sweep_config_default(&cfg, m);
	t0 = bert_clock_now(ss.clock);
	rc = sweep_run(&sio, &cfg, &o->res);
	o->seconds = (double)(bert_clock_now(ss.clock) - t0) / 1e9;
	{
		int rc2 = sweep_site_end(&ss);

		if (!rc)
			rc = rc2;
	}
out:
	cmis_diag_close(d);
	qual_site_close(&io);
	return rc;
}
