// SPDX-License-Identifier: MIT
/* bertd's core (bert/daemon/bertd_core.h) in process: 8 emulated sites on
 * the station-8 bench and one virtual clock, a site's adapter unplugged mid
 * run while the others pass, shared-meter arbitration keeping every site
 * progressing (event order and station times, identical run after run),
 * insertion-triggered starts, aborts, reload; and the request parser. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/qual/record.h"
#include "bert/daemon/bertd_core.h"
#include "bert/daemon/bertd_proto.h"
#include "bert/store/store.h"
#include "common.h"
#include "instruments/scpi_sim.h"
#include "instruments/sim/scpi_emu.h"

#define NSITES 8
#define LOG_MAX 4096

/* What the hook sees: one entry per step begin of any site, in the order
 * the workers reported them (ordered by station time; same-instant entries
 * are sorted before comparing). */
struct ev_entry {
	unsigned site;
	char step[32];
	uint64_t t;			/* station time, absolute */
};

struct ev_log {
	pthread_mutex_t mu;
	unsigned n;
	struct ev_entry e[LOG_MAX];
	unsigned steps[NSITES + 1];
	unsigned meter_reads[NSITES + 1];
	unsigned fault_site;		/* unplug this site's adapter ... */
	const char *fault_step;		/* ... when it begins this step */
	struct bertd *d;
	uint64_t fault_t;
	const char *unplug;		/* sim: instrument to unplug instead */
	char err_msg[NSITES + 1][512];	/* a failed step's or measurement's why */
};

static void hook(void *user, unsigned site, const struct qual_event *ev)
{
	struct ev_log *lg = user;

	if (ev->kind != QUAL_EV_STEP_BEGIN && ev->kind != QUAL_EV_POINT)
		return;
	pthread_mutex_lock(&lg->mu);
	if (ev->kind == QUAL_EV_POINT) {
		lg->meter_reads[site]++;
	} else if (lg->n < LOG_MAX) {
		lg->e[lg->n].site = site;
		snprintf(lg->e[lg->n].step, sizeof(lg->e[0].step), "%s", ev->step);
		lg->e[lg->n].t = bert_clock_now(bertd_site_clock(lg->d, site));
		lg->n++;
		lg->steps[site]++;
	}
	pthread_mutex_unlock(&lg->mu);
	if (ev->kind == QUAL_EV_STEP_BEGIN && site == lg->fault_site && lg->fault_step &&
	    !strcmp(ev->step, lg->fault_step)) {
		lg->fault_t = bert_clock_now(bertd_site_clock(lg->d, site));
		if (lg->unplug)
			ck_assert_int_eq(scpi_sim_set_unplugged(lg->unplug, true), BERT_OK);
		else
			ck_assert_int_eq(bertd_sim(lg->d, site, -1, 1), BERT_OK);
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ev_entry *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->site != y->site)
		return x->site < y->site ? -1 : 1;
	return strcmp(x->step, y->step);
}

/* Keeps the message of each site's failed step (or first failed
 * measurement) (the sink gets every event line). */
static void sink(void *user, const char *line, size_t len)
{
	struct ev_log *lg = user;
	json_t *j = json_loadb(line, len, 0, NULL);
	const char *ev = json_string_value(json_object_get(j, "event"));
	json_int_t site = json_integer_value(json_object_get(j, "site"));
	const char *msg = json_string_value(json_object_get(j, "message"));
	const char *status = json_string_value(json_object_get(j, "status"));
	const char *verdict = json_string_value(json_object_get(j, "verdict"));
	bool step_err = ev && !strcmp(ev, "step_end") && status && !strcmp(status, "error");
	bool meas_err = ev && !strcmp(ev, "measurement") && verdict && msg &&
			!strcmp(verdict, "error") && !lg->err_msg[site][0];

	if ((step_err || meas_err) && site >= 1 && site <= NSITES) {
		pthread_mutex_lock(&lg->mu);
		snprintf(lg->err_msg[site], sizeof(lg->err_msg[0]), "%s", msg ? msg : "");
		pthread_mutex_unlock(&lg->mu);
	}
	json_decref(j);
}

