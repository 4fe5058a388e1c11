// SPDX-License-Identifier: MIT
/* bert ber: lane BER through the module's own PRBS generators and checkers
 * (OIF-CMIS 5.x Pages 13h/14h), judged against a pre-FEC target at a confidence level
 * with the signal engine's early-stop rule, and carried through RS(544,514)
 * to post-FEC BER and FLR (IEEE 802.3 Clause 91; docs/SOURCES.md).
 *
 * Sequence: refuse what the module does not offer (nothing written yet);
 * bring the module up if it is not; save the diagnostics controls; start
 * generators and checkers; wait for the checkers to lock; reset the
 * counters; poll at the module's update period until every lane is decided
 * or --max-time; restore the controls on every exit path, Ctrl-C included. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/qual/alarms.h"
#include "bert/qual/lane_ber.h"
#include "bert/signal/berstat.h"
#include "cli/bert.h"
#include "cli/bert_lanes.h"
#include "cli/common.h"
#include "cli/common_module.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/cmis/diag.h"

enum verdict { V_NONE = 0, V_PASS, V_FAIL, V_MARGINAL, V_ERROR };
struct ber_run;
static int run_exit_code(const struct ber_run *r);

static const char *const verdict_names[] = {
	[V_NONE] = "running", [V_PASS] = "pass", [V_FAIL] = "fail",
	[V_MARGINAL] = "marginal", [V_ERROR] = "error",
};

/* bert ber's names for the loop's verdicts: undecided is "marginal". */
static enum verdict ber_verdict(enum lane_ber_verdict v)
{
	switch (v) {
	case LANE_BER_RUNNING: return V_NONE;
	case LANE_BER_PASS: return V_PASS;
	case LANE_BER_FAIL: return V_FAIL;
	case LANE_BER_UNDECIDED: return V_MARGINAL;
	case LANE_BER_ERROR: return V_ERROR;
	}
	return V_ERROR;
}

struct ber_args {
	struct lane_ber_opts lb;
	bool attenuation_set;
	double attenuation_db;
};

struct ber_run {
	struct ber_args a;
	struct cli_opts o;
	struct cli_module m;
	struct cmis_diag *d;
	struct bert_clock *clk;
	struct lane_ber_result res;
	struct qual_alarm_state al;	/* bert/qual/alarms.h */
	bool alarms_read;
	bool live;			/* live lines on stderr */
	unsigned live_lines;
	bool aborted;
};

static void ber_usage(FILE *f)
{
	fprintf(f, "usage: bert ber [--lanes LIST] [--side host|media] [--pattern NAME]\n"
		"                [--target BER] [--cl CL] [--max-time T] [--min-errors N]\n"
		"                [--attenuation DB] [--fixture URI] [--json] [-v] [-q]\n\n"
		"Measures lane BER with the module's PRBS generators and checkers, stops\n"
		"each lane as soon as the pre-FEC verdict is certain at the confidence\n"
		"level, and reports the FEC-corrected (RS(544,514)) post-FEC BER and FLR.\n"
		"  --lanes L        lanes, e.g. 1-4 or 1,3 (default 1-4)\n"
		"  --side S         media (default) or host\n"
		"  --pattern P      PRBS31Q (default), PRBS13Q, SSPRQ, ... as the module offers\n"
		"  --target BER     pre-FEC BER limit (default 2.4e-4, the KP4 threshold)\n"
		"  --cl CL          confidence level, 0 < CL < 1 (default 0.95)\n"
		"  --max-time T     stop the run after T of clock time: 90, 90s, 2m, 1h\n"
		"                   (default 120s); undecided lanes are 'marginal'\n"
		"  --min-errors N   do not stop a lane early before N errors are counted\n"
		"  --attenuation DB extra loss in front of the receivers (sim: fixtures)\n"
		"Verdicts: pass, fail, marginal (undecided at --max-time), error (no lock,\n"
		"lock lost, module error). Exit 0 all pass, 1 a lane failed or is marginal,\n"
		"2 usage or a request the module does not support (refused before anything\n"
		"is written), 3 a lane in error or a hardware/communication error.\n");
}

