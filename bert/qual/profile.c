// SPDX-License-Identifier: MIT
/* Spec-limit profile loader: INI through bert/core/ini.h, includes with loop
 * and depth checks, the canonical dump and its FNV-1a hash, lookup by name. */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "bert/core/ini.h"
#include "bert/qual/profile.h"

static const char *profile_modulation_name(enum profile_modulation m);

#ifndef BERT_DATADIR
#define BERT_DATADIR "/usr/local/share/bert"
#endif

enum section_bit {
	SEC_PROFILE = 1 << 0,
	SEC_APPLICATION = 1 << 1,
	SEC_FEC = 1 << 2,
	SEC_LINK = 1 << 3,
	SEC_RX = 1 << 4,
	SEC_VERDICT = 1 << 5,
	SEC_ALLOW = 1 << 6,
	SEC_LIMIT = 1 << 7,
};
#define SEC_REQUIRED (SEC_PROFILE | SEC_APPLICATION | SEC_FEC | SEC_LINK)

/* Shared by the top file and every include below it. */
struct load_root {
	struct profile *p;
	unsigned seen;				/* sections seen, any file */
	char stack[PROFILE_MAX_DEPTH + 1][PROFILE_PATH_MAX];	/* file chain */
	int depth;				/* index of the file being read */
};

struct load_ctx {
	struct load_root *root;
	char dir[PROFILE_PATH_MAX];		/* includes resolve here */
};

static void profile_defaults(struct profile *p)
{
	memset(p, 0, sizeof(*p));
	p->host_id = -1;
	p->lane_rate_gbd = NAN;
	p->wavelength_nm = NAN;
	p->reach_m = NAN;
	p->ber_threshold = NAN;
	p->flr_pmd = NAN;
	p->flr_phy = NAN;
	p->confidence = 0.95;
	p->fiber_loss_db_per_km = NAN;
	p->channel_budget_db = NAN;
	p->channel_il_db = NAN;
	p->connector_loss_db = NAN;
	p->rx_damage_dbm = NAN;
	p->guard = QUAL_GUARD_MARGINAL;
}

static void dir_of(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, size, ".");
	else if (slash == path)
		snprintf(dir, size, "/");
	else
		snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

static int set_str(char *dst, size_t size, const char *name, const char *value)
{
	if (strlen(value) >= size)
		return bert_fail(BERT_ERR_CONFIG, "%s: longer than %zu characters",
				 name, size - 1);
	memcpy(dst, value, strlen(value) + 1);
	return BERT_OK;
}

/* A number, or "none" / "" for an absent one when allow_none. */
static int num(const char *name, const char *value, double *out, double min,
	       double max, bool allow_none)
{
	int rc;

	if (allow_none && (!value[0] || !strcasecmp(value, "none"))) {
		*out = NAN;
		return BERT_OK;
	}
	rc = bert_ini_double(value, out, min, max);
	return rc ? bert_fail_ctx(rc, "%s", name) : BERT_OK;
}

static int whole(const char *name, const char *value, unsigned *out,
		 unsigned min, unsigned max)
{
	unsigned long v;
	int rc = bert_ini_uint(value, &v, max);

	if (rc)
		return bert_fail_ctx(rc, "%s", name);
	if (v < min)
		return bert_fail(BERT_ERR_CONFIG, "%s: %lu is below %u", name, v, min);
	*out = (unsigned)v;
	return BERT_OK;
}

static int load_text(struct load_root *root, const char *name, const char *text);

static int read_small_file(const char *path, char **out)
{
	struct stat st;
	FILE *f;
	char *buf;
	size_t n;

	if (stat(path, &st) != 0)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot open: %s", path,
				 strerror(errno));
	if (!S_ISREG(st.st_mode))
		return bert_fail(BERT_ERR_CONFIG, "%s: not a regular file", path);
	if (st.st_size > PROFILE_MAX_BYTES)
		return bert_fail(BERT_ERR_CONFIG, "%s: larger than %d bytes", path,
				 PROFILE_MAX_BYTES);
	f = fopen(path, "r");
	if (!f)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot open: %s", path,
				 strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return bert_fail(BERT_ERR_NOMEM, "%s: out of memory", path);
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	return BERT_OK;
}

