// SPDX-License-Identifier: MIT
/* bert results: the results store from the command line: list runs, show
 * one, export it as JSON, CSV, JUnit XML or text, import a record written by
 * another station, and recover runs whose process died. list, show and
 * export work on a station store or the central PostgreSQL database
 * (bert/store/results_db.h); db migrate and sync are the central database's
 * (cli/bert_results_central.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bert/core/error.h"
#include "bert/qual/record.h"
#include "bert/report/report.h"
#include "bert/store/results_db.h"
#include "bert/store/store.h"
#include "cli/bert.h"
#include "cli/common.h"

static void results_usage(FILE *f)
{
	fprintf(f, "usage: bert results list [--since WHEN] [--after ID] [--sn SN] [--limit N]\n"
		"       bert results show RUN [--format text|json|html]\n"
		"       bert results export RUN [--format json|csv|junit|text|html] [-o FILE]\n"
		"       bert results export RUN --format pdf -o FILE\n"
		"       bert results export RUN --out DIR\n"
		"       bert results import FILE\n"
		"       bert results report [--since T] [--until T] [--station S] [--pn PN]\n"
		"                           [--lot L] [--format html|json|csv] [-o FILE]\n"
		"       bert results recover\n"
		"       bert results db migrate --db postgresql://... [--to VERSION]\n"
		"       bert results sync [--db PATH] (--central URI | --station FILE)\n"
		"  every form also takes [--db PATH] [--json] [-q] [-v]\n\n"
		"The results store: every qualification run, journaled step by step.\n"
		"  --db PATH      the database (default $XDG_DATA_HOME/bert/results.db,\n"
		"                 else ~/.local/share/bert/results.db); list, show and\n"
		"                 export also read a central database: postgresql://...\n"
		"  --station NAME list: runs of one station (with --sn: a module's retests\n"
		"                 across the factory, --db postgresql://...)\n"
		"  --since WHEN   runs started at or after WHEN: YYYY-MM-DD[THH:MM:SS] (UTC)\n"
		"                 or an age such as 90m, 12h, 7d\n"
		"  --after ID     runs with a row id above ID\n"
		"  --sn SN        runs of one module serial number\n"
		"  --limit N      the newest N runs\n"
		"  RUN            a row id, 'last', or 4+ leading characters of the UUID\n"
		"  --format F     export format (default json; show: text); -o FILE writes\n"
		"                 there; html is the self-contained certificate, pdf the\n"
		"                 same printed by headless Chromium (Debian: chromium)\n"
		"  --out DIR      export every format into DIR (summary.txt, record.json,\n"
		"                 junit.xml, measurements.csv, report.html)\n"
		"import stores a record JSON (bert qualify --json, results export) with\n"
		"its steps (a record already stored is left as it is, exit 0); recover marks\n"
		"runs left 'running' by a dead process aborted.\n"
		"list, show and export never create a database: a missing one is an error.\n"
		"db migrate creates or upgrades the central schema (to VERSION, default\n"
		"the newest); sync uploads the runs the central database has not\n"
		"acknowledged, oldest first (--station: its [store] central). Credentials\n"
		"come from PGPASSFILE / ~/.pgpass or a service file, never the URI.\n"
		"Exit codes: 0 ok, 2 usage, no such run or database, an unwritable\n"
		"output; 3 database failure (disk, busy, server).\n");
}

static int parse_since(const char *s, int64_t *t)
{
	char *end;
	long long n;
	int64_t mult = 0;

	n = strtoll(s, &end, 10);
	if (end != s && n >= 0 && end[0] && !end[1]) {
		switch (end[0]) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		}
		if (mult) {
			*t = (int64_t)time(NULL) - n * mult;
			return BERT_OK;
		}
	}
	if (qual_time_parse(s, t) == BERT_OK)
		return BERT_OK;
	return bert_fail(BERT_ERR_ARG, "--since: '%s' is not YYYY-MM-DD[THH:MM:SS] "
			 "or an age (90m, 12h, 7d)", s);
}

static const char *upper(enum qual_verdict v)
{
	switch (v) {
	case QUAL_PASS: return "PASS";
	case QUAL_MARGINAL: return "MARGINAL";
	case QUAL_FAIL: return "FAIL";
	case QUAL_ERROR: return "ERROR";
	case QUAL_NONE: break;
	}
	return "-";
}

static int do_list(struct results_db *db, const struct cli_opts *o,
		   const struct store_filter *f, const char *station)
{
	struct store_run_summary *v;
	size_t n, i;
	char t[40], a[QUAL_STR_MAX], b[QUAL_STR_MAX], c[QUAL_STR_MAX];
	int rc = results_db_list(db, f, station, &v, &n);

	if (rc)
		return cli_error(rc, "listing runs");
	if (o->json) {
		json_t *arr = json_array();

		for (i = 0; i < n; i++) {
			json_t *j = json_object();

			json_object_set_new(j, "id", json_integer(v[i].id));
			json_object_set_new(j, "uuid", json_string(v[i].uuid));
			json_object_set_new(j, "status", json_string(qual_run_status_name(v[i].status)));
			json_object_set_new(j, "verdict", json_string(qual_verdict_name(v[i].verdict)));
			json_object_set_new(j, "profile", json_string(v[i].profile));
			json_object_set_new(j, "vendor", json_string(v[i].vendor));
			json_object_set_new(j, "pn", json_string(v[i].pn));
			json_object_set_new(j, "sn", json_string(v[i].sn));
			json_object_set_new(j, "station", json_string(v[i].station));
			json_object_set_new(j, "site", json_integer(v[i].site));
			json_object_set_new(j, "wall_start", json_string(
				qual_time_iso(v[i].wall_start, t, sizeof(t))));
			json_object_set_new(j, "station_time_s",
					    json_real((double)v[i].station_ns / 1e9));
			json_object_set_new(j, "steps", json_integer(v[i].steps));
			json_array_append_new(arr, j);
		}
		cli_print_json(arr);
	} else if (!n) {
		if (!o->quiet)
			printf("no runs in %s\n", results_db_where(db));
	} else if (o->quiet) {	/* the run ids, one a line */
		for (i = 0; i < n; i++)
			printf("%lld\n", (long long)v[i].id);
	} else {
		printf("%6s  %-20s  %-8s  %-8s  %-14s  %-16s  %-12s  %5s  %9s\n", "ID",
		       "STARTED (UTC)", "STATUS", "VERDICT", "PROFILE", "SERIAL",
		       "STATION", "STEPS", "TIME");
		for (i = 0; i < n; i++) {
			char st_site[QUAL_STR_MAX + 16];

			snprintf(st_site, sizeof(st_site), "%s%s%.0u",
				 cli_safe(v[i].station, c, sizeof(c)),
				 v[i].site ? "/" : "", v[i].site);
			printf("%6lld  %-20s  %-8s  %-8s  %-14s  %-16s  %-12s  %5u  %7.1f s\n",
			       (long long)v[i].id, qual_time_iso(v[i].wall_start, t, sizeof(t)),
			       qual_run_status_name(v[i].status), upper(v[i].verdict),
			       cli_safe(v[i].profile, a, sizeof(a)),
			       cli_safe(v[i].sn, b, sizeof(b)), st_site[0] ? st_site : "-",
			       v[i].steps, (double)v[i].station_ns / 1e9);
		}
	}
	free(v);
	return EXIT_OK;
}