static int parse_args(int argc, char **argv, struct ber_run *r)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "lanes", required_argument, NULL, 'L' },
		{ "side", required_argument, NULL, 'S' },
		{ "pattern", required_argument, NULL, 'P' },
		{ "target", required_argument, NULL, 'T' },
		{ "cl", required_argument, NULL, 'C' },
		{ "max-time", required_argument, NULL, 'X' },
		{ "min-errors", required_argument, NULL, 'E' },
		{ "attenuation", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	struct lane_ber_opts *a = &r->a.lb;
	char *end;
	int c, p;

	lane_ber_opts_default(a);
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &r->o))
			continue;
		switch (c) {
		case 'L':
			if (cli_parse_lanes(optarg, &a->lanes))
				return cli_usage_error("--lanes: '%s' is not a lane list "
						       "within 1-8 (e.g. 1-4 or 1,3)", optarg);
			break;
		case 'S':
			if (cli_parse_side(optarg, &a->side))
				return cli_usage_error("--side: '%s' is not host or media", optarg);
			break;
		case 'P':
			p = cmis_pattern_from_name(optarg);
			if (p < 0)
				return cli_usage_error("--pattern: '%s' has no CMIS pattern ID "
						       "(PRBS31Q, PRBS31, PRBS23Q, PRBS23, "
						       "PRBS15Q, PRBS15, PRBS13Q, PRBS13, PRBS9Q, "
						       "PRBS9, PRBS7Q, PRBS7, SSPRQ)", optarg);
			a->pattern = (unsigned)p;
			break;
		case 'T':
			a->target = strtod(optarg, &end);
			if (*end || !(a->target > 0 && a->target < 0.5))
				return cli_usage_error("--target: '%s' is not a BER in (0, 0.5)",
						       optarg);
			break;
		case 'C':
			a->cl = strtod(optarg, &end);
			if (*end || !(a->cl > 0 && a->cl < 1))
				return cli_usage_error("--cl: '%s' is not a confidence level "
						       "in (0, 1)", optarg);
			break;
		case 'X':
			a->max_time_ns = cli_parse_duration(optarg);
			if (!a->max_time_ns)
				return cli_usage_error("--max-time: '%s' is not a duration "
						       "(90, 90s, 1500ms, 2m, 1h)", optarg);
			break;
		case 'E':
			a->min_errors = strtoull(optarg, &end, 10);
			if (*end || optarg[0] == '-')
				return cli_usage_error("--min-errors: '%s' is not a count", optarg);
			break;
		case 'A':
			r->a.attenuation_db = strtod(optarg, &end);
			if (*end || !(r->a.attenuation_db >= 0 && r->a.attenuation_db <= 60))
				return cli_usage_error("--attenuation: '%s' is not a loss "
						       "in dB (0-60)", optarg);
			r->a.attenuation_set = true;
			break;
		case 'h':
			ber_usage(stdout);
			return -1;
		default:
			ber_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("ber: unexpected argument '%s'", argv[optind]);
	return 0;
}

/* ---- measurement ------------------------------------------------------ */

/* Module up with its data path active, unless it already is. */
static int bring_up_if_needed(struct ber_run *r)
{
	int st = 0, dp = 0, rc;

	rc = cmis_get_module_state(r->m.dev, &st);
	if (!rc && st == CMIS_MODSTATE_READY)
		rc = cmis_get_dp_state(r->m.dev, 1, &dp);
	if (rc)
		return cli_error(rc, "reading module state");
	if (st == CMIS_MODSTATE_READY && dp == CMIS_DPSTATE_ACTIVATED)
		return 0;
	if (!r->o.json && !r->o.quiet)
		fprintf(stderr, "%s: bringing the module up (AppSel 1)\n", cli_prog);
	return cli_module_bring_up(&r->m, 1);
}

/* An emulated fixture's extra loss; real benches have none to set. */
static int set_attenuation(struct ber_run *r)
{
	int rc = bert_fixture_set_extra_loss(r->m.fixture, r->a.attenuation_db);

	if (rc == BERT_ERR_UNSUPPORTED)
		return bert_fail(BERT_ERR_CONFIG, "--attenuation needs an emulated fixture "
				 "(sim:, mpsse-sim:; real benches set loss with an attenuator)");
	return rc;
}

/* ---- output ------------------------------------------------------------- */

static void live_print(struct ber_run *r, bool final)
{
	unsigned i;

	if (!r->live)
		return;
	if (r->live_lines)
		fprintf(stderr, "\033[%uA", r->live_lines);
	for (i = 0; i < r->res.n; i++) {
		const struct lane_ber_lane *l = &r->res.lane[i];

		fprintf(stderr, "\033[Klane %u: %-8s errors %-10llu bits %-10.3e BER %-9.3e "
			"upper %-9.3e %s\n", l->lane, l->locked ? "locked" : "no lock",
			(unsigned long long)l->errors, (double)l->bits, l->ber, l->ber_upper,
			verdict_names[ber_verdict(l->verdict)]);
	}
	r->live_lines = final ? 0 : r->res.n;
	fflush(stderr);
}

static void on_progress(void *user, const struct lane_ber_result *res)
{
	(void)res;
	live_print(user, false);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Stimulus flags are a record; the module's own alarms (temperature,
 * supply, Tx fault, ...: what the measurement cannot cause) fail it. */
