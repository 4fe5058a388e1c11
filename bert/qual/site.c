// SPDX-License-Identifier: MIT
/* Stations and sites: the [station] and [site N] sections of station.ini
 * (bert/qual/STATION.md), the default station of the virtual bench, and a
 * site opened for a run. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bert/core/error.h"
#include "bert/core/ini.h"
#include "bert/qual/engine.h"
#include "bert/qual/site.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/fixture.h"
#include "instruments/opm.h"
#include "instruments/osw.h"
#include "instruments/scpi_sim.h"
#include "instruments/voa.h"

static int qual_site_open_pool(const struct qual_station *st, const struct qual_site *site,
			       const char *fixture_uri, struct qual_site_io *io,
			       const struct qual_arbiter *arb, struct instr_pool *pool);

/* The default bench's patch cord: 2 m at 0.5 dB/km and two connections of
 * 0.3 dB (fixtures/sim/benches/default.ini). */
#define DEFAULT_PATCH_LOSS_DB	(0.002 * 0.5 + 2 * 0.3)
#define DEFAULT_TAP_RATIO	0.05
#define DEFAULT_ER_DB		4.5
#define DEFAULT_METER_AVG_S	0.1
#define DEFAULT_WAVELENGTH_NM	1311.0

double qual_oma_offset_db(double er_db)
{
	double er;

	if (!(er_db > 0))
		return NAN;
	er = pow(10, er_db / 10);
	return 10 * log10(2 * (er - 1) / (er + 1));
}

double qual_oma_offset_u_db(double er_db, double er_u_db)
{
	double o = qual_oma_offset_db(er_db), lo, hi, lo_er;

	if (isnan(o) || !(er_u_db >= 0))
		return NAN;
	/* below 0.01 dB of ER the conversion has no meaning (OMA -> 0) */
	lo_er = er_db - er_u_db > 0.01 ? er_db - er_u_db : 0.01;
	lo = o - qual_oma_offset_db(lo_er);
	hi = qual_oma_offset_db(er_db + er_u_db) - o;
	return (lo > hi ? lo : hi) / 2;
}

struct qual_er qual_site_er(const struct qual_site *s, unsigned lane)
{
	struct qual_er e = { NAN, NAN, false };

	if (!s)
		return e;
	e.calibrated = s->stimulus_er_calibrated;
	e.er_db = s->stimulus_er_db;
	e.u_db = s->stimulus_er_u_db;
	if (lane >= 1 && lane <= QUAL_SITE_LANES) {
		if (isfinite(s->lane[lane].er_db))
			e.er_db = s->lane[lane].er_db;
		if (isfinite(s->lane[lane].er_u_db))
			e.u_db = s->lane[lane].er_u_db;
	}
	if (isnan(e.u_db) && !e.calibrated)
		e.u_db = QUAL_ER_ASSUMED_U_DB;
	return e;
}

const char *qual_er_describe(const struct qual_er *e, char *buf, size_t size)
{
	if (isnan(e->er_db))
		snprintf(buf, size, "no stimulus ER");
	else
		snprintf(buf, size, "ER %s %.2f dB, U %.2f dB (k = 2)",
			 e->calibrated ? "from calibration" : "assumed", e->er_db, e->u_db);
	return buf;
}

static void site_defaults(struct qual_site *s, unsigned n)
{
	unsigned l;

	memset(s, 0, sizeof(*s));
	s->index = n;
	snprintf(s->name, sizeof(s->name), "site %u", n);
	s->switch_out = 1;
	s->tap_ratio = NAN;
	s->tap_loss_db = NAN;
	s->through_loss_db = NAN;
	s->patch_loss_db = 0;
	s->voa_loss_db = 0;
	s->stimulus_er_db = NAN;
	s->stimulus_er_u_db = NAN;
	for (l = 0; l <= QUAL_SITE_LANES; l++)
		s->lane[l].er_db = s->lane[l].er_u_db = NAN;
	s->meter_avg_s = DEFAULT_METER_AVG_S;
	s->wavelength_nm = DEFAULT_WAVELENGTH_NM;
}

/* Derived calibrations once every key is read. */
static void site_finish(struct qual_site *s)
{
	if (isnan(s->tap_ratio))
		s->tap_ratio = 0;
	if (isnan(s->tap_loss_db))
		s->tap_loss_db = s->tap_ratio > 0 ? -10 * log10(s->tap_ratio) : NAN;
	if (isnan(s->through_loss_db))
		s->through_loss_db = s->tap_ratio > 0 ? -10 * log10(1 - s->tap_ratio) : 0;
}

