// SPDX-License-Identifier: MIT
/* The central database's pieces that need no server: URI redaction (a
 * password never reaches a message or the spool table), the spool's
 * bookkeeping in the station store (pending oldest first, acknowledged,
 * pending again after a change), the results_db front on SQLite (station
 * filter and limit), and the uploader refusing a password in its URI. The
 * real-server paths are tests/cli/test_central.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/store/pg.h"
#include "bert/store/results_db.h"
#include "bert/store/spool.h"
#include "bert/store/uploader.h"
#include "common.h"
#include "qual_sample.h"

static char dir[256], db[300];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/bert-central-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/results.db", dir);
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

START_TEST(test_redact)
{
	static const struct { const char *in, *out; bool pw; } cases[] = {
		{ "postgresql://u:s3cret@db.lan:5433/bert", "postgresql://u@db.lan:5433/bert", true },
		{ "postgresql:///bert?host=/run/pg&password=s3cret&user=u",
		  "postgresql:///bert?host=/run/pg&user=u", true },
		{ "postgresql:///bert?host=/run/pg&user=u&password=s3cret",
		  "postgresql:///bert?host=/run/pg&user=u", true },
		{ "postgres://db.lan/bert?sslmode=require", "postgres://db.lan/bert?sslmode=require",
		  false },
		{ "postgresql:///?service=bert", "postgresql:///?service=bert", false },
	};
	char out[256];
	size_t i;
	bool pw;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ck_assert_int_eq(pg_redact(cases[i].in, out, sizeof(out), &pw), BERT_OK);
		ck_assert_str_eq(out, cases[i].out);
		ck_assert_int_eq(pw, cases[i].pw);
		ck_assert_ptr_null(strstr(out, "s3cret"));
	}
	ck_assert_int_eq(pg_redact("postgresql://h/db?bogus=1", out, sizeof(out), &pw),
			 BERT_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "bogus"));
}
END_TEST

static int64_t add_run(struct store *st, const char *station)
{
	struct qual_record r;
	size_t i;

	sample_record(&r);
	snprintf(r.station, sizeof(r.station), "%s", station);
	ck_assert_int_eq(store_run_begin(st, &r), BERT_OK);
	for (i = 0; i < r.nsteps; i++)
		ck_assert_int_eq(store_step_commit(st, &r, r.steps[i]), BERT_OK);
	ck_assert_int_eq(store_run_finish(st, &r), BERT_OK);
	qual_record_free(&r);
	return r.id;
}

START_TEST(test_spool)
{
	const char *tgt = "postgresql://db.lan/bert";
	struct spool_item *v;
	struct store *st;
	unsigned n;
	int64_t a, b, oldest;
	size_t k;

	ck_assert_int_eq(store_open(db, &st), BERT_OK);
	ck_assert_int_eq(spool_init(st), BERT_OK);
	ck_assert_int_eq(spool_init(st), BERT_OK);	/* idempotent */
	a = add_run(st, "line-1");
	b = add_run(st, "line-2");
	ck_assert_int_eq(spool_backlog(st, tgt, &n, &oldest), BERT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_gt(oldest, 0);
	ck_assert_int_eq(spool_pending(st, tgt, 10, &v, &k), BERT_OK);
	ck_assert_uint_eq(k, 2);
	ck_assert_int_eq(v[0].id, a);	/* oldest first */
	ck_assert_int_eq(v[1].id, b);
	ck_assert_uint_eq(v[0].acked_steps, 0);
	ck_assert_int_eq(spool_ack(st, tgt, a, v[0].changed, 3, 100), BERT_OK);
	free(v);
	ck_assert_int_eq(spool_pending(st, tgt, 10, &v, &k), BERT_OK);
	ck_assert_uint_eq(k, 1);
	ck_assert_int_eq(v[0].id, b);
	free(v);
	/* another target has its own bookkeeping */
	ck_assert_int_eq(spool_backlog(st, "postgresql://other/bert", &n, &oldest), BERT_OK);
	ck_assert_uint_eq(n, 2);
	/* a change to an acknowledged run (recovery, a late step) makes it
	 * pending again, with the steps the server already has */
	{
		struct qual_record r;

		ck_assert_int_eq(store_run_load(st, a, &r), BERT_OK);
		r.status = QUAL_RUN_ABORTED;
		ck_assert_int_eq(store_run_finish(st, &r), BERT_OK);
		qual_record_free(&r);
	}
	ck_assert_int_eq(spool_pending(st, tgt, 1, &v, &k), BERT_OK);
	ck_assert_uint_eq(k, 1);	/* max honoured */
	ck_assert_int_eq(v[0].id, a);
	ck_assert_uint_eq(v[0].acked_steps, 3);
	free(v);
	store_close(st);
}
END_TEST

START_TEST(test_results_db_sqlite)
{
	struct store_run_summary *v;
	struct results_db *rdb;
	struct store_filter f = { .limit = 1 };
	struct qual_record r;
	struct store *st;
	int64_t id;
	size_t n;

	ck_assert_int_eq(store_open(db, &st), BERT_OK);
	add_run(st, "line-1");
	add_run(st, "line-2");
	add_run(st, "line-1");
	store_close(st);
	ck_assert(!results_db_is_pg(db));
	ck_assert(results_db_is_pg("postgres://x/y"));
	ck_assert_int_eq(results_db_open(db, &rdb), BERT_OK);
	ck_assert_ptr_nonnull(results_db_store(rdb));
	ck_assert_str_eq(results_db_where(rdb), db);
	ck_assert_int_eq(results_db_list(rdb, NULL, "line-1", &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(v[0].id, 3);
	free(v);
	ck_assert_int_eq(results_db_list(rdb, &f, "line-1", &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(v[0].id, 3);
	free(v);
	ck_assert_int_eq(results_db_list(rdb, NULL, "nowhere", &v, &n), BERT_OK);
	ck_assert_uint_eq(n, 0);
	free(v);
	ck_assert_int_eq(results_db_resolve(rdb, "last", &id), BERT_OK);
	ck_assert_int_eq(results_db_load(rdb, id, &r), BERT_OK);
	ck_assert_str_eq(r.station, "line-1");
	qual_record_free(&r);
	results_db_close(rdb);
}
END_TEST

START_TEST(test_uploader_refuses_password)
{
	const struct uploader_opts o = { .store = db,
					 .central = "postgresql://u:pw@127.0.0.1:1/bert" };
	struct uploader *u;

	ck_assert_int_eq(uploader_start(&o, &u), BERT_ERR_CONFIG);
	ck_assert_ptr_null(u);
	ck_assert_ptr_nonnull(strstr(bert_error_detail(), "password"));
	ck_assert_ptr_null(strstr(bert_error_detail(), ":pw@"));
}
END_TEST

Suite *suite_central(void)
{
	Suite *s = suite_create("central");
	TCase *tc = tcase_create("central");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_redact);
	tcase_add_test(tc, test_spool);
	tcase_add_test(tc, test_results_db_sqlite);
	tcase_add_test(tc, test_uploader_refuses_password);
	suite_add_tcase(s, tc);
	return s;
}