static int do_include(struct load_ctx *ctx, const char *value)
{
	struct load_root *root = ctx->root;
	char path[PROFILE_PATH_MAX], real[PATH_MAX];
	char *text = NULL;
	int i, rc, n;

	if (!value[0])
		return bert_fail(BERT_ERR_CONFIG, "include: empty file name");
	if (value[0] == '/')
		n = snprintf(path, sizeof(path), "%s", value);
	else
		n = snprintf(path, sizeof(path), "%s/%s", ctx->dir, value);
	if (n < 0 || (size_t)n >= sizeof(path))
		return bert_fail(BERT_ERR_CONFIG, "include: path too long");
	if (!realpath(path, real))
		return bert_fail(BERT_ERR_CONFIG, "include %s: %s", path, strerror(errno));
	for (i = 0; i <= root->depth; i++)
		if (!strcmp(root->stack[i], real))
			return bert_fail(BERT_ERR_CONFIG, "include loop: %s is already "
					 "being read", value);
	if (root->depth >= PROFILE_MAX_DEPTH)
		return bert_fail(BERT_ERR_CONFIG, "include %s: nested deeper than %d "
				 "levels", value, PROFILE_MAX_DEPTH);
	if (root->p->nfiles >= PROFILE_MAX_FILES)
		return bert_fail(BERT_ERR_CONFIG, "include %s: more than %d files",
				 value, PROFILE_MAX_FILES);
	rc = read_small_file(path, &text);
	if (rc)
		return bert_fail_ctx(rc, "include");
	if (strlen(real) >= PROFILE_PATH_MAX) {
		free(text);
		return bert_fail(BERT_ERR_CONFIG, "include: path too long");
	}
	root->depth++;
	snprintf(root->stack[root->depth], PROFILE_PATH_MAX, "%s", real);
	rc = load_text(root, path, text);
	root->depth--;
	free(text);
	return rc ? bert_fail_ctx(rc, "in %s", value) : BERT_OK;
}

static int sec_profile(struct load_ctx *ctx, const char *name, const char *value)
{
	struct profile *p = ctx->root->p;

	if (!strcmp(name, "include"))
		return do_include(ctx, value);
	if (!strcmp(name, "name")) {
		if (!value[0])
			return bert_fail(BERT_ERR_CONFIG, "name: empty");
		return set_str(p->name, sizeof(p->name), name, value);
	}
	if (!strcmp(name, "description"))
		return set_str(p->description, sizeof(p->description), name, value);
	if (!strcmp(name, "standard"))
		return set_str(p->standard, sizeof(p->standard), name, value);
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [profile]", name);
}

static int sec_application(struct profile *p, const char *name, const char *value)
{
	unsigned u;
	int rc;

	if (!strcmp(name, "media_type")) {
		static const char *const names[] = { "mmf", "smf", "copper", "active" };
		for (u = 0; u < 4; u++)
			if (!strcasecmp(value, names[u])) {
				p->media_type = (enum profile_media)(u + 1);
				return BERT_OK;
			}
		return bert_fail(BERT_ERR_CONFIG, "media_type: '%s' is not smf, mmf, "
				 "copper or active", value);
	}
	if (!strcmp(name, "media_id")) {
		rc = whole(name, value, &u, 1, 0xff);
		p->media_id = u;
		return rc;
	}
	if (!strcmp(name, "host_id")) {
		if (!strcasecmp(value, "any")) {
			p->host_id = -1;
			return BERT_OK;
		}
		rc = whole(name, value, &u, 1, 0xff);
		p->host_id = (int)u;
		return rc;
	}
	if (!strcmp(name, "lanes"))
		return whole(name, value, &p->lanes, 1, PROFILE_MAX_LANES);
	if (!strcmp(name, "lanes_per_link"))
		return whole(name, value, &p->lanes_per_link, 1, PROFILE_MAX_LANES);
	if (!strcmp(name, "lane_rate_gbd"))
		return num(name, value, &p->lane_rate_gbd, 0.1, 1000, false);
	if (!strcmp(name, "modulation")) {
		if (!strcasecmp(value, "pam4"))
			p->modulation = PROFILE_PAM4;
		else if (!strcasecmp(value, "nrz"))
			p->modulation = PROFILE_NRZ;
		else
			return bert_fail(BERT_ERR_CONFIG, "modulation: '%s' is not "
					 "pam4 or nrz", value);
		return BERT_OK;
	}
	if (!strcmp(name, "wavelength_nm"))
		return num(name, value, &p->wavelength_nm, 600, 1700, true);
	if (!strcmp(name, "reach_m"))
		return num(name, value, &p->reach_m, 0, 1e6, true);
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [application]", name);
}

