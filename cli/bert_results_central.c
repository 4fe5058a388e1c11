// SPDX-License-Identifier: MIT
/* bert results db migrate | sync: the central PostgreSQL database from the
 * command line (bert/store/pg.h, bert/store/uploader.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bert/core/error.h"
#include "bert/store/pg.h"
#include "bert/store/results_db.h"
#include "bert/store/spool.h"
#include "bert/store/uploader.h"
#include "cli/bert.h"
#include "cli/common.h"

static int do_migrate(const char *uri, int to, const struct cli_opts *o)
{
	struct pg *pg;
	int rc, from = 0, now = 0;

	rc = pg_connect(uri, &pg);
	if (rc)
		return cli_error(rc, "connecting to the central database");
	rc = pg_migrate(pg, to, &from, &now);
	if (rc) {
		pg_close(pg);
		return cli_error(rc == BERT_ERR_ARG ? BERT_ERR_CONFIG : rc, "migrating");
	}
	if (o->json)
		cli_print_json(json_pack("{s:s, s:i, s:i, s:i}", "database", pg_where(pg),
					 "from", from, "version", now,
					 "latest", PG_SCHEMA_VERSION));
	else if (!o->quiet && from == now)
		printf("%s: schema version %d, nothing to do\n", pg_where(pg), now);
	else if (!o->quiet)
		printf("%s: schema version %d -> %d\n", pg_where(pg), from, now);
	pg_close(pg);
	return EXIT_OK;
}

static int do_sync(const char *db, const char *uri, unsigned max, const struct cli_opts *o)
{
	struct results_db *rdb;
	struct store *st;
	struct pg *pg = NULL;
	unsigned n = 0, backlog = 0;
	int64_t oldest = 0;
	char where[1024];
	bool pw;
	int rc, rc2;

	rc = pg_redact(uri, where, sizeof(where), &pw);
	if (rc)
		return cli_error(rc, "sync");
	if (pw)
		return cli_usage_error("results sync: %s holds a password; give credentials "
				       "through PGPASSFILE / ~/.pgpass or a service file", where);
	rc = results_db_open(db, &rdb);
	if (rc)
		return cli_error(rc, "opening the station store");
	st = results_db_store(rdb);
	if (!st) {
		results_db_close(rdb);
		return cli_usage_error("results sync: --db is the station store (SQLite), "
				       "--central the PostgreSQL database");
	}
	rc = spool_init(st);
	if (!rc) {
		rc = pg_connect(uri, &pg);
		if (!rc)
			rc = pg_schema_check(pg, NULL);
		if (!rc)
			rc = central_sync(st, pg, max, &n);
	}
	/* the backlog is the station's: shown whatever the server did */
	rc2 = spool_backlog(st, where, &backlog, &oldest);
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:i, s:i, s:b}", "store", results_db_where(rdb),
				      "central", where, "uploaded", (int)n,
				      "backlog", rc2 ? -1 : (int)backlog, "ok", !rc);

		if (!rc2 && backlog)
			json_object_set_new(j, "backlog_oldest_age_s",
					    json_integer((json_int_t)(time(NULL) - oldest)));
		if (rc)
			json_object_set_new(j, "error", json_string(bert_error_detail()));
		cli_print_json(j);
	} else if (!o->quiet) {
		printf("%u run%s uploaded to %s; %u waiting\n", n, n == 1 ? "" : "s", where,
		       backlog);
	}
	pg_close(pg);
	results_db_close(rdb);
	return rc ? cli_error(rc, "sync") : EXIT_OK;
}

void cli_central_push(const char *station_file, struct store *st, bool quiet)
{
	struct uploader_config uc;
	struct pg *pg = NULL;
	unsigned n = 0;
	int rc;

	if (!station_file || !st)
		return;
	rc = uploader_config_load(station_file, &uc);
	if (rc || !uc.central[0])
		return;		/* the station load already judged the file */
	rc = pg_connect(uc.central, &pg);
	if (!rc)
		rc = pg_schema_check(pg, NULL);
	if (!rc)
		rc = central_sync(st, pg, 0, &n);
	if (rc)
		fprintf(stderr, "%s: central database: %s; the run waits in the station "
			"store (bert results sync --station %s)\n", cli_prog,
			bert_error_detail(), station_file);
	else if (!quiet)
		fprintf(stderr, "%s: %u run%s uploaded to %s\n", cli_prog, n,
			n == 1 ? "" : "s", pg_where(pg));
	pg_close(pg);
}

int cmd_results_central(int argc, char **argv)
{
	enum { OPT_DB = 0x200, OPT_TO, OPT_CENTRAL, OPT_STATION, OPT_MAX };
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "db", required_argument, NULL, OPT_DB },
		{ "to", required_argument, NULL, OPT_TO },
		{ "central", required_argument, NULL, OPT_CENTRAL },
		{ "station", required_argument, NULL, OPT_STATION },
		{ "max", required_argument, NULL, OPT_MAX },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct uploader_config uc;
	const char *db = NULL, *central = NULL, *station = NULL, *sub = argv[1];
	unsigned long to = 0, max = 0;
	char *end;
	int c, rc;

	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case OPT_DB: db = optarg; break;
		case OPT_CENTRAL: central = optarg; break;
		case OPT_STATION: station = optarg; break;
		case OPT_TO:
			to = strtoul(optarg, &end, 10);
			if (*end || end == optarg || !to || to > PG_SCHEMA_VERSION)
				return cli_usage_error("--to: '%s' is not a schema version "
						       "(1..%d)", optarg, PG_SCHEMA_VERSION);
			break;
		case OPT_MAX:
			max = strtoul(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-' || max > 1000000)
				return cli_usage_error("--max: '%s' is not a run count", optarg);
			break;
		case 'h':
			printf("usage: bert results db migrate --db postgresql://... [--to N]\n"
			       "       bert results sync [--db PATH] (--central URI | --station FILE) "
			       "[--max N]\n");
			return EXIT_OK;
		default:
			return cli_usage_error("results %s: see bert results --help", sub);
		}
	}
	cli_setup_logging(&o);
	if (!strcmp(sub, "db")) {
		if (optind != argc - 1 || strcmp(argv[optind], "migrate"))
			return cli_usage_error("results db: expects 'migrate'");
		if (!results_db_is_pg(db))
			return cli_usage_error("results db migrate: --db must be a "
					       "postgresql:// URI");
		if (central || station || max)
			return cli_usage_error("results db migrate: takes --db and --to");
		return do_migrate(db, (int)to, &o);
	}
	if (optind != argc)
		return cli_usage_error("results sync: unexpected argument '%s'", argv[optind]);
	if (to)
		return cli_usage_error("results sync: --to belongs to db migrate");
	if (!!central == !!station)
		return cli_usage_error("results sync: give --central URI or --station FILE");
	if (station) {
		rc = uploader_config_load(station, &uc);
		if (rc)
			return cli_error(rc, "station file");
		if (!uc.central[0])
			return cli_usage_error("results sync: %s has no [store] central", station);
		central = uc.central;
	}
	if (!results_db_is_pg(central))
		return cli_usage_error("results sync: --central '%s' is not a postgresql:// "
				       "URI", central);
	if (results_db_is_pg(db))
		return cli_usage_error("results sync: --db is the station store (SQLite)");
	return do_sync(db, central, (unsigned)max, &o);
}
