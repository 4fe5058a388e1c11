// SPDX-License-Identifier: MIT
/* bert/store: schema and WAL, step-by-step journaling, the kill test (a
 * child killed with SIGKILL mid-run leaves an aborted run with its finished
 * steps), recovery that leaves live and foreign runs alone, concurrent
 * readers and writers, queries. No sleeps: processes synchronise on pipes,
 * connections on SQLite's own locks (every wait here is immediate). */
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/store/store.h"
#include "common.h"
#include "qual_sample.h"

static char dir[256], db[300];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/bert-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/sub/results.db", dir);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static struct store *open_ok(void)
{
	struct store *st;
	int rc = store_open(db, &st);

	ck_assert_msg(rc == BERT_OK, "%s", bert_error_detail());
	return st;
}

static int count(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int n = -1;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

START_TEST(test_open_schema_wal)
{
	struct store *st = open_ok();
	char path[512];

	ck_assert_str_eq(store_journal_mode(st), "wal");
	ck_assert_str_eq(store_path(st), db);
	store_close(st);
	ck_assert_int_eq(count("SELECT MAX(version) FROM schema_version"), 3);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
			       "AND name IN ('runs', 'steps', 'measurements', "
			       "'sweep_points', 'uncertainty_components')"), 5);
	/* reopening keeps the schema rows */
	st = open_ok();
	store_close(st);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM schema_version"), 2);
	/* a version 1 database is migrated to version 3 on open */
	{
		sqlite3 *h;

		ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(h, "DROP TABLE uncertainty_components; "
					      "DROP INDEX runs_lot; "
					      "ALTER TABLE runs DROP COLUMN operator; "
					      "ALTER TABLE runs DROP COLUMN work_order; "
					      "ALTER TABLE runs DROP COLUMN lot; "
					      "ALTER TABLE runs DROP COLUMN date_code; "
					      "ALTER TABLE runs DROP COLUMN trace; "
					      "DELETE FROM schema_version WHERE version = 3; "
					      "UPDATE schema_version SET version = 1",
					      NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(h);
		st = open_ok();
		store_close(st);
		ck_assert_int_eq(count("SELECT MAX(version) FROM schema_version"), 3);
		ck_assert_int_eq(count("SELECT COUNT(*) FROM sqlite_master WHERE name = "
				       "'uncertainty_components'"), 1);
		ck_assert_int_eq(count("SELECT COUNT(*) FROM pragma_table_info('runs') "
				       "WHERE name IN ('operator', 'work_order', 'lot', "
				       "'date_code', 'trace')"), 5);
	}
	/* the default path follows XDG, then HOME */
	setenv("XDG_DATA_HOME", "/x/data", 1);
	ck_assert_int_eq(store_default_path(path, sizeof(path)), BERT_OK);
	ck_assert_str_eq(path, "/x/data/bert/results.db");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/op", 1);
	ck_assert_int_eq(store_default_path(path, sizeof(path)), BERT_OK);
	ck_assert_str_eq(path, "/home/op/.local/share/bert/results.db");
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	struct store *st = open_ok();
	sqlite3 *h;

	store_close(st);
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "INSERT INTO schema_version VALUES (99, 0)",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ck_assert_int_eq(store_open(db, &st), BERT_ERR_UNSUPPORTED);
	ck_assert(strstr(bert_error_detail(), "schema version 99"));
}
END_TEST

static json_t *record_json(const struct qual_record *r)
{
	return qual_record_to_json(r);
}