static char db_path[256];

static struct bertd *open_station(const char *station, struct ev_log *lg)
{
	struct bertd_config cfg = { .station = station, .db = db_path };
	struct bertd *d;
	int rc;

	rc = bertd_open(&cfg, &d, NULL);
	ck_assert_msg(rc == BERT_OK, "bertd_open: %s", bert_error_detail());
	if (lg) {
		memset(lg, 0, sizeof(*lg));
		pthread_mutex_init(&lg->mu, NULL);
		lg->d = d;
		bertd_set_hook(d, hook, lg);
		bertd_set_sink(d, sink, lg);
	}
	return d;
}

static void new_db(const char *tag)
{
	snprintf(db_path, sizeof(db_path), "/tmp/bert-test-bertd-%d-%s.db", (int)getpid(), tag);
	unlink(db_path);
	snprintf(db_path + strlen(db_path), 8, "%s", "");
}

static void drop_db(void)
{
	char p[300];

	unlink(db_path);
	snprintf(p, sizeof(p), "%s-wal", db_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db_path);
	unlink(p);
}

static const char *last_verdict(json_t *status, unsigned site, const char *what)
{
	json_t *s = json_array_get(json_object_get(status, "sites"), site - 1);

	return json_string_value(json_object_get(json_object_get(s, "last"), what));
}

/* One full 8-site run; fills lg, returns the status JSON. */
static json_t *run8(struct ev_log *lg, unsigned fault_site, const char *fault_step)
{
	struct bertd *d = open_station(test_path("stations/station-8.ini"), lg);
	unsigned started;
	json_t *st;

	lg->fault_site = fault_site;
	lg->fault_step = fault_step;
	ck_assert_int_eq(bertd_start(d, 0, NULL, NULL, &started), BERT_OK);
	ck_assert_uint_eq(started, NSITES);
	bertd_wait_idle(d);
	st = bertd_status(d);
	if (fault_site)
		bertd_sim(d, fault_site, -1, 0);	/* plug it back for later */
	bertd_close(d);
	qsort(lg->e, lg->n, sizeof(lg->e[0]), cmp_entry);
	return st;
}

START_TEST(test_eight_sites_pass_and_interleave)
{
	static struct ev_log a, b;
	json_t *sa, *sb;
	unsigned s, i, first_sens[NSITES + 1] = { 0 };
	struct store *st;
	struct store_run_summary *runs;
	size_t n;
	struct store_filter f = { 0 };

	new_db("eight");
	sa = run8(&a, 0, NULL);
	for (s = 1; s <= NSITES; s++) {
		ck_assert_str_eq(last_verdict(sa, s, "status"), "complete");
		ck_assert_msg(!strcmp(last_verdict(sa, s, "verdict"), "pass") ||
			      !strcmp(last_verdict(sa, s, "verdict"), "marginal"),
			      "site %u: %s", s, last_verdict(sa, s, "verdict"));
		ck_assert_uint_ge(a.steps[s], 8);
		ck_assert_uint_gt(a.meter_reads[s], 0);
	}
	/* every site starts at the same instant and begins identify there */
	for (i = 0; i < NSITES; i++) {
		ck_assert_uint_eq(a.e[i].t, a.e[0].t);
		ck_assert_str_eq(a.e[i].step, "identify");
	}
	/* interleaving: the sensitivity sweeps overlap in station time (no site
	 * waits for a whole sweep of another): every site begins its sweep
	 * before any site has finished the run */
	for (i = 0; i < a.n; i++)
		if (!strcmp(a.e[i].step, "sensitivity"))
			first_sens[a.e[i].site] = i + 1;
	for (s = 1; s <= NSITES; s++)
		ck_assert_msg(first_sens[s], "site %u never swept", s);
	{
		uint64_t last_sens_begin = 0, first_budget = UINT64_MAX;

		for (i = 0; i < a.n; i++) {
			if (!strcmp(a.e[i].step, "sensitivity") && a.e[i].t > last_sens_begin)
				last_sens_begin = a.e[i].t;
			if (!strcmp(a.e[i].step, "link_budget") && a.e[i].t < first_budget)
				first_budget = a.e[i].t;
		}
		ck_assert_msg(last_sens_begin < first_budget,
			      "a sweep began (%.1f s) after another site's sweep ended "
			      "(%.1f s): queued, not interleaved", last_sens_begin / 1e9,
			      first_budget / 1e9);
	}
	/* deterministic: the same timeline again */
	drop_db();
	new_db("eight2");
	sb = run8(&b, 0, NULL);
	ck_assert_uint_eq(a.n, b.n);
	for (i = 0; i < a.n; i++) {
		ck_assert_uint_eq(a.e[i].site, b.e[i].site);
		ck_assert_str_eq(a.e[i].step, b.e[i].step);
		ck_assert_uint_eq(a.e[i].t, b.e[i].t);
	}
	/* the records are in the store, complete */
	ck_assert_int_eq(store_open(db_path, &st), BERT_OK);
	ck_assert_int_eq(store_run_list(st, &f, &runs, &n), BERT_OK);
	ck_assert_uint_eq(n, NSITES);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(runs[i].status, QUAL_RUN_COMPLETE);
		ck_assert_uint_ge(runs[i].steps, 8);
	}
	free(runs);
	store_close(st);
	json_decref(sa);
	json_decref(sb);
	drop_db();
}
END_TEST

