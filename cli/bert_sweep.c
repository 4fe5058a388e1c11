// SPDX-License-Identifier: MIT
/* bert sweep: one receiver sensitivity sweep (bert/qual/sweep.h) on a
 * station site: the waterfall of each lane as a table (and a CSV of the
 * points), the sensitivity in OMA and average power with its expanded
 * uncertainty, judged against the profile's rx_sensitivity_oma limit. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/qual/alarms.h"
#include "bert/qual/measurement.h"
#include "bert/qual/profile.h"
#include "bert/qual/site.h"
#include "bert/qual/sweep_site.h"
#include "bert/qual/sweep_step.h"
#include "cli/bert.h"
#include "cli/bert_lanes.h"
#include "cli/common.h"
#include "cli/common_progress.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/fixture.h"

static struct qual_station st;
static struct profile prof;
static struct sweep_result res;

struct sweep_args {
	uint8_t lanes;
	enum sweep_method method;
	const char *station, *csv, *profile;
	unsigned site;
	double budget_db;
};

static void sweep_usage(FILE *f)
{
	fprintf(f, "usage: bert sweep [--lane N | --lanes LIST] [--sweep smart|fixed]\n"
		"                  [--fixture URI] [--station FILE --site N]\n"
		"                  [--profile NAME] [--budget DB] [--csv FILE] [--json]\n\n"
		"Finds each lane's receiver sensitivity: the received OMA at the profile's\n"
		"pre-FEC BER threshold (2.4e-4), from a waterfall walked down with the\n"
		"lane's VOA while the module's PRBS checker counts errors and the tap meter\n"
		"reads the power (Q-linear fit, docs/SOURCES.md, BER statistics).\n"
		"  --lane N / --lanes L  lanes (default 1-4)\n"
		"  --sweep M             smart (default): 3 dwells placed around the target;\n"
		"                        fixed: the lab's 0.5 dB grid over 8 dB\n"
		"  --station F --site N  station file and site (default: the virtual bench)\n"
		"  --profile NAME        target BER, limit and budget (default 400gbase-dr4)\n"
		"  --budget DB           the sweep starts at Tx - DB (default: the profile's)\n"
		"  --csv FILE            the points as CSV\n"
		"Exit 0 every lane within the limit, 1 a lane fails or has no result,\n"
		"2 usage or configuration, 3 hardware or communication.\n");
}

static int parse_args(int argc, char **argv, struct sweep_args *a, struct cli_opts *o)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "lane", required_argument, NULL, 'l' },
		{ "lanes", required_argument, NULL, 'L' },
		{ "sweep", required_argument, NULL, 'm' },
		{ "station", required_argument, NULL, 's' },
		{ "site", required_argument, NULL, 'n' },
		{ "csv", required_argument, NULL, 'c' },
		{ "profile", required_argument, NULL, 'P' },
		{ "budget", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	a->lanes = 0x0f;
	a->method = SWEEP_SMART;
	a->site = 1;
	a->profile = "400gbase-dr4";
	a->budget_db = NAN;
	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, o))
			continue;
		switch (c) {
		case 'l': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (end == optarg || *end || v < 1 || v > SWEEP_MAX_LANES)
				return cli_usage_error("--lane: '%s' is not a lane 1-%d",
						       optarg, SWEEP_MAX_LANES);
			a->lanes = (uint8_t)(1u << (v - 1));
			break;
		}
		case 'L':
			if (cli_parse_lanes(optarg, &a->lanes))
				return cli_usage_error("--lanes: '%s' is not a lane list "
						       "within 1-8 (e.g. 1-4 or 1,3)", optarg);
			break;
		case 'm':
			if (sweep_method_parse(optarg, &a->method))
				return cli_usage_error("--sweep: '%s' is not smart or fixed",
						       optarg);
			break;
		case 's':
			a->station = optarg;
			break;
		case 'n': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (end == optarg || *end || v < 1 || v > QUAL_MAX_SITES)
				return cli_usage_error("--site: '%s' is not a site 1-%d",
						       optarg, QUAL_MAX_SITES);
			a->site = (unsigned)v;
			break;
		}
		case 'c':
			a->csv = optarg;
			break;
		case 'P':
			a->profile = optarg;
			break;
		case 'b':
			a->budget_db = strtod(optarg, &end);
			if (end == optarg || *end || !(a->budget_db >= 0 && a->budget_db <= 30))
				return cli_usage_error("--budget: '%s' is not a loss in dB "
						       "(0-30)", optarg);
			break;
		case 'h':
			sweep_usage(stdout);
			return -1;
		default:
			sweep_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("sweep: unexpected argument '%s'", argv[optind]);
	return 0;
}

static int module_up(struct qual_site_io *io)
{
	int st_ = 0, dp = 0, rc;

	rc = cmis_get_module_state(io->dev, &st_);
	if (!rc && st_ == CMIS_MODSTATE_READY)
		rc = cmis_get_dp_state(io->dev, 1, &dp);
	if (rc)
		return rc;
	if (st_ == CMIS_MODSTATE_READY && dp == CMIS_DPSTATE_ACTIVATED)
		return BERT_OK;
	rc = bert_fixture_set_lpmode(io->fixture, false);
	return rc ? rc : cmis_bring_up(io->dev, 1, 0xff);
}

static int write_csv(const char *path, const struct sweep_result *r)
{
	FILE *f = fopen(path, "w");
	unsigned i;
	size_t k;

	if (!f)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s", path,
				 strerror(errno));
	fprintf(f, "method,lane,atten_db,power_dbm,oma_dbm,ber,bits,errors,q,sigma_q,"
		"locked,used,t_s\n");
	for (i = 0; i < r->nlanes; i++)
		for (k = 0; k < r->lane[i].npts; k++) {
			const struct sweep_point *p = &r->lane[i].pt[k];

			fprintf(f, "%s,%u,%.3f,%.4f,%.4f,%.6e,%llu,%llu,%.5f,%.5f,%d,%d,%.3f\n",
				sweep_method_name(r->method), r->lane[i].lane, p->atten_db,
				p->power_dbm, p->oma_dbm, p->ber, (unsigned long long)p->bits,
				(unsigned long long)p->errors, p->q, p->sigma_q, p->locked,
				p->used, (p->t_ns - r->t_start) / 1e9);
		}
	return fclose(f) ? bert_fail(BERT_ERR_IO, "%s: write failed", path) : BERT_OK;
}

struct live {
	struct cli_progress p;
	const struct sweep_site *ss;
};

static void live_point(void *user, unsigned i, const struct sweep_point *pt,
		       unsigned done, unsigned expected)
{
	const struct live *lv = user;

	cli_progress_point(&lv->p, lv->ss->lane[i], pt, done, expected);
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Distance to the rx_sensitivity_oma limit in dB, positive inside: the
 * limit is a maximum (IEEE 802.3 Table 124-7, receiver sensitivity OMA). */
