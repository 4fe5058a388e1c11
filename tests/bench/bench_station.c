// SPDX-License-Identifier: MIT
/* bertd on the default multi-site bench (stations/station-8.ini: a VOA per
 * site, one meter and one switch shared by all 8 sites), in process on the
 * virtual clock. Prints one JSON line:
 *
 *   modules_per_hour_1site   site 1 alone, ROUNDS modules back to back
 *   modules_per_hour_8sites  all 8 sites, ROUNDS modules each, back to back
 *                            (continuous production: a module replaced as
 *                            soon as its run ends), station time from the
 *                            first start to the last verdict
 *   scaling                  the ratio
 *   max_sens_err_db          worst |rx_sensitivity_oma - the bench's true
 *                            lane sensitivity| over every lane of every run
 *                            of both phases
 *   daemon_cpu_s_per_run     process CPU (user + system) of the 8-site phase
 *                            per run
 *
 * BENCH_STEPS=1 adds station time per step and per-lane errors over 0.05 dB
 * on stderr; BENCH_RR=1 uses round-robin arbitration instead of FIFO.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/daemon/bertd_core.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/cmis_module.h"

#define ROUNDS	6
#define SITES	8

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static double max_err;
static unsigned n_sens, n_fail;
static struct sim_bench *bench;

static double step_s[16];
static char step_name[16][32];
static uint64_t step_t0[SITES + 1];
static int step_cur[SITES + 1] = { -1, -1, -1, -1, -1, -1, -1, -1, -1 };

static void hook(void *user, unsigned site, const struct qual_event *ev)
{
	(void)user;
	if (ev->kind == QUAL_EV_STEP_BEGIN || ev->kind == QUAL_EV_RUN_END) {
		pthread_mutex_lock(&mu);
		if (step_cur[site] >= 0)
			step_s[step_cur[site]] += (ev->t_ns - step_t0[site]) / 1e9;
		step_cur[site] = ev->kind == QUAL_EV_STEP_BEGIN && ev->step_index < 16 ?
				 (int)ev->step_index : -1;
		if (ev->kind == QUAL_EV_STEP_BEGIN && ev->step_index < 16)
			snprintf(step_name[ev->step_index], sizeof(step_name[0]), "%s", ev->step);
		step_t0[site] = ev->t_ns;
		pthread_mutex_unlock(&mu);
	}
	if (ev->kind == QUAL_EV_MEASUREMENT && !strcmp(ev->m->name, "rx_sensitivity_oma")) {
		const struct sim_module_cfg *cfg = sim_module_cfg(sim_bench_module(bench, site));
		double truth = cfg->lane[ev->m->lane - 1].sens_oma_dbm;
		double e = fabs(ev->m->value - truth);

		if (getenv("BENCH_STEPS") && e > 0.05)
			fprintf(stderr, "  site %u lane %u: %.3f (true %.2f) u %.3f\n", site,
				ev->m->lane, ev->m->value, truth, ev->m->uncertainty);
		pthread_mutex_lock(&mu);
		if (!(e <= max_err))
			max_err = isfinite(e) ? (e > max_err ? e : max_err) : INFINITY;
		n_sens++;
		pthread_mutex_unlock(&mu);
	}
	if (ev->kind == QUAL_EV_RUN_END && ev->rec->verdict != QUAL_PASS &&
	    ev->rec->verdict != QUAL_MARGINAL) {
		pthread_mutex_lock(&mu);
		n_fail++;
		pthread_mutex_unlock(&mu);
	}
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* Runs ROUNDS modules at site (0 = every site); station seconds. */
static double phase(const char *station, const char *db, unsigned site, double *cpu)
{
	struct bertd_config cfg = { .station = station, .db = db, .repeat = ROUNDS,
				    .policy = getenv("BENCH_RR") ? BERT_LOCK_ROUND_ROBIN : BERT_LOCK_FIFO };
	struct bertd *d;
	struct bert_clock *clk;
	uint64_t t0;
	double c0;
	int rc;

	rc = bertd_open(&cfg, &d, NULL);
	if (rc) {
		fprintf(stderr, "bench_station: %s\n", bert_error_detail());
		exit(1);
	}
	bertd_set_hook(d, hook, NULL);
	clk = bertd_site_clock(d, 1);
	t0 = bert_clock_now(clk);
	c0 = cpu_s();
	if (bertd_start(d, site, NULL, NULL, NULL)) {
		fprintf(stderr, "bench_station: start: %s\n", bert_error_detail());
		exit(1);
	}
	bertd_wait_idle(d);
	*cpu = cpu_s() - c0;
	if (getenv("BENCH_STEPS")) {
		unsigned i;

		for (i = 0; i < 16; i++)
			if (step_s[i] > 0)
				fprintf(stderr, "  step %u %s: %.2f s per run\n", i, step_name[i],
					step_s[i] / (ROUNDS * (site ? 1 : SITES)));
		memset(step_s, 0, sizeof(step_s));
	}
	{
		uint64_t g, c, w, h;

		if (!bertd_arbiter_stats(d, "opm1", &g, &c, &w, &h))
			fprintf(stderr, "bench_station: meter: %llu grants (%llu waited), "
				"held %.1f s, waited %.1f s\n", (unsigned long long)g,
				(unsigned long long)c, h / 1e9, w / 1e9);
	}
	t0 = bert_clock_now(clk) - t0;
	bertd_close(d);
	return t0 / 1e9;
}

int main(void)
{
	const char *top = getenv("BERT_TOP");
	char station[1024], db[256], path[1100];
	double t1, t8, cpu1, cpu8, a, b;

	snprintf(station, sizeof(station), "%s/stations/station-8.ini", top ? top : ".");
	snprintf(path, sizeof(path), "%s/fixtures/sim/benches/station-8.ini", top ? top : ".");
	snprintf(db, sizeof(db), "/tmp/bert-bench-station-%d.db", (int)getpid());
	/* the daemon's bench, for the true sensitivities (the same registry
	 * entry: this reference keeps it and its clock across both phases) */
	if (fixture_sim_shared_bench(path, &bench)) {
		fprintf(stderr, "bench_station: %s\n", bert_error_detail());
		return 1;
	}
	t1 = phase(station, db, 1, &cpu1);
	t8 = phase(station, db, 0, &cpu8);
	a = 3600.0 * ROUNDS / t1;
	b = 3600.0 * ROUNDS * SITES / t8;
	printf("{\"name\":\"station\",\"sites\":%d,\"modules_per_hour_1site\":%.1f,"
	       "\"modules_per_hour_8sites\":%.1f,\"scaling\":%.2f,\"max_sens_err_db\":%.3f,"
	       "\"daemon_cpu_s_per_run\":%.4f}\n", SITES, a, b, b / a, max_err,
	       cpu8 / (ROUNDS * SITES));
	fprintf(stderr, "bench_station: 1 site %.1f s for %d modules, 8 sites %.1f s for %d; "
		"%u sensitivities, %u runs not passing\n", t1, ROUNDS, t8, ROUNDS * SITES,
		n_sens, n_fail);
	fixture_sim_shared_put(bench);
	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	return 0;
}