START_TEST(test_fault_one_site)
{
	static struct ev_log a;
	json_t *st;
	unsigned s, i;

	new_db("fault");
	/* site 3's adapter is unplugged when its lane_ber step begins */
	st = run8(&a, 3, "lane_ber");
	ck_assert_uint_gt(a.fault_t, 0);
	for (s = 1; s <= NSITES; s++) {
		const char *status = last_verdict(st, s, "status");
		const char *verdict = last_verdict(st, s, "verdict");

		if (s == 3) {
			ck_assert_str_eq(verdict, "error");
			ck_assert_str_eq(status, "error");	/* the station failed */
			continue;
		}
		ck_assert_str_eq(status, "complete");
		ck_assert_msg(!strcmp(verdict, "pass") || !strcmp(verdict, "marginal"),
			      "site %u: %s", s, verdict);
	}
	/* the others went on after the fault: steps begun later than it */
	for (s = 1; s <= NSITES; s++) {
		bool later = false;

		if (s == 3)
			continue;
		for (i = 0; i < a.n; i++)
			if (a.e[i].site == s && a.e[i].t > a.fault_t)
				later = true;
		ck_assert_msg(later, "site %u stopped with the fault", s);
	}
	json_decref(st);
	drop_db();
}
END_TEST

/* The station's instruments as sim:NAME@BENCH (the bench file's real
 * path is the name the shared bench has in the registry). */
static const char *const instr_names[] = {
	"voa1", "voa2", "voa3", "voa4", "voa5", "voa6", "voa7", "voa8", "osw1", "opm1",
};
#define NINSTR (ARRAY_SIZE(instr_names))

static void bench_arg(const char *name, char *out, size_t size)
{
	char *real = realpath(test_path("fixtures/sim/benches/station-8.ini"), NULL);

	ck_assert_ptr_nonnull(real);
	snprintf(out, size, "%s@%s", name, real);
	free(real);
}

/* 8 sites x 4 lanes share one switch and one meter: every instrument is
 * one connection for the whole station (32 lanes, 8 sites), and nothing
 * bert sent drew an instrument error. The counters are the emulators'. */