/* A calibrated ER states its uncertainty, on every lane that has an ER. */
static int site_check_er(const char *path, const struct qual_site *s)
{
	unsigned lane;

	for (lane = 1; lane <= QUAL_SITE_LANES; lane++) {
		struct qual_er e = qual_site_er(s, lane);

		if (isfinite(s->lane[lane].er_u_db) && isnan(s->lane[lane].er_db) &&
		    isnan(s->stimulus_er_db))
			return bert_fail(BERT_ERR_CONFIG, "%s: [site %u]: stimulus_er_u_db.%u "
					 "without an ER for the lane", path, s->index, lane);
		if (s->stimulus_er_calibrated && isfinite(e.er_db) && isnan(e.u_db))
			return bert_fail(BERT_ERR_CONFIG, "%s: [site %u]: stimulus_er_source = "
					 "calibration needs its uncertainty (stimulus_er_u_db or "
					 "stimulus_er_u_db.%u)", path, s->index, lane);
	}
	return BERT_OK;
}

struct load {
	struct qual_station *st;
	char cur[64];
	struct qual_site *site;
	bool seen[QUAL_MAX_SITES + 1];
};

static const struct station_instr *instr_of(const struct qual_station *st,
					    const char *name, enum instr_kind kind,
					    const char *key)
{
	const struct station_instr *si = station_find(&st->instr, name);

	if (!si) {
		bert_fail(BERT_ERR_CONFIG, "%s: no [instrument %s] in the station", key, name);
		return NULL;
	}
	if (si->kind && si->kind != kind) {
		bert_fail(BERT_ERR_CONFIG, "%s: instrument %s is a %s, not a %s", key, name,
			  instr_kind_name(si->kind), instr_kind_name(kind));
		return NULL;
	}
	return si;
}

/* One "NAME[:CH]" or "-" (none). */
static int parse_chan(const struct qual_station *st, const char *key, const char *tok,
		      enum instr_kind kind, struct qual_chan *c, bool *bare)
{
	const struct station_instr *si;
	char name[QUAL_INSTR_NAME_MAX];
	const char *colon = strchr(tok, ':');
	size_t len = colon ? (size_t)(colon - tok) : strlen(tok);
	unsigned long ch = 0;
	int rc;

	*bare = !colon;
	if (!strcmp(tok, "-")) {
		c->name[0] = '\0';
		c->ch = 0;
		return BERT_OK;
	}
	if (!len || len >= sizeof(name))
		return bert_fail(BERT_ERR_CONFIG, "%s: '%s' is not NAME:CHANNEL", key, tok);
	memcpy(name, tok, len);
	name[len] = '\0';
	si = instr_of(st, name, kind, key);
	if (!si)
		return BERT_ERR_CONFIG;
	if (colon) {
		rc = bert_ini_uint(colon + 1, &ch, 64);
		if (rc || !ch)
			return bert_fail(BERT_ERR_CONFIG, "%s: channel '%s' of %s is not "
					 "1..64", key, colon + 1, name);
		if (kind != INSTR_OSW && ch > si->channels)
			return bert_fail(BERT_ERR_CONFIG, "%s: %s has channels 1..%u, not %lu",
					 key, name, si->channels, ch);
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ch = (unsigned)ch;
	return BERT_OK;
}

static struct qual_chan *lane_chan(struct qual_site *s, unsigned lane, enum instr_kind k)
{
	struct qual_site_lane *l = &s->lane[lane];

