// SPDX-License-Identifier: MIT
/* bert/qual: profiles (every shipped one, includes, errors with file:line,
 * the hash, lookup, allow-lists), the decision rule, verdict aggregation,
 * and the run record's JSON. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bert/core/bytes.h"
#include "bert/core/figure.h"
#include "bert/core/error.h"
#include "bert/qual/measurement.h"
#include "bert/qual/profile.h"
#include "bert/qual/record.h"
#include "common.h"
#include "qual_sample.h"

static struct profile prof, prof2;	/* large: keep them off the stack */

static void load_ok(const char *rel, struct profile *p)
{
	int rc = profile_load_file(test_path(rel), p);

	ck_assert_msg(rc == BERT_OK, "%s: %s", rel, bert_error_detail());
}

static unsigned load_dir(const char *rel)
{
	char path[600];
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(test_path(rel));

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".ini"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", rel, de->d_name);
		load_ok(path, &prof);
		ck_assert(prof.lanes >= 1 && prof.lanes_per_link >= 1);
		ck_assert_uint_eq(prof.lanes % prof.lanes_per_link, 0);
		ck_assert_str_eq(prof.hash + 0 * 0, prof.hash);
		ck_assert(!strncmp(prof.hash, "fnv1a64:", 8) && strlen(prof.hash) == 24);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_shipped_profiles_load)
{
	ck_assert_uint_ge(load_dir("profiles"), 4);
	ck_assert_uint_ge(load_dir("profiles/parts"), 1);
}
END_TEST

static double lo(const struct profile *p, const char *n)
{
	const struct profile_limit *l = profile_limit(p, n);

	ck_assert_msg(l != NULL, "no limit %s in %s", n, p->name);
	return l->lim.low;
}

static double hi(const struct profile *p, const char *n)
{
	const struct profile_limit *l = profile_limit(p, n);

	ck_assert_msg(l != NULL, "no limit %s in %s", n, p->name);
	return l->lim.high;
}

/* The numbers of IEEE 802.3 Clause 124 (400GBASE-DR4, Tables 124-6 and
 * 124-7, through [S1] [S3] [S5] [S21] [S22] of docs/SOURCES.md). */
START_TEST(test_dr4_numbers)
{
	load_ok("profiles/400gbase-dr4.ini", &prof);
	ck_assert_str_eq(prof.name, "400gbase-dr4");
	ck_assert_int_eq(prof.media_type, PROFILE_MEDIA_SMF);
	ck_assert_uint_eq(prof.media_id, 0x1c);
	ck_assert_uint_eq(prof.lanes, 4);
	ck_assert_uint_eq(profile_links(&prof), 1);
	ck_assert_double_eq(prof.lane_rate_gbd, 53.125);
	ck_assert_int_eq(prof.modulation, PROFILE_PAM4);
	ck_assert_double_eq(lo(&prof, "tx_power_avg"), -2.9);
	ck_assert_double_eq(hi(&prof, "tx_power_avg"), 4.0);
	ck_assert_double_eq(lo(&prof, "tx_oma"), -0.8);
	ck_assert_double_eq(hi(&prof, "tx_oma"), 4.2);
	ck_assert_double_eq(lo(&prof, "tx_oma_minus_tdecq"), -2.2);
	ck_assert_double_eq(hi(&prof, "rx_sensitivity_oma"), -4.4);
	ck_assert(isnan(lo(&prof, "rx_sensitivity_oma")));
	ck_assert_double_eq(lo(&prof, "rx_power_avg"), -5.9);
	ck_assert_double_eq(hi(&prof, "rx_power_avg"), 4.0);
	ck_assert_double_eq(hi(&prof, "pre_fec_ber"), 2.4e-4);
	ck_assert_double_eq(prof.rx_damage_dbm, 5.0);
	ck_assert_uint_eq(prof.fec_n, 544);
	ck_assert_uint_eq(prof.fec_k, 514);
	ck_assert_uint_eq(prof.fec_t, 15);
	ck_assert_double_eq(prof.ber_threshold, 2.4e-4);
	ck_assert_double_eq(prof.flr_pmd, 1.7e-12);
	ck_assert_double_eq(prof.flr_phy, 6.2e-11);
	ck_assert_double_eq(prof.fiber_loss_db_per_km, 0.5);
	ck_assert_double_eq(prof.channel_il_db, 3.0);
	ck_assert_double_eq(prof.channel_budget_db, 3.5);
	ck_assert_double_eq(profile_required_margin(&prof), 0.0);
}
END_TEST