START_TEST(test_one_connection_per_instrument)
{
	static struct ev_log a;
	struct scpi_emu *e[NINSTR];
	struct scpi_emu_stats stt;
	char arg[600], line[600] = "";
	json_t *st;
	unsigned i, s;

	new_db("conn");
	for (i = 0; i < NINSTR; i++) {
		bench_arg(instr_names[i], arg, sizeof(arg));
		ck_assert_int_eq(scpi_sim_emu(arg, &e[i]), BERT_OK);
	}
	st = run8(&a, 0, NULL);
	for (s = 1; s <= NSITES; s++)
		ck_assert_str_eq(last_verdict(st, s, "status"), "complete");
	for (i = 0; i < NINSTR; i++) {
		scpi_emu_stats(e[i], &stt);
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s %u/%u/%u",
			 instr_names[i], stt.connections, stt.protocol_errors, stt.commands);
		ck_assert_msg(stt.connections == 1, "%s: %u connections", instr_names[i],
			      stt.connections);
		ck_assert_msg(stt.protocol_errors == 0, "%s: %u protocol errors",
			      instr_names[i], stt.protocol_errors);
		ck_assert_uint_gt(stt.commands, 0);
	}
	fprintf(stderr, "bertd 8 sites x 4 lanes, connections/protocol errors/commands:%s\n",
		line);
	json_decref(st);
	scpi_sim_reset();
	drop_db();
}
END_TEST

/* Site 3's attenuator vanishes in the middle of its sweep: the run using
 * it ends with an error naming it, the other seven complete, and site 3's
 * next run reconnects (a second connection, the only one). */
START_TEST(test_instrument_vanishes)
{
	static struct ev_log a;
	struct scpi_emu *e;
	struct scpi_emu_stats stt;
	struct bertd *d;
	char arg[600];
	unsigned s, started;
	json_t *st;

	new_db("vanish");
	bench_arg("voa3", arg, sizeof(arg));
	ck_assert_int_eq(scpi_sim_emu(arg, &e), BERT_OK);
	d = open_station(test_path("stations/station-8.ini"), &a);
	a.fault_site = 3;
	a.fault_step = "sensitivity";
	a.unplug = arg;
	ck_assert_int_eq(bertd_start(d, 0, NULL, NULL, &started), BERT_OK);
	bertd_wait_idle(d);
	st = bertd_status(d);
	ck_assert_uint_gt(a.fault_t, 0);
	for (s = 1; s <= NSITES; s++) {
		if (s == 3) {
			ck_assert_str_eq(last_verdict(st, s, "verdict"), "error");
			ck_assert_msg(strstr(a.err_msg[3], "instrument voa3"), "site 3: %s",
				      a.err_msg[3]);
			fprintf(stderr, "site 3 after voa3 vanished: %s\n", a.err_msg[3]);
			continue;
		}
		ck_assert_str_eq(last_verdict(st, s, "status"), "complete");
		ck_assert_msg(!a.err_msg[s][0], "site %u: %s", s, a.err_msg[s]);
	}
	json_decref(st);
	scpi_emu_stats(e, &stt);
	ck_assert_uint_eq(stt.connections, 1);
	/* plugged back: the next run on site 3 reconnects and completes */
	ck_assert_int_eq(scpi_sim_set_unplugged(arg, false), BERT_OK);
	a.fault_site = 0;
	ck_assert_int_eq(bertd_start(d, 3, NULL, NULL, &started), BERT_OK);
	bertd_wait_idle(d);
	st = bertd_status(d);
	ck_assert_str_eq(last_verdict(st, 3, "status"), "complete");
	ck_assert_msg(!strcmp(last_verdict(st, 3, "verdict"), "pass") ||
		      !strcmp(last_verdict(st, 3, "verdict"), "marginal"), "site 3: %s: %s",
		      last_verdict(st, 3, "verdict"), a.err_msg[3]);
	scpi_emu_stats(e, &stt);
	ck_assert_uint_eq(stt.connections, 2);
	json_decref(st);
	bertd_close(d);
	scpi_sim_reset();
	drop_db();
}
END_TEST

/* The shared meter vanishes as site 3 begins to measure launch power (the
 * step that reads it: with a shared meter the sweeps follow the VOAs):
 * every run that reads it after that ends with an error naming it, none
 * hangs; plugged back, the next runs reconnect it once for all eight sites
 * and pass. */