static int sec_fec(struct profile *p, const char *name, const char *value)
{
	if (!strcmp(name, "code")) {
		unsigned n, k;
		int used = 0;

		if (sscanf(value, "RS(%u,%u)%n", &n, &k, &used) != 2 ||
		    value[used] != '\0' || n > 1023 || k == 0 || k >= n ||
		    (n - k) % 2)
			return bert_fail(BERT_ERR_CONFIG, "code: '%s' is not RS(n,k) "
					 "with k < n <= 1023 and n-k even", value);
		p->fec_n = n;
		p->fec_k = k;
		p->fec_t = (n - k) / 2;
		return BERT_OK;
	}
	if (!strcmp(name, "ber_threshold"))
		return num(name, value, &p->ber_threshold, 1e-18, 0.5, false);
	if (!strcmp(name, "flr_pmd"))
		return num(name, value, &p->flr_pmd, 1e-30, 1, true);
	if (!strcmp(name, "flr_phy"))
		return num(name, value, &p->flr_phy, 1e-30, 1, true);
	if (!strcmp(name, "confidence"))
		return num(name, value, &p->confidence, 0.5, 0.999999, false);
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [fec]", name);
}

static int sec_link(struct profile *p, const char *name, const char *value)
{
	if (!strcmp(name, "fiber_loss_db_per_km"))
		return num(name, value, &p->fiber_loss_db_per_km, 0, 100, false);
	if (!strcmp(name, "channel_budget_db"))
		return num(name, value, &p->channel_budget_db, 0, 60, false);
	if (!strcmp(name, "channel_il_db"))
		return num(name, value, &p->channel_il_db, 0, 60, true);
	if (!strcmp(name, "connector_loss_db"))
		return num(name, value, &p->connector_loss_db, 0, 10, true);
	if (!strcmp(name, "channel_il_verdict")) {
		enum qual_verdict v;

		if (qual_verdict_parse(value, &v) || (v != QUAL_PASS && v != QUAL_MARGINAL &&
						      v != QUAL_FAIL)) {
			bert_error_clear();
			return bert_fail(BERT_ERR_CONFIG, "channel_il_verdict: '%s' is not "
					 "pass, marginal or fail", value);
		}
		p->channel_il_verdict = v;
		return BERT_OK;
	}
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [link]", name);
}

static int sec_rx(struct profile *p, const char *name, const char *value)
{
	if (!strcmp(name, "damage_dbm"))
		return num(name, value, &p->rx_damage_dbm, -40, 40, true);
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [rx]", name);
}

static int sec_verdict(struct profile *p, const char *name, const char *value)
{
	if (!strcmp(name, "guard")) {
		int rc = qual_guard_parse(value, &p->guard);

		return rc ? bert_fail_ctx(rc, "guard") : BERT_OK;
	}
	if (!strcmp(name, "stop_on_fail")) {
		int rc = bert_ini_bool(value, &p->stop_on_fail);

		return rc ? bert_fail_ctx(rc, "stop_on_fail") : BERT_OK;
	}
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [verdict]", name);
}

