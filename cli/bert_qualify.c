// SPDX-License-Identifier: MIT
/* bert qualify: one module through the qualification plan (bert/qual/
 * engine.h) at one site of a station, with progress on stderr, a verdict
 * table per lane, the record in the results store and reports in --out.
 *
 * Exit: 0 pass (marginal counts as pass, with a warning), 1 fail, 2 usage,
 * configuration or a module the profile refuses, 3 hardware, station error
 * or abort (Ctrl-C leaves generators off and Tx disabled, and the run is
 * stored as aborted). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/qual/engine.h"
#include "bert/qual/sweep_step.h"
#include "bert/report/report.h"
#include "bert/store/store.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "cli/common_progress.h"
#include "fixtures/fixture.h"

#define DEFAULT_PROFILE	"400gbase-dr4"

struct qopts {
	struct cli_opts o;
	const char *profile, *station, *out, *db, *hold_after, *serial;
	const char *operator_name, *work_order, *lot;
	unsigned site;
	bool no_db, stop_on_fail;
	struct qual_options q;
	enum sweep_method sweep;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: bert qualify [--profile NAME|FILE] [--station FILE] [--site N]\n"
		"                    [--fixture URI] [--out DIR] [--db PATH|--no-db]\n"
		"                    [--stop-on-fail] [--budget-ref profile|module]\n"
		"                    [--max-time T] [--sweep smart|fixed] [--serial SN]\n"
		"                    [--json] [-v] [-q]\n\n"
		"Runs the qualification plan (identify, bring_up, dom, tx_power, lane_ber,\n"
		"sensitivity, link_budget, module_power, verdict) on the module at one\n"
		"site of the station.\n"
		"  --profile P      spec-limit profile (default: the site's, else %s)\n"
		"  --station FILE   station.ini (default: the in-process virtual bench)\n"
		"  --site N         site of the station (default 1)\n"
		"  --fixture URI    overrides the site's fixture\n"
		"  --out DIR        writes report.html (the certificate), summary.txt,\n"
		"                   record.json, junit.xml, measurements.csv\n"
		"  --db PATH        results database (default $XDG_DATA_HOME/bert/results.db)\n"
		"  --no-db          do not store the run\n"
		"  --stop-on-fail   skip the remaining steps after the first failing one\n"
		"  --budget-ref R   the budget point's Tx: 'profile' (the weakest allowed\n"
		"                   launch OMA, default) or 'module' (the lane's own)\n"
		"  --max-time T     BER counting limit per run (default 60s)\n"
		"  --sweep M        sensitivity sweep: smart (default) or fixed (the lab's\n"
		"                   0.5 dB grid over 8 dB)\n"
		"  --serial SN      the serial the operator reads off the module; kept\n"
		"                   beside the module's own, a mismatch is the measurement\n"
		"                   serial_match (fails unless the profile limits it)\n"
		"  --operator NAME, --work-order WO, --lot LOT\n"
		"                   traceability: kept in the record, the store and the\n"
		"                   certificate (up to 63 printable characters each)\n"
		"  --json           print the whole run record on stdout\n"
		"  -q               print only the VERDICT line\n"
		"Exit 0 pass (marginal is a pass with a warning), 1 fail, 2 usage or\n"
		"configuration (or a module the profile refuses), 3 hardware, station\n"
		"error or abort.\n", DEFAULT_PROFILE);
}

static int parse(int argc, char **argv, struct qopts *a)
{
	enum { O_PROFILE = 0x200, O_STATION, O_SITE, O_OUT, O_DB, O_NODB, O_STOP,
	       O_REF, O_MAXT, O_HOLD, O_SWEEP, O_SERIAL, O_OPERATOR, O_WO, O_LOT };
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "station", required_argument, NULL, O_STATION },
		{ "site", required_argument, NULL, O_SITE },
		{ "out", required_argument, NULL, O_OUT },
		{ "db", required_argument, NULL, O_DB },
		{ "no-db", no_argument, NULL, O_NODB },
		{ "stop-on-fail", no_argument, NULL, O_STOP },
		{ "budget-ref", required_argument, NULL, O_REF },
		{ "max-time", required_argument, NULL, O_MAXT },
		{ "sweep", required_argument, NULL, O_SWEEP },
		{ "serial", required_argument, NULL, O_SERIAL },
		{ "operator", required_argument, NULL, O_OPERATOR },
		{ "work-order", required_argument, NULL, O_WO },
		{ "lot", required_argument, NULL, O_LOT },
		/* tests: block after STEP is journaled (the kill test) */
		{ "hold-after", required_argument, NULL, O_HOLD },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	a->site = 1;
	qual_options_default(&a->q);
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &a->o))
			continue;
		switch (c) {
		case O_PROFILE: a->profile = optarg; break;
		case O_STATION: a->station = optarg; break;
		case O_OUT: a->out = optarg; break;
		case O_DB: a->db = optarg; break;
		case O_NODB: a->no_db = true; break;
		case O_STOP: a->q.stop_on_fail = true; break;
		case O_HOLD: a->hold_after = optarg; break;
		case O_SERIAL: {
			const char *c2;

			for (c2 = optarg; *c2 && *c2 > 0x20 && *c2 < 0x7f; c2++)
				;
			if (!optarg[0] || *c2 || strlen(optarg) > 16)
				return cli_usage_error("--serial: '%s' is not 1-16 printable "
						       "characters without spaces", optarg);
			a->serial = optarg;
			break;
		}
		case O_OPERATOR:
		case O_WO:
		case O_LOT: {
			static const char *const opt[] = { "--operator", "--work-order", "--lot" };
			const char *c2;

			for (c2 = optarg; *c2 && *c2 >= 0x20 && *c2 < 0x7f; c2++)
				;
			if (!optarg[0] || *c2 || strlen(optarg) >= QUAL_STR_MAX)
				return cli_usage_error("%s: '%s' is not 1-63 printable characters",
						       opt[c - O_OPERATOR], optarg);
			if (c == O_OPERATOR)
				a->operator_name = optarg;
			else if (c == O_WO)
				a->work_order = optarg;
			else
				a->lot = optarg;
			break;
		}
		case O_SWEEP:
			if (sweep_method_parse(optarg, &a->sweep)) {
				bert_error_clear();
				return cli_usage_error("--sweep: '%s' is not smart or fixed",
						       optarg);
			}
			break;
		case O_SITE: {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > QUAL_MAX_SITES)
				return cli_usage_error("--site: '%s' is not 1..%d", optarg,
						       QUAL_MAX_SITES);
			a->site = (unsigned)v;
			break;
		}
		case O_REF:
			if (!strcmp(optarg, "profile"))
				a->q.budget_ref = QUAL_BUDGET_REF_PROFILE;
			else if (!strcmp(optarg, "module"))
				a->q.budget_ref = QUAL_BUDGET_REF_MODULE;
			else
				return cli_usage_error("--budget-ref: '%s' is not profile or "
						       "module", optarg);
			break;
		case O_MAXT:
			a->q.ber_max_time_ns = cli_parse_duration(optarg);
			if (!a->q.ber_max_time_ns)
				return cli_usage_error("--max-time: '%s' is not a duration "
						       "(90, 90s, 1500ms, 2m)", optarg);
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("qualify: unexpected argument '%s'", argv[optind]);
	if (a->no_db && a->db)
		return cli_usage_error("--db and --no-db exclude each other");
	return 0;
}