static void alarms_json(const struct ber_run *r, json_t *root)
{
	char am[QUAL_MSG_MAX] = "";
	json_t *a = json_array();
	unsigned lane;

	if (!r->alarms_read)
		return;
	qual_alarms_describe(&r->al, am, sizeof(am));
	json_object_set_new(root, "module_alarms", json_pack("{s:i, s:s}", "count",
		(int)qual_alarms_total(&r->al), "message", am));
	for (lane = 1; lane <= r->al.lanes && lane <= PROFILE_MAX_LANES; lane++)
		if (r->al.stim[lane])
			json_array_append_new(a, json_pack("{s:i, s:s}", "lane", (int)lane,
				"flags", r->al.stim_names[lane]));
	json_object_set_new(root, "stimulus_flags", a);
}

static void alarms_text(const struct ber_run *r)
{
	char am[QUAL_MSG_MAX] = "";
	unsigned lane;

	if (!r->alarms_read || r->o.json || r->o.quiet)
		return;
	for (lane = 1; lane <= r->al.lanes && lane <= PROFILE_MAX_LANES; lane++)
		if (r->al.stim[lane])
			printf("lane %u stimulus flags (cleared; not a verdict): %s\n", lane,
			       r->al.stim_names[lane]);
	qual_alarms_describe(&r->al, am, sizeof(am));
	printf("module alarms: %s\n", qual_alarms_total(&r->al) ? am : "none");
}

static void print_results(struct ber_run *r)
{
	const struct lane_ber_opts *a = &r->a.lb;
	double t_end = bert_clock_now(r->clk) / 1e9;
	unsigned i;

	if (r->o.json) {
		json_t *root = json_object(), *arr = json_array();

		for (i = 0; i < r->res.n; i++) {
			const struct lane_ber_lane *l = &r->res.lane[i];
			json_t *e = json_object();

			json_object_set_new(e, "lane", json_integer(l->lane));
			json_object_set_new(e, "locked", json_boolean(l->locked));
			json_object_set_new(e, "errors", json_integer((json_int_t)l->errors));
			json_object_set_new(e, "bits", json_integer((json_int_t)l->bits));
			json_object_set_new(e, "ber", num(l->ber));
			json_object_set_new(e, "ber_upper", num(l->ber_upper));
			json_object_set_new(e, "cl", json_real(a->cl));
			json_object_set_new(e, "verdict",
					    json_string(verdict_names[ber_verdict(l->verdict)]));
			json_object_set_new(e, "post_fec_ber", num(l->fec.post_fec_ber));
			json_object_set_new(e, "flr", num(l->fec.flr));
			json_object_set_new(e, "ser", num(l->fec.ser));
			json_object_set_new(e, "cer", num(l->fec.cer));
			json_object_set_new(e, "fec_from", json_string(l->fec_from_upper ?
						"ber_upper" : "ber"));
			json_object_set_new(e, "reason", json_string(l->reason ? l->reason : ""));
			json_object_set_new(e, "measure_time_s",
					    json_real(lane_ber_lane_time_ns(&r->res, l) / 1e9));
			json_array_append_new(arr, e);
		}
		json_object_set_new(root, "lanes", arr);
		json_object_set_new(root, "side", json_string(cmis_side_name(a->side)));
		json_object_set_new(root, "pattern", json_string(cmis_pattern_name(a->pattern)));
		json_object_set_new(root, "target", json_real(a->target));
		json_object_set_new(root, "cl", json_real(a->cl));
		json_object_set_new(root, "method", json_string(r->res.counters ? "counters" :
					"ber_x_time"));
		if (!r->res.counters)
			json_object_set_new(root, "method_note", json_string(
				"the module reports BER without bit/error counters: bits = "
				"106.25 Gb/s x clock time, errors = BER x bits"));
		if (r->a.attenuation_set)
			json_object_set_new(root, "attenuation_db", json_real(r->a.attenuation_db));
		if (r->aborted)
			json_object_set_new(root, "aborted", json_true());
		json_object_set_new(root, "station_time_s", json_real(t_end));
		alarms_json(r, root);
		cli_print_json(root);
		return;
	}
	if (r->o.quiet) {
		int ex = run_exit_code(r);

		printf("VERDICT: %s\n", ex == EXIT_OK ? "PASS" : ex == EXIT_VERDICT_FAIL ?
		       "FAIL" : "ERROR");
		return;
	}
	printf("%s side, %s, target %.3g at CL %.3g%s\n", cmis_side_name(a->side),
	       cmis_pattern_name(a->pattern), a->target, a->cl,
	       r->res.counters ? "" : " (errors = BER x bits: no counters)");
	printf("%-4s %-7s %12s %11s %10s %10s %-8s %11s %10s\n", "lane", "lock",
	       "errors", "bits", "BER", "upper", "verdict", "post-FEC", "FLR");
	for (i = 0; i < r->res.n; i++) {
		const struct lane_ber_lane *l = &r->res.lane[i];

		printf("%-4u %-7s %12llu %11.3e %10.3e %10.3e %-8s %s%10.3e %10.3e\n",
		       l->lane, l->locked ? "locked" : "no", (unsigned long long)l->errors,
		       (double)l->bits, l->ber, l->ber_upper,
		       verdict_names[ber_verdict(l->verdict)],
		       l->fec_from_upper ? "<" : " ", l->fec.post_fec_ber, l->fec.flr);
		if (l->verdict == LANE_BER_ERROR && l->reason)
			printf("     %s\n", l->reason);
	}
	printf("station time %.3f s\n", t_end);
}