	return k == INSTR_VOA ? &l->voa : k == INSTR_OPM ? &l->meter : &l->sw;
}

/* voa / meter / switch = NAME | NAME:CH | LIST; KEY.N = NAME:CH for lane N. */
static int parse_chans(struct qual_station *st, struct qual_site *s, const char *key,
		       const char *value, enum instr_kind kind, unsigned only_lane)
{
	char buf[512], *save = NULL, *tok;
	struct qual_chan c;
	unsigned n = 0, lane, count;
	bool bare;
	int rc;

	if (strlen(value) >= sizeof(buf))
		return bert_fail(BERT_ERR_CONFIG, "%s: value too long", key);
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (n == QUAL_SITE_LANES)
			return bert_fail(BERT_ERR_CONFIG, "%s: more than %d lanes", key,
					 QUAL_SITE_LANES);
		rc = parse_chan(st, key, tok, kind, &c, &bare);
		if (rc)
			return rc;
		n++;
		if (only_lane && n > 1)
			return bert_fail(BERT_ERR_CONFIG, "%s: one NAME:CHANNEL for one lane", key);
		if (bare && c.name[0]) {
			const struct station_instr *si = station_find(&st->instr, c.name);

			if (only_lane || strchr(value, ','))
				return bert_fail(BERT_ERR_CONFIG, "%s: '%s' needs a channel "
						 "(NAME:CHANNEL)", key, tok);
			/* NAME alone: channel n for lane n, as many as it has. */
			count = kind == INSTR_OSW ? (si->channels > 1 ? si->channels : 4) :
						   si->channels;
			if (count > QUAL_SITE_LANES)
				count = QUAL_SITE_LANES;
			for (lane = 1; lane <= count; lane++) {
				*lane_chan(s, lane, kind) = c;
				lane_chan(s, lane, kind)->ch = lane;
			}
			if (count > s->nlanes)
				s->nlanes = count;
			return BERT_OK;
		}
		lane = only_lane ? only_lane : n;
		*lane_chan(s, lane, kind) = c;
		if (c.name[0] && lane > s->nlanes)
			s->nlanes = lane;
	}
	if (!n)
		return bert_fail(BERT_ERR_CONFIG, "%s: empty", key);
	/* A single meter channel serves every lane (through the switch). */
	if (n == 1 && !only_lane && kind == INSTR_OPM)
		for (lane = 2; lane <= QUAL_SITE_LANES; lane++)
			s->lane[lane].meter = c;
	return BERT_OK;
}