START_TEST(test_shared_meter_vanishes)
{
	static struct ev_log a;
	struct scpi_emu *e;
	struct scpi_emu_stats stt;
	struct bertd *d;
	char arg[600];
	unsigned s, started, failed = 0;
	json_t *st;

	new_db("meter");
	bench_arg("opm1", arg, sizeof(arg));
	ck_assert_int_eq(scpi_sim_emu(arg, &e), BERT_OK);
	d = open_station(test_path("stations/station-8.ini"), &a);
	a.fault_site = 3;
	a.fault_step = "tx_power";
	a.unplug = arg;
	ck_assert_int_eq(bertd_start(d, 0, NULL, NULL, &started), BERT_OK);
	bertd_wait_idle(d);
	st = bertd_status(d);
	for (s = 1; s <= NSITES; s++) {
		if (strcmp(last_verdict(st, s, "verdict"), "error"))
			continue;
		failed++;
		ck_assert_msg(strstr(a.err_msg[s], "instrument opm1"), "site %u: %s", s,
			      a.err_msg[s]);
	}
	ck_assert_msg(failed >= 1, "no run saw the meter go");
	json_decref(st);
	ck_assert_int_eq(scpi_sim_set_unplugged(arg, false), BERT_OK);
	a.fault_site = 0;
	memset(a.err_msg, 0, sizeof(a.err_msg));
	ck_assert_int_eq(bertd_start(d, 0, NULL, NULL, &started), BERT_OK);
	ck_assert_uint_eq(started, NSITES);
	bertd_wait_idle(d);
	st = bertd_status(d);
	for (s = 1; s <= NSITES; s++)
		ck_assert_msg(!strcmp(last_verdict(st, s, "status"), "complete") &&
			      strcmp(last_verdict(st, s, "verdict"), "error"),
			      "site %u: %s: %s", s, last_verdict(st, s, "verdict"), a.err_msg[s]);
	json_decref(st);
	scpi_emu_stats(e, &stt);
	ck_assert_uint_eq(stt.connections, 2);
	fprintf(stderr, "opm1 vanished: %u of 8 runs ended with its error; reconnected once "
		"(%u connections)\n", failed, stt.connections);
	bertd_close(d);
	scpi_sim_reset();
	drop_db();
}
END_TEST

START_TEST(test_insertion_start)
{
	static struct ev_log a;
	struct bertd *d;
	json_t *st;
	unsigned s;

	new_db("insert");
	d = open_station(test_path("stations/station-8.ini"), &a);
	/* the first poll learns the state; nothing starts */
	ck_assert_uint_eq(bertd_poll(d), 0);
	ck_assert(bertd_idle(d));
	/* site 5: module out, then in */
	ck_assert_int_eq(bertd_sim(d, 5, 0, -1), BERT_OK);
	ck_assert_uint_eq(bertd_poll(d), 0);
	ck_assert_int_eq(bertd_sim(d, 5, 1, -1), BERT_OK);
	ck_assert_uint_eq(bertd_poll(d), 1);
	/* a running site is not started twice; the others stay idle */
	ck_assert_uint_eq(bertd_poll(d), 0);
	ck_assert_int_eq(bertd_start(d, 5, NULL, NULL, NULL), BERT_ERR_STATE);
	bertd_wait_idle(d);
	st = bertd_status(d);
	ck_assert_str_eq(last_verdict(st, 5, "status"), "complete");
	for (s = 1; s <= NSITES; s++)
		if (s != 5)
			ck_assert_ptr_null(json_object_get(json_array_get(
				json_object_get(st, "sites"), s - 1), "last"));
	json_decref(st);
	/* a module that is absent: the run ends with an error record */
	ck_assert_int_eq(bertd_sim(d, 2, 0, -1), BERT_OK);
	ck_assert_int_eq(bertd_start(d, 2, NULL, "OP-SN-42", NULL), BERT_OK);
	bertd_wait_idle(d);
	st = bertd_status(d);
	ck_assert_str_eq(last_verdict(st, 2, "status"), "error");
	json_decref(st);
	ck_assert_int_eq(bertd_sim(d, 2, 1, -1), BERT_OK);
	/* unknown profile, no such site */
	ck_assert_int_eq(bertd_start(d, 1, "no-such-profile", NULL, NULL), BERT_ERR_CONFIG);
	ck_assert_int_eq(bertd_start(d, 9, NULL, NULL, NULL), BERT_ERR_RANGE);
	ck_assert_int_eq(bertd_abort(d, 1), BERT_ERR_STATE);
	ck_assert_int_eq(bertd_reload(d), BERT_OK);
	bertd_close(d);
	drop_db();
}
END_TEST