/* ---- progress ----------------------------------------------------------------- */

struct prog {
	const struct qopts *a;
	bool show;
	struct bert_clock *clock;
	struct cli_progress live;	/* sweep points on a terminal */
};

static void on_event(void *user, const struct qual_event *ev)
{
	struct prog *p = user;
	const struct qual_measurement *m;

	if (ev->kind == QUAL_EV_STEP_END && p->a->hold_after &&
	    !strcmp(ev->s->name, p->a->hold_after)) {
		fprintf(stderr, "%s: holding after step %s\n", cli_prog, ev->s->name);
		fflush(stderr);
		while (!bert_abort_requested())
			pause();
	}
	if (!p->show)
		return;
	switch (ev->kind) {
	case QUAL_EV_STEP_BEGIN:
		fprintf(stderr, "[%u/%u] %s (t = %.1f s)\n", ev->step_index + 1, ev->nsteps,
			ev->step, ev->t_ns / 1e9);
		/* elapsed is counted from the step's start (station time) */
		p->live.t0_ns = bert_clock_now(p->clock);
		break;
	case QUAL_EV_SWEEP_POINT:
		cli_progress_point(&p->live, ev->lane, ev->spt, ev->done, ev->expected);
		break;
	case QUAL_EV_LANE:
		fprintf(stderr, "      lane %u: %s\n", ev->lane, ev->text);
		break;
	case QUAL_EV_INFO:
		fprintf(stderr, "      %s\n", ev->text);
		break;
	case QUAL_EV_MEASUREMENT:
		m = ev->m;
		if (m->verdict == QUAL_FAIL || m->verdict == QUAL_ERROR ||
		    m->verdict == QUAL_MARGINAL || p->a->o.verbose) {
			char v[32];

			fprintf(stderr, "      %s %s%s%u: %s %s  %s%s%s\n",
				qual_verdict_name(m->verdict), m->name,
				m->lane ? " lane " : " module", m->lane,
				report_num(m->value, m->lim.scale, v, sizeof(v)), m->unit,
				m->message[0] ? "(" : "", m->message, m->message[0] ? ")" : "");
		}
		break;
	case QUAL_EV_BER:
		if (p->a->o.verbose && ev->ber->t_start) {
			unsigned i;

			for (i = 0; i < ev->ber->n; i++)
				fprintf(stderr, "      lane %u: %llu errors in %.3e bits, %s\n",
					ev->ber->lane[i].lane,
					(unsigned long long)ev->ber->lane[i].errors,
					(double)ev->ber->lane[i].bits,
					lane_ber_verdict_name(ev->ber->lane[i].verdict));
		}
		break;
	case QUAL_EV_STEP_END:
		fprintf(stderr, "      -> %s %s%s%s\n", qual_step_status_name(ev->s->status),
			qual_verdict_name(ev->s->verdict), ev->s->message[0] ? ": " : "",
			ev->s->message);
		break;
	default:
		break;
	}
}