START_TEST(test_factory_tightens)
{
	size_t i;

	load_ok("profiles/400gbase-dr4.ini", &prof);
	load_ok("profiles/dr4-factory.ini", &prof2);
	ck_assert_str_eq(prof2.name, "dr4-factory");
	ck_assert_uint_eq(prof2.nfiles, 2);
	ck_assert(strstr(prof2.files[1], "400gbase-dr4.ini"));
	ck_assert_str_ne(prof.hash, prof2.hash);
	ck_assert_int_eq(prof2.guard, QUAL_GUARD_STRICT);
	ck_assert(prof2.stop_on_fail && !prof.stop_on_fail);
	/* inherited unchanged */
	ck_assert_uint_eq(prof2.media_id, 0x1c);
	ck_assert_double_eq(prof2.channel_budget_db, 3.5);
	ck_assert_double_eq(lo(&prof2, "tx_oma"), -0.8);
	/* the operator's additions */
	ck_assert_double_eq(profile_required_margin(&prof2), 2.0);
	ck_assert_double_eq(hi(&prof2, "module_power"), 12.0);
	ck_assert_double_eq(lo(&prof2, "case_temperature"), 0.0);
	ck_assert_double_eq(hi(&prof2, "case_temperature"), 70.0);
	ck_assert_double_eq(lo(&prof2, "dom_rx_power"), -6.0);
	ck_assert_double_eq(hi(&prof2, "dom_temperature"), 75.0);
	/* never looser than the IEEE profile, and every limit is guarded */
	for (i = 0; i < prof.nlimits; i++) {
		const struct profile_limit *a = &prof.limits[i];
		const struct profile_limit *b = profile_limit(&prof2, a->q->name);

		ck_assert_ptr_nonnull(b);
		ck_assert(isnan(a->lim.low) || b->lim.low >= a->lim.low);
		ck_assert(isnan(a->lim.high) || b->lim.high <= a->lim.high);
		ck_assert_int_eq(b->lim.guard, QUAL_GUARD_STRICT);
		ck_assert_int_eq(a->lim.guard, QUAL_GUARD_MARGINAL);
	}
	/* a limit taken straight from the profile judges with its guard */
	{
		struct qual_limits l = profile_limits_for(&prof2, "tx_oma");
		struct qual_limits none = profile_limits_for(&prof2, "supply_voltage");

		ck_assert_int_eq(qual_judge(-0.75, 0.1, &l, "dBm", NULL, 0), QUAL_FAIL);
		l = profile_limits_for(&prof, "tx_oma");
		ck_assert_int_eq(qual_judge(-0.75, 0.1, &l, "dBm", NULL, 0), QUAL_MARGINAL);
		ck_assert(qual_limits_empty(&none));
	}
}
END_TEST

START_TEST(test_breakout_and_fr4)
{
	load_ok("profiles/100gbase-dr.ini", &prof);
	ck_assert_uint_eq(prof.lanes, 4);
	ck_assert_uint_eq(prof.lanes_per_link, 1);
	ck_assert_uint_eq(profile_links(&prof), 4);
	ck_assert_uint_eq(prof.media_id, 0x14);
	ck_assert_int_eq(prof.host_id, 0x0d);
	load_ok("profiles/400gbase-fr4.ini", &prof);
	ck_assert_uint_eq(prof.media_id, 0x1d);
	ck_assert_double_eq(prof.channel_budget_db, 4.0);
	ck_assert_double_eq(lo(&prof, "tx_power_avg"), -3.3);
	ck_assert_double_eq(hi(&prof, "tx_power_avg"), 3.5);
	ck_assert_double_eq(lo(&prof, "rx_power_avg"), -7.3);
	ck_assert_double_eq(hi(&prof, "rx_sensitivity_oma"), -4.6);
	ck_assert_double_eq(prof.rx_damage_dbm, 4.5);
	ck_assert(isnan(prof.wavelength_nm));
}
END_TEST

#define MINIMAL \
	"[profile]\nname = t\n" \
	"[application]\nmedia_type = smf\nmedia_id = 0x1c\nlanes = 8\n" \
	"lane_rate_gbd = 53.125\nmodulation = pam4\n" \
	"[fec]\ncode = RS(544,514)\nber_threshold = 2.4e-4\n" \
	"[link]\nfiber_loss_db_per_km = 0.5\nchannel_budget_db = 3.5\n"

START_TEST(test_minimal_eight_lanes)
{
	int rc = profile_load_string("mem.ini", MINIMAL, &prof);

	ck_assert_msg(rc == BERT_OK, "%s", bert_error_detail());
	ck_assert_uint_eq(prof.lanes, 8);		/* DR8: nothing assumes 4 */
	ck_assert_uint_eq(prof.lanes_per_link, 8);
	ck_assert_uint_eq(profile_links(&prof), 1);
	ck_assert_uint_eq(prof.nlimits, 0);
	ck_assert_int_eq(prof.host_id, -1);
	ck_assert_double_eq(prof.confidence, 0.95);
}
END_TEST