/* The daemon keeps each site's fixture open: 1000 polls open it once per
 * site; the poll reads the serial of a module when it sees it; an adapter
 * that goes away (BERT_ERR_NODEV on the GPIO read) is reopened once after
 * it is back. */
static json_t *site_status(json_t *st, unsigned site)
{
	return json_array_get(json_object_get(st, "sites"), site - 1);
}

START_TEST(test_poll_keeps_fixture_open)
{
	static struct ev_log a;
	struct bertd *d;
	json_t *st;
	char sn3[64];
	unsigned s, k;

	new_db("poll_open");
	d = open_station(test_path("stations/station-8.ini"), &a);
	for (k = 0; k < 1000; k++)
		ck_assert_uint_eq(bertd_poll(d), 0);
	st = bertd_status(d);
	for (s = 1; s <= NSITES; s++) {
		json_t *j = site_status(st, s);

		ck_assert_int_eq(json_integer_value(json_object_get(j, "fixture_opens")), 1);
		ck_assert(json_is_true(json_object_get(j, "present")));
		/* the serial of an idle site's module, before any run */
		ck_assert_ptr_null(json_object_get(j, "last"));
		ck_assert_msg(json_is_string(json_object_get(j, "module_serial")) &&
			      !strncmp(json_string_value(json_object_get(j, "module_serial")),
				       "SIM", 3), "site %u: no serial", s);
	}
	snprintf(sn3, sizeof(sn3), "%s",
		 json_string_value(json_object_get(site_status(st, 3), "module_serial")));
	json_decref(st);
	/* site 3's adapter unplugged: the GPIO read fails, the fixture is
	 * dropped and not reopened while the adapter is away */
	ck_assert_int_eq(bertd_sim(d, 3, -1, 1), BERT_OK);
	for (k = 0; k < 10; k++)
		ck_assert_uint_eq(bertd_poll(d), 0);
	st = bertd_status(d);
	ck_assert_int_eq(json_integer_value(json_object_get(site_status(st, 3),
							    "fixture_opens")), 1);
	json_decref(st);
	/* back: reopened once, by its URI, and kept */
	ck_assert_int_eq(bertd_sim(d, 3, -1, 0), BERT_OK);
	for (k = 0; k < 100; k++)
		ck_assert_uint_eq(bertd_poll(d), 0);
	st = bertd_status(d);
	for (s = 1; s <= NSITES; s++)
		ck_assert_int_eq(json_integer_value(json_object_get(site_status(st, s),
								    "fixture_opens")), s == 3 ? 2 : 1);
	ck_assert_str_eq(json_string_value(json_object_get(site_status(st, 3), "module_serial")),
			 sn3);
	json_decref(st);
	/* a module out: no serial; a new one in: its serial, read by the poll
	 * (the run it starts is on the same open fixture) */
	ck_assert_int_eq(bertd_sim(d, 3, 0, -1), BERT_OK);
	ck_assert_uint_eq(bertd_poll(d), 0);
	st = bertd_status(d);
	ck_assert(json_is_null(json_object_get(site_status(st, 3), "module_serial")));
	ck_assert(json_is_false(json_object_get(site_status(st, 3), "present")));
	json_decref(st);
	ck_assert_int_eq(bertd_sim(d, 3, 1, -1), BERT_OK);
	ck_assert_uint_eq(bertd_poll(d), 1);
	st = bertd_status(d);
	ck_assert_msg(json_is_string(json_object_get(site_status(st, 3), "module_serial")) &&
		      strcmp(json_string_value(json_object_get(site_status(st, 3),
							       "module_serial")), sn3),
		      "no new serial after the insertion");
	json_decref(st);
	bertd_wait_idle(d);
	for (k = 0; k < 10; k++)
		ck_assert_uint_eq(bertd_poll(d), 0);
	st = bertd_status(d);
	ck_assert_str_eq(last_verdict(st, 3, "status"), "complete");
	ck_assert_int_eq(json_integer_value(json_object_get(site_status(st, 3),
							    "fixture_opens")), 2);
	json_decref(st);
	bertd_close(d);
	drop_db();
}
END_TEST

