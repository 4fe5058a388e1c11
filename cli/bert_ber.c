// SPDX-License-Identifier: MIT
/* bert ber: lane BER through the module's own PRBS generators and checkers
 * (CMIS.md section 7), judged against a pre-FEC target at a confidence level
 * with the signal engine's early-stop rule, and carried through RS(544,514)
 * to post-FEC BER and FLR (OPTICS-FEC.md sections 3 and 5).
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
#include "bert/signal/berstat.h"
#include "cli/bert.h"
#include "cli/bert_lanes.h"
#include "cli/common.h"
#include "cli/common_module.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/cmis/diag.h"
#include "fixtures/fixture_sim.h"
#include "fixtures/sim/bench.h"

/* Line rate of one 400GBASE-DR4 lane (53.125 GBd PAM4, OPTICS-FEC.md 6),
 * used to count bits when the module reports BER but no counters. */
#define LANE_BIT_RATE		106.25e9
/* Lock acquisition: poll the LOL flags this often, for at most this long
 * (or three update periods, whichever is longer). */
#define LOCK_POLL_NS		(100 * BERT_NS_PER_MS)
#define LOCK_TIMEOUT_NS		(5 * BERT_NS_PER_S)

enum verdict { V_NONE = 0, V_PASS, V_FAIL, V_MARGINAL, V_ERROR };

static const char *const verdict_names[] = {
	[V_NONE] = "running", [V_PASS] = "pass", [V_FAIL] = "fail",
	[V_MARGINAL] = "marginal", [V_ERROR] = "error",
};

struct lane_run {
	unsigned lane;			/* 1-based */
	bool locked;			/* at the last read */
	bool ever_locked;
	enum verdict verdict;
	const char *reason;
	uint64_t errors, bits;
	double ber, ber_upper;
	uint64_t t_done;		/* clock when decided */
	struct bert_fec_chain fec;
	bool fec_from_upper;
};

struct ber_args {
	uint8_t lanes;
	enum cmis_side side;
	unsigned pattern;
	double target, cl;
	uint64_t max_time_ns;
	uint64_t min_errors;
	bool attenuation_set;
	double attenuation_db;
};