static const struct {
	const char *text;
	const char *want;	/* substring of the detail, with file:line */
} bad_profiles[] = {
	{ MINIMAL "[limit tx_oma]\nmin = -0.8\nmaxx = 4\n",
	  "mem.ini:17: unknown key 'maxx' in [limit tx_oma]" },
	{ MINIMAL "colour = red\n", "mem.ini:15: unknown key 'colour' in [link]" },
	{ MINIMAL "[limit tx_oma]\nmin = -0,8\n", "mem.ini:16: min: '-0,8' is not a number" },
	{ MINIMAL "[limit tx_oma]\nmin = 4\nmax = -1\n", "mem.ini:17: [limit tx_oma] min 4 > max -1" },
	{ MINIMAL "[limit tx_omaa]\nmin = 1\n", "mem.ini:16: [limit tx_omaa]: no such quantity" },
	{ MINIMAL "[limit pre_fec_ber]\nmax = 0\n", "mem.ini:16: [limit pre_fec_ber] is a ratio" },
	{ MINIMAL "[limit tx_oma]\nunit = mW\n", "mem.ini:16: unit: tx_oma is measured in 'dBm'" },
	{ MINIMAL "[limit tx_oma]\nguard = loose\n", "mem.ini:16: guard: 'loose' is not a guard" },
	{ MINIMAL "[tx]\nx = 1\n", "mem.ini:16: unknown section [tx]" },
	{ "name = x\n" MINIMAL, "mem.ini:1: key 'name' before any section" },
	{ "[profile]\nname = t\n[application]\nmedia_type = smf\n", "mem.ini:4: missing section [fec]" },
	{ "[profile]\nname = t\n[application]\nmedia_type = smf\n[fec]\ncode = RS(544,514)\n"
	  "[link]\nfiber_loss_db_per_km = 0.5\n", "mem.ini:8: missing key [application] media_id" },
	{ MINIMAL "lanes_per_link = 3\n", "mem.ini:15: unknown key 'lanes_per_link' in [link]" },
	{ "[profile]\nname = t\n"
	  "[application]\nmedia_type = smf\nmedia_id = 0x1c\nlanes = 8\nlanes_per_link = 3\n"
	  "lane_rate_gbd = 53.125\nmodulation = pam4\n"
	  "[fec]\ncode = RS(544,514)\nber_threshold = 2.4e-4\n"
	  "[link]\nfiber_loss_db_per_km = 0.5\nchannel_budget_db = 3.5\n",
	  "mem.ini:15: [application] lanes 8 is not a multiple" },
	/* one file states each thing once */
	{ MINIMAL "[application]\nlanes_per_link = 4\n",
	  "mem.ini:15: section [application] appears twice (first at line 3)" },
	{ "[profile]\nname = t\nname = u\n",
	  "mem.ini:3: duplicate key 'name' in [profile] (first at line 2)" },
	{ "[application]\nlanes = 17\n", "mem.ini:2: lanes: 17 is out of range" },
	{ "[application]\nmedia_type = fibre\n", "mem.ini:2: media_type: 'fibre'" },
	{ "[fec]\ncode = RS(544,515)\n", "mem.ini:2: code: 'RS(544,515)'" },
	{ "[fec]\nber_threshold = 1e-400\n", "mem.ini:2: ber_threshold: '1e-400' is not a number" },
	{ MINIMAL "[verdict]\nstop_on_fail = maybe\n", "mem.ini:16: stop_on_fail: 'maybe' is not a boolean" },
	{ MINIMAL "[allow]\nmin_firmware = v2\n", "mem.ini:16: min_firmware: 'v2'" },
	{ MINIMAL "this is not ini\n", "mem.ini:15: syntax error" },
	{ "[profile]\ninclude = nonesuch.ini\n", "mem.ini:2: include ./nonesuch.ini" },
};

START_TEST(test_bad_profiles)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_profiles); i++) {
		int rc = profile_load_string("mem.ini", bad_profiles[i].text, &prof);

		ck_assert_msg(rc == BERT_ERR_CONFIG, "case %zu: rc %d", i, rc);
		ck_assert_msg(strstr(bert_error_detail(), bad_profiles[i].want),
			      "case %zu: '%s' lacks '%s'", i, bert_error_detail(),
			      bad_profiles[i].want);
	}
}
END_TEST