static int site_key(struct load *l, struct qual_site *s, const char *section,
		    const char *name, const char *value)
{
	static const struct bert_ini_field fields[] = {
		{ "tap_ratio", BERT_INI_DOUBLE, offsetof(struct qual_site, tap_ratio), 0, 0.99, 0 },
		{ "tap_loss_db", BERT_INI_DOUBLE, offsetof(struct qual_site, tap_loss_db), 0, 60, 0 },
		{ "through_loss_db", BERT_INI_DOUBLE, offsetof(struct qual_site, through_loss_db), 0, 30, 0 },
		{ "patch_loss_db", BERT_INI_DOUBLE, offsetof(struct qual_site, patch_loss_db), 0, 30, 0 },
		{ "voa_loss_db", BERT_INI_DOUBLE, offsetof(struct qual_site, voa_loss_db), 0, 30, 0 },
		{ "stimulus_er_db", BERT_INI_DOUBLE, offsetof(struct qual_site, stimulus_er_db), 0.5, 30, 0 },
		{ "stimulus_er_u_db", BERT_INI_DOUBLE, offsetof(struct qual_site, stimulus_er_u_db), 0, 10, 0 },
		{ "meter_avg_s", BERT_INI_DOUBLE, offsetof(struct qual_site, meter_avg_s), 0.001, 60, 0 },
		{ "wavelength_nm", BERT_INI_DOUBLE, offsetof(struct qual_site, wavelength_nm), 400, 2000, 0 },
		{ "switch_out", BERT_INI_UINT, offsetof(struct qual_site, switch_out), 1, 64, 0 },
		{ "auto_start", BERT_INI_BOOL, offsetof(struct qual_site, auto_start), 0, 0, 0 },
		{ "name", BERT_INI_STRING, offsetof(struct qual_site, name), 0, 0, QUAL_STR_MAX },
		{ "fixture", BERT_INI_STRING, offsetof(struct qual_site, fixture), 0, 0, QUAL_URI_MAX },
		{ "profile", BERT_INI_STRING, offsetof(struct qual_site, profile), 0, 0, PROFILE_PATH_MAX },
		BERT_INI_END,
	};
	static const struct { const char *key; enum instr_kind kind; } chans[] = {
		{ "voa", INSTR_VOA }, { "meter", INSTR_OPM }, { "switch", INSTR_OSW },
	};
	unsigned i;
	int rc;

	for (i = 0; i < 3; i++) {
		size_t kl = strlen(chans[i].key);

		if (!strcmp(name, chans[i].key))
			return parse_chans(l->st, s, name, value, chans[i].kind, 0);
		if (!strncmp(name, chans[i].key, kl) && name[kl] == '.') {
			unsigned long lane;

			rc = bert_ini_uint(name + kl + 1, &lane, QUAL_SITE_LANES);
			if (rc || !lane)
				return bert_fail(BERT_ERR_CONFIG, "[%s]: '%s': lane must be "
						 "1..%d", section, name, QUAL_SITE_LANES);
			return parse_chans(l->st, s, name, value, chans[i].kind,
					   (unsigned)lane);
		}
	}
	if (!strcmp(name, "stimulus_er_source")) {
		if (!strcmp(value, "calibration"))
			s->stimulus_er_calibrated = true;
		else if (!strcmp(value, "assumed"))
			s->stimulus_er_calibrated = false;
		else
			return bert_fail(BERT_ERR_CONFIG, "[%s]: stimulus_er_source: '%s' is "
					 "not calibration or assumed", section, value);
		return BERT_OK;
	}
	if (!strncmp(name, "stimulus_er_db.", 15) || !strncmp(name, "stimulus_er_u_db.", 17)) {
		bool u = name[12] == 'u';
		const char *ln = name + (u ? 17 : 15);
		unsigned long lane;
		double v;
		char *end;

		rc = bert_ini_uint(ln, &lane, QUAL_SITE_LANES);
		if (rc || !lane)
			return bert_fail(BERT_ERR_CONFIG, "[%s]: '%s': lane must be 1..%d",
					 section, name, QUAL_SITE_LANES);
		v = strtod(value, &end);
		if (end == value || *end || !(u ? v >= 0 && v <= 10 : v >= 0.5 && v <= 30))
			return bert_fail(BERT_ERR_CONFIG, "[%s]: %s: '%s' is not %s", section,
					 name, value, u ? "an uncertainty in dB (0-10)" :
					 "an extinction ratio in dB (0.5-30)");
		if (u)
			s->lane[lane].er_u_db = v;
		else
			s->lane[lane].er_db = v;
		return BERT_OK;
	}
	rc = bert_ini_set_field(fields, s, section, name, value);
	if (rc)
		return bert_fail_ctx(rc, "[%s]", section);
	if (!strcmp(name, "fixture") && !value[0])
		return bert_fail(BERT_ERR_CONFIG, "[%s]: fixture is empty", section);
	return BERT_OK;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct load *l = user;
	struct qual_station *st = l->st;
	unsigned n;
	int err = BERT_OK;

	if (!strncmp(section, "instrument ", 11))
		return BERT_OK;		/* instruments/instr_file.c, same load */
	if (!strcmp(section, "bertd")) {
		st->bertd.present = true;
		return qual_bertd_key(&st->bertd, name, value);
	}
	if (!strcmp(section, "store"))
		return BERT_OK;		/* bert/store/uploader.c reads and checks it */
	if (!strcmp(section, "station")) {
		if (!strcmp(name, "name") || !strcmp(name, "location"))
			return bert_ini_set_field((const struct bert_ini_field[]){
				{ "name", BERT_INI_STRING, offsetof(struct qual_station, name),
				  0, 0, QUAL_STR_MAX },
				{ "location", BERT_INI_STRING,
				  offsetof(struct qual_station, location), 0, 0, QUAL_STR_MAX },
				BERT_INI_END }, st, section, name, value);
		return bert_fail(BERT_ERR_CONFIG, "[station]: unknown key '%s' (name, "
				 "location)", name);
	}
	if (bert_ini_section_index(section, "site", QUAL_MAX_SITES, &n, &err)) {
		if (err)
			return err;
		if (strcmp(section, l->cur)) {
			snprintf(l->cur, sizeof(l->cur), "%s", section);
			if (l->seen[n])
				return bert_fail(BERT_ERR_CONFIG, "[%s] appears twice", section);
			l->seen[n] = true;
			l->site = &st->site[n - 1];
			site_defaults(l->site, n);
			if (n > st->nsites)
				st->nsites = n;
		}
		return site_key(l, l->site, section, name, value);
	}
	if (err)
		return err;
	return bert_fail(BERT_ERR_CONFIG, "unknown section [%s] (station, site N, "
			 "instrument NAME, bertd)", section);
}

/* sim:REL?site=N -> sim:/ABS/DIR/REL?site=N: a relative bench or module
 * file in a station file is taken from the station file's folder (the same
 * in every program, whatever its working directory). */