START_TEST(test_journal_step_by_step)
{
	struct store *st = open_ok();
	struct qual_record r, back;
	struct store_run_summary *v;
	size_t n, i;
	json_t *a, *b;

	sample_record(&r);
	snprintf(r.dut.operator_serial, sizeof(r.dut.operator_serial), "OP-123");
	snprintf(r.dut.date_code, sizeof(r.dut.date_code), "250101AB");
	snprintf(r.trace.operator_name, sizeof(r.trace.operator_name), "J. Doe");
	snprintf(r.trace.work_order, sizeof(r.trace.work_order), "WO-4711");
	snprintf(r.trace.lot, sizeof(r.trace.lot), "L-23");
	snprintf(r.trace.calibration, sizeof(r.trace.calibration), "patch 0.60 dB");
	ck_assert_int_eq(qual_trace_add_instrument(&r.trace, "opm1", "Keysight,8163B,X1,1.0",
						   "2026-01-31"), BERT_OK);
	/* pretend the run is live: journal it as the engine would */
	r.status = QUAL_RUN_RUNNING;
	ck_assert_int_eq(store_run_begin(st, &r), BERT_OK);
	ck_assert_int_gt(r.id, 0);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM runs WHERE operator_sn = 'OP-123'"), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM runs WHERE operator = 'J. Doe' AND "
			       "work_order = 'WO-4711' AND lot = 'L-23'"), 1);
	ck_assert_int_eq(store_run_list(st, NULL, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].status, QUAL_RUN_RUNNING);
	ck_assert_uint_eq(v[0].steps, 0);
	free(v);
	for (i = 0; i < r.nsteps; i++) {
		ck_assert_int_eq(store_step_commit(st, &r, r.steps[i]), BERT_OK);
		ck_assert_int_eq(count("SELECT COUNT(*) FROM steps"), (int)i + 1);
	}
	/* committing a step again replaces it */
	ck_assert_int_eq(store_step_commit(st, &r, r.steps[1]), BERT_OK);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM steps"), (int)r.nsteps);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM measurements"), SAMPLE_MEASUREMENTS);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM sweep_points"), 2);
	r.status = QUAL_RUN_COMPLETE;
	ck_assert_int_eq(store_run_finish(st, &r), BERT_OK);

	ck_assert_int_eq(store_run_load(st, r.id, &back), BERT_OK);
	a = record_json(&r);
	b = record_json(&back);
	if (!json_equal(a, b)) {
		char *x = json_dumps(a, JSON_SORT_KEYS), *y = json_dumps(b, JSON_SORT_KEYS);

		ck_abort_msg("stored record differs:\n%s\n%s", x, y);
	}
	ck_assert(isinf(back.steps[3]->m[3].value));
	ck_assert(isnan(back.steps[4]->m[1].value));
	json_decref(a);
	json_decref(b);
	qual_record_free(&back);
	qual_record_free(&r);
	ck_assert_int_eq(store_run_load(st, 999, &back), BERT_ERR_RANGE);
	store_close(st);
}
END_TEST

static void child_run(int ready_fd, int go_fd)
{
	struct store *st;
	struct qual_record r;
	sqlite3 *h;
	char c = 'r';

	/* a fresh process image of the test: its own connections only */
	if (store_open(db, &st))
		_exit(10);
	sample_record(&r);
	r.status = QUAL_RUN_RUNNING;
	if (store_run_begin(st, &r) || store_step_commit(st, &r, r.steps[0]) ||
	    store_step_commit(st, &r, r.steps[1]))
		_exit(11);
	if (write(ready_fd, &c, 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(12);
	/* the third step is in flight when the process dies: its transaction
	 * is open, its rows written, its COMMIT never comes */
	if (sqlite3_open(db, &h) != SQLITE_OK ||
	    sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO steps (run_id, seq, name, "
			 "status, verdict, start_ns, end_ns) SELECT MAX(id), 2, "
			 "'ber', 'done', 'fail', 0, 0 FROM runs", NULL, NULL, NULL)
	    != SQLITE_OK)
		_exit(13);
	if (write(ready_fd, &c, 1) != 1)
		_exit(14);
	for (;;)
		pause();
}

/* Readers never create a database; SQLite's own words stay out of the
 * messages (a second run with the same UUID says what happened). */
START_TEST(test_open_existing_and_words)
{
	struct store *st;
	struct qual_record r;
	struct stat sb;

	ck_assert_int_eq(store_open_existing(db, &st), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "no results database"));
	ck_assert_int_ne(stat(db, &sb), 0);
	{
		char sub[320];

		snprintf(sub, sizeof(sub), "%s/sub", dir);
		ck_assert_int_ne(stat(sub, &sb), 0);	/* nor its folder */
	}
	st = open_ok();
	sample_record(&r);
	ck_assert_int_eq(store_run_begin(st, &r), BERT_OK);
	r.id = 0;
	ck_assert_int_eq(store_run_begin(st, &r), BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "already stored"));
	ck_assert_ptr_null(strstr(bert_error_detail(), "UNIQUE"));
	qual_record_free(&r);
	store_close(st);
	ck_assert_int_eq(store_open_existing(db, &st), BERT_OK);
	store_close(st);
}
END_TEST