START_TEST(test_abort_site)
{
	static struct ev_log a;
	struct bertd *d;
	json_t *st;

	new_db("abort");
	d = open_station(test_path("stations/station-8.ini"), &a);
	/* time stands still until the abort is in: site 1 stops at its start */
	bert_clock_hold(bertd_site_clock(d, 1));
	ck_assert_int_eq(bertd_start(d, 1, NULL, NULL, NULL), BERT_OK);
	ck_assert_int_eq(bertd_start(d, 2, NULL, NULL, NULL), BERT_OK);
	ck_assert_int_eq(bertd_abort(d, 1), BERT_OK);
	bert_clock_unhold(bertd_site_clock(d, 1));
	bertd_wait_idle(d);
	st = bertd_status(d);
	ck_assert_str_eq(last_verdict(st, 1, "status"), "aborted");
	ck_assert_str_eq(last_verdict(st, 2, "status"), "complete");
	json_decref(st);
	bertd_close(d);
	drop_db();
}
END_TEST

/* ---- the request parser ------------------------------------------------------- */

static const struct {
	const char *line;
	const char *code;	/* NULL = valid */
	enum bertd_cmd cmd;
} reqs[] = {
	{ "{\"cmd\":\"status\"}", NULL, BERTD_CMD_STATUS },
	{ "{\"cmd\":\"start\",\"site\":3,\"profile\":\"dr4-factory\",\"serial\":\"A1\"}", NULL, BERTD_CMD_START },
	{ "{\"cmd\":\"start\",\"site\":\"all\"}", NULL, BERTD_CMD_START },
	{ "{\"cmd\":\"abort\",\"site\":8,\"id\":99}", NULL, BERTD_CMD_ABORT },
	{ "{\"cmd\":\"results\",\"since\":4,\"limit\":10}", NULL, BERTD_CMD_RESULTS },
	{ "{\"cmd\":\"subscribe\"}", NULL, BERTD_CMD_SUBSCRIBE },
	{ "{\"cmd\":\"reload\",\"id\":\"r1\"}", NULL, BERTD_CMD_RELOAD },
	{ "{\"cmd\":\"sim\",\"site\":1,\"present\":false}", NULL, BERTD_CMD_SIM },
	{ "{\"cmd\":\"sim\",\"site\":2,\"instrument\":\"voa2\",\"fault\":\"garbage\"}", NULL,
	  BERTD_CMD_SIM },
	{ "", BERTD_E_PARSE, 0 },
	{ "{\"cmd\":\"sta", BERTD_E_PARSE, 0 },
	{ "[1,2]", BERTD_E_PARSE, 0 },
	{ "\"status\"", BERTD_E_PARSE, 0 },
	{ "{}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":7}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"dance\"}", BERTD_E_UNKNOWN_CMD, 0 },
	{ "{\"cmd\":\"start\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":\"3\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":0}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":17}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":1.5}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":1,\"site\":2}", BERTD_E_PARSE, 0 },
	{ "{\"cmd\":\"start\",\"site\":1,\"profile\":\"../../etc/passwd\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":1,\"profile\":\".hidden\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":1,\"serial\":\"way-too-long-serial-number\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":1,\"serial\":\"a b\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"start\",\"site\":\"all\",\"serial\":\"X\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"status\",\"verbose\":true}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"results\",\"since\":-1}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"results\",\"limit\":0}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"sim\",\"site\":\"all\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"sim\",\"site\":1,\"present\":1}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"sim\",\"site\":1,\"instrument\":\"voa1\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"sim\",\"site\":1,\"fault\":\"silent\"}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"sim\",\"site\":1,\"instrument\":\"voa1\",\"fault\":\"melt\"}",
	  BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"sim\",\"site\":1,\"instrument\":\"../x\",\"fault\":\"none\"}",
	  BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"sim\",\"site\":1,\"instrument\":\"voa1\",\"fault\":\"none\","
	  "\"present\":true}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"status\",\"id\":[1]}", BERTD_E_BAD_REQUEST, 0 },
	{ "{\"cmd\":\"status\",\"id\":\"\\u0000\"}", BERTD_E_PARSE, 0 },
	{ "{\"cmd\":\"status\"} trailing", BERTD_E_PARSE, 0 },
};