static void sim_path_from(struct qual_site *s, const char *station_path)
{
	const char *slash = strrchr(station_path, '/');
	char dir[PATH_MAX], abs[PATH_MAX], buf[QUAL_URI_MAX];

	if (strncmp(s->fixture, "sim:", 4) || !s->fixture[4] || s->fixture[4] == '/' ||
	    s->fixture[4] == '?')
		return;
	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - station_path), station_path);
	else
		snprintf(dir, sizeof(dir), ".");
	if (!realpath(dir, abs))
		snprintf(abs, sizeof(abs), "%s", dir);
	if (snprintf(buf, sizeof(buf), "sim:%s/%s", abs, s->fixture + 4) < (int)sizeof(buf))
		snprintf(s->fixture, sizeof(s->fixture), "%s", buf);
}

static int load(const char *path, const char *text, struct qual_station *st,
	bool need_sites)
{
	struct load *l;
	unsigned i;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = text ? station_load_string(path, text, &st->instr) :
		    station_load(path, &st->instr);
	if (rc)
		return rc;
	snprintf(st->path, sizeof(st->path), "%s", path);
	st->bertd.socket_mode = 0660;
	l = calloc(1, sizeof(*l));
	if (!l)
		return bert_fail(BERT_ERR_NOMEM, "station");
	l->st = st;
	rc = text ? bert_ini_parse_string(path, text, handler, l) :
		    bert_ini_parse_file(path, handler, l);
	if (!rc) {
		for (i = 1; i <= st->nsites && !rc; i++) {
			struct qual_site *s = &st->site[i - 1];

			if (!l->seen[i])
				rc = bert_fail(BERT_ERR_CONFIG, "%s: [site %u] missing (sites "
					       "are numbered 1..N without holes)", path, i);
			else if (!s->fixture[0])
				rc = bert_fail(BERT_ERR_CONFIG, "%s: [site %u] has no fixture",
					       path, i);
			else
				rc = site_check_er(path, s);
			if (!rc)
				site_finish(s);
			if (!rc)
				sim_path_from(s, path);
		}
		if (!rc && !st->nsites && need_sites)
			rc = bert_fail(BERT_ERR_CONFIG, "%s: no [site N] section", path);
	}
	free(l);
	if (rc)
		return rc;
	if (!st->name[0] && gethostname(st->name, sizeof(st->name) - 1))
		snprintf(st->name, sizeof(st->name), "station");
	return BERT_OK;
}

int qual_station_load_any(const char *path, struct qual_station *st)
{
	return load(path, NULL, st, false);
}

int qual_station_load(const char *path, struct qual_station *st)
{
	return load(path, NULL, st, true);
}

int qual_station_load_string(const char *name, const char *text,
			     struct qual_station *st)
{
	return load(name, text, st, true);
}

static void add_instr(struct qual_station *st, const char *name, enum instr_kind k,
		      unsigned channels)
{
	struct station_instr *si = &st->instr.instr[st->instr.n_instr++];

	memset(si, 0, sizeof(*si));
	snprintf(si->name, sizeof(si->name), "%s", name);
	snprintf(si->uri, sizeof(si->uri), "sim:%s", name);
	si->kind = k;
	si->channels = channels;
	si->wavelength_nm = DEFAULT_WAVELENGTH_NM;
}

int qual_station_default(const char *fixture_uri, struct qual_station *st)
{
	struct qual_site *s = &st->site[0];
	bool sim;
	unsigned lane;

	if (!fixture_uri || !fixture_uri[0])
		fixture_uri = "sim:";
	if (strlen(fixture_uri) >= sizeof(s->fixture))
		return bert_fail(BERT_ERR_CONFIG, "fixture URI too long");
	memset(st, 0, sizeof(*st));
	st->is_default = true;
	sim = !strncmp(fixture_uri, "sim:", 4) || !strncmp(fixture_uri, "mpsse-sim:", 10);
	/* only the in-process bench is the virtual bench; another fixture
	 * without a station file is just that fixture, with no instruments */
	snprintf(st->name, sizeof(st->name), "%s", sim ? "virtual-bench" : "fixture-only");
	snprintf(st->instr.path, sizeof(st->instr.path), "(default station)");
	st->nsites = 1;
	site_defaults(s, 1);
	s->line = 0;
	snprintf(s->fixture, sizeof(s->fixture), "%s", fixture_uri);
	if (sim) {
		add_instr(st, "voa1", INSTR_VOA, 4);
		add_instr(st, "osw1", INSTR_OSW, 4);
		add_instr(st, "opm1", INSTR_OPM, 1);
		s->nlanes = 4;
		for (lane = 1; lane <= 4; lane++) {
			snprintf(s->lane[lane].voa.name, QUAL_INSTR_NAME_MAX, "voa1");
			s->lane[lane].voa.ch = lane;
			snprintf(s->lane[lane].sw.name, QUAL_INSTR_NAME_MAX, "osw1");
			s->lane[lane].sw.ch = lane;
			snprintf(s->lane[lane].meter.name, QUAL_INSTR_NAME_MAX, "opm1");
			s->lane[lane].meter.ch = 1;
		}
		s->tap_ratio = DEFAULT_TAP_RATIO;
		s->patch_loss_db = DEFAULT_PATCH_LOSS_DB;
		s->stimulus_er_db = DEFAULT_ER_DB;
	}
	site_finish(s);
	return BERT_OK;
}