static char tmpdir[256];

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char *tpath(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void mktmp(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bert-qual-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rmtmp(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_includes)
{
	char name[32], text[128];
	int rc, i;

	mktmp();
	ck_assert_int_eq(mkdir(tpath("sub"), 0755), 0);
	put("sub/base.ini", MINIMAL "[limit tx_oma]\nmin = -0.8\nmax = 4.2\n");
	put("top.ini", "[profile]\ninclude = sub/base.ini\nname = top\n"
	    "[limit tx_oma]\nmin = -0.5\n[allow]\npn = X*\n");
	rc = profile_load_file(tpath("top.ini"), &prof);
	ck_assert_msg(rc == BERT_OK, "%s", bert_error_detail());
	ck_assert_str_eq(prof.name, "top");
	ck_assert_double_eq(lo(&prof, "tx_oma"), -0.5);
	ck_assert_double_eq(hi(&prof, "tx_oma"), 4.2);
	ck_assert_uint_eq(prof.nfiles, 2);

	/* an error inside an include names both files and lines */
	put("sub/bad.ini", MINIMAL "[limit tx_oma]\nmin = x\n");
	put("top2.ini", "[profile]\nname = y\ninclude = sub/bad.ini\n");
	ck_assert_int_eq(profile_load_file(tpath("top2.ini"), &prof), BERT_ERR_CONFIG);
	ck_assert_msg(strstr(bert_error_detail(), "top2.ini:3: in sub/bad.ini:") &&
		      strstr(bert_error_detail(), "bad.ini:16: min: 'x' is not a number"),
		      "%s", bert_error_detail());

	/* loop: a -> b -> a */
	put("a.ini", "[profile]\ninclude = b.ini\n");
	put("b.ini", "[profile]\nname = b\ninclude = a.ini\n");
	ck_assert_int_eq(profile_load_file(tpath("a.ini"), &prof), BERT_ERR_CONFIG);
	ck_assert_msg(strstr(bert_error_detail(), "b.ini:3: include loop: a.ini"),
		      "%s", bert_error_detail());
	/* self-include */
	put("self.ini", "[profile]\ninclude = self.ini\n");
	ck_assert_int_eq(profile_load_file(tpath("self.ini"), &prof), BERT_ERR_CONFIG);
	ck_assert_msg(strstr(bert_error_detail(), "self.ini:2: include loop"), "%s",
		      bert_error_detail());

	/* depth: d0 -> d1 -> ... -> d6, each a distinct file */
	for (i = 0; i < 7; i++) {
		snprintf(name, sizeof(name), "d%d.ini", i);
		snprintf(text, sizeof(text), "[profile]\ninclude = d%d.ini\n", i + 1);
		put(name, text);
	}
	put("d7.ini", MINIMAL);
	ck_assert_int_eq(profile_load_file(tpath("d0.ini"), &prof), BERT_ERR_CONFIG);
	ck_assert_msg(strstr(bert_error_detail(), "nested deeper than 4 levels"), "%s",
		      bert_error_detail());
	ck_assert_int_eq(profile_load_file(tpath("d3.ini"), &prof), BERT_OK);

	/* a directory is not a profile */
	put("dir.ini", "[profile]\ninclude = sub\n");
	ck_assert_int_eq(profile_load_file(tpath("dir.ini"), &prof), BERT_ERR_CONFIG);
	ck_assert_msg(strstr(bert_error_detail(), "not a regular file"), "%s",
		      bert_error_detail());
	rmtmp();
}
END_TEST

START_TEST(test_hash)
{
	static const char reordered[] =
		"; same limits, other order, comments and spacing\n"
		"[link]\nchannel_budget_db=3.5\nfiber_loss_db_per_km = 0.50\n"
		"[fec]\nber_threshold = 0.00024\ncode = RS(544,514)\n"
		"[application]\nmodulation = PAM4\nlane_rate_gbd = 53.125\nlanes = 8\n"
		"media_id = 28\nmedia_type = SMF\n"
		"[profile]\nname = other-name\ndescription = ignored by the hash\n";
	char h[PROFILE_HASH_MAX];
	char *c;

	ck_assert_int_eq(profile_load_string("a.ini", MINIMAL, &prof), BERT_OK);
	snprintf(h, sizeof(h), "%s", prof.hash);
	ck_assert_int_eq(profile_load_string("b.ini", reordered, &prof), BERT_OK);
	ck_assert_str_eq(prof.hash, h);
	ck_assert_int_eq(profile_load_string("c.ini", MINIMAL "[verdict]\nguard = strict\n",
					     &prof), BERT_OK);
	ck_assert_str_ne(prof.hash, h);
	ck_assert_int_eq(profile_load_string("d.ini", MINIMAL "[limit tx_oma]\nmin = -0.8\n",
					     &prof), BERT_OK);
	ck_assert_str_ne(prof.hash, h);
	c = profile_canonical(&prof);
	ck_assert(strstr(c, "limit.tx_oma.min=-0.80000000000000004\n"));
	ck_assert(strstr(c, "application.lanes=8\n"));
	free(c);
	/* the shipped file is stable across loads */
	load_ok("profiles/400gbase-dr4.ini", &prof);
	load_ok("profiles/400gbase-dr4.ini", &prof2);
	ck_assert_str_eq(prof.hash, prof2.hash);
}
END_TEST

START_TEST(test_find)
{
	char path[PROFILE_PATH_MAX];

	ck_assert_int_eq(chdir(test_path(".")), 0);
	ck_assert_int_eq(profile_find("400gbase-dr4", path, sizeof(path)), BERT_OK);
	ck_assert(strstr(path, "profiles/400gbase-dr4.ini"));
	ck_assert_int_eq(profile_load("dr4-factory", &prof), BERT_OK);
	ck_assert_int_eq(profile_find("some/dir/x.ini", path, sizeof(path)), BERT_OK);
	ck_assert_str_eq(path, "some/dir/x.ini");
	ck_assert_int_eq(profile_find("nonesuch", path, sizeof(path)), BERT_ERR_CONFIG);
	ck_assert(strstr(bert_error_detail(), "no profile 'nonesuch'"));
	ck_assert_int_eq(profile_find("..", path, sizeof(path)), BERT_ERR_CONFIG);
	mktmp();
	put("lab.ini", MINIMAL);
	setenv("BERT_PROFILE_PATH", tmpdir, 1);
	ck_assert_int_eq(profile_load("lab", &prof), BERT_OK);
	unsetenv("BERT_PROFILE_PATH");
	rmtmp();
}
END_TEST

START_TEST(test_allow_list)
{
	static const struct {
		const char *a, *b;
		int cmp;
	} v[] = {
		{ "1.10", "1.9", 1 }, { "2.0", "2", 0 }, { "2.0.1", "2.0", 1 },
		{ "1.0", "1.0", 0 }, { "0.9", "1.0", -1 }, { "3", "10", -1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++) {
		int c = profile_version_cmp(v[i].a, v[i].b);

		ck_assert_msg((c > 0) - (c < 0) == v[i].cmp, "%s vs %s: %d", v[i].a,
			      v[i].b, c);
	}
	load_ok("profiles/parts/example-sim-dr4.ini", &prof);
	ck_assert_uint_eq(prof.nfiles, 3);
	ck_assert_double_eq(hi(&prof, "module_power"), 10.0);
	ck_assert_double_eq(profile_required_margin(&prof), 2.0);
	ck_assert_int_eq(profile_check_identity(&prof, "BERT-SIM        ",
						"SIM-400G-DR4    ", "1.0"), BERT_OK);
	ck_assert_int_eq(profile_check_identity(&prof, "bert-sim", "SIM-400G-DR4-B", "1.2"),
			 BERT_OK);
	ck_assert_int_eq(profile_check_identity(&prof, "ACME", "SIM-400G-DR4", "1.0"),
			 BERT_ERR_UNSUPPORTED);
	ck_assert(strstr(bert_error_detail(), "vendor 'ACME'"));
	ck_assert_int_eq(profile_check_identity(&prof, "BERT-SIM", "SIM-100G", "1.0"),
			 BERT_ERR_UNSUPPORTED);
	ck_assert_int_eq(profile_check_identity(&prof, "BERT-SIM", "SIM-400G-DR4", "0.9"),
			 BERT_ERR_UNSUPPORTED);
	ck_assert(strstr(bert_error_detail(), "firmware '0.9' is older than 1.0"));
	load_ok("profiles/400gbase-dr4.ini", &prof);
	ck_assert_int_eq(profile_check_identity(&prof, "anyone", "any", ""), BERT_OK);
}
END_TEST

/* ---- the decision rule ---- */

#define G_M QUAL_GUARD_MARGINAL
#define G_S QUAL_GUARD_STRICT
#define G_0 QUAL_GUARD_SIMPLE
#define LIN QUAL_SCALE_LINEAR
#define LOG QUAL_SCALE_LOG10

static const struct {
	double v, u, lo, hi, m;
	enum qual_guard g;
	enum qual_scale s;
	enum qual_verdict want;
	const char *why;
} judge_cases[] = {
	/* OMAouter [-0.8, 4.2] */
	{ 1.0, NAN, -0.8, 4.2, 0, G_M, LIN, QUAL_PASS, "" },
	{ -0.8, NAN, -0.8, 4.2, 0, G_M, LIN, QUAL_PASS, "" },	/* inclusive */
	{ 4.2, 0, -0.8, 4.2, 0, G_M, LIN, QUAL_PASS, "" },
	{ -0.81, NAN, -0.8, 4.2, 0, G_M, LIN, QUAL_FAIL, "-0.81 dBm < min -0.8 dBm" },
	{ 4.3, NAN, -0.8, 4.2, 0, G_M, LIN, QUAL_FAIL, "4.3 dBm > max 4.2 dBm" },
	/* marginal band */
	{ -0.6, NAN, -0.8, 4.2, 0.3, G_M, LIN, QUAL_MARGINAL, "within 0.3 dBm of min" },
	{ -0.4, NAN, -0.8, 4.2, 0.3, G_M, LIN, QUAL_PASS, "" },
	{ 4.0, NAN, -0.8, 4.2, 0.3, G_M, LIN, QUAL_MARGINAL, "of max 4.2" },
	/* uncertainty, guard marginal: inside but within U -> marginal */
	{ -0.7, 0.2, -0.8, 4.2, 0, G_M, LIN, QUAL_MARGINAL, "within its uncertainty 0.2" },
	{ -0.5, 0.2, -0.8, 4.2, 0.3, G_M, LIN, QUAL_MARGINAL, "within 0.5 dBm of min" },
	{ -0.25, 0.2, -0.8, 4.2, 0.3, G_M, LIN, QUAL_PASS, "" },
	/* a value outside stays a fail whatever U says */
	{ -0.85, 0.2, -0.8, 4.2, 0, G_M, LIN, QUAL_FAIL, "< min" },
	/* strict: pass only when value +- U is inside */
	{ -0.7, 0.2, -0.8, 4.2, 0, G_S, LIN, QUAL_FAIL, "strict guard band" },
	{ -0.55, 0.2, -0.8, 4.2, 0.3, G_S, LIN, QUAL_MARGINAL, "within 0.5 dBm" },
	{ -0.2, 0.2, -0.8, 4.2, 0.3, G_S, LIN, QUAL_PASS, "" },
	{ -0.7, NAN, -0.8, 4.2, 0, G_S, LIN, QUAL_PASS, "" },	/* unknown U = 0 */
	/* simple: U ignored */
	{ -0.7, 0.2, -0.8, 4.2, 0, G_0, LIN, QUAL_PASS, "" },
	{ -0.7, 0.2, -0.8, 4.2, 0.15, G_0, LIN, QUAL_MARGINAL, "within 0.15" },
	{ -0.9, 0.2, -0.8, 4.2, 0, G_0, LIN, QUAL_FAIL, "< min" },
	/* one-sided limits (sensitivity: max only; margin: min only) */
	{ -5.0, NAN, NAN, -4.4, 0, G_M, LIN, QUAL_PASS, "" },
	{ -4.3, NAN, NAN, -4.4, 0, G_M, LIN, QUAL_FAIL, "> max -4.4" },
	{ 0.0, NAN, 0, NAN, 0, G_M, LIN, QUAL_PASS, "" },
	{ -0.01, NAN, 0, NAN, 0, G_M, LIN, QUAL_FAIL, "< min 0" },
	/* no limits: informational */
	{ 12.3, NAN, NAN, NAN, 0, G_M, LIN, QUAL_PASS, "" },
	{ NAN, NAN, NAN, NAN, 0, G_M, LIN, QUAL_ERROR, "not measured" },
	/* errors */
	{ NAN, 0.1, -0.8, 4.2, 0, G_M, LIN, QUAL_ERROR, "not measured" },
	{ 1.0, -0.1, -0.8, 4.2, 0, G_M, LIN, QUAL_ERROR, "negative uncertainty" },
	{ 1.0, NAN, 4.2, -0.8, 0, G_M, LIN, QUAL_ERROR, "bad limits" },
	{ 1.0, NAN, -0.8, 4.2, -1, G_M, LIN, QUAL_ERROR, "bad marginal band" },
	/* infinities are values: no light fails a min, never an error */
	{ -INFINITY, NAN, -2.9, 4.0, 0, G_M, LIN, QUAL_FAIL, "-inf dBm < min" },
	{ INFINITY, NAN, NAN, 12, 0, G_M, LIN, QUAL_FAIL, "> max" },
	/* BER on a log scale, band and U in decades */
	{ 1e-5, NAN, NAN, 2.4e-4, 0.3, G_M, LOG, QUAL_PASS, "" },
	{ 3e-4, NAN, NAN, 2.4e-4, 0.3, G_M, LOG, QUAL_FAIL, "> max 0.00024" },
	{ 1.5e-4, NAN, NAN, 2.4e-4, 0.3, G_M, LOG, QUAL_MARGINAL, "within 0.3 decades" },
	{ 1.1e-4, NAN, NAN, 2.4e-4, 0.3, G_M, LOG, QUAL_PASS, "" },
	{ 2.0e-4, 0.1, NAN, 2.4e-4, 0, G_S, LOG, QUAL_FAIL, "strict" },
	{ 0.0, NAN, NAN, 2.4e-4, 0.3, G_M, LOG, QUAL_PASS, "" },	/* no errors seen */
	{ -1e-9, NAN, NAN, 2.4e-4, 0, G_M, LOG, QUAL_ERROR, "log-scale" },
};

START_TEST(test_judge)
{
	char why[QUAL_MSG_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(judge_cases); i++) {
		struct qual_limits l = qual_limits_none();
		enum qual_verdict v;

		l.low = judge_cases[i].lo;
		l.high = judge_cases[i].hi;
		l.marginal = judge_cases[i].m;
		l.guard = judge_cases[i].g;
		l.scale = judge_cases[i].s;
		v = qual_judge(judge_cases[i].v, judge_cases[i].u, &l, "dBm", why,
			       sizeof(why));
		ck_assert_msg(v == judge_cases[i].want, "case %zu: %s, want %s (%s)", i,
			      qual_verdict_name(v), qual_verdict_name(judge_cases[i].want),
			      why);
		ck_assert_msg(strstr(why, judge_cases[i].why), "case %zu: '%s' lacks '%s'",
			      i, why, judge_cases[i].why);
		if (v == QUAL_PASS)
			ck_assert_str_eq(why, "");
	}
}
END_TEST

/* A no-light reading is the bound "below 0.1 uW" (bert/core/figure.h): a min
 * at or above it fails, a max at or above it is met, a limit below it cannot
 * be decided (ERROR, never PASS), no limits: informational. */
START_TEST(test_judge_below)
{
	static const struct {
		double lo, hi;
		enum qual_verdict want;
		const char *why;
	} c[] = {
		{ -6.0, NAN, QUAL_FAIL, "< -40 dBm < min -6 dBm" },
		{ -40.0, NAN, QUAL_FAIL, "< min -40" },		/* true < -40 <= min */
		{ -45.0, NAN, QUAL_ERROR, "cannot show min -45" },
		{ NAN, 5.0, QUAL_PASS, "" },
		{ NAN, -40.0, QUAL_PASS, "" },
		{ NAN, -45.0, QUAL_ERROR, "cannot show max -45" },
		{ -12.0, 5.0, QUAL_FAIL, "min -12" },
		{ NAN, NAN, QUAL_PASS, "" },
		{ 1.0, -1.0, QUAL_ERROR, "bad limits" },
	};
	char why[QUAL_MSG_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct qual_limits l = qual_limits_none();
		enum qual_verdict v;

		l.low = c[i].lo;
		l.high = c[i].hi;
		l.marginal = 0.5;	/* no band or guard moves a bound */
		l.guard = QUAL_GUARD_STRICT;
		v = qual_judge_below(BERT_FIG_NO_LIGHT_DBM, &l, "dBm", why, sizeof(why));
		ck_assert_msg(v == c[i].want, "case %zu: %s, want %s (%s)", i,
			      qual_verdict_name(v), qual_verdict_name(c[i].want), why);
		ck_assert_msg(strstr(why, c[i].why), "case %zu: '%s' lacks '%s'", i, why,
			      c[i].why);
	}
	ck_assert(bert_fig_dbm_no_light(-INFINITY));
	ck_assert(!bert_fig_dbm_no_light(-40.0));
	ck_assert(!bert_fig_dbm_no_light(NAN));
	ck_assert(!bert_fig_dbm_no_light(INFINITY));
}
END_TEST

START_TEST(test_aggregation)
{
	enum qual_verdict lv[5];
	struct qual_measurement m[6];
	struct qual_limits l = qual_limits_none();

	ck_assert_int_eq(qual_verdict_worst(QUAL_PASS, QUAL_MARGINAL), QUAL_MARGINAL);
	ck_assert_int_eq(qual_verdict_worst(QUAL_ERROR, QUAL_MARGINAL), QUAL_ERROR);
	ck_assert_int_eq(qual_verdict_worst(QUAL_ERROR, QUAL_FAIL), QUAL_FAIL);
	ck_assert_int_eq(qual_verdict_worst(QUAL_NONE, QUAL_PASS), QUAL_PASS);
	ck_assert_int_eq(qual_verdict_of(m, 0), QUAL_NONE);

	l.low = 0;
	l.marginal = 1;
	qual_measure(&m[0], "link_margin", 1, 3, "dB", &l, NAN, NULL);	/* pass */
	qual_measure(&m[1], "link_margin", 2, 0.5, "dB", &l, NAN, NULL);	/* marginal */
	qual_measure(&m[2], "link_margin", 3, -1, "dB", &l, NAN, NULL);	/* fail */
	qual_measure_error(&m[3], "link_margin", 4, "dB", &l, "no sweep");	/* error */
	qual_measure(&m[4], "module_power", 0, 7, "W", NULL, NAN, NULL);	/* pass */
	qual_measure(&m[5], "link_margin", 9, 3, "dB", &l, NAN, NULL);	/* lane 9 > 4 */
	ck_assert_int_eq(m[3].verdict, QUAL_ERROR);
	ck_assert_str_eq(m[3].message, "no sweep");
	ck_assert_int_eq(qual_verdict_of(m, 6), QUAL_FAIL);
	qual_verdict_by_lane(m, 6, 4, lv);
	ck_assert_int_eq(lv[0], QUAL_PASS);
	ck_assert_int_eq(lv[1], QUAL_PASS);
	ck_assert_int_eq(lv[2], QUAL_MARGINAL);
	ck_assert_int_eq(lv[3], QUAL_FAIL);
	ck_assert_int_eq(lv[4], QUAL_ERROR);
	/* breakout: four independent links */
	ck_assert_int_eq(qual_verdict_link(lv, 1, 1), QUAL_PASS);
	ck_assert_int_eq(qual_verdict_link(lv, 2, 1), QUAL_MARGINAL);
	ck_assert_int_eq(qual_verdict_link(lv, 3, 1), QUAL_FAIL);
	ck_assert_int_eq(qual_verdict_link(lv, 4, 1), QUAL_ERROR);
	/* one 4-lane link; 2 x 2 */
	ck_assert_int_eq(qual_verdict_link(lv, 1, 4), QUAL_FAIL);
	ck_assert_int_eq(qual_verdict_link(lv, 1, 2), QUAL_MARGINAL);
	ck_assert_int_eq(qual_verdict_link(lv, 2, 2), QUAL_FAIL);
	/* a module-level failure fails every link */
	lv[0] = QUAL_FAIL;
	ck_assert_int_eq(qual_verdict_link(lv, 1, 1), QUAL_FAIL);
}
END_TEST

/* ---- the record ---- */

START_TEST(test_record_verdicts)
{
	struct qual_record r;
	struct qual_step *s;
	struct qual_measurement m;
	enum qual_verdict lv[5];

	sample_record(&r);
	ck_assert_int_eq(r.status, QUAL_RUN_COMPLETE);
	ck_assert_int_eq(r.verdict, QUAL_FAIL);
	ck_assert_int_eq(r.steps[0]->verdict, QUAL_PASS);	/* nothing to judge */
	ck_assert_int_eq(r.steps[1]->verdict, QUAL_MARGINAL);
	ck_assert_int_eq(r.steps[2]->verdict, QUAL_FAIL);
	ck_assert_int_eq(r.steps[4]->verdict, QUAL_ERROR);
	ck_assert_int_eq(r.steps[5]->verdict, QUAL_NONE);	/* skipped */
	qual_record_lane_verdicts(&r, lv);
	ck_assert_int_eq(lv[0], QUAL_ERROR);
	ck_assert_int_eq(lv[1], QUAL_PASS);
	ck_assert_int_eq(lv[2], QUAL_MARGINAL);
	ck_assert_int_eq(lv[3], QUAL_FAIL);
	ck_assert_int_eq(lv[4], QUAL_FAIL);
	ck_assert_int_eq(strlen(r.uuid), 36);
	ck_assert(r.uuid[14] == '4');
	qual_record_free(&r);

	/* an aborted run that passed so far is an error, not a pass */
	qual_record_init(&r, "x");
	s = qual_record_step_begin(&r, "a", 0);
	qual_measure(&m, "module_power", 0, 7, "W", NULL, NAN, NULL);
	qual_step_add(s, &m);
	qual_step_end(s, QUAL_STEP_DONE, 10, NULL);
	s = qual_record_step_begin(&r, "b", 10);
	ck_assert_int_eq(qual_record_verdict(&r), QUAL_PASS);
	qual_step_end(s, QUAL_STEP_ABORTED, 20, "Ctrl-C");
	ck_assert_int_eq(s->verdict, QUAL_ERROR);
	qual_record_finish(&r, QUAL_RUN_ABORTED, 20, "interrupted");
	ck_assert_int_eq(r.verdict, QUAL_ERROR);
	qual_record_free(&r);
	/* ... and one that already failed stays failed */
	qual_record_init(&r, "x");
	s = qual_record_step_begin(&r, "a", 0);
	qual_measure_error(&m, "tx_oma", 1, "dBm", NULL, "x");
	m.verdict = QUAL_FAIL;
	qual_step_add(s, &m);
	qual_record_finish(&r, QUAL_RUN_ABORTED, 20, NULL);
	ck_assert_int_eq(r.verdict, QUAL_FAIL);
	qual_record_free(&r);
}
END_TEST

START_TEST(test_record_json_round_trip)
{
	struct qual_record r, back;
	json_t *a, *b, *lanes;
	json_error_t jerr;
	char *text;

	sample_record(&r);
	r.id = 42;
	a = qual_record_to_json(&r);
	text = json_dumps(a, JSON_REAL_PRECISION(17));
	ck_assert_ptr_nonnull(text);
	b = json_loads(text, 0, &jerr);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(qual_record_from_json(b, &back), BERT_OK);
	json_decref(b);
	b = qual_record_to_json(&back);
	ck_assert_msg(json_equal(a, b), "round trip differs");
	/* the details that are easy to lose */
	ck_assert_int_eq(back.id, 42);
	ck_assert_str_eq(back.dut.vendor, "A&B <Optics> \"Q\"\x01?");
	ck_assert_int_eq(back.nsteps, 6);
	ck_assert(isinf(back.steps[3]->m[3].value) && back.steps[3]->m[3].value < 0);
	ck_assert(isnan(back.steps[4]->m[1].value));
	ck_assert(isnan(back.steps[2]->m[0].uncertainty));
	ck_assert_int_eq(back.steps[2]->npts, 2);
	ck_assert_uint_eq(back.steps[2]->pts[0].errors, 3100000000ull);
	ck_assert(isinf(back.steps[2]->pts[1].power_dbm));
	ck_assert_int_eq(back.steps[2]->m[0].lim.scale, QUAL_SCALE_LOG10);
	ck_assert_int_eq(back.steps[5]->status, QUAL_STEP_SKIPPED);
	ck_assert_int_eq(back.wall_start, r.wall_start);
	lanes = json_object_get(a, "lanes");
	ck_assert_int_eq(json_array_size(lanes), 4);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(lanes, 2),
							   "verdict")), "fail");
	ck_assert_int_eq(json_array_size(json_object_get(a, "links")), 1);
	free(text);
	json_decref(a);
	json_decref(b);
	qual_record_free(&back);
	qual_record_free(&r);
}
END_TEST