START_TEST(test_proto_cases)
{
	struct bertd_request r;
	const char *code = NULL;
	char msg[256];
	int rc = bertd_request_parse(reqs[_i].line, strlen(reqs[_i].line), &r, &code, msg,
				     sizeof(msg));

	if (!reqs[_i].code) {
		ck_assert_msg(rc == BERT_OK, "%s: %s", reqs[_i].line, msg);
		ck_assert_int_eq(r.cmd, reqs[_i].cmd);
	} else {
		ck_assert_int_eq(rc, BERT_ERR_PROTOCOL);
		ck_assert_msg(!strcmp(code, reqs[_i].code), "%s: %s (%s), wanted %s",
			      reqs[_i].line, code, msg, reqs[_i].code);
	}
}
END_TEST

START_TEST(test_proto_replies)
{
	struct bertd_request r;
	const char *code;
	char msg[256], *big, *line;
	size_t len;
	json_t *j;
	const char *req = "{\"cmd\":\"abort\",\"site\":2,\"id\":\"q7\"}";

	ck_assert_int_eq(bertd_request_parse(req, strlen(req), &r, &code, msg, sizeof(msg)),
			 BERT_OK);
	ck_assert_uint_eq(r.site, 2);
	line = bertd_line(bertd_reply_error(&r, BERTD_E_IDLE, "site %u is idle\x01", 2), &len);
	ck_assert_str_eq(line, "{\"ok\":false,\"cmd\":\"abort\",\"id\":\"q7\",\"error\":"
			 "{\"code\":\"idle\",\"message\":\"site 2 is idle?\"}}\n");
	free(line);
	j = bertd_reply_ok(&r);
	line = bertd_line(j, &len);
	ck_assert_str_eq(line, "{\"ok\":true,\"cmd\":\"abort\",\"id\":\"q7\"}\n");
	free(line);
	/* oversized: refused without parsing */
	big = malloc(BERTD_LINE_MAX + 10);
	memset(big, ' ', BERTD_LINE_MAX + 10);
	ck_assert_int_eq(bertd_request_parse(big, BERTD_LINE_MAX + 10, &r, &code, msg,
					     sizeof(msg)), BERT_ERR_PROTOCOL);
	ck_assert_str_eq(code, BERTD_E_TOO_LONG);
	free(big);
}
END_TEST

Suite *suite_bertd(void)
{
	Suite *s = suite_create("bertd");
	TCase *tc = tcase_create("core");
	TCase *tp = tcase_create("proto");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_eight_sites_pass_and_interleave);
	tcase_add_test(tc, test_fault_one_site);
	tcase_add_test(tc, test_one_connection_per_instrument);
	tcase_add_test(tc, test_instrument_vanishes);
	tcase_add_test(tc, test_shared_meter_vanishes);
	tcase_add_test(tc, test_insertion_start);
	tcase_add_test(tc, test_poll_keeps_fixture_open);
	tcase_add_test(tc, test_abort_site);
	tcase_add_loop_test(tp, test_proto_cases, 0, ARRAY_SIZE(reqs));
	tcase_add_test(tp, test_proto_replies);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, tc);
	return s;
}
