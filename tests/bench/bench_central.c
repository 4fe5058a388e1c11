// SPDX-License-Identifier: MIT
/* The central results database: a shift of RUNS runs journaled in a station
 * store and uploaded to a real PostgreSQL server (a throwaway cluster,
 * tests/pg/cluster.sh), with the server stopped for the second half of the
 * shift and started again. Prints one JSON line:
 *
 *   upload_runs_per_s  runs uploaded per wall second while the server is
 *                      up, a pass after every 8 runs (one per site)
 *   drain_runs_per_s   the backlog of the second half drained in one pass
 *   max_backlog        runs waiting when the server came back
 *   lost, duplicated   runs of the store missing centrally / there twice
 *
 * The runs are copies (fresh UUIDs) of the 8 records of one round of the
 * 8-site station (stations/station-8.ini, bertd in process), whose station
 * time also gives the production rate the upload must keep up with: the
 * bar is upload_runs_per_s >= 10 x (8-site modules per station second).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/daemon/bertd_core.h"
#include "bert/store/pg.h"
#include "bert/store/results_db.h"
#include "bert/store/spool.h"
#include "bert/store/uploader.h"

#define RUNS	1000
#define SITES	8

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_central: %s: %s\n", what, bert_error_detail());
	exit(1);
}

static int cluster(const char *top, const char *cmd, const char *dir)
{
	char sh[2048];
	int rc;

	snprintf(sh, sizeof(sh), "sh '%s/tests/pg/cluster.sh' %s '%s' >/dev/null", top, cmd, dir);
	rc = system(sh);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

/* URI and PGPASSFILE from DIR/env (KEY='value' lines). */
static void read_env(const char *dir, char *uri, size_t size)
{
	char path[1100], line[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/env", dir);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "bench_central: %s missing\n", path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *v;

		if (!eq)
			continue;
		*eq = '\0';
		v = eq + 1;
		v[strcspn(v, "\n")] = '\0';
		if (*v == '\'') {
			v++;
			v[strcspn(v, "'")] = '\0';
		}
		if (!strcmp(line, "URI"))
			snprintf(uri, size, "%s", v);
		else if (!strcmp(line, "PGPASSFILE"))
			setenv("PGPASSFILE", v, 1);
	}
	fclose(f);
}

/* One round of the 8-site station: the template records, and the station
 * time it took. */
static double station_round(const char *top, const char *db)
{
	char station[1024];
	struct bertd_config cfg = { .station = station, .db = db, .repeat = 1 };
	struct store_run_summary *v;
	struct store *st;
	struct bertd *d;
	double t = 0;
	size_t n, i;

	snprintf(station, sizeof(station), "%s/stations/station-8.ini", top);
	if (bertd_open(&cfg, &d, NULL) || bertd_start(d, 0, NULL, NULL, NULL))
		die("station");
	bertd_wait_idle(d);
	bertd_close(d);
	if (store_open(db, &st) || store_run_list(st, NULL, &v, &n))
		die("station store");
	for (i = 0; i < n; i++)
		if (v[i].station_ns / 1e9 > t)
			t = v[i].station_ns / 1e9;	/* sites run side by side */
	if (n != SITES)
		fprintf(stderr, "bench_central: %zu template runs\n", n);
	free(v);
	store_close(st);
	return t;
}

static struct qual_record tmpl[SITES];

static void add_runs(struct store *st, unsigned k0, unsigned n)
{
	unsigned k;

	for (k = k0; k < k0 + n; k++) {
		struct qual_record *r = &tmpl[k % SITES], fresh;
		size_t i;

		qual_record_init(&fresh, "x");	/* a fresh random UUID */
		memcpy(r->uuid, fresh.uuid, sizeof(r->uuid));
		qual_record_free(&fresh);
		r->id = 0;
		if (store_run_begin(st, r))
			die("store");
		for (i = 0; i < r->nsteps; i++)
			if (store_step_commit(st, r, r->steps[i]))
				die("store");
		if (store_run_finish(st, r))
			die("store");
	}
}