const struct qual_site *qual_station_site(const struct qual_station *st, unsigned n)
{
	if (!n || n > st->nsites)
		return NULL;
	return &st->site[n - 1];
}

/* ---- opening a site -------------------------------------------------------- */

/* The module on the fixture io holds (opened or lent). */
static int open_module(struct qual_site_io *io)
{
	int rc = cmis_open(io->fixture->bus, &io->dev);

	if (rc) {
		if (!io->lent_fixture)
			bert_fixture_close(io->fixture);
		io->fixture = NULL;
		io->lent_fixture = false;
		return bert_fail_ctx(rc, "opening the module");
	}
	return BERT_OK;
}

/* lent != NULL: run on that fixture, left open by qual_site_close(). */
static int open_fixture(const struct qual_site *site, const char *fixture_uri,
			struct bert_fixture *lent, struct qual_site_io *io)
{
	int rc;

	memset(io, 0, sizeof(*io));
	io->site = site;
	if (lent) {
		io->fixture = lent;
		io->lent_fixture = true;
		return open_module(io);
	}
	if (!fixture_uri || !fixture_uri[0])
		fixture_uri = site ? site->fixture : "sim:";
	rc = bert_fixture_open(fixture_uri, &io->fixture);
	if (rc)
		return bert_fail_ctx(rc, "opening fixture %s", fixture_uri);
	return open_module(io);
}

/* The connection of station instrument name, from the pool (opened on
 * first use). A sim: instrument without a bench acts on the bench of the
 * site's fixture when that is emulated (bert_fixture_bench). */
static int conn_of(const struct qual_station *st, const char *name,
		   struct qual_site_io *io, struct instr_conn **out)
{
	const struct station_instr *si = station_find(&st->instr, name);
	char base[300], uri[900];
	int rc;

	*out = NULL;
	if (!si)
		return bert_fail(BERT_ERR_CONFIG, "no instrument %s in the station", name);
	station_instr_uri(si, base, sizeof(base));
	rc = scpi_sim_bind(base, bert_fixture_bench(io->fixture), uri, sizeof(uri));
	if (!rc)
		rc = instr_pool_get(io->pool, name, uri, io->fixture->clock, out);
	return rc;
}

int qual_site_open(const struct qual_station *st, const struct qual_site *site,
		   const char *fixture_uri, struct qual_site_io *io)
{
	return qual_site_open_pool(st, site, fixture_uri, io, NULL, NULL);
}

static int arb_take(const struct qual_arbiter *arb, const char *name, unsigned lane)
{
	return arb && arb->acquire ? arb->acquire(arb->user, name, lane) : BERT_OK;
}

static void arb_drop(const struct qual_arbiter *arb, const char *name, unsigned lane)
{
	if (arb && arb->release)
		arb->release(arb->user, name, lane);
}

static int site_open(const struct qual_station *st, const struct qual_site *site,
		     const char *fixture_uri, struct bert_fixture *lent,
		     struct qual_site_io *io, const struct qual_arbiter *arb,
		     struct instr_pool *pool);

/* qual_site_open() with arbitration and a pool (qual_site_open_lent()). */
static int qual_site_open_pool(const struct qual_station *st, const struct qual_site *site,
			       const char *fixture_uri, struct qual_site_io *io,
			       const struct qual_arbiter *arb, struct instr_pool *pool)
{
	return site_open(st, site, fixture_uri, NULL, io, arb, pool);
}