static int sec_allow(struct profile *p, const char *name, const char *value)
{
	char (*list)[PROFILE_STR_MAX];
	size_t *n;

	if (!strcmp(name, "min_firmware")) {
		if (value[0] && !strchr("0123456789", value[0]))
			return bert_fail(BERT_ERR_CONFIG, "min_firmware: '%s' does not "
					 "start with a digit", value);
		return set_str(p->min_firmware, sizeof(p->min_firmware), name, value);
	}
	if (!strcmp(name, "vendor")) {
		list = p->allow_vendor;
		n = &p->nallow_vendor;
	} else if (!strcmp(name, "pn")) {
		list = p->allow_pn;
		n = &p->nallow_pn;
	} else {
		return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [allow]", name);
	}
	if (!value[0])
		return bert_fail(BERT_ERR_CONFIG, "%s: empty", name);
	if (*n >= PROFILE_MAX_ALLOW)
		return bert_fail(BERT_ERR_CONFIG, "%s: more than %d entries", name,
				 PROFILE_MAX_ALLOW);
	if (set_str(list[*n], PROFILE_STR_MAX, name, value))
		return BERT_ERR_CONFIG;
	(*n)++;
	return BERT_OK;
}

static struct profile_limit *limit_slot(struct profile *p, const char *qname)
{
	const struct qual_quantity *q = qual_quantity_find(qname);
	size_t i;

	if (!q) {
		bert_fail(BERT_ERR_CONFIG, "[limit %s]: no such quantity (see "
			  "profiles/README.md for the list)", qname);
		return NULL;
	}
	for (i = 0; i < p->nlimits; i++)
		if (p->limits[i].q == q)
			return &p->limits[i];
	if (p->nlimits >= PROFILE_MAX_LIMITS) {
		bert_fail(BERT_ERR_CONFIG, "more than %d limits", PROFILE_MAX_LIMITS);
		return NULL;
	}
	p->limits[p->nlimits].q = q;
	p->limits[p->nlimits].lim = qual_limits_none();
	p->limits[p->nlimits].lim.scale = q->scale;
	return &p->limits[p->nlimits++];
}

static int sec_limit(struct profile *p, const char *qname, const char *name,
		     const char *value)
{
	struct profile_limit *l = limit_slot(p, qname);
	const double lim = 1e6;

	if (!l)
		return BERT_ERR_CONFIG;
	if (!strcmp(name, "min"))
		return num(name, value, &l->lim.low, -lim, lim, true);
	if (!strcmp(name, "max"))
		return num(name, value, &l->lim.high, -lim, lim, true);
	if (!strcmp(name, "marginal"))
		return num(name, value, &l->lim.marginal, 0, 1e6, false);
	if (!strcmp(name, "guard")) {
		int rc = qual_guard_parse(value, &l->lim.guard);

		if (rc)
			return bert_fail_ctx(rc, "guard");
		l->guard_set = true;
		return BERT_OK;
	}
	if (!strcmp(name, "unit")) {
		if (strcmp(value, l->q->unit))
			return bert_fail(BERT_ERR_CONFIG, "unit: %s is measured in '%s', "
					 "not '%s'", l->q->name, l->q->unit, value);
		return BERT_OK;
	}
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [limit %s]", name,
			 qname);
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct load_ctx *ctx = user;
	struct load_root *root = ctx->root;
	struct profile *p = root->p;

	if (!strcmp(section, "profile")) {
		root->seen |= SEC_PROFILE;
		return sec_profile(ctx, name, value);
	}
	if (!strcmp(section, "application")) {
		root->seen |= SEC_APPLICATION;
		return sec_application(p, name, value);
	}
	if (!strcmp(section, "fec")) {
		root->seen |= SEC_FEC;
		return sec_fec(p, name, value);
	}
	if (!strcmp(section, "link")) {
		root->seen |= SEC_LINK;
		return sec_link(p, name, value);
	}
	if (!strcmp(section, "rx")) {
		root->seen |= SEC_RX;
		return sec_rx(p, name, value);
	}
	if (!strcmp(section, "verdict")) {
		root->seen |= SEC_VERDICT;
		return sec_verdict(p, name, value);
	}
	if (!strcmp(section, "allow")) {
		root->seen |= SEC_ALLOW;
		return sec_allow(p, name, value);
	}
	if (!strncmp(section, "limit ", 6)) {
		root->seen |= SEC_LIMIT;
		return sec_limit(p, section + 6, name, value);
	}
	if (!section[0])
		return bert_fail(BERT_ERR_CONFIG, "key '%s' before any section", name);
	return bert_fail(BERT_ERR_CONFIG, "unknown section [%s]", section);
}