static int load(struct results_db *db, const char *run, struct qual_record *rec)
{
	int64_t id;
	int rc = results_db_resolve(db, run, &id);

	if (rc == BERT_ERR_RANGE)
		rc = BERT_ERR_ARG;	/* no such run: a usage error, not the hardware */
	if (!rc)
		rc = results_db_load(db, id, rec);
	return rc;
}

static int do_export(struct results_db *db, const char *run, enum report_format fmt,
		     const char *file, const char *dir, bool pdf)
{
	struct qual_record rec;
	FILE *f = stdout;
	int rc = load(db, run, &rec);

	if (rc)
		return cli_error(rc, "loading the run");
	if (pdf) {
		rc = bert_pdf_write(&rec, file);
		qual_record_free(&rec);
		return rc ? cli_error(rc, "export --format pdf") : EXIT_OK;
	}
	if (dir) {
		rc = report_write_dir(dir, &rec);
		qual_record_free(&rec);
		return rc ? cli_error(rc, "writing the reports") : EXIT_OK;
	}
	if (file && strcmp(file, "-")) {
		f = fopen(file, "w");
		if (!f) {
			qual_record_free(&rec);
			bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s", file,
				  strerror(errno));
			return cli_error(BERT_ERR_CONFIG, "export");
		}
	}
	rc = report_write(f, fmt, &rec);
	if (f != stdout && fclose(f) != 0 && !rc)
		rc = bert_fail(BERT_ERR_IO, "%s: write failed", file);
	qual_record_free(&rec);
	return rc ? cli_error(rc, "export") : EXIT_OK;
}