START_TEST(test_kill_mid_run)
{
	struct store *st = open_ok();
	struct qual_record back;
	struct store_run_summary *v;
	int ready[2], go[2], status;
	unsigned aborted = 99;
	size_t n;
	pid_t pid;
	char c;

	store_close(st);	/* no connection crosses the fork */
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		child_run(ready[1], go[0]);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);

	/* the child is alive: recovery leaves its run alone */
	st = open_ok();
	ck_assert_int_eq(store_recover(st, &aborted), BERT_OK);
	ck_assert_uint_eq(aborted, 0);
	ck_assert_int_eq(store_run_list(st, NULL, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].status, QUAL_RUN_RUNNING);
	ck_assert_str_eq(v[0].sn, "=SN,0001");	/* identity is journaled too */
	free(v);
	store_close(st);

	ck_assert_int_eq(write(go[1], &c, 1), 1);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);	/* step 3 in flight */
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	/* dead but not reaped yet (a zombie still answers kill(pid, 0)): the
	 * writer is gone all the same and its run is recovered */
	{
		siginfo_t si;

		ck_assert_int_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	}
	st = open_ok();
	ck_assert_int_eq(store_recover(st, &aborted), BERT_OK);
	ck_assert_uint_eq(aborted, 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_int_eq(store_run_load(st, 1, &back), BERT_OK);
	ck_assert_int_eq(back.status, QUAL_RUN_ABORTED);
	ck_assert_int_eq(back.verdict, QUAL_ERROR);	/* passed so far, never finished */
	ck_assert_uint_eq(back.nsteps, 2);		/* the in-flight step is gone */
	ck_assert_str_eq(back.steps[0]->name, "identify");
	ck_assert_str_eq(back.steps[1]->name, "tx_power");
	ck_assert_uint_eq(back.steps[1]->nm, 4);
	ck_assert_int_eq(back.steps[1]->verdict, QUAL_MARGINAL);
	ck_assert(strstr(back.message, "died"));
	ck_assert_int_gt(back.wall_end, 0);
	qual_record_free(&back);
	/* recovery is idempotent */
	ck_assert_int_eq(store_recover(st, &aborted), BERT_OK);
	ck_assert_uint_eq(aborted, 0);
	store_close(st);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}
END_TEST