static int run_exit_code(const struct ber_run *r)
{
	bool fail = false, error = false;
	unsigned i;

	for (i = 0; i < r->res.n; i++) {
		enum verdict v = ber_verdict(r->res.lane[i].verdict);

		error |= v == V_ERROR;
		fail |= v == V_FAIL || v == V_MARGINAL;
	}
	if (error || r->aborted)
		return EXIT_HW;
	fail |= r->alarms_read && qual_alarms_total(&r->al) > 0;
	return fail ? EXIT_VERDICT_FAIL : EXIT_OK;
}

int cmd_ber(int argc, char **argv)
{
	struct ber_run *r = calloc(1, sizeof(*r));
	int ex, rc;

	if (!r)
		return cli_error(BERT_ERR_NOMEM, "ber");
	ex = parse_args(argc, argv, r);
	if (ex) {
		free(r);
		return ex < 0 ? EXIT_OK : ex;
	}
	cli_setup_logging(&r->o);
	ex = cli_module_open(&r->o, &r->m);
	if (ex) {
		free(r);
		return ex;
	}
	r->clk = r->m.fixture->clock;
	r->live = !r->o.quiet && cli_ansi(stderr);
	r->a.lb.progress = on_progress;
	r->a.lb.user = r;

	/* 1. Refuse what the module does not offer: nothing written yet. */
	rc = cmis_diag_open(r->m.dev, &r->d);
	if (!rc)
		rc = lane_ber_check(r->d, &r->a.lb);
	if (!rc && r->a.attenuation_set && !r->m.fixture->ops->set_extra_loss)
		rc = bert_fail(BERT_ERR_CONFIG, "--attenuation needs an emulated fixture "
			       "(sim:, mpsse-sim:; real benches set loss with an attenuator)");
	if (rc) {
		ex = cli_diag_error(rc, "ber");
		goto out;
	}

	/* 2. Module up, plant set. */
	ex = bring_up_if_needed(r);
	if (ex)
		goto out;
	/* clears what bring-up latched; the module's own alarms are kept */
	r->al.lanes = 8;
	rc = qual_alarms_read(r->m.dev, &r->al);
	if (rc) {
		ex = cli_error(rc, "module flags");
		goto out;
	}
	if (r->a.attenuation_set) {
		rc = set_attenuation(r);
		if (rc) {
			ex = cli_error(rc, "--attenuation");
			goto out;
		}
	}

	/* 3. Measure between save and restore (lane_ber_run restores on every
	 * path, Ctrl-C included). */
	rc = lane_ber_run(r->d, r->clk, &r->a.lb, &r->res);
	if (rc == BERT_ERR_ABORTED || r->res.aborted) {
		r->aborted = true;
		bert_abort_clear();	/* closing below must reach the module */
	}
	live_print(r, true);
	/* what latched during the measurement: stimulus flags, own alarms */
	if (!r->aborted && !qual_alarms_read(r->m.dev, &r->al))
		r->alarms_read = true;
	if (rc && !r->aborted && !r->res.restore_rc) {
		ex = cli_error(rc, "measuring");
		print_results(r);
		goto out;
	}
	print_results(r);
	alarms_text(r);
	if (r->aborted)
		fprintf(stderr, "%s: ber: aborted; generators and checkers %s\n", cli_prog,
			r->res.restore_rc ? "could NOT be restored" : "restored");
	if (r->res.restore_rc) {
		ex = cli_error(r->res.restore_rc, "restoring the diagnostics controls");
		goto out;
	}
	ex = run_exit_code(r);
out:
	cmis_diag_close(r->d);
	cli_module_close(&r->m);
	free(r);
	return ex;
}