static int do_import(struct store *st, const char *file, const struct cli_opts *o)
{
	struct qual_record rec;
	json_error_t jerr;
	int64_t have;
	json_t *j;
	size_t i;
	int rc;

	j = json_load_file(file, 0, &jerr);
	if (!j) {
		bert_fail(BERT_ERR_CONFIG, "%s:%d: %s", file, jerr.line, jerr.text);
		return cli_error(BERT_ERR_CONFIG, "import");
	}
	rc = qual_record_from_json(j, &rec);
	json_decref(j);
	if (rc) {
		bert_fail_ctx(BERT_ERR_CONFIG, "%s", file);
		return cli_error(BERT_ERR_CONFIG, "import");
	}
	/* the same record twice (a retried MES upload): nothing to do */
	if (rec.uuid[0] && store_run_resolve(st, rec.uuid, &have) == BERT_OK) {
		if (o->json)
			cli_print_json(json_pack("{s:I, s:s, s:b}", "id", (json_int_t)have,
						 "uuid", rec.uuid, "imported", 0));
		else if (!o->quiet)
			printf("run %s is already stored as run %lld; nothing imported\n",
			       rec.uuid, (long long)have);
		qual_record_free(&rec);
		return EXIT_OK;
	}
	bert_error_clear();
	rc = store_run_begin(st, &rec);
	for (i = 0; !rc && i < rec.nsteps; i++)
		rc = store_step_commit(st, &rec, rec.steps[i]);
	if (!rc && rec.status != QUAL_RUN_RUNNING)
		rc = store_run_finish(st, &rec);
	if (rc) {
		qual_record_free(&rec);
		return cli_error(rc, "import");
	}
	if (o->json)
		cli_print_json(json_pack("{s:I, s:s, s:b}", "id", (json_int_t)rec.id,
					 "uuid", rec.uuid, "imported", 1));
	else if (!o->quiet)
		printf("imported run %lld (%s)\n", (long long)rec.id, rec.uuid);
	else
		printf("%lld\n", (long long)rec.id);
	qual_record_free(&rec);
	return EXIT_OK;
}