START_TEST(test_recover_rules)
{
	struct store *st = open_ok();
	struct qual_record a, b, c;
	struct store_run_summary *v;
	unsigned aborted;
	sqlite3 *h;
	size_t n;

	sample_record(&a);
	sample_record(&b);
	sample_record(&c);
	a.status = b.status = c.status = QUAL_RUN_RUNNING;
	ck_assert_int_eq(store_run_begin(st, &a), BERT_OK);	/* this process: alive */
	ck_assert_int_eq(store_run_begin(st, &b), BERT_OK);	/* another host */
	ck_assert_int_eq(store_run_begin(st, &c), BERT_OK);	/* before a reboot */
	ck_assert_int_eq(store_step_commit(st, &c, c.steps[2]), BERT_OK);	/* fail */
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(h, "UPDATE runs SET host = 'elsewhere' WHERE id = 2;"
				      "UPDATE runs SET boot_id = 'old-boot' WHERE id = 3",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	ck_assert_int_eq(store_recover(st, &aborted), BERT_OK);
	ck_assert_uint_eq(aborted, 1);
	ck_assert_int_eq(store_run_list(st, NULL, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(v[0].id, 3);
	ck_assert_int_eq(v[0].status, QUAL_RUN_ABORTED);
	ck_assert_int_eq(v[0].verdict, QUAL_FAIL);	/* a fail stays a fail */
	ck_assert_int_eq(v[1].status, QUAL_RUN_RUNNING);
	ck_assert_int_eq(v[2].status, QUAL_RUN_RUNNING);
	free(v);
	qual_record_free(&a);
	qual_record_free(&b);
	qual_record_free(&c);
	store_close(st);
}
END_TEST

START_TEST(test_concurrent_reader_writer)
{
	struct store *st = open_ok();
	struct qual_record r;
	struct store_run_summary *v;
	sqlite3 *rd, *wr;
	sqlite3_stmt *s;
	size_t n;

	sample_record(&r);
	ck_assert_int_eq(store_run_begin(st, &r), BERT_OK);
	ck_assert_int_eq(store_step_commit(st, &r, r.steps[0]), BERT_OK);

	/* a reader holds a snapshot: the writer still commits at once, and
	 * the reader keeps its consistent view until it ends */
	ck_assert_int_eq(sqlite3_open(db, &rd), SQLITE_OK);
	sqlite3_busy_timeout(rd, 0);
	ck_assert_int_eq(sqlite3_exec(rd, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(rd, "SELECT COUNT(*) FROM steps", -1, &s,
					    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 0), 1);
	sqlite3_reset(s);
	ck_assert_int_eq(store_step_commit(st, &r, r.steps[1]), BERT_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 0), 1);	/* snapshot */
	sqlite3_reset(s);
	ck_assert_int_eq(sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 0), 2);
	sqlite3_finalize(s);
	sqlite3_close(rd);

	/* a writer holds an open transaction: readers are not blocked and do
	 * not see its rows */
	ck_assert_int_eq(sqlite3_open(db, &wr), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(wr, "BEGIN IMMEDIATE; INSERT INTO runs (uuid, "
				      "record_schema, status, wall_start) VALUES "
				      "('uncommitted', 1, 'running', 0)", NULL, NULL,
				      NULL), SQLITE_OK);
	ck_assert_int_eq(store_run_list(st, NULL, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].steps, 2);
	free(v);
	ck_assert_int_eq(sqlite3_exec(wr, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(wr);
	qual_record_free(&r);
	store_close(st);
}
END_TEST

START_TEST(test_queries)
{
	struct store *st = open_ok();
	struct store_filter f = { 0 };
	struct store_run_summary *v;
	struct qual_record r[3];
	int64_t id, change, change2;
	size_t n, i;

	for (i = 0; i < 3; i++) {
		sample_record(&r[i]);
		snprintf(r[i].uuid, sizeof(r[i].uuid), "%s-0000-4000-8000-00000000000%zu",
			 i < 2 ? "abcd1234" : "ef012345", i);
		snprintf(r[i].dut.sn, sizeof(r[i].dut.sn), "SN%zu", i % 2);
		r[i].wall_start = 1700000000 + (int64_t)i * 3600;
		ck_assert_int_eq(store_run_begin(st, &r[i]), BERT_OK);
		ck_assert_int_eq(store_step_commit(st, &r[i], r[i].steps[0]), BERT_OK);
		ck_assert_int_eq(store_run_finish(st, &r[i]), BERT_OK);
	}
	ck_assert_int_eq(store_run_resolve(st, "2", &id), BERT_OK);
	ck_assert_int_eq(id, 2);
	ck_assert_int_eq(store_run_resolve(st, "last", &id), BERT_OK);
	ck_assert_int_eq(id, 3);
	ck_assert_int_eq(store_run_resolve(st, "ef01", &id), BERT_OK);
	ck_assert_int_eq(id, 3);
	ck_assert_int_eq(store_run_resolve(st, "abcd", &id), BERT_ERR_ARG);
	ck_assert(strstr(bert_error_detail(), "more than one"));
	ck_assert_int_eq(store_run_resolve(st, r[0].uuid, &id), BERT_OK);
	ck_assert_int_eq(id, 1);
	ck_assert_int_eq(store_run_resolve(st, "77", &id), BERT_ERR_RANGE);
	ck_assert_int_eq(store_run_resolve(st, "ab", &id), BERT_ERR_ARG);
	ck_assert_int_eq(store_run_resolve(st, "'; DROP TABLE runs; --", &id),
			 BERT_ERR_RANGE);

	f.sn = "SN0";
	ck_assert_int_eq(store_run_list(st, &f, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[0].id, 3);	/* newest first */
	ck_assert_int_eq(v[0].verdict, QUAL_FAIL);
	ck_assert_str_eq(v[0].profile, "400gbase-dr4");
	ck_assert_uint_eq(v[0].steps, 1);
	free(v);
	memset(&f, 0, sizeof(f));
	f.since_time = 1700000000 + 3600;
	ck_assert_int_eq(store_run_list(st, &f, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 2);
	free(v);
	memset(&f, 0, sizeof(f));
	f.since_id = 2;
	ck_assert_int_eq(store_run_list(st, &f, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 1);
	free(v);
	memset(&f, 0, sizeof(f));
	f.limit = 2;
	ck_assert_int_eq(store_run_list(st, &f, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 2);
	free(v);
	/* the change cursor: only runs written after it */
	ck_assert_int_eq(store_last_change(st, &change), BERT_OK);
	ck_assert_int_eq(store_step_commit(st, &r[0], r[0].steps[1]), BERT_OK);
	ck_assert_int_eq(store_last_change(st, &change2), BERT_OK);
	ck_assert_int_gt(change2, change);
	memset(&f, 0, sizeof(f));
	f.changed_since = change;
	ck_assert_int_eq(store_run_list(st, &f, &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].id, 1);
	free(v);
	/* a step that is not part of the run is refused */
	ck_assert_int_eq(store_step_commit(st, &r[1], r[0].steps[0]), BERT_ERR_ARG);
	for (i = 0; i < 3; i++)
		qual_record_free(&r[i]);
	store_close(st);
}
END_TEST

Suite *suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_schema_wal);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_journal_step_by_step);
	tcase_add_test(tc, test_open_existing_and_words);
	tcase_add_test(tc, test_kill_mid_run);
	tcase_add_test(tc, test_recover_rules);
	tcase_add_test(tc, test_concurrent_reader_writer);
	tcase_add_test(tc, test_queries);
	suite_add_tcase(s, tc);
	return s;
}