int main(void)
{
	const char *top = getenv("BERT_TOP") ? getenv("BERT_TOP") : ".";
	char dir[256], db[300], uri[1024], path[400], target[1024];
	struct store *st;
	struct pg *pg;
	unsigned k, up = 0, n, backlog = 0, max_backlog = 0, central = 0, distinct = 0;
	double t_station, t_up = 0, t_drain, t0, need, upload_rate, drain_rate;
	struct store_run_summary *v;
	size_t nv, i;
	int64_t oldest;
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/bert-bench-central-%d", (int)getpid());
	snprintf(db, sizeof(db), "%s/station.db", dir);
	if (mkdir(dir, 0755)) {
		perror(dir);
		return 1;
	}
	rc = cluster(top, "start", dir);
	if (rc) {
		const char *ci = getenv("CI");
		bool skip = rc == 77 && !(ci && !strcmp(ci, "true"));

		fprintf(stderr, "bench_central: %s: no PostgreSQL cluster (%s)\n",
			skip ? "SKIP" : "FAIL",
			rc == 77 ? "package postgresql not installed" : "start failed");
		cluster(top, "destroy", dir);
		rmdir(dir);
		return skip ? 0 : 1;
	}
	read_env(dir, uri, sizeof(uri));
	if (pg_redact(uri, target, sizeof(target), NULL))
		die("uri");
	t_station = station_round(top, db);
	if (store_open(db, &st) || store_run_list(st, NULL, &v, &nv))
		die("store");
	for (i = 0; i < nv && i < SITES; i++)
		if (store_run_load(st, v[i].id, &tmpl[i]))
			die("template");
	free(v);
	if (pg_connect(uri, &pg) || pg_migrate(pg, 0, NULL, NULL) ||
	    central_sync(st, pg, 0, &n))
		die("central");
	/* first half: a pass after every 8 runs, the server up */
	for (k = 0; k < RUNS / 2; k += SITES) {
		add_runs(st, k, SITES);
		t0 = now_s();
		if (central_sync(st, pg, 0, &n))
			die("upload");
		t_up += now_s() - t0;
		up += n;
	}
	/* second half: the server down, every pass fails, the backlog grows */
	pg_close(pg);
	if (cluster(top, "stop", dir))
		die("stop");
	for (; k < RUNS; k += SITES) {
		add_runs(st, k, SITES);
		if (pg_connect(uri, &pg) == BERT_OK) {
			fprintf(stderr, "bench_central: the server is still up\n");
			return 1;
		}
		if (spool_backlog(st, target, &backlog, &oldest))
			die("backlog");
		if (backlog > max_backlog)
			max_backlog = backlog;
	}
	if (cluster(top, "start", dir))
		die("restart");
	/* as the uploader does on every connection: the schema is checked
	 * before anything is uploaded */
	if (pg_connect(uri, &pg) || pg_schema_check(pg, NULL))
		die("reconnect");
	t0 = now_s();
	if (central_sync(st, pg, 0, &n))
		die("drain");
	t_drain = now_s() - t0;
	upload_rate = up / t_up;
	drain_rate = n / t_drain;
	/* lost / duplicated: the central database against the store */
	{
		struct results_db *rdb;
		struct store_run_summary *cv;
		size_t ncv, j;

		if (store_run_list(st, NULL, &v, &nv) || results_db_open(uri, &rdb) ||
		    results_db_list(rdb, NULL, NULL, &cv, &ncv))
			die("compare");
		central = (unsigned)ncv;
		for (i = 0; i < nv; i++)
			for (j = 0; j < ncv; j++)
				if (!strcmp(v[i].uuid, cv[j].uuid)) {
					distinct++;
					break;
				}
		printf("{\"name\":\"central_store\",\"runs\":%zu,\"upload_runs_per_s\":%.1f,"
		       "\"drain_runs_per_s\":%.1f,\"max_backlog\":%u,\"lost\":%zu,"
		       "\"duplicated\":%u}\n", nv, upload_rate, drain_rate, max_backlog,
		       nv - distinct, central - distinct);
		free(v);
		free(cv);
		results_db_close(rdb);
	}
	need = 10.0 * SITES / t_station;
	fprintf(stderr, "bench_central: 8 sites make %.2f runs per station second "
		"(%.0f modules/hour); the bar is 10x that, %.1f runs/s; upload %.1f runs/s\n",
		SITES / t_station, 3600.0 * SITES / t_station, need, upload_rate);
	pg_close(pg);
	store_close(st);
	for (i = 0; i < SITES; i++)
		qual_record_free(&tmpl[i]);
	cluster(top, "destroy", dir);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path))
		fprintf(stderr, "bench_central: cannot remove %s\n", dir);
	return upload_rate >= need && nv == distinct && central == distinct ? 0 : 1;
}