int cmd_results(int argc, char **argv)
{
	enum { OPT_DB = 0x200, OPT_SINCE, OPT_AFTER, OPT_SN, OPT_LIMIT, OPT_FORMAT,
	       OPT_OUT, OPT_STATION_NAME };
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "db", required_argument, NULL, OPT_DB },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "sn", required_argument, NULL, OPT_SN },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "out", required_argument, NULL, OPT_OUT },
		{ "station", required_argument, NULL, OPT_STATION_NAME },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	struct store_filter filt = { 0 };
	enum report_format fmt = REPORT_JSON;
	const char *db = NULL, *file = NULL, *dir = NULL, *sub, *fmt_arg = NULL;
	const char *station = NULL;
	bool pdf = false;
	struct results_db *rdb;
	struct store *st;
	char *end;
	int c, rc, ret;
	unsigned n;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		results_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	if (!strcmp(sub, "db") || !strcmp(sub, "sync"))
		return cmd_results_central(argc, argv);
	if (!strcmp(sub, "report"))
		return cmd_results_report(argc, argv);
	argc--;
	argv++;
	cli_argv = argv;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS "o:", longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_SINCE:
			if (parse_since(optarg, &filt.since_time))
				return cli_error(BERT_ERR_ARG, "results");
			break;
		case OPT_AFTER:
			filt.since_id = strtoll(optarg, &end, 10);
			if (*end || end == optarg || filt.since_id < 0)
				return cli_usage_error("--after: '%s' is not a run id", optarg);
			break;
		case OPT_SN:
			filt.sn = optarg;
			break;
		case OPT_LIMIT:
			filt.limit = (unsigned)strtoul(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-')
				return cli_usage_error("--limit: '%s' is not a count", optarg);
			break;
		case OPT_FORMAT:
			fmt_arg = optarg;
			pdf = !strcmp(optarg, "pdf");
			if (!pdf && report_format_parse(optarg, &fmt))
				return cli_usage_error("--format: '%s' is not json, csv, "
						       "junit, text, html or pdf", optarg);
			break;
		case 'o':
			file = optarg;
			break;
		case OPT_OUT:
			dir = optarg;
			break;
		case OPT_STATION_NAME:
			station = optarg;
			break;
		case 'h':
			results_usage(stdout);
			return EXIT_OK;
		default:
			results_usage(stderr);
			return EXIT_USAGE;
		}
	}
	cli_setup_logging(&o);
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "export") &&
	    strcmp(sub, "import") && strcmp(sub, "recover"))
		return cli_usage_error("results: unknown subcommand '%s' (list, show, "
				       "export, import, recover, db, sync)", sub);
	if ((!strcmp(sub, "list") || !strcmp(sub, "recover")) && optind != argc)
		return cli_usage_error("results %s: unexpected argument '%s'", sub,
				       argv[optind]);
	if ((!strcmp(sub, "show") || !strcmp(sub, "export") || !strcmp(sub, "import")) &&
	    optind != argc - 1)
		return cli_usage_error("results %s: expects one %s", sub,
				       strcmp(sub, "import") ? "RUN" : "FILE");
	if (dir && (file || fmt_arg))
		return cli_usage_error("results export: --out DIR writes every format; "
				       "drop --format / -o");
	if ((dir || file) && strcmp(sub, "export"))
		return cli_usage_error("results %s: -o and --out belong to export", sub);
	if (fmt_arg && strcmp(sub, "export") && strcmp(sub, "show"))
		return cli_usage_error("results %s: --format belongs to show and export", sub);
	if (fmt_arg && !strcmp(sub, "show") && (pdf || (fmt != REPORT_TEXT &&
						       fmt != REPORT_JSON && fmt != REPORT_HTML)))
		return cli_usage_error("results show: --format is text, json or html "
				       "(export writes the others)");
	if (pdf && (!file || !strcmp(file, "-")))
		return cli_usage_error("results export --format pdf: needs -o FILE.pdf");

	if (station && strcmp(sub, "list"))
		return cli_usage_error("results %s: --station belongs to list", sub);

	/* readers never create a database (or its folder) */
	rc = strcmp(sub, "import") && strcmp(sub, "recover") ?
	     results_db_open_existing(db, &rdb) : results_db_open(db, &rdb);
	if (rc)
		return cli_error(rc, "opening the results database");
	st = results_db_store(rdb);
	if (!st && (!strcmp(sub, "import") || !strcmp(sub, "recover"))) {
		results_db_close(rdb);
		return cli_usage_error("results %s: works on a station store (SQLite); "
				       "the central database takes runs by sync", sub);
	}
	if (!strcmp(sub, "list")) {
		ret = do_list(rdb, &o, &filt, station);
	} else if (!strcmp(sub, "show")) {
		ret = do_export(rdb, argv[optind], fmt_arg ? fmt : o.json ? REPORT_JSON :
				REPORT_TEXT, NULL, NULL, false);
	} else if (!strcmp(sub, "export")) {
		ret = do_export(rdb, argv[optind], fmt, file, dir, pdf);
	} else if (!strcmp(sub, "import")) {
		ret = do_import(st, argv[optind], &o);
	} else {
		rc = store_recover(st, &n);
		if (rc) {
			ret = cli_error(rc, "recovering runs");
		} else {
			ret = EXIT_OK;
			if (o.json)
				cli_print_json(json_pack("{s:i}", "aborted", (int)n));
			else if (!o.quiet)
				printf("%u run%s marked aborted\n", n, n == 1 ? "" : "s");
		}
	}
	results_db_close(rdb);
	return ret;
}