static int load_text(struct load_root *root, const char *name, const char *text)
{
	struct load_ctx ctx = { .root = root };
	struct profile *p = root->p;

	if (p->nfiles >= PROFILE_MAX_FILES)
		return bert_fail(BERT_ERR_CONFIG, "%s: more than %d files", name,
				 PROFILE_MAX_FILES);
	snprintf(p->files[p->nfiles++], PROFILE_PATH_MAX, "%s", name);
	dir_of(name, ctx.dir, sizeof(ctx.dir));
	return bert_ini_parse_string(name, text, handler, &ctx);
}

static unsigned count_lines(const char *text)
{
	unsigned n = 1;

	for (; *text; text++)
		if (*text == '\n' && text[1])
			n++;
	return n;
}

/* Checks that need the whole profile; reported at the end of the top file. */
static int finish(struct load_root *root, const char *name, const char *text)
{
	static const struct {
		unsigned bit;
		const char *name;
	} req[] = {
		{ SEC_PROFILE, "profile" }, { SEC_APPLICATION, "application" },
		{ SEC_FEC, "fec" }, { SEC_LINK, "link" },
	};
	struct profile *p = root->p;
	unsigned line = count_lines(text);
	const char *missing = NULL;
	char *canon;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(req); i++)
		if (!(root->seen & req[i].bit))
			return bert_fail(BERT_ERR_CONFIG, "%s:%u: missing section [%s]",
					 name, line, req[i].name);
	if (!p->name[0])
		missing = "[profile] name";
	else if (!p->media_type)
		missing = "[application] media_type";
	else if (!p->media_id)
		missing = "[application] media_id";
	else if (!p->lanes)
		missing = "[application] lanes";
	else if (isnan(p->lane_rate_gbd))
		missing = "[application] lane_rate_gbd";
	else if (!p->modulation)
		missing = "[application] modulation";
	else if (!p->fec_n)
		missing = "[fec] code";
	else if (isnan(p->ber_threshold))
		missing = "[fec] ber_threshold";
	else if (isnan(p->fiber_loss_db_per_km))
		missing = "[link] fiber_loss_db_per_km";
	else if (isnan(p->channel_budget_db))
		missing = "[link] channel_budget_db";
	if (missing)
		return bert_fail(BERT_ERR_CONFIG, "%s:%u: missing key %s", name, line,
				 missing);
	if (!p->lanes_per_link)
		p->lanes_per_link = p->lanes;
	if (p->lanes % p->lanes_per_link)
		return bert_fail(BERT_ERR_CONFIG, "%s:%u: [application] lanes %u is "
				 "not a multiple of lanes_per_link %u", name, line,
				 p->lanes, p->lanes_per_link);
	for (i = 0; i < p->nlimits; i++) {
		struct profile_limit *l = &p->limits[i];

		if (!l->guard_set)
			l->lim.guard = p->guard;
		if (!isnan(l->lim.low) && !isnan(l->lim.high) && l->lim.low > l->lim.high)
			return bert_fail(BERT_ERR_CONFIG, "%s:%u: [limit %s] min %g > "
					 "max %g", name, line, l->q->name, l->lim.low,
					 l->lim.high);
		if (l->q->scale == QUAL_SCALE_LOG10 &&
		    ((!isnan(l->lim.low) && l->lim.low <= 0) ||
		     (!isnan(l->lim.high) && l->lim.high <= 0)))
			return bert_fail(BERT_ERR_CONFIG, "%s:%u: [limit %s] is a ratio "
					 "judged in decades: limits must be > 0", name,
					 line, l->q->name);
	}
	canon = profile_canonical(p);
	if (!canon)
		return bert_fail(BERT_ERR_NOMEM, "%s: out of memory", name);
	for (i = 0; canon[i]; i++) {
		h ^= (unsigned char)canon[i];
		h *= 0x100000001b3ull;
	}
	free(canon);
	snprintf(p->hash, sizeof(p->hash), "fnv1a64:%016llx", (unsigned long long)h);
	return BERT_OK;
}