static double margin_db(const struct sweep_lane_result *L, const struct qual_limits *lim)
{
	if (!L->ok || !isfinite(L->sens_oma_dbm))
		return NAN;
	if (isfinite(lim->high))
		return lim->high - L->sens_oma_dbm;
	if (isfinite(lim->low))
		return L->sens_oma_dbm - lim->low;
	return NAN;
}

static const char *upper_verdict(enum qual_verdict v)
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

/* The stimulus ER behind a lane's OMA conversion, for the budget line. */
static const char *er_note(const struct qual_site *site, unsigned lane, char *buf,
			   size_t size)
{
	struct qual_er e = qual_site_er(site, lane);

	return qual_er_describe(&e, buf, size);
}

static void print_result(const struct cli_opts *o, const struct sweep_result *r,
			 const struct qual_limits *lim,
			 const enum qual_verdict *v, const char (*why)[QUAL_MSG_MAX],
			 double budget, enum qual_verdict overall,
			 const struct qual_site *site, const struct qual_alarm_state *al)
{
	char er[QUAL_UCOMP_NOTE_MAX], am[QUAL_MSG_MAX] = "";
	unsigned lane;
	unsigned i;
	size_t k;

	if (o->json) {
		json_t *root = json_object(), *lanes = json_array();

		json_object_set_new(root, "method", json_string(sweep_method_name(r->method)));
		json_object_set_new(root, "method_summary",
				    json_string(sweep_method_summary(r->method)));
		json_object_set_new(root, "target_ber", json_real(r->target_ber));
		json_object_set_new(root, "q_target", json_real(r->q_target));
		json_object_set_new(root, "budget_db", json_real(budget));
		json_object_set_new(root, "dwells", json_integer(r->dwells));
		json_object_set_new(root, "station_time_s",
				    json_real((r->t_end - r->t_start) / 1e9));
		for (i = 0; i < r->nlanes; i++) {
			const struct sweep_lane_result *L = &r->lane[i];
			json_t *e = json_object(), *pts = json_array();

			json_object_set_new(e, "lane", json_integer(L->lane));
			json_object_set_new(e, "ok", json_boolean(L->ok));
			json_object_set_new(e, "sens_oma_dbm", jnum(L->ok ? L->sens_oma_dbm : NAN));
			json_object_set_new(e, "sens_avg_dbm", jnum(L->ok ? L->sens_avg_dbm : NAN));
			json_object_set_new(e, "sigma_db", jnum(L->ok ? L->sigma_db : NAN));
			json_object_set_new(e, "uncertainty_db", jnum(L->ok ? L->u_db : NAN));
			if (L->ok)
				json_object_set_new(e, "uncertainty_budget", json_pack(
					"[{s:s, s:o, s:s, s:s}, {s:s, s:o, s:s, s:s}, "
					"{s:s, s:o, s:s, s:s}]",
					"source", "fit", "u", jnum(L->sigma_db), "type", "A",
					"note", "Q-linear fit",
					"source", "power_cal", "u", jnum(L->cal_sigma_db), "type", "B",
					"note", "meter and tap ratio, site calibration",
					"source", "stimulus_er", "u", jnum(L->er_sigma_db), "type", "B",
					"note", er_note(site, L->lane, er, sizeof(er))));
			json_object_set_new(e, "fit", json_pack("{s:o, s:o, s:o, s:I}",
				"a", jnum(L->fit.a), "b_per_mw", jnum(L->fit.b),
				"chi2", jnum(L->fit.chi2), "dof", (json_int_t)L->fit.dof));
			json_object_set_new(e, "floor", json_boolean(L->floor));
			json_object_set_new(e, "poor_fit", json_boolean(L->poor_fit));
			json_object_set_new(e, "extrapolated", json_boolean(L->fit.extrapolated));
			json_object_set_new(e, "verdict", json_string(qual_verdict_name(v[i])));
			json_object_set_new(e, "limit", json_pack("{s:o, s:o, s:s}",
				"low_dbm", jnum(lim->low), "high_dbm", jnum(lim->high),
				"measurement", "rx_sensitivity_oma"));
			json_object_set_new(e, "margin_db", jnum(margin_db(L, lim)));
			json_object_set_new(e, "note", json_string(L->note[0] ? L->note : why[i]));
			for (k = 0; k < L->npts; k++) {
				const struct sweep_point *p = &L->pt[k];

				json_array_append_new(pts, json_pack(
					"{s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:b, s:b, s:o}",
					"atten_db", jnum(p->atten_db), "power_dbm", jnum(p->power_dbm),
					"oma_dbm", jnum(p->oma_dbm), "ber", jnum(p->ber),
					"bits", (json_int_t)p->bits, "errors", (json_int_t)p->errors,
					"q", jnum(p->q), "locked", p->locked, "used", p->used,
					"t_s", jnum((p->t_ns - r->t_start) / 1e9)));
			}
			json_object_set_new(e, "points", pts);
			json_array_append_new(lanes, e);
		}
		json_object_set_new(root, "lanes", lanes);
		json_object_set_new(root, "verdict", json_string(qual_verdict_name(overall)));
		/* bert/qual/alarms.h: stimulus flags are a record, the module's
		 * own alarms (clean read at the budget point) a failure */
		qual_alarms_describe(al, am, sizeof(am));
		json_object_set_new(root, "module_alarms", json_pack("{s:i, s:s}",
			"count", (int)qual_alarms_total(al), "message", am));
		lanes = json_array();
		for (lane = 1; lane <= al->lanes && lane <= PROFILE_MAX_LANES; lane++)
			if (al->stim[lane])
				json_array_append_new(lanes, json_pack("{s:i, s:s}", "lane",
					(int)lane, "flags", al->stim_names[lane]));
		json_object_set_new(root, "stimulus_flags", lanes);
		cli_print_json(root);
		return;
	}
	if (o->quiet) {
		printf("VERDICT: %s\n", upper_verdict(overall));
		return;
	}
	printf("%s sweep, target BER %.3g (Q %.3f), %u dwell(s), station time %.3f s\n",
	       sweep_method_name(r->method), r->target_ber, r->q_target, r->dwells,
	       (r->t_end - r->t_start) / 1e9);
	for (i = 0; i < r->nlanes; i++) {
		const struct sweep_lane_result *L = &r->lane[i];

		printf("\nlane %u\n %8s %9s %9s %11s %12s %7s %s\n", L->lane, "atten dB",
		       "Prx dBm", "OMA dBm", "BER", "errors", "Q", "");
		for (k = 0; k < L->npts; k++) {
			const struct sweep_point *p = &L->pt[k];

			printf(" %8.2f %9.3f %9.3f %11.3e %12llu %7.3f %s\n", p->atten_db,
			       p->power_dbm, p->oma_dbm, p->ber, (unsigned long long)p->errors,
			       p->q, !p->locked ? "no lock" : p->used ? "fit" :
			       isfinite(p->q) ? "left out" : "too few errors");
		}
		if (L->ok)
			printf(" fit Q = %.4f + %.4f x OMA[mW], chi2 %.2f / %u dof\n"
			       " sensitivity %.3f dBm OMA (%.3f dBm average) +- %.3f dB (k=2): %s\n",
			       L->fit.a, L->fit.b, L->fit.chi2, L->fit.dof, L->sens_oma_dbm,
			       L->sens_avg_dbm, L->u_db, qual_verdict_name(v[i]));
		else
			printf(" no sensitivity: %s\n", L->note);
		if (L->ok && isfinite(lim->high))
			printf(" limit <= %.3f dBm OMA (rx_sensitivity_oma), margin %+.3f dB\n",
			       lim->high, margin_db(L, lim));
		else if (L->ok && isfinite(lim->low))
			printf(" limit >= %.3f dBm OMA (rx_sensitivity_oma), margin %+.3f dB\n",
			       lim->low, margin_db(L, lim));
		else if (L->ok)
			printf(" limit: n/a (the profile has no rx_sensitivity_oma)\n");
		if (L->ok)
			printf(" U (k=2) = 2 sqrt(fit %.3f^2 + power cal %.3f^2 + ER %.3f^2); %s\n",
			       L->sigma_db, L->cal_sigma_db, L->er_sigma_db,
			       er_note(site, L->lane, er, sizeof(er)));
		if (L->ok && L->note[0])
			printf(" note: %s\n", L->note);
		if (L->ok && why[i][0])
			printf(" %s\n", why[i]);
		if (L->lane <= PROFILE_MAX_LANES && al->stim[L->lane])
			printf(" stimulus flags (the sweep's, cleared; not a verdict): %s\n",
			       al->stim_names[L->lane]);
	}
	qual_alarms_describe(al, am, sizeof(am));
	printf("\nmodule alarms: %s\n", qual_alarms_total(al) ? am :
	       "none at the budget point after clearing");
	printf("\nVERDICT: %s\n", upper_verdict(overall));
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_args a = { 0 };
	struct cli_opts o = { 0 };
	const struct qual_site *site;
	struct qual_site_io io;
	struct sweep_site ss;
	struct sweep_config cfg;
	struct sweep_io sio;
	struct qual_limits lim;
	const struct profile_limit *pl;
	enum qual_verdict v[SWEEP_MAX_LANES];
	char why[SWEEP_MAX_LANES][QUAL_MSG_MAX];
	enum qual_verdict overall = QUAL_PASS;
	struct live prog;
	struct qual_alarm_state al = { 0 };
	bool fail = false;
	double budget, att;
	unsigned i, l;
	int ex, rc, rc2;

	ex = parse_args(argc, argv, &a, &o);
	if (ex)
		return ex < 0 ? EXIT_OK : ex;
	cli_setup_logging(&o);
	rc = profile_load(a.profile, &prof);
	if (rc)
		return cli_error(rc, "profile");
	if (a.csv) {	/* an output that cannot be written fails before the work */
		FILE *f = fopen(a.csv, "w");

		if (!f)
			return cli_error(bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s",
						   a.csv, strerror(errno)), "--csv");
		fclose(f);
	}
	rc = a.station ? qual_station_load(a.station, &st) :
			 qual_station_default(o.fixture, &st);
	if (rc)
		return cli_error(rc, "station");
	site = qual_station_site(&st, a.site);
	if (!site)
		return cli_usage_error("sweep: the station has no site %u", a.site);
	memset(&io, 0, sizeof(io));
	rc = qual_site_open(&st, site, a.station ? o.fixture : NULL, &io);
	if (rc)
		return cli_error(rc, "opening the site");
	memset(&ss, 0, sizeof(ss));
	ss.clock = io.fixture->clock;
	ss.site = site;
	ss.io = &io;
	ss.pattern = CMIS_PAT_PRBS31Q;
	for (l = 1; l <= 8; l++)
		if (a.lanes & (1u << (l - 1)))
			ss.lane[ss.nlanes++] = l;
	rc = module_up(&io);
	al.lanes = ss.lane[ss.nlanes - 1];
	if (!rc)	/* clears what bring-up latched; keeps the module's own */
		rc = qual_alarms_read(io.dev, &al);
	if (!rc)
		rc = cmis_diag_open(io.dev, &ss.diag);
	if (rc) {
		ex = cli_error(rc, "module");
		goto out;
	}
	budget = isfinite(a.budget_db) ? a.budget_db : prof.channel_budget_db;
	/* the budget point: Tx -> patch -> VOA (A + insertion) -> through -> Rx */
	att = budget - site->patch_loss_db - site->voa_loss_db - site->through_loss_db;
	if (att < 0)
		att = 0;
	rc = sweep_site_begin(&ss);
	if (rc) {
		ex = cli_error(rc, "starting the PRBS checkers");
		goto out;
	}
	sweep_site_io(&ss, &sio);
	for (i = 0; i < ss.nlanes; i++)
		sio.budget_atten_db[i] = att;
	cli_progress_init(&prog.p, &o, bert_clock_now(ss.clock));
	prog.ss = &ss;
	sio.on_point = live_point;
	sio.on_point_user = &prog;
	sweep_config_default(&cfg, a.method);
	if (prof.ber_threshold > 0)
		cfg.target_ber = prof.ber_threshold;
	pl = profile_limit(&prof, "rx_sensitivity_oma");
	if (pl && isfinite(pl->lim.high))
		cfg.prior_sens_oma_dbm = pl->lim.high - 2.0;
	rc = sweep_run(&sio, &cfg, &res);
	rc2 = sweep_site_end(&ss);
	if (rc || rc2) {
		ex = cli_error(rc ? rc : rc2, rc ? "sweep" : "restoring the diagnostics");
		goto out;
	}
	/* back at the budget point: the sweep's flags, then the clean read */
	rc = qual_alarms_read(io.dev, &al);
	if (!rc) {
		struct qual_alarm_state keep = al;

		rc = qual_alarms_clean_read(io.dev, ss.clock, &al);
		memcpy(al.stim, keep.stim, sizeof(al.stim));
		memcpy(al.stim_names, keep.stim_names, sizeof(al.stim_names));
	}
	if (rc) {
		ex = cli_error(rc, "module alarms");
		goto out;
	}
	fail |= qual_alarms_total(&al) > 0;
	lim = profile_limits_for(&prof, "rx_sensitivity_oma");
	for (i = 0; i < res.nlanes; i++) {
		why[i][0] = '\0';
		v[i] = sweep_lane_verdict(&res.lane[i], &lim, why[i], sizeof(why[i]));
		fail |= v[i] == QUAL_FAIL || v[i] == QUAL_ERROR;
		if (v[i] == QUAL_MARGINAL && !fail)
			overall = QUAL_MARGINAL;
	}
	if (fail)
		overall = QUAL_FAIL;
	if (a.csv && (rc = write_csv(a.csv, &res))) {
		ex = cli_error(rc, "--csv");
		goto out;
	}
	print_result(&o, &res, &lim, v, (const char (*)[QUAL_MSG_MAX])why, budget, overall,
		     site, &al);
	ex = fail ? EXIT_VERDICT_FAIL : EXIT_OK;
out:
	cmis_diag_close(ss.diag);
	qual_site_close(&io);
	return ex;
}