/* ---- the verdict table ---------------------------------------------------------- */

static void failing(const struct qual_record *r, unsigned lane, char *buf, size_t size)
{
	size_t o = 0, i, j;

	buf[0] = '\0';
	for (i = 0; i < r->nsteps; i++)
		for (j = 0; j < r->steps[i]->nm; j++) {
			const struct qual_measurement *m = &r->steps[i]->m[j];
			bool mine = lane ? m->lane == lane : (m->lane == 0 || m->lane > r->lanes);
			char v[32], l[48];

			if (!mine || (m->verdict != QUAL_FAIL && m->verdict != QUAL_ERROR &&
				      m->verdict != QUAL_MARGINAL))
				continue;
			if (o + 8 >= size)
				return;
			/* 0/1 flags (waterfall_floor, ...) read as what they say */
			if (!strncmp(m->name, "waterfall_", 10) && m->message[0])
				o += (size_t)snprintf(buf + o, size - o, "%s%s (%s)",
						      o ? "; " : "", m->message,
						      qual_verdict_name(m->verdict));
			else if (m->verdict == QUAL_ERROR)
				o += (size_t)snprintf(buf + o, size - o, "%s%s (error)",
						      o ? "; " : "", m->name);
			else
				o += (size_t)snprintf(buf + o, size - o, "%s%s%s %s%s%s (limit %s)",
						      o ? "; " : "", m->name,
						      m->verdict == QUAL_MARGINAL ? " (marginal)" : "",
						      report_num(m->value, m->lim.scale, v, sizeof(v)),
						      m->unit[0] ? " " : "", m->unit,
						      report_limits(&m->lim, l, sizeof(l)));
			if (o >= size)
				return;
		}
}

static const char *verdict_word(enum qual_verdict v)
{
	switch (v) {
	case QUAL_PASS: return "PASS";
	case QUAL_MARGINAL: return "MARGINAL";
	case QUAL_FAIL: return "FAIL";
	case QUAL_ERROR: return "ERROR";
	case QUAL_NONE: break;
	}
	return "NONE";
}

static const struct qual_measurement *find_m(const struct qual_record *r,
					     const char *name, unsigned lane)
{
	size_t i, j;

	for (i = 0; i < r->nsteps; i++)
		for (j = 0; j < r->steps[i]->nm; j++)
			if (r->steps[i]->m[j].lane == lane &&
			    !strcmp(r->steps[i]->m[j].name, name))
				return &r->steps[i]->m[j];
	return NULL;
}

/* "-6.50 +- 0.95 dBm OMA (limit <= -4.40)" or "n/a (why)". */
static void deciding(const struct qual_measurement *m, const char *unit, char *buf,
		     size_t size)
{
	char l[48];

	if (!m) {
		snprintf(buf, size, "n/a (not measured)");
		return;
	}
	if (!isfinite(m->value)) {
		snprintf(buf, size, "n/a (%.60s)", m->message[0] ? m->message : "error");
		return;
	}
	if (isfinite(m->uncertainty))
		snprintf(buf, size, "%.2f +- %.2f %s (limit %s)", m->value, m->uncertainty,
			 unit, report_limits(&m->lim, l, sizeof(l)));
	else
		snprintf(buf, size, "%.2f %s, U n/a (limit %s)", m->value, unit,
			 report_limits(&m->lim, l, sizeof(l)));
}