static int load_top(const char *name, const char *real, const char *text,
		    struct profile *p)
{
	struct load_root root = { .p = p };
	int rc;

	profile_defaults(p);
	snprintf(root.stack[0], PROFILE_PATH_MAX, "%s", real);
	rc = load_text(&root, name, text);
	if (rc == BERT_OK)
		rc = finish(&root, name, text);
	return rc;
}

int profile_load_string(const char *name, const char *text, struct profile *p)
{
	if (!name || !text || !p)
		return bert_fail(BERT_ERR_ARG, "profile_load_string: NULL argument");
	return load_top(name, name, text, p);
}

int profile_load_file(const char *path, struct profile *p)
{
	char real[PATH_MAX];
	char *text = NULL;
	int rc;

	if (!path || !p)
		return bert_fail(BERT_ERR_ARG, "profile_load_file: NULL argument");
	if (strlen(path) >= PROFILE_PATH_MAX)
		return bert_fail(BERT_ERR_CONFIG, "%.64s...: path too long", path);
	rc = read_small_file(path, &text);
	if (rc)
		return rc;
	if (!realpath(path, real) || strlen(real) >= PROFILE_PATH_MAX)
		snprintf(real, sizeof(real), "%s", path);
	rc = load_top(path, real, text, p);
	free(text);
	if (rc == BERT_OK)
		snprintf(p->path, sizeof(p->path), "%s", path);
	return rc;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool try_dir(const char *dir, const char *name, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%s.ini", dir, name);

	return n > 0 && (size_t)n < size && is_file(out);
}

int profile_find(const char *name, char *out, size_t size)
{
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	const char *env = getenv("BERT_PROFILE_PATH");
	size_t len;
	ssize_t n;
	int up;

	if (!name || !name[0])
		return bert_fail(BERT_ERR_CONFIG, "no profile named");
	len = strlen(name);
	if (strchr(name, '/') || (len > 4 && !strcmp(name + len - 4, ".ini"))) {
		if ((size_t)snprintf(out, size, "%s", name) >= size)
			return bert_fail(BERT_ERR_CONFIG, "profile path too long");
		return BERT_OK;
	}
	if (len > 64 || name[0] == '.')
		return bert_fail(BERT_ERR_CONFIG, "'%s' is not a profile name", name);
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t dl = colon ? (size_t)(colon - env) : strlen(env);

		snprintf(dir, sizeof(dir), "%.*s", (int)dl, env);
		if (dl && try_dir(dir, name, out, size))
			return BERT_OK;
		env = colon ? colon + 1 : NULL;
	}
	if (try_dir("profiles", name, out, size))
		return BERT_OK;
	/* next to the program: build/bert, build/san/bert (source tree) or
	 * PREFIX/bin/bert (install tree) */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');

			if (!slash || slash == exe)
				break;
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s/profiles", exe);
			if (try_dir(dir, name, out, size))
				return BERT_OK;
			snprintf(dir, sizeof(dir), "%s/share/bert/profiles", exe);
			if (try_dir(dir, name, out, size))
				return BERT_OK;
		}
	}
	if (try_dir(BERT_DATADIR "/profiles", name, out, size))
		return BERT_OK;
	return bert_fail(BERT_ERR_CONFIG, "no profile '%s' (searched "
			 "$BERT_PROFILE_PATH, ./profiles, the tree next to the "
			 "program and %s/profiles)", name, BERT_DATADIR);
}

int profile_load(const char *name_or_path, struct profile *p)
{
	char path[PROFILE_PATH_MAX];
	int rc = profile_find(name_or_path, path, sizeof(path));

	return rc ? rc : profile_load_file(path, p);
}

const struct profile_limit *profile_limit(const struct profile *p,
					  const char *name)
{
	size_t i;

	for (i = 0; i < p->nlimits; i++)
		if (!strcmp(p->limits[i].q->name, name))
			return &p->limits[i];
	return NULL;
}