int qual_site_open_lent(const struct qual_station *st, const struct qual_site *site,
			struct bert_fixture *fixture, struct qual_site_io *io,
			const struct qual_arbiter *arb, struct instr_pool *pool)
{
	return site_open(st, site, NULL, fixture, io, arb, pool);
}

static int site_open(const struct qual_station *st, const struct qual_site *site,
		     const char *fixture_uri, struct bert_fixture *lent,
		     struct qual_site_io *io, const struct qual_arbiter *arb,
		     struct instr_pool *pool)
{
	struct instr_conn *c = NULL;
	unsigned lane;
	int rc;

	rc = open_fixture(site, fixture_uri, lent, io);
	if (rc)
		return rc;
	if (pool) {
		io->pool = pool;
	} else {
		rc = instr_pool_new(&io->pool);
		if (rc)
			goto fail;
		io->own_pool = true;
	}
	io->nlanes = site ? site->nlanes : 0;
	for (lane = 1; lane <= io->nlanes; lane++) {
		const struct qual_site_lane *sl = &site->lane[lane];
		struct qual_site_lane_io *li = &io->lane[lane];

		if (sl->voa.name[0]) {
			if (!(rc = arb_take(arb, sl->voa.name, lane))) {
				rc = conn_of(st, sl->voa.name, io, &c);
				if (!rc)
					rc = voa_channel(c, sl->voa.ch, &li->voa);
				if (!rc && site->wavelength_nm > 0)
					rc = voa_set_wavelength(li->voa, site->wavelength_nm);
				arb_drop(arb, sl->voa.name, lane);
			}
			instr_conn_put(c);
			c = NULL;
			if (rc) {
				bert_fail_ctx(rc, "lane %u VOA %s:%u", lane, sl->voa.name,
					      sl->voa.ch);
				goto fail;
			}
			snprintf(li->voa_name, sizeof(li->voa_name), "%s", sl->voa.name);
		}
		if (sl->meter.name[0]) {
			if (!(rc = arb_take(arb, sl->meter.name, lane))) {
				rc = conn_of(st, sl->meter.name, io, &c);
				if (!rc)
					rc = opm_channel(c, sl->meter.ch, &li->meter);
				if (!rc && site->wavelength_nm > 0)
					rc = opm_set_wavelength(li->meter, site->wavelength_nm);
				if (!rc)
					rc = opm_set_averaging(li->meter, site->meter_avg_s);
				arb_drop(arb, sl->meter.name, lane);
			}
			instr_conn_put(c);
			c = NULL;
			if (rc) {
				bert_fail_ctx(rc, "lane %u meter %s:%u", lane, sl->meter.name,
					      sl->meter.ch);
				goto fail;
			}
			snprintf(li->meter_name, sizeof(li->meter_name), "%s", sl->meter.name);
		}
		if (sl->sw.name[0]) {
			if (!(rc = arb_take(arb, sl->sw.name, lane))) {
				rc = conn_of(st, sl->sw.name, io, &c);
				if (!rc)
					rc = osw_channel(c, 0, &li->sw);
				arb_drop(arb, sl->sw.name, lane);
			}
			instr_conn_put(c);
			c = NULL;
			if (rc) {
				bert_fail_ctx(rc, "lane %u switch %s", lane, sl->sw.name);
				goto fail;
			}
			li->sw_in = sl->sw.ch;
			snprintf(li->sw_name, sizeof(li->sw_name), "%s", sl->sw.name);
		}
	}
	return BERT_OK;
fail:
	qual_site_close(io);
	return rc;
}

void qual_site_close(struct qual_site_io *io)
{
	unsigned lane;

	for (lane = 0; lane <= QUAL_SITE_LANES; lane++) {
		voa_close(io->lane[lane].voa);
		opm_close(io->lane[lane].meter);
		osw_close(io->lane[lane].sw);
		io->lane[lane].voa = NULL;
		io->lane[lane].meter = NULL;
		io->lane[lane].sw = NULL;
	}
	if (io->own_pool)
		instr_pool_free(io->pool);
	io->pool = NULL;
	io->own_pool = false;
	cmis_close(io->dev);
	if (!io->lent_fixture)
		bert_fixture_close(io->fixture);
	io->dev = NULL;
	io->fixture = NULL;
	io->lent_fixture = false;
}