/* The numbers that decide a receiver's verdict, every lane. */
static void print_deciding(const struct qual_record *r)
{
	char a[128], b[128];
	unsigned lane;

	if (!find_m(r, "rx_sensitivity_oma", 1) && !find_m(r, "link_margin", 1))
		return;
	printf("deciding numbers (U at k = 2):\n");
	for (lane = 1; lane <= r->lanes && lane <= QUAL_SITE_LANES; lane++) {
		deciding(find_m(r, "rx_sensitivity_oma", lane), "dBm OMA", a, sizeof(a));
		deciding(find_m(r, "link_margin", lane), "dB", b, sizeof(b));
		printf("  lane %u: sensitivity %s; link margin %s\n", lane, a, b);
	}
}

static void print_table(const struct qual_record *r, const char *dir, const char *db)
{
	enum qual_verdict v[QUAL_SITE_LANES + 2];
	char why[400];
	unsigned lane, link, links;

	qual_record_lane_verdicts(r, v);
	printf("%s on %s %s SN %s (station %s, site %u, %s)\n", r->profile,
	       r->dut.vendor, r->dut.pn, r->dut.sn, r->station, r->site, r->fixture);
	printf("%-8s %-9s %s\n", "lane", "verdict", "failing / marginal measurements");
	for (lane = 1; lane <= r->lanes && lane <= QUAL_SITE_LANES; lane++) {
		failing(r, lane, why, sizeof(why));
		printf("%-8u %-9s %s\n", lane, qual_verdict_name(v[lane]), why);
	}
	failing(r, 0, why, sizeof(why));
	printf("%-8s %-9s %s\n", "module", qual_verdict_name(v[0]), why);
	links = r->lanes_per_link ? r->lanes / r->lanes_per_link : 0;
	if (links > 1)
		for (link = 1; link <= links; link++)
			printf("link %-3u %-9s lanes %u-%u\n", link,
			       qual_verdict_name(qual_verdict_link(v, link, r->lanes_per_link)),
			       (link - 1) * r->lanes_per_link + 1, link * r->lanes_per_link);
	print_deciding(r);
	printf("VERDICT: %s%s  (run %s, station time %.1f s)\n",
	       r->verdict == QUAL_PASS ? "PASS" : r->verdict == QUAL_MARGINAL ? "MARGINAL" :
	       r->verdict == QUAL_FAIL ? "FAIL" : r->verdict == QUAL_ERROR ? "ERROR" : "NONE",
	       r->verdict == QUAL_MARGINAL ? " (a pass: some values are within their "
	       "marginal band)" : "", qual_run_status_name(r->status), r->station_ns / 1e9);
	if (r->message[0])
		printf("note: %s\n", r->message);
	if (dir)
		printf("reports: %s/{summary.txt,record.json,junit.xml,measurements.csv,report.html}\n", dir);
	if (db)
		printf("stored: run %lld in %s\n", (long long)r->id, db);
}

static int exit_code(const struct qual_record *r, int rc, int last_error)
{
	if (r->status == QUAL_RUN_ABORTED || rc == BERT_ERR_ABORTED)
		return EXIT_HW;
	if (r->status == QUAL_RUN_ERROR)
		return last_error == BERT_ERR_UNSUPPORTED || last_error == BERT_ERR_CONFIG ?
		       EXIT_USAGE : EXIT_HW;
	switch (r->verdict) {
	case QUAL_PASS:
	case QUAL_MARGINAL:
		return EXIT_OK;
	case QUAL_FAIL:
		return EXIT_VERDICT_FAIL;
	default:
		return EXIT_HW;
	}
}