struct qual_limits profile_limits_for(const struct profile *p, const char *name)
{
	const struct profile_limit *l = profile_limit(p, name);
	const struct qual_quantity *q;
	struct qual_limits none = qual_limits_none();

	if (l)
		return l->lim;
	q = qual_quantity_find(name);
	if (q)
		none.scale = q->scale;
	none.guard = p->guard;
	return none;
}

unsigned profile_links(const struct profile *p)
{
	return p->lanes_per_link ? p->lanes / p->lanes_per_link : 0;
}

double profile_required_margin(const struct profile *p)
{
	const struct profile_limit *l = profile_limit(p, "link_margin");

	return l && !isnan(l->lim.low) ? l->lim.low : 0.0;
}

static void trim(const char *s, char *out, size_t size)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	snprintf(out, size, "%s", s);
	n = strlen(out);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
}

int profile_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		char *ea, *eb;
		unsigned long va = strtoul(a, &ea, 10), vb = strtoul(b, &eb, 10);

		if (va != vb)
			return va < vb ? -1 : 1;
		if (ea == a && eb == b) {	/* neither numeric: compare text */
			size_t la = strcspn(a, "."), lb = strcspn(b, ".");
			int c = strncmp(a, b, la < lb ? la : lb);

			if (c)
				return c;
			if (la != lb)
				return la < lb ? -1 : 1;
			ea = (char *)a + la;
			eb = (char *)b + lb;
		}
		a = ea;
		b = eb;
		/* skip to the next component on each side */
		while (*a && *a != '.')
			a++;
		while (*b && *b != '.')
			b++;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

int profile_check_identity(const struct profile *p, const char *vendor,
			   const char *pn, const char *firmware)
{
	char v[PROFILE_STR_MAX], n[PROFILE_STR_MAX], a[PROFILE_STR_MAX];
	size_t i;
	bool ok;

	trim(vendor ? vendor : "", v, sizeof(v));
	trim(pn ? pn : "", n, sizeof(n));
	if (p->nallow_vendor) {
		for (ok = false, i = 0; i < p->nallow_vendor && !ok; i++) {
			trim(p->allow_vendor[i], a, sizeof(a));
			ok = !strcasecmp(a, v);
		}
		if (!ok)
			return bert_fail(BERT_ERR_UNSUPPORTED, "vendor '%s' is not in "
					 "the allow-list of profile %s", v, p->name);
	}
	if (p->nallow_pn) {
		for (ok = false, i = 0; i < p->nallow_pn && !ok; i++)
			ok = fnmatch(p->allow_pn[i], n, 0) == 0;
		if (!ok)
			return bert_fail(BERT_ERR_UNSUPPORTED, "part number '%s' is not "
					 "in the allow-list of profile %s", n, p->name);
	}
	if (p->min_firmware[0]) {
		trim(firmware ? firmware : "", a, sizeof(a));
		if (!a[0] || profile_version_cmp(a, p->min_firmware) < 0)
			return bert_fail(BERT_ERR_UNSUPPORTED, "firmware '%s' is older "
					 "than %s (profile %s)", a, p->min_firmware, p->name);
	}
	return BERT_OK;
}

struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < b->cap - b->n) {
			b->n += (size_t)n;
			return;
		}
		char *ns = realloc(b->s, b->cap * 2 + (size_t)n);

		if (!ns) {
			b->oom = true;
			return;
		}
		b->s = ns;
		b->cap = b->cap * 2 + (size_t)n;
	}
}

static void sb_num(struct sbuf *b, const char *key, double v)
{
	if (isnan(v))
		sb_add(b, "%s=none\n", key);
	else
		sb_add(b, "%s=%.17g\n", key, v);
}