struct ber_run {
	struct ber_args a;
	struct cli_opts o;
	struct cli_module m;
	struct cmis_diag *d;
	struct bert_clock *clk;
	unsigned n;
	struct lane_run lane[CMIS_DIAG_LANES];
	bool counters;			/* module counts bits and errors */
	uint64_t period_ns;		/* poll period */
	uint64_t t_start;		/* counters reset */
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

/* "90", "90s", "1500ms", "2m", "1h" -> ns; 0 on error. */
static uint64_t parse_duration(const char *s)
{
	char *end;
	double v = strtod(s, &end), mult = 1e9;

	if (end == s || !(v > 0))
		return 0;
	if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mult = 60e9;
	else if (!strcmp(end, "h"))
		mult = 3600e9;
	else if (*end && strcmp(end, "s"))
		return 0;
	if (v * mult > 7 * 86400e9)
		return 0;
	return (uint64_t)(v * mult);
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
	struct ber_args *a = &r->a;
	char *end;
	int c, p;

	a->lanes = 0x0f;
	a->side = CMIS_SIDE_MEDIA;
	a->pattern = CMIS_PAT_PRBS31Q;
	a->target = BERT_KP4_THRESHOLD_BER;
	a->cl = 0.95;
	a->max_time_ns = 120 * BERT_NS_PER_S;
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
			a->max_time_ns = parse_duration(optarg);
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
			a->attenuation_db = strtod(optarg, &end);
			if (*end || !(a->attenuation_db >= 0 && a->attenuation_db <= 60))
				return cli_usage_error("--attenuation: '%s' is not a loss "
						       "in dB (0-60)", optarg);
			a->attenuation_set = true;
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

/* Lanes the module has on the side (AppSel 1's lane counts); media lanes
 * beyond them have no receiver. */
static int check_lanes(struct ber_run *r)
{
	uint8_t desc[CMIS_APP_DESC_LEN];
	unsigned have;
	int rc;

	rc = cmis_read(r->m.dev, 0, 0, CMIS_APP_DESC, desc, sizeof(desc));
	if (rc)
		return rc;
	have = r->a.side == CMIS_SIDE_MEDIA ? desc[CMIS_APP_LANE_COUNTS] & CMIS_APP_MEDIA_LANES_MASK :
					      desc[CMIS_APP_LANE_COUNTS] >> CMIS_APP_HOST_LANES_SHIFT;
	if (have && have < 8 && (r->a.lanes >> have))
		return bert_fail(BERT_ERR_UNSUPPORTED, "the module has %u %s lanes "
				 "(AppSel 1); --lanes asks for lane %u", have,
				 cmis_side_name(r->a.side),
				 32 - (unsigned)__builtin_clz((unsigned)r->a.lanes));
	return BERT_OK;
}

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

static int set_attenuation(struct ber_run *r)
{
	struct sim_bench *b = fixture_sim_bench(r->m.fixture);

	if (!b)
		return bert_fail(BERT_ERR_CONFIG, "--attenuation needs a sim: fixture "
				 "(real benches set loss with an attenuator)");
	return sim_bench_set_extra_loss(b, 1, r->a.attenuation_db);
}

static int start_prbs(struct ber_run *r)
{
	struct cmis_prbs_cfg cfg = { .pattern = r->a.pattern };
	int rc;

	rc = cmis_diag_enable(r->d, r->a.side, CMIS_UNIT_GENERATOR, r->a.lanes, &cfg);
	if (!rc)
		rc = cmis_diag_enable(r->d, r->a.side, CMIS_UNIT_CHECKER, r->a.lanes, &cfg);
	/* Ungated, 1 s updates: the results grow for as long as we look. */
	if (!rc)
		rc = cmis_diag_set_measurement(r->d, 0, false);
	if (!rc)
		rc = cmis_diag_update_period_ns(r->d, &r->period_ns);
	return rc;
}

static void lane_fec(struct lane_run *l)
{
	/* Never empty: without an error counted, the FEC figures come from the
	 * upper bound, i.e. they are themselves upper bounds. */
	l->fec_from_upper = l->errors == 0;
	bert_fec_chain_from_ber(l->fec_from_upper ? l->ber_upper : l->ber,
				BERT_FLR_FACTOR_400G, &l->fec);
}

static void lane_update(struct ber_run *r, struct lane_run *l)
{
	l->ber = l->bits ? (double)l->errors / (double)l->bits : 0;
	l->ber_upper = bert_ber_upper(l->errors, (double)l->bits, r->a.cl);
	lane_fec(l);
}

static void lane_decide(struct ber_run *r, struct lane_run *l, enum verdict v,
			const char *reason)
{
	l->verdict = v;
	l->reason = reason;
	l->t_done = bert_clock_now(r->clk);
}

/* Waits for every lane's checker to lock; lanes still out of lock after the
 * timeout are in error. */
static int acquire_lock(struct ber_run *r)
{
	uint64_t t0 = bert_clock_now(r->clk), limit = LOCK_TIMEOUT_NS;
	uint8_t cur = 0xff;
	unsigned i;
	int rc;

	if (limit < 3 * r->period_ns)
		limit = 3 * r->period_ns;
	for (;;) {
		rc = bert_clock_sleep(r->clk, LOCK_POLL_NS);
		if (rc)
			return rc;
		rc = cmis_diag_checker_lol(r->d, r->a.side, NULL, &cur);
		if (rc)
			return rc;
		if (!(cur & r->a.lanes) || bert_clock_now(r->clk) - t0 >= limit)
			break;
	}
	for (i = 0; i < r->n; i++) {
		struct lane_run *l = &r->lane[i];

		l->locked = !(cur & (1u << (l->lane - 1)));
		l->ever_locked = l->locked;
		if (!l->locked) {
			lane_update(r, l);
			lane_decide(r, l, V_ERROR, "checker never locked (pattern, "
				    "polarity or signal)");
		}
	}
	return BERT_OK;
}

static int poll_once(struct ber_run *r)
{
	uint64_t errors[CMIS_DIAG_LANES] = { 0 }, bits[CMIS_DIAG_LANES] = { 0 };
	uint8_t latched, cur, active = 0;
	double ber[CMIS_DIAG_LANES];
	uint64_t now;
	unsigned i;
	int rc;

	for (i = 0; i < r->n; i++)
		if (r->lane[i].verdict == V_NONE)
			active |= (uint8_t)(1u << (r->lane[i].lane - 1));
	rc = cmis_diag_checker_lol(r->d, r->a.side, &latched, &cur);
	if (rc)
		return rc;
	if (r->counters)
		rc = cmis_diag_read_counters(r->d, r->a.side, active, errors, bits);
	else
		rc = cmis_diag_read_ber(r->d, r->a.side, ber);
	if (rc)
		return rc;
	now = bert_clock_now(r->clk);
	for (i = 0; i < r->n; i++) {
		struct lane_run *l = &r->lane[i];
		unsigned b = l->lane - 1;
		enum bert_stop s;

		if (l->verdict != V_NONE)
			continue;
		if (r->counters) {
			l->errors = errors[b];
			l->bits = bits[b];
		} else {
			/* BER x bits at the lane rate over clock time. */
			l->bits = (uint64_t)(LANE_BIT_RATE * (double)(now - r->t_start) / 1e9);
			l->errors = (uint64_t)llround(ber[b] * (double)l->bits);
		}
		lane_update(r, l);
		l->locked = !((latched | cur) & (1u << b));
		if (!l->locked) {
			lane_decide(r, l, V_ERROR, "checker lost lock during the run");
			continue;
		}
		s = bert_ber_early_stop(l->errors, (double)l->bits, r->a.target, r->a.cl);
		if (l->errors < r->a.min_errors)
			continue;
		if (s == BERT_STOP_PASS)
			lane_decide(r, l, V_PASS, "upper bound below target");
		else if (s == BERT_STOP_FAIL)
			lane_decide(r, l, V_FAIL, "BER above target");
	}
	return BERT_OK;
}

/* ---- output ------------------------------------------------------------- */

static void live_print(struct ber_run *r, bool final)
{
	unsigned i;

	if (!r->live)
		return;
	if (r->live_lines)
		fprintf(stderr, "\033[%uA", r->live_lines);
	for (i = 0; i < r->n; i++) {
		const struct lane_run *l = &r->lane[i];

		fprintf(stderr, "\033[Klane %u: %-8s errors %-10llu bits %-10.3e BER %-9.3e "
			"upper %-9.3e %s\n", l->lane, l->locked ? "locked" : "no lock",
			(unsigned long long)l->errors, (double)l->bits, l->ber, l->ber_upper,
			verdict_names[l->verdict]);
	}
	r->live_lines = final ? 0 : r->n;
	fflush(stderr);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static void print_results(struct ber_run *r)
{
	double t_end = bert_clock_now(r->clk) / 1e9;
	unsigned i;

	if (r->o.json) {
		json_t *root = json_object(), *arr = json_array();

		for (i = 0; i < r->n; i++) {
			const struct lane_run *l = &r->lane[i];
			json_t *e = json_object();

			json_object_set_new(e, "lane", json_integer(l->lane));
			json_object_set_new(e, "locked", json_boolean(l->locked));
			json_object_set_new(e, "errors", json_integer((json_int_t)l->errors));
			json_object_set_new(e, "bits", json_integer((json_int_t)l->bits));
			json_object_set_new(e, "ber", num(l->ber));
			json_object_set_new(e, "ber_upper", num(l->ber_upper));
			json_object_set_new(e, "cl", json_real(r->a.cl));
			json_object_set_new(e, "verdict", json_string(verdict_names[l->verdict]));
			json_object_set_new(e, "post_fec_ber", num(l->fec.post_fec_ber));
			json_object_set_new(e, "flr", num(l->fec.flr));
			json_object_set_new(e, "ser", num(l->fec.ser));
			json_object_set_new(e, "cer", num(l->fec.cer));
			json_object_set_new(e, "fec_from", json_string(l->fec_from_upper ?
						"ber_upper" : "ber"));
			json_object_set_new(e, "reason", json_string(l->reason ? l->reason : ""));
			json_object_set_new(e, "measure_time_s",
					    json_real(l->t_done > r->t_start && r->t_start ?
						      (l->t_done - r->t_start) / 1e9 : 0.0));
			json_array_append_new(arr, e);
		}
		json_object_set_new(root, "lanes", arr);
		json_object_set_new(root, "side", json_string(cmis_side_name(r->a.side)));
		json_object_set_new(root, "pattern", json_string(cmis_pattern_name(r->a.pattern)));
		json_object_set_new(root, "target", json_real(r->a.target));
		json_object_set_new(root, "cl", json_real(r->a.cl));
		json_object_set_new(root, "method", json_string(r->counters ? "counters" :
					"ber_x_time"));
		if (!r->counters)
			json_object_set_new(root, "method_note", json_string(
				"the module reports BER without bit/error counters: bits = "
				"106.25 Gb/s x clock time, errors = BER x bits"));
		if (r->a.attenuation_set)
			json_object_set_new(root, "attenuation_db", json_real(r->a.attenuation_db));
		if (r->aborted)
			json_object_set_new(root, "aborted", json_true());
		json_object_set_new(root, "station_time_s", json_real(t_end));
		cli_print_json(root);
		return;
	}
	if (r->o.quiet)
		return;
	printf("%s side, %s, target %.3g at CL %.3g%s\n", cmis_side_name(r->a.side),
	       cmis_pattern_name(r->a.pattern), r->a.target, r->a.cl,
	       r->counters ? "" : " (errors = BER x bits: no counters)");
	printf("%-4s %-7s %12s %11s %10s %10s %-8s %11s %10s\n", "lane", "lock",
	       "errors", "bits", "BER", "upper", "verdict", "post-FEC", "FLR");
	for (i = 0; i < r->n; i++) {
		const struct lane_run *l = &r->lane[i];

		printf("%-4u %-7s %12llu %11.3e %10.3e %10.3e %-8s %s%10.3e %10.3e\n",
		       l->lane, l->locked ? "locked" : "no", (unsigned long long)l->errors,
		       (double)l->bits, l->ber, l->ber_upper, verdict_names[l->verdict],
		       l->fec_from_upper ? "<" : " ", l->fec.post_fec_ber, l->fec.flr);
		if (l->verdict == V_ERROR && l->reason)
			printf("     %s\n", l->reason);
	}
	printf("station time %.3f s\n", t_end);
}

static int run_exit_code(const struct ber_run *r)
{
	bool fail = false, error = false;
	unsigned i;

	for (i = 0; i < r->n; i++) {
		error |= r->lane[i].verdict == V_ERROR;
		fail |= r->lane[i].verdict == V_FAIL || r->lane[i].verdict == V_MARGINAL;
	}
	if (error || r->aborted)
		return EXIT_HW;
	return fail ? EXIT_VERDICT_FAIL : EXIT_OK;
}

/* The measurement proper, between save and restore. */
static int measure(struct ber_run *r)
{
	uint64_t deadline;
	unsigned i;
	int rc;

	rc = start_prbs(r);
	if (!rc)
		rc = acquire_lock(r);
	if (!rc)
		rc = cmis_diag_reset_counters(r->d);
	if (rc)
		return rc;
	r->t_start = bert_clock_now(r->clk);
	deadline = r->t_start + r->a.max_time_ns;
	live_print(r, false);
	for (;;) {
		uint64_t now = bert_clock_now(r->clk), wait = r->period_ns;
		bool running = false;

		for (i = 0; i < r->n; i++)
			running |= r->lane[i].verdict == V_NONE;
		if (!running || now >= deadline)
			break;
		if (now + wait > deadline)
			wait = deadline - now;
		rc = bert_clock_sleep(r->clk, wait);
		if (rc)
			return rc;
		rc = poll_once(r);
		if (rc)
			return rc;
		live_print(r, false);
	}
	/* Undecided at --max-time: the rule once more without --min-errors,
	 * else marginal. */
	for (i = 0; i < r->n; i++) {
		struct lane_run *l = &r->lane[i];
		enum bert_stop s;

		if (l->verdict != V_NONE)
			continue;
		s = bert_ber_early_stop(l->errors, (double)l->bits, r->a.target, r->a.cl);
		if (s == BERT_STOP_PASS)
			lane_decide(r, l, V_PASS, "upper bound below target at --max-time");
		else if (s == BERT_STOP_FAIL)
			lane_decide(r, l, V_FAIL, "BER above target at --max-time");
		else
			lane_decide(r, l, V_MARGINAL, "undecided at --max-time");
	}
	return BERT_OK;
}

int cmd_ber(int argc, char **argv)
{
	struct ber_run *r = calloc(1, sizeof(*r));
	struct cmis_diag_saved saved;
	unsigned i;
	int ex, rc, rc2;

	if (!r)
		return cli_error(BERT_ERR_NOMEM, "ber");
	ex = parse_args(argc, argv, r);
	if (ex) {
		free(r);
		return ex < 0 ? EXIT_OK : ex;
	}
	cli_setup_logging(&r->o);
	for (i = 0; i < CMIS_DIAG_LANES; i++)
		if (r->a.lanes & (1u << i))
			r->lane[r->n++].lane = i + 1;
	ex = cli_module_open(&r->o, &r->m);
	if (ex) {
		free(r);
		return ex;
	}
	r->clk = r->m.fixture->clock;
	r->live = !r->o.quiet && isatty(STDERR_FILENO);

	/* 1. Refuse what the module does not offer: nothing written yet. */
	rc = cmis_diag_open(r->m.dev, &r->d);
	if (!rc)
		rc = cmis_diag_check(r->d, r->a.side, CMIS_UNIT_GENERATOR, r->a.lanes,
				     &(struct cmis_prbs_cfg){ .pattern = r->a.pattern });
	if (!rc)
		rc = cmis_diag_check(r->d, r->a.side, CMIS_UNIT_CHECKER, r->a.lanes,
				     &(struct cmis_prbs_cfg){ .pattern = r->a.pattern });
	if (!rc)
		rc = check_lanes(r);
	if (!rc && !cmis_diag_caps(r->d)->report_counters && !cmis_diag_caps(r->d)->report_ber)
		rc = bert_fail(BERT_ERR_UNSUPPORTED, "the module reports neither BER "
			       "nor error counters (13h:130)");
	if (!rc && r->a.attenuation_set && !fixture_sim_bench(r->m.fixture))
		rc = bert_fail(BERT_ERR_CONFIG, "--attenuation needs a sim: fixture "
			       "(real benches set loss with an attenuator)");
	if (rc) {
		ex = cli_diag_error(rc, "ber");
		goto out;
	}
	r->counters = cmis_diag_caps(r->d)->report_counters;

	/* 2. Module up, plant set. */
	ex = bring_up_if_needed(r);
	if (ex)
		goto out;
	if (r->a.attenuation_set) {
		rc = set_attenuation(r);
		if (rc) {
			ex = cli_error(rc, "--attenuation");
			goto out;
		}
	}

	/* 3. Measure between save and restore. */
	rc = cmis_diag_save(r->d, &saved);
	if (rc) {
		ex = cli_error(rc, "reading diagnostics controls");
		goto out;
	}
	rc = measure(r);
	if (rc == BERT_ERR_ABORTED) {
		r->aborted = true;
		bert_abort_clear();	/* the restore below must reach the module */
	}
	rc2 = cmis_diag_restore(r->d, &saved);
	live_print(r, true);
	for (i = 0; i < r->n; i++)
		if (r->lane[i].verdict == V_NONE) {
			lane_update(r, &r->lane[i]);
			lane_decide(r, &r->lane[i], V_ERROR, r->aborted ? "aborted" :
				    "measurement failed");
		}
	if (rc && !r->aborted) {
		ex = cli_error(rc, "measuring");
		print_results(r);
		goto out;
	}
	print_results(r);
	if (r->aborted)
		fprintf(stderr, "%s: ber: aborted; generators and checkers %s\n", cli_prog,
			rc2 ? "could NOT be restored" : "restored");
	if (rc2) {
		ex = cli_error(rc2, "restoring the diagnostics controls");
		goto out;
	}
	ex = run_exit_code(r);
out:
	cmis_diag_close(r->d);
	cli_module_close(&r->m);
	free(r);
	return ex;
}