int cmd_qualify(int argc, char **argv)
{
	struct qopts a = { 0 };
	struct qual_station *st = calloc(1, sizeof(*st));
	struct profile *prof = calloc(1, sizeof(*prof));
	struct qual_site_io io = { 0 };
	struct qual_record rec;
	struct qual_plan plan;
	struct qual_ctx *ctx = calloc(1, sizeof(*ctx));
	const struct qual_site *site;
	struct store *db = NULL;
	struct prog pg = { .a = &a };
	const char *pname;
	bool rec_init = false;
	int ex, rc;

	if (!st || !prof || !ctx) {
		ex = cli_error(BERT_ERR_NOMEM, "qualify");
		goto out_free;
	}
	ex = parse(argc, argv, &a);
	if (ex) {
		ex = ex < 0 ? EXIT_OK : ex;
		goto out_free;
	}
	cli_setup_logging(&a.o);

	/* 1. Station, site, profile: configuration errors exit 2. */
	rc = a.station ? qual_station_load(a.station, st) :
			 qual_station_default(a.o.fixture, st);
	if (rc) {
		ex = cli_error(rc, "station");
		goto out_free;
	}
	site = qual_station_site(st, a.site);
	if (!site) {
		ex = cli_usage_error("--site %u: the station has %u site%s", a.site,
				     st->nsites, st->nsites == 1 ? "" : "s");
		goto out_free;
	}
	pname = a.profile ? a.profile : site->profile[0] ? site->profile : DEFAULT_PROFILE;
	rc = profile_load(pname, prof);
	if (rc) {
		ex = cli_error(rc, "profile");
		goto out_free;
	}

	/* Outputs before the module: a folder that cannot take the reports
	 * fails here, not after a whole qualification. */
	if (a.out) {
		rc = report_check_dir(a.out);
		if (rc) {
			cli_error(rc, "--out");
			ex = EXIT_USAGE;
			goto out_free;
		}
	}

	/* 2. Store: recover runs of dead processes, then journal this one. */
	if (!a.no_db) {
		rc = store_open(a.db, &db);
		if (!rc)
			rc = store_recover(db, NULL);
		if (rc) {
			ex = cli_error(rc, "results database");
			goto out_free;
		}
	}

	/* 3. The site: fixture, module, instruments. */
	rc = qual_site_open(st, site, a.station ? a.o.fixture : NULL, &io);
	if (rc) {
		ex = cli_error(rc, "opening the site");
		goto out;
	}

	/* 4. The run. */
	qual_record_init(&rec, "0.1.0");
	rec_init = true;
	if (a.serial)
		snprintf(rec.dut.operator_serial, sizeof(rec.dut.operator_serial), "%s",
			 a.serial);
	if (a.operator_name)
		snprintf(rec.trace.operator_name, sizeof(rec.trace.operator_name), "%s",
			 a.operator_name);
	if (a.work_order)
		snprintf(rec.trace.work_order, sizeof(rec.trace.work_order), "%s", a.work_order);
	if (a.lot)
		snprintf(rec.trace.lot, sizeof(rec.trace.lot), "%s", a.lot);
	rc = qual_plan_full(&plan, true, a.sweep);
	if (rc) {
		ex = cli_error(rc, "plan");
		goto out;
	}
	qual_ctx_init(ctx);
	ctx->profile = prof;
	ctx->station = st;
	ctx->site = site;
	ctx->io = &io;
	ctx->rec = &rec;
	if (db)
		ctx->journal = store_journal(db);
	ctx->opts = a.q;
	ctx->progress = on_event;
	ctx->progress_user = &pg;
	pg.show = !a.o.quiet;
	pg.clock = io.fixture->clock;
	cli_progress_init(&pg.live, &a.o, 0);
	if (pg.show)
		fprintf(stderr, "%s: qualify with %s at %s site %u (%s)\n", cli_prog,
			prof->name, st->name, site->index, io.fixture->uri);
	rc = qual_run(ctx, &plan);
	if (rc == BERT_ERR_ABORTED) {
		bert_abort_clear();
		fprintf(stderr, "%s: qualify: aborted; generators off, transmitters "
			"disabled; run recorded as aborted\n", cli_prog);
	}
	if (rc && rec.status == QUAL_RUN_RUNNING) {
		/* the run never began (the store refused it): nothing to show */
		ex = cli_error(rc, "results database");
		goto out;
	}
	ex = exit_code(&rec, rc, qual_ctx_last_error(ctx));
	if (a.out) {
		int rc2 = report_write_dir_profile(a.out, &rec, prof);

		if (rc2) {
			ex = cli_error(rc2, "--out");
			goto out;
		}
	}
	if (a.o.json)
		cli_print_json(qual_record_to_json(&rec));
	else if (!a.o.quiet)
		print_table(&rec, a.out, db ? store_path(db) : NULL);
	else
		printf("VERDICT: %s\n", verdict_word(rec.verdict));
	if (ctx->run.journal_error) {
		/* the store failed mid-run: the run ended as an error, say why */
		bert_fail(ctx->run.journal_error, "%s", ctx->run.journal_msg);
		cli_error(ctx->run.journal_error, "qualify");
	}
	if (rec.verdict == QUAL_MARGINAL && !a.o.quiet)
		fprintf(stderr, "%s: qualify: MARGINAL counts as a pass (exit 0)\n", cli_prog);
	cli_central_push(a.station, db, a.o.quiet);
out:
	if (ctx)
		qual_ctx_release_all(ctx);
	qual_site_close(&io);
	store_close(db);
	if (rec_init)
		qual_record_free(&rec);
out_free:
	free(ctx);
	free(prof);
	free(st);
	return ex;
}