static int cmp_limit(const void *a, const void *b)
{
	const struct profile_limit *x = a, *y = b;

	return strcmp(x->q->name, y->q->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

char *profile_canonical(const struct profile *p)
{
	struct sbuf b = { .cap = 1024 };
	struct profile_limit lim[PROFILE_MAX_LIMITS];
	char list[PROFILE_MAX_ALLOW][PROFILE_STR_MAX];
	char key[96];
	size_t i;

	b.s = malloc(b.cap);
	if (!b.s)
		return NULL;
	b.s[0] = '\0';
	sb_add(&b, "canonical=1\n");
	sb_add(&b, "application.media_type=%s\n", profile_media_name(p->media_type));
	sb_add(&b, "application.media_id=0x%02x\n", p->media_id);
	sb_add(&b, "application.host_id=%d\n", p->host_id);
	sb_add(&b, "application.lanes=%u\n", p->lanes);
	sb_add(&b, "application.lanes_per_link=%u\n", p->lanes_per_link);
	sb_num(&b, "application.lane_rate_gbd", p->lane_rate_gbd);
	sb_add(&b, "application.modulation=%s\n", profile_modulation_name(p->modulation));
	sb_num(&b, "application.wavelength_nm", p->wavelength_nm);
	sb_num(&b, "application.reach_m", p->reach_m);
	sb_add(&b, "fec.code=RS(%u,%u)\n", p->fec_n, p->fec_k);
	sb_num(&b, "fec.ber_threshold", p->ber_threshold);
	sb_num(&b, "fec.flr_pmd", p->flr_pmd);
	sb_num(&b, "fec.flr_phy", p->flr_phy);
	sb_num(&b, "fec.confidence", p->confidence);
	sb_num(&b, "link.fiber_loss_db_per_km", p->fiber_loss_db_per_km);
	sb_num(&b, "link.channel_budget_db", p->channel_budget_db);
	sb_num(&b, "link.channel_il_db", p->channel_il_db);
	sb_num(&b, "link.connector_loss_db", p->connector_loss_db);
	if (p->channel_il_verdict != QUAL_NONE)
		sb_add(&b, "link.channel_il_verdict=%s\n",
		       qual_verdict_name(p->channel_il_verdict));
	sb_num(&b, "rx.damage_dbm", p->rx_damage_dbm);
	sb_add(&b, "verdict.guard=%s\n", qual_guard_name(p->guard));
	sb_add(&b, "verdict.stop_on_fail=%d\n", p->stop_on_fail);
	memcpy(lim, p->limits, p->nlimits * sizeof(lim[0]));
	qsort(lim, p->nlimits, sizeof(lim[0]), cmp_limit);
	for (i = 0; i < p->nlimits; i++) {
		const char *n = lim[i].q->name;

		snprintf(key, sizeof(key), "limit.%s.min", n);
		sb_num(&b, key, lim[i].lim.low);
		snprintf(key, sizeof(key), "limit.%s.max", n);
		sb_num(&b, key, lim[i].lim.high);
		snprintf(key, sizeof(key), "limit.%s.marginal", n);
		sb_num(&b, key, lim[i].lim.marginal);
		sb_add(&b, "limit.%s.guard=%s\n", n, qual_guard_name(lim[i].lim.guard));
	}
	memcpy(list, p->allow_vendor, p->nallow_vendor * sizeof(list[0]));
	qsort(list, p->nallow_vendor, sizeof(list[0]), cmp_str);
	for (i = 0; i < p->nallow_vendor; i++)
		sb_add(&b, "allow.vendor=%s\n", list[i]);
	memcpy(list, p->allow_pn, p->nallow_pn * sizeof(list[0]));
	qsort(list, p->nallow_pn, sizeof(list[0]), cmp_str);
	for (i = 0; i < p->nallow_pn; i++)
		sb_add(&b, "allow.pn=%s\n", list[i]);
	sb_add(&b, "allow.min_firmware=%s\n", p->min_firmware);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

const char *profile_media_name(enum profile_media m)
{
	switch (m) {
	case PROFILE_MEDIA_MMF: return "mmf";
	case PROFILE_MEDIA_SMF: return "smf";
	case PROFILE_MEDIA_COPPER: return "copper";
	case PROFILE_MEDIA_ACTIVE: return "active";
	}
	return "?";
}

static const char *profile_modulation_name(enum profile_modulation m)
{
	switch (m) {
	case PROFILE_NRZ: return "nrz";
	case PROFILE_PAM4: return "pam4";
	}
	return "?";
}