START_TEST(test_record_json_bad)
{
	static const struct {
		const char *patch;	/* JSON object merged over a good record */
		int rc;
		const char *want;
	} cases[] = {
		{ "{\"kind\": \"other\"}", BERT_ERR_PROTOCOL, "kind" },
		{ "{\"schema\": 99}", BERT_ERR_UNSUPPORTED, "schema 99" },
		{ "{\"verdict\": \"great\"}", BERT_ERR_PROTOCOL, "verdict" },
		{ "{\"status\": 3}", BERT_ERR_PROTOCOL, "status: not a string" },
		{ "{\"steps\": 1}", BERT_ERR_PROTOCOL, "steps" },
		{ "{\"steps\": [{\"name\": \"x\", \"status\": \"done\", \"verdict\": \"pass\","
		  " \"measurements\": [{\"name\": \"a\", \"lane\": -1}]}]}",
		  BERT_ERR_PROTOCOL, "lane" },
		{ "{\"wall_start\": \"yesterday\"}", BERT_ERR_PROTOCOL, "wall_start" },
		{ "{\"dut\": {\"sn\": 5}}", BERT_ERR_PROTOCOL, "dut: sn" },
	};
	struct qual_record r, back;
	json_t *good, *j, *patch;
	size_t i;

	sample_record(&r);
	good = qual_record_to_json(&r);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc;

		j = json_deep_copy(good);
		patch = json_loads(cases[i].patch, 0, NULL);
		ck_assert_ptr_nonnull(patch);
		json_object_update(j, patch);
		rc = qual_record_from_json(j, &back);
		ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d", i, rc);
		ck_assert_msg(strstr(bert_error_detail(), cases[i].want),
			      "case %zu: '%s'", i, bert_error_detail());
		json_decref(patch);
		json_decref(j);
	}
	json_decref(good);
	qual_record_free(&r);
}
END_TEST

Suite *suite_qual(void)
{
	Suite *s = suite_create("qual");
	TCase *tc = tcase_create("profile");

	tcase_add_test(tc, test_shipped_profiles_load);
	tcase_add_test(tc, test_dr4_numbers);
	tcase_add_test(tc, test_factory_tightens);
	tcase_add_test(tc, test_breakout_and_fr4);
	tcase_add_test(tc, test_minimal_eight_lanes);
	tcase_add_test(tc, test_bad_profiles);
	tcase_add_test(tc, test_includes);
	tcase_add_test(tc, test_hash);
	tcase_add_test(tc, test_find);
	tcase_add_test(tc, test_allow_list);
	suite_add_tcase(s, tc);
	tc = tcase_create("measurement");
	tcase_add_test(tc, test_judge);
	tcase_add_test(tc, test_judge_below);
	tcase_add_test(tc, test_aggregation);
	suite_add_tcase(s, tc);
	tc = tcase_create("record");
	tcase_add_test(tc, test_record_verdicts);
	tcase_add_test(tc, test_record_json_round_trip);
	tcase_add_test(tc, test_record_json_bad);
	suite_add_tcase(s, tc);
	return s;
}
