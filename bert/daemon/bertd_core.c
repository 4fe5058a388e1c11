// SPDX-License-Identifier: MIT
/* bertd's core (bertd_core.h): sites, workers, arbiter, events. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_PREFIX "bertd"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/qual/sweep_step.h"
#include "bert/daemon/bertd_core.h"
#include "bert/daemon/bertd_proto.h"
#include "bert/store/store.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/fixture.h"
#include "fixtures/fixture_sim.h"
#include "instruments/instr.h"
#include "instruments/scpi_sim.h"

#define BERTD_VERSION		"0.1.0"
#define DEFAULT_PROFILE		"400gbase-dr4"
#define ARB_MAX			64
#define MAX_BENCHES		QUAL_MAX_SITES

/* A station description; sites running on an older one keep it alive. */
struct gen {
	struct qual_station st;
	unsigned refs;
};

#define ARB_NAMES		8

/* A connection the arbiter keeps apart between sites: keyed on the
 * connection (its transport, instr_conn_key), known by every station name
 * that reaches it. */
struct arb_instr {
	char key[256];
	char names[ARB_NAMES][QUAL_INSTR_NAME_MAX];
	unsigned nnames;
	enum instr_kind kind;
	uint32_t sites;			/* bit n-1: site n uses it */
	bool shared;
	struct bert_clock *clock;
	struct bert_clock_lock lock;
};

struct site {
	struct bertd *d;
	unsigned index;
	pthread_t th;
	bool th_ok;
	struct bert_clock *clock;	/* shared bench clock; NULL otherwise */
	atomic_bool abort;
	/* under d->mu */
	enum bertd_site_state state;
	bool start_req, held;
	char req_profile[BERTD_NAME_MAX], req_serial[BERTD_SERIAL_MAX];
	bool present, present_known;
	char module_sn[QUAL_STR_MAX];	/* EEPROM serial of the module in, "" = n/a */
	char module_pn[QUAL_STR_MAX];	/* its part number and vendor name, same */
	char module_vendor[QUAL_STR_MAX];
	bool sn_read;			/* the poll read it for this insertion */
	/* The site's fixture, open while the daemon runs: the poll uses it
	 * while the site is idle (polling set under d->mu), the worker while it
	 * runs; reopened only after BERT_ERR_NODEV (or a new URI). */
	struct bert_fixture *fx;
	char fx_uri[QUAL_URI_MAX];
	bool polling;
	unsigned fixture_opens;		/* under d->mu */
	unsigned presence_polls;	/* ModPrsL reads on the open fixture, under d->mu */
	char fx_bench[QUAL_URI_MAX];	/* bert_fixture_bench() of fx, under d->mu */
	char run_uuid[QUAL_UUID_MAX];
	char profile[BERTD_NAME_MAX];
	char step[QUAL_STEP_NAME_MAX];
	unsigned step_index, nsteps, lane;
	uint64_t t_ns;
	char last_uuid[QUAL_UUID_MAX];
	int64_t last_id;
	enum qual_run_status last_status;
	enum qual_verdict last_verdict;
	bool has_last;
	unsigned runs;
	/* the worker's own */
	unsigned held_count[ARB_MAX];
	struct store *store;
	struct qual_record *rec;
	char serial[BERTD_SERIAL_MAX];
};

struct bertd {
	struct bertd_config cfg;
	char station_path[PROFILE_PATH_MAX];
	char db_path[PROFILE_PATH_MAX];
	pthread_mutex_t mu;
	pthread_cond_t wake, idle, polled;
	struct gen *gen;
	struct site site[QUAL_MAX_SITES];
	unsigned nsites;
	struct arb_instr arb[ARB_MAX];
	unsigned narb;
	bool arb_dirty;
	struct sim_bench *bench[MAX_BENCHES];
	unsigned nbench;
	struct instr_pool *pool;	/* the station's connections */
	atomic_bool stopping;
	bertd_sink_fn sink;
	void *sink_user;
	bertd_hook_fn hook;
	void *hook_user;
	struct store *store;
	unsigned runs_done;
	pthread_t pacer;
	bool pacer_ok;
};

static const char *bertd_state_name(enum bertd_site_state s)
{
	switch (s) {
	case BERTD_IDLE: return "idle";
	case BERTD_STARTING: return "starting";
	case BERTD_RUNNING: return "running";
	case BERTD_ABORTING: return "aborting";
	}
	return "?";
}

/* ---- events ----------------------------------------------------------------- */

static void emit(struct bertd *d, json_t *j)
{
	char *s;

	if (!j)
		return;
	if (!d->sink) {
		json_decref(j);
		return;
	}
	s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	if (s) {
		size_t n = strlen(s);
		char *line = realloc(s, n + 2);

		if (line) {
			line[n] = '\n';
			line[n + 1] = '\0';
			d->sink(d->sink_user, line, n + 1);
			s = line;
		}
		free(s);
	}
}

static json_t *event_new(struct site *s, const char *kind)
{
	json_t *j = json_object();

	json_object_set_new(j, "event", json_string(kind));
	json_object_set_new(j, "site", json_integer(s->index));
	if (s->clock)
		json_object_set_new(j, "station_ns",
				    json_integer((json_int_t)bert_clock_now(s->clock)));
	return j;
}

static void emit_state(struct site *s, enum bertd_site_state st)
{
	json_t *j = event_new(s, "site");

	json_object_set_new(j, "state", json_string(bertd_state_name(st)));
	emit(s->d, j);
}

/* ---- station loading ---------------------------------------------------------- */

/* The station file without its [bertd] and [store] sections (the daemon's
 * settings, read by cli/bertd.c, and the central database's,
 * bert/store/uploader.h): those lines become empty so line numbers stay
 * right. */
static int read_station_text(const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, line[4096];
	size_t len = 0, cap = 0;
	bool in_bertd = false;

	if (!f)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot open: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[')
			in_bertd = !strncmp(p, "[bertd]", 7) || !strncmp(p, "[store]", 7);
		if (in_bertd)
			snprintf(line, sizeof(line), "\n");
		n = strlen(line);
		if (len + n + 1 > cap) {
			char *nb;

			cap = (len + n + 1) * 2 + 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return bert_fail(BERT_ERR_NOMEM, "station");
			}
			buf = nb;
		}
		memcpy(buf + len, line, n);
		len += n;
		buf[len] = '\0';
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	*out = buf;
	return buf ? BERT_OK : bert_fail(BERT_ERR_NOMEM, "station");
}

/* sim:REL?site=N -> sim:DIR/REL?site=N */
static void fix_sim_path(struct qual_site *qs, const char *station_path)
{
	const char *slash = strrchr(station_path, '/');
	char buf[QUAL_URI_MAX];

	if (strncmp(qs->fixture, "sim:", 4) || !qs->fixture[4] || qs->fixture[4] == '/' ||
	    qs->fixture[4] == '?' || !slash)
		return;
	if (snprintf(buf, sizeof(buf), "sim:%.*s/%s", (int)(slash - station_path),
		     station_path, qs->fixture + 4) < (int)sizeof(buf))
		snprintf(qs->fixture, sizeof(qs->fixture), "%s", buf);
}

static int load_gen(const char *path, struct gen **out)
{
	struct gen *g = calloc(1, sizeof(*g));
	char *text = NULL;
	unsigned i;
	int rc;

	if (!g)
		return bert_fail(BERT_ERR_NOMEM, "station");
	rc = read_station_text(path, &text);
	if (!rc)
		rc = qual_station_load_string(path, text, &g->st);
	free(text);
	if (rc) {
		free(g);
		return rc;
	}
	for (i = 0; i < g->st.nsites; i++)
		fix_sim_path(&g->st.site[i], path);
	g->refs = 1;
	*out = g;
	return BERT_OK;
}

static void gen_put_locked(struct bertd *d, struct gen *g)
{
	if (g && !--g->refs && g != d->gen)
		free(g);
}

/* "sim:PATH?site=N" -> the shared bench of PATH (a reference kept by the
 * daemon), NULL for other fixtures. */
static struct sim_bench *shared_bench(struct bertd *d, const char *uri)
{
	char path[QUAL_URI_MAX];
	const char *q;
	struct sim_bench *b;
	unsigned i;

	if (strncmp(uri, "sim:", 4) || !(q = strstr(uri, "?site=")))
		return NULL;
	snprintf(path, sizeof(path), "%.*s", (int)(q - uri - 4), uri + 4);
	if (fixture_sim_shared_bench(path, &b)) {
		log_warn("%s: %s", uri, bert_error_detail());
		return NULL;
	}
	for (i = 0; i < d->nbench; i++)
		if (d->bench[i] == b) {
			fixture_sim_shared_put(b);	/* already held */
			return b;
		}
	if (d->nbench == MAX_BENCHES) {
		fixture_sim_shared_put(b);
		return NULL;
	}
	d->bench[d->nbench++] = b;
	return b;
}

/* ---- the arbiter -------------------------------------------------------------- */

static struct arb_instr *arb_find(struct bertd *d, const char *name)
{
	unsigned i, k;

	for (i = 0; i < d->narb; i++)
		for (k = 0; k < d->arb[i].nnames; k++)
			if (!strcmp(d->arb[i].names[k], name))
				return &d->arb[i];
	return NULL;
}

static void arb_note(struct bertd *d, const struct qual_station *st, const char *name,
		     unsigned site)
{
	struct arb_instr *a = NULL;
	const struct station_instr *si;
	char key[256], uri[300];
	unsigned i, k;

	if (!name[0])
		return;
	si = station_find(&st->instr, name);
	if (!si || instr_conn_key(station_instr_uri(si, uri, sizeof(uri)), key, sizeof(key)))
		snprintf(key, sizeof(key), "%s", name);
	for (i = 0; i < d->narb && !a; i++)
		if (!strcmp(d->arb[i].key, key))
			a = &d->arb[i];
	if (!a) {
		if (d->narb == ARB_MAX)
			return;
		a = &d->arb[d->narb++];
		memset(a, 0, sizeof(*a));
		snprintf(a->key, sizeof(a->key), "%s", key);
		bert_clock_lock_init(&a->lock, d->cfg.policy);
	}
	for (k = 0; k < a->nnames && strcmp(a->names[k], name); k++)
		;
	if (k == a->nnames && k < ARB_NAMES)
		snprintf(a->names[a->nnames++], QUAL_INSTR_NAME_MAX, "%s", name);
	a->kind = si ? si->kind : 0;
	a->sites |= 1u << (site - 1);
}

/* Called with every site idle (no lock is held or waited for). Names are
 * never removed, so a running site always finds its instruments. */
static void arb_build(struct bertd *d)
{
	const struct qual_station *st = &d->gen->st;
	unsigned i, l;

	for (i = 0; i < d->narb; i++) {
		d->arb[i].sites = 0;
		d->arb[i].shared = false;
	}
	for (i = 0; i < st->nsites; i++) {
		const struct qual_site *qs = &st->site[i];

		for (l = 1; l <= qs->nlanes; l++) {
			arb_note(d, st, qs->lane[l].voa.name, qs->index);
			arb_note(d, st, qs->lane[l].meter.name, qs->index);
			arb_note(d, st, qs->lane[l].sw.name, qs->index);
		}
	}
	for (i = 0; i < d->narb; i++) {
		struct arb_instr *a = &d->arb[i];
		struct bert_clock *c = NULL;
		bool ok = true;
		unsigned n = 0, k;

		for (k = 0; k < d->nsites; k++) {
			struct bert_clock *sc;

			if (!(a->sites >> k & 1))
				continue;
			n++;
			sc = d->site[k].clock ? d->site[k].clock : bert_clock_monotonic();
			if (!d->site[k].clock && !strncmp(st->site[k].fixture, "sim:", 4))
				ok = false;	/* a private bench: nothing to share */
			if (c && c != sc)
				ok = false;	/* different clocks: cannot arbitrate */
			c = sc;
		}
		a->shared = n >= 2 && ok;
		a->clock = c;
		if (n >= 2 && !ok)
			log_warn("instrument %s: used by %u sites on different clocks; "
				 "not arbitrated", a->names[0], n);
	}
	d->arb_dirty = false;
}

static int arb_acquire(void *user, const char *instr, unsigned lane)
{
	struct site *s = user;
	struct arb_instr *a;
	unsigned idx;
	int rc;

	(void)lane;
	if (!instr || !instr[0] || !(a = arb_find(s->d, instr)) || !a->shared)
		return BERT_OK;
	idx = (unsigned)(a - s->d->arb);
	if (s->held_count[idx]++)
		return BERT_OK;
	rc = bert_clock_lock_acquire(a->clock, &a->lock, s->index, BERT_CLOCK_NEVER);
	if (rc)
		s->held_count[idx]--;
	return rc;
}

static void arb_release(void *user, const char *instr, unsigned lane)
{
	struct site *s = user;
	struct arb_instr *a;
	unsigned idx;

	(void)lane;
	if (!instr || !instr[0] || !(a = arb_find(s->d, instr)) || !a->shared)
		return;
	idx = (unsigned)(a - s->d->arb);
	if (s->held_count[idx] && !--s->held_count[idx])
		bert_clock_lock_release(a->clock, &a->lock);
}

/* True when a lane's meter is shared with other sites: then the meter
 * is kept for what only it can measure (see engine.h budget_open_loop and
 * sweep.h power_from_voa). */
static bool meter_shared(struct bertd *d, const struct qual_site *qs)
{
	unsigned l;

	for (l = 1; l <= qs->nlanes; l++) {
		struct arb_instr *a = arb_find(d, qs->lane[l].meter.name);

		if (a && a->shared)
			return true;
	}
	return false;
}

/* The VOA setting while tx_power reads the tap, off the 0 dB stop. */
#define VOA_PARK_DB	1.0

/* ---- a run ----------------------------------------------------------------------- */

static bool site_aborted(void *user)
{
	struct site *s = user;

	return atomic_load(&s->abort) || atomic_load(&s->d->stopping);
}

static void on_event(void *user, const struct qual_event *ev)
{
	struct site *s = user;
	struct bertd *d = s->d;
	json_t *j = NULL;

	if (d->hook)
		d->hook(d->hook_user, s->index, ev);
	pthread_mutex_lock(&d->mu);
	s->t_ns = ev->t_ns;
	if (ev->step) {
		snprintf(s->step, sizeof(s->step), "%s", ev->step);
		s->step_index = ev->step_index;
		s->nsteps = ev->nsteps;
	}
	if (ev->kind == QUAL_EV_LANE)
		s->lane = ev->lane;
	if (ev->kind == QUAL_EV_STEP_END && !strcmp(ev->s->name, "identify") && s->rec) {
		snprintf(s->module_sn, sizeof(s->module_sn), "%s", s->rec->dut.sn);
		snprintf(s->module_pn, sizeof(s->module_pn), "%s", s->rec->dut.pn);
		snprintf(s->module_vendor, sizeof(s->module_vendor), "%s", s->rec->dut.vendor);
	}
	pthread_mutex_unlock(&d->mu);

	switch (ev->kind) {
	case QUAL_EV_RUN_BEGIN:
		j = event_new(s, "run");
		json_object_set_new(j, "run", json_string(ev->rec->uuid));
		json_object_set_new(j, "id", json_integer(ev->rec->id));
		json_object_set_new(j, "profile", json_string(ev->rec->profile));
		break;
	case QUAL_EV_STEP_BEGIN:
		j = event_new(s, "step");
		json_object_set_new(j, "step", json_string(ev->step));
		json_object_set_new(j, "index", json_integer(ev->step_index + 1));
		json_object_set_new(j, "of", json_integer(ev->nsteps));
		break;
	case QUAL_EV_LANE:
		j = event_new(s, "lane");
		json_object_set_new(j, "step", json_string(ev->step ? ev->step : ""));
		json_object_set_new(j, "lane", json_integer(ev->lane));
		if (ev->text)
			json_object_set_new(j, "text", json_string(ev->text));
		break;
	case QUAL_EV_POINT:
		j = event_new(s, "point");
		json_object_set_new(j, "lane", json_integer(ev->pt->lane));
		json_object_set_new(j, "atten_db", json_real(ev->pt->atten_db));
		if (isfinite(ev->pt->power_dbm))
			json_object_set_new(j, "power_dbm", json_real(ev->pt->power_dbm));
		json_object_set_new(j, "ber", json_real(ev->pt->ber));
		break;
	case QUAL_EV_MEASUREMENT:
		j = event_new(s, "measurement");
		json_object_set_new(j, "name", json_string(ev->m->name));
		json_object_set_new(j, "lane", json_integer(ev->m->lane));
		if (isfinite(ev->m->value))
			json_object_set_new(j, "value", json_real(ev->m->value));
		json_object_set_new(j, "verdict", json_string(qual_verdict_name(ev->m->verdict)));
		if (ev->m->message[0])
			json_object_set_new(j, "message", json_string(ev->m->message));
		break;
	case QUAL_EV_STEP_END:
		j = event_new(s, "step_end");
		json_object_set_new(j, "step", json_string(ev->s->name));
		json_object_set_new(j, "status", json_string(qual_step_status_name(ev->s->status)));
		json_object_set_new(j, "verdict", json_string(qual_verdict_name(ev->s->verdict)));
		if (ev->s->message[0])
			json_object_set_new(j, "message", json_string(ev->s->message));
		break;
	case QUAL_EV_INFO:
		j = event_new(s, "info");
		json_object_set_new(j, "text", json_string(ev->text ? ev->text : ""));
		break;
	default:
		break;
	}
	if (j) {
		json_object_set_new(j, "t", json_real(ev->t_ns / 1e9));
		emit(d, j);
	}
}

/* A run that could not begin (profile, site): its record, status error. */
static void fail_record(struct site *s, struct qual_record *rec, const struct gen *g,
			const char *profile, const char *msg)
{
	const struct qual_site *qs = &g->st.site[s->index - 1];

	snprintf(rec->station, sizeof(rec->station), "%s", g->st.name);
	rec->site = s->index;
	snprintf(rec->fixture, sizeof(rec->fixture), "%s", qs->fixture);
	if (!rec->profile[0])
		snprintf(rec->profile, sizeof(rec->profile), "%s", profile);
	if (s->store && !rec->id && store_run_begin(s->store, rec))
		log_err("site %u: store: %s", s->index, bert_error_detail());
	qual_record_finish(rec, QUAL_RUN_ERROR, 0, msg);
	if (s->store && rec->id && store_run_finish(s->store, rec))
		log_err("site %u: store: %s", s->index, bert_error_detail());
}

/* The site's fixture, opened when it is not (or is open on another URI
 * since a reload). Called by whoever owns it now: the poll while it
 * polls, the worker while it runs. */
static int site_fx(struct site *s, const char *uri)
{
	struct bertd *d = s->d;
	int rc;

	if (s->fx && !strcmp(s->fx_uri, uri))
		return BERT_OK;
	bert_fixture_close(s->fx);
	s->fx = NULL;
	rc = bert_fixture_open(uri, &s->fx);
	if (rc)
		return rc;
	snprintf(s->fx_uri, sizeof(s->fx_uri), "%s", uri);
	pthread_mutex_lock(&d->mu);
	s->fixture_opens++;
	snprintf(s->fx_bench, sizeof(s->fx_bench), "%s",
		 bert_fixture_bench(s->fx) ? bert_fixture_bench(s->fx) : "");
	pthread_mutex_unlock(&d->mu);
	return BERT_OK;
}

/* After BERT_ERR_NODEV the adapter is gone: drop the fixture, the next use
 * reopens it (by its URI, e.g. the adapter's serial). */
static void site_fx_check(struct site *s, int rc)
{
	if (rc == BERT_ERR_NODEV) {
		log_info("site %u: %s gone (%s): reopening on next use", s->index, s->fx_uri,
			 bert_error_detail());
		bert_fixture_close(s->fx);
		s->fx = NULL;
	}
}

static void run_once(struct site *s, struct gen *g, const char *req_profile)
{
	struct bertd *d = s->d;
	const struct qual_site *qs = &g->st.site[s->index - 1];
	struct profile *prof = calloc(1, sizeof(*prof));
	struct qual_ctx *ctx = calloc(1, sizeof(*ctx));
	struct qual_site_io io;
	struct qual_record rec;
	struct qual_plan plan;
	const char *pname;
	char msg[QUAL_RUN_MSG_MAX];
	bool opened = false;
	json_t *j;
	int rc;

	memset(&io, 0, sizeof(io));
	pthread_mutex_lock(&d->mu);
	s->state = BERTD_RUNNING;
	s->step[0] = '\0';
	s->step_index = s->nsteps = s->lane = 0;
	s->t_ns = 0;
	pthread_mutex_unlock(&d->mu);
	emit_state(s, BERTD_RUNNING);

	qual_record_init(&rec, BERTD_VERSION);
	/* the operator's serial beside the module's own (identify compares) */
	snprintf(rec.dut.operator_serial, sizeof(rec.dut.operator_serial), "%s", s->serial);
	s->rec = &rec;
	pthread_mutex_lock(&d->mu);
	snprintf(s->run_uuid, sizeof(s->run_uuid), "%s", rec.uuid);
	pthread_mutex_unlock(&d->mu);
	pname = req_profile[0] ? req_profile : qs->profile[0] ? qs->profile : DEFAULT_PROFILE;
	pthread_mutex_lock(&d->mu);
	snprintf(s->profile, sizeof(s->profile), "%.*s", (int)sizeof(s->profile) - 1, pname);
	pthread_mutex_unlock(&d->mu);
	if (!prof || !ctx) {
		fail_record(s, &rec, g, pname, "out of memory");
		goto done;
	}
	rc = profile_load(pname, prof);
	if (rc) {
		snprintf(msg, sizeof(msg), "profile %s: %s", pname, bert_error_detail());
		fail_record(s, &rec, g, pname, msg);
		goto done;
	}
	{
		const struct qual_arbiter arb = { arb_acquire, arb_release, s };

		rc = site_fx(s, qs->fixture);
		if (rc)
			bert_fail_ctx(rc, "opening fixture %s", qs->fixture);
		else
			rc = qual_site_open_lent(&g->st, qs, s->fx, &io, &arb, d->pool);
		site_fx_check(s, rc);
		opened = !rc;
	}
	if (rc) {
		snprintf(msg, sizeof(msg), "opening the site: %s: %s", bert_strerror_name(rc),
			 bert_error_detail());
		qual_record_set_profile(&rec, prof);
		fail_record(s, &rec, g, pname, msg);
		goto done;
	}
	qual_ctx_init(ctx);
	ctx->profile = prof;
	ctx->station = &g->st;
	ctx->site = qs;
	ctx->io = &io;
	ctx->rec = &rec;
	ctx->journal = store_journal(s->store);
	ctx->progress = on_event;
	ctx->progress_user = s;
	ctx->arbiter = (struct qual_arbiter){ arb_acquire, arb_release, s };
	ctx->abort = site_aborted;
	ctx->abort_user = s;
	if (d->cfg.ber_max_time_ns)
		ctx->opts.ber_max_time_ns = d->cfg.ber_max_time_ns;
	if (meter_shared(d, qs)) {
		/* the shared meter is kept for what only it can measure: the
		 * launch power through the tap, read with the VOA off its 0 dB
		 * stop; the budget point and the sweep points follow from it and
		 * the VOA's settings, its repeatable offset cancelling (engine.h
		 * budget_open_loop, tx_voa_db; sweep.h power_from_voa) */
		ctx->opts.voa_iterations = 0;
		if (!d->cfg.budget_closed_loop) {
			ctx->opts.budget_open_loop = true;
			ctx->opts.tx_voa_db = VOA_PARK_DB;
		}
	}
	rc = qual_plan_full(&plan, !d->cfg.no_sweep, SWEEP_SMART);
	if (!rc)
		rc = qual_run(ctx, &plan);
	if (rc && rc != BERT_ERR_ABORTED)
		log_warn("site %u: run %s: %s", s->index, rec.uuid, bert_error_detail());
	qual_ctx_release_all(ctx);
done:
	if (opened) {
		struct fixture_pins pins;

		qual_site_close(&io);	/* no instrument I/O: no arbitration */
		/* a run that lost the adapter leaves it to be reopened */
		site_fx_check(s, bert_fixture_get_pins(s->fx, &pins));
	}
	j = event_new(s, "verdict");
	json_object_set_new(j, "run", json_string(rec.uuid));
	json_object_set_new(j, "id", json_integer(rec.id));
	json_object_set_new(j, "status", json_string(qual_run_status_name(rec.status)));
	json_object_set_new(j, "verdict", json_string(qual_verdict_name(rec.verdict)));
	json_object_set_new(j, "station_s", json_real(rec.station_ns / 1e9));
	if (rec.dut.sn[0])
		json_object_set_new(j, "serial", json_string(rec.dut.sn));
	json_object_set_new(j, "operator_serial", rec.dut.operator_serial[0] ?
			    json_string(rec.dut.operator_serial) : json_null());
	if (rec.message[0])
		json_object_set_new(j, "message", json_string(rec.message));
	emit(d, j);
	pthread_mutex_lock(&d->mu);
	snprintf(s->last_uuid, sizeof(s->last_uuid), "%s", rec.uuid);
	s->last_id = rec.id;
	s->last_status = rec.status;
	s->last_verdict = rec.verdict;
	s->has_last = true;
	s->runs++;
	d->runs_done++;
	s->rec = NULL;
	pthread_mutex_unlock(&d->mu);
	qual_record_free(&rec);
	free(prof);
	free(ctx);
}

/* One start: the worker joins the clock (a registered worker, so time waits
 * for it), drops the start's hold, runs (repeat times back to back, still
 * registered) and leaves. */
static void run_site(struct site *s, struct gen *g, const char *profile)
{
	struct bertd *d = s->d;
	unsigned k, n = d->cfg.repeat ? d->cfg.repeat : 1;
	bool registered = false, held;

	if (s->clock && bert_clock_is_virtual(s->clock)) {
		bert_clock_worker_add(s->clock);
		registered = true;
	}
	pthread_mutex_lock(&d->mu);
	held = s->held;
	s->held = false;
	pthread_mutex_unlock(&d->mu);
	if (held)
		bert_clock_unhold(s->clock);	/* the worker is in: time may go */
	for (k = 0; k < n && !(k && site_aborted(s)); k++)
		run_once(s, g, profile);
	if (registered)
		bert_clock_worker_remove(s->clock);
	pthread_mutex_lock(&d->mu);
	s->state = BERTD_IDLE;
	s->run_uuid[0] = '\0';
	pthread_cond_broadcast(&d->idle);
	pthread_mutex_unlock(&d->mu);
	emit_state(s, BERTD_IDLE);
}

static void *worker_main(void *p)
{
	struct site *s = p;
	struct bertd *d = s->d;

	if (store_open(d->db_path[0] ? d->db_path : NULL, &s->store)) {
		log_err("site %u: results store: %s (runs not stored)", s->index,
			bert_error_detail());
		s->store = NULL;
	}
	pthread_mutex_lock(&d->mu);
	for (;;) {
		char profile[BERTD_NAME_MAX];
		struct gen *g;

		while (!s->start_req && !atomic_load(&d->stopping))
			pthread_cond_wait(&d->wake, &d->mu);
		if (atomic_load(&d->stopping)) {
			if (s->start_req) {
				s->start_req = false;
				s->state = BERTD_IDLE;
				if (s->held) {
					s->held = false;
					bert_clock_unhold(s->clock);
				}
				pthread_cond_broadcast(&d->idle);
			}
			break;
		}
		s->start_req = false;
		snprintf(profile, sizeof(profile), "%s", s->req_profile);
		snprintf(s->serial, sizeof(s->serial), "%s", s->req_serial);
		g = d->gen;
		g->refs++;
		pthread_mutex_unlock(&d->mu);
		run_site(s, g, profile);
		pthread_mutex_lock(&d->mu);
		gen_put_locked(d, g);
	}
	pthread_mutex_unlock(&d->mu);
	store_close(s->store);
	s->store = NULL;
	return NULL;
}

/* speed > 0: a registered worker that lets virtual time run at speed x wall
 * time (it waits in wall time, not on the clock, between 10 ms ticks). */
static void *pacer_main(void *p)
{
	struct bertd *d = p;
	struct bert_clock *c = d->bench[0] ? fixture_sim_bench_clock(d->bench[0]) : NULL;
	struct timespec t0, now;
	uint64_t v0;

	if (!c)
		return NULL;
	bert_clock_worker_add(c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	v0 = bert_clock_now(c);
	while (!atomic_load(&d->stopping)) {
		uint64_t v, wall_target;
		int64_t wall_ns;

		bert_clock_sleep(c, 10 * BERT_NS_PER_MS);
		v = bert_clock_now(c) - v0;
		wall_target = (uint64_t)((double)v / d->cfg.speed);
		clock_gettime(CLOCK_MONOTONIC, &now);
		wall_ns = (int64_t)(now.tv_sec - t0.tv_sec) * 1000000000LL +
			  (now.tv_nsec - t0.tv_nsec);
		if ((int64_t)wall_target > wall_ns) {
			struct timespec ts = {
				.tv_sec = (time_t)(((int64_t)wall_target - wall_ns) / 1000000000LL),
				.tv_nsec = (long)(((int64_t)wall_target - wall_ns) % 1000000000LL),
			};

			nanosleep(&ts, NULL);
		}
	}
	bert_clock_worker_remove(c);
	return NULL;
}

/* ---- the API ------------------------------------------------------------------- */

int bertd_open(const struct bertd_config *cfg, struct bertd **out, unsigned *recovered)
{
	struct bertd *d;
	unsigned i, n = 0;
	int rc;

	*out = NULL;
	if (!cfg->station)
		return bert_fail(BERT_ERR_ARG, "bertd: no station file");
	d = calloc(1, sizeof(*d));
	if (!d)
		return bert_fail(BERT_ERR_NOMEM, "bertd");
	d->cfg = *cfg;
	snprintf(d->station_path, sizeof(d->station_path), "%s", cfg->station);
	if (cfg->db)
		snprintf(d->db_path, sizeof(d->db_path), "%s", cfg->db);
	d->cfg.station = d->station_path;
	d->cfg.db = d->db_path[0] ? d->db_path : NULL;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->wake, NULL);
	pthread_cond_init(&d->idle, NULL);
	pthread_cond_init(&d->polled, NULL);
	rc = load_gen(d->station_path, &d->gen);
	if (!rc)
		rc = instr_pool_new(&d->pool);
	if (rc)
		goto fail;
	rc = store_open(d->cfg.db, &d->store);
	if (!rc)
		rc = store_recover(d->store, &n);
	if (rc) {
		bert_fail_ctx(rc, "results store");
		goto fail;
	}
	if (recovered)
		*recovered = n;
	d->nsites = d->gen->st.nsites;
	for (i = 0; i < d->nsites; i++) {
		struct site *s = &d->site[i];
		struct sim_bench *b;

		s->d = d;
		s->index = i + 1;
		b = shared_bench(d, d->gen->st.site[i].fixture);
		s->clock = b ? fixture_sim_bench_clock(b) : NULL;
	}
	arb_build(d);
	for (i = 0; i < d->nsites; i++) {
		if (pthread_create(&d->site[i].th, NULL, worker_main, &d->site[i])) {
			rc = bert_fail(BERT_ERR_NOMEM, "bertd: worker thread");
			goto fail;
		}
		d->site[i].th_ok = true;
	}
	if (d->cfg.speed > 0 && d->nbench) {
		d->pacer_ok = !pthread_create(&d->pacer, NULL, pacer_main, d);
	}
	*out = d;
	return BERT_OK;
fail:
	bertd_close(d);
	return rc;
}

void bertd_close(struct bertd *d)
{
	unsigned i;

	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	atomic_store(&d->stopping, true);
	for (i = 0; i < d->nsites; i++)
		atomic_store(&d->site[i].abort, true);
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->mu);
	for (i = 0; i < d->nsites; i++)
		if (d->site[i].th_ok)
			pthread_join(d->site[i].th, NULL);
	if (d->pacer_ok)
		pthread_join(d->pacer, NULL);
	for (i = 0; i < d->nsites; i++)
		bert_fixture_close(d->site[i].fx);
	instr_pool_free(d->pool);
	for (i = 0; i < d->nbench; i++)
		fixture_sim_shared_put(d->bench[i]);
	store_close(d->store);
	free(d->gen);
	pthread_cond_destroy(&d->wake);
	pthread_cond_destroy(&d->idle);
	pthread_cond_destroy(&d->polled);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

void bertd_set_sink(struct bertd *d, bertd_sink_fn fn, void *user)
{
	pthread_mutex_lock(&d->mu);
	d->sink = fn;
	d->sink_user = user;
	pthread_mutex_unlock(&d->mu);
}

void bertd_set_hook(struct bertd *d, bertd_hook_fn fn, void *user)
{
	pthread_mutex_lock(&d->mu);
	d->hook = fn;
	d->hook_user = user;
	pthread_mutex_unlock(&d->mu);
}

unsigned bertd_sites(const struct bertd *d)
{
	return d->nsites;
}

static bool all_idle_locked(struct bertd *d)
{
	unsigned i;

	for (i = 0; i < d->nsites; i++)
		if (d->site[i].state != BERTD_IDLE)
			return false;
	return true;
}

/* Locked: queues a start of s and holds its clock until the worker is in. */
static void start_locked(struct bertd *d, struct site *s, const char *profile,
			 const char *serial)
{
	(void)d;
	snprintf(s->req_profile, sizeof(s->req_profile), "%s", profile ? profile : "");
	snprintf(s->req_serial, sizeof(s->req_serial), "%s", serial ? serial : "");
	s->start_req = true;
	s->state = BERTD_STARTING;
	atomic_store(&s->abort, false);
	if (s->clock && bert_clock_is_virtual(s->clock)) {
		bert_clock_hold(s->clock);
		s->held = true;
	}
}

int bertd_start(struct bertd *d, unsigned site, const char *profile, const char *serial,
		unsigned *started)
{
	char path[PROFILE_PATH_MAX];
	unsigned i, n = 0;

	if (started)
		*started = 0;
	if (site > d->nsites)
		return bert_fail(BERT_ERR_RANGE, "no site %u (1..%u)", site, d->nsites);
	if (profile && profile[0] && profile_find(profile, path, sizeof(path)))
		return bert_fail(BERT_ERR_CONFIG, "no profile '%s'", profile);
	pthread_mutex_lock(&d->mu);
	/* a site the poll is reading is not started under it */
	for (i = 0; i < d->nsites; i++)
		while (d->site[i].polling && (!site || site == i + 1))
			pthread_cond_wait(&d->polled, &d->mu);
	if (atomic_load(&d->stopping)) {
		pthread_mutex_unlock(&d->mu);
		return bert_fail(BERT_ERR_STATE, "bertd is stopping");
	}
	if (d->arb_dirty && all_idle_locked(d))
		arb_build(d);
	if (site) {
		struct site *s = &d->site[site - 1];

		if (s->state != BERTD_IDLE) {
			pthread_mutex_unlock(&d->mu);
			return bert_fail(BERT_ERR_STATE, "site %u is %s", site,
					 bertd_state_name(s->state));
		}
		start_locked(d, s, profile, serial);
		n = 1;
	} else {
		for (i = 0; i < d->nsites; i++)
			if (d->site[i].state == BERTD_IDLE) {
				start_locked(d, &d->site[i], profile, serial);
				n++;
			}
	}
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->mu);
	if (!n)
		return bert_fail(BERT_ERR_STATE, "no idle site");
	if (started)
		*started = n;
	return BERT_OK;
}

int bertd_abort(struct bertd *d, unsigned site)
{
	unsigned i, n = 0;

	if (site > d->nsites)
		return bert_fail(BERT_ERR_RANGE, "no site %u (1..%u)", site, d->nsites);
	pthread_mutex_lock(&d->mu);
	for (i = 0; i < d->nsites; i++) {
		struct site *s = &d->site[i];

		if ((site && i != site - 1) || s->state == BERTD_IDLE)
			continue;
		atomic_store(&s->abort, true);
		if (s->state == BERTD_RUNNING)
			s->state = BERTD_ABORTING;
		n++;
	}
	pthread_mutex_unlock(&d->mu);
	if (!n && site)
		return bert_fail(BERT_ERR_STATE, "site %u is idle", site);
	if (!n)
		return bert_fail(BERT_ERR_STATE, "no site is running");
	return BERT_OK;
}

int bertd_reload(struct bertd *d)
{
	struct gen *g, *old;
	unsigned i;
	int rc;

	rc = load_gen(d->station_path, &g);
	if (rc)
		return rc;
	if (g->st.nsites != d->nsites) {
		unsigned n = g->st.nsites;

		free(g);
		return bert_fail(BERT_ERR_CONFIG, "%s: %u sites, the daemon runs %u (restart "
				 "bertd to change the number of sites)", d->station_path,
				 n, d->nsites);
	}
	for (i = 0; i < d->nsites; i++)
		(void)shared_bench(d, g->st.site[i].fixture);
	pthread_mutex_lock(&d->mu);
	old = d->gen;
	d->gen = g;
	d->arb_dirty = true;
	if (all_idle_locked(d))
		arb_build(d);
	if (old && !--old->refs)
		free(old);
	pthread_mutex_unlock(&d->mu);
	return BERT_OK;
}

/* The EEPROM serial of the module just seen in the socket: Vendor SN,
 * page 00h bytes 166-181, 16 ASCII characters padded with spaces
 * (OIF-CMIS 5.2 section 8.3, Table 8-31). "" when it cannot be read. */
static int read_module_sn(struct bert_fixture *f, char *sn, size_t size)
{
	struct cmis_dev *dev;
	uint8_t b[16];
	size_t n, i;
	int rc;

	sn[0] = '\0';
	rc = cmis_open(f->bus, &dev);
	if (rc)
		return rc;
	rc = cmis_read(dev, 0, 0, CMIS_P00_VENDOR_SN, b, sizeof(b));
	cmis_close(dev);
	if (rc)
		return rc;
	for (n = sizeof(b); n && (b[n - 1] == ' ' || b[n - 1] == '\0'); n--)
		;
	for (i = 0; i < n; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			b[i] = '?';
	snprintf(sn, size, "%.*s", (int)n, (const char *)b);
	return BERT_OK;
}

unsigned bertd_poll(struct bertd *d)
{
	unsigned i, n = 0;

	for (i = 0; i < d->nsites; i++) {
		struct site *s = &d->site[i];
		struct fixture_pins pins;
		char uri[QUAL_URI_MAX], sn[QUAL_STR_MAX] = "";
		bool auto_start, was, known, want_sn, got_sn = false;
		int rc;

		pthread_mutex_lock(&d->mu);
		auto_start = d->gen->st.site[i].auto_start;
		if (s->state != BERTD_IDLE || s->start_req ||
		    atomic_load(&d->stopping)) {
			pthread_mutex_unlock(&d->mu);
			continue;
		}
		s->polling = true;	/* the fixture is the poll's until cleared */
		snprintf(uri, sizeof(uri), "%s", d->gen->st.site[i].fixture);
		want_sn = !s->sn_read;
		pthread_mutex_unlock(&d->mu);
		rc = site_fx(s, uri);
		if (!rc) {
			/* ModPrsL through the board's GPIO read, on the open fixture */
			rc = bert_fixture_get_pins(s->fx, &pins);
			site_fx_check(s, rc);
		}
		/* a module in the socket: its serial, once per insertion */
		if (!rc && pins.present && want_sn) {
			int e = read_module_sn(s->fx, sn, sizeof(sn));

			site_fx_check(s, e);
			got_sn = !e;
		}
		pthread_mutex_lock(&d->mu);
		s->polling = false;
		if (!rc)
			s->presence_polls++;
		pthread_cond_broadcast(&d->polled);
		pthread_mutex_unlock(&d->mu);
		if (rc)
			continue;
		/* an insertion or removal is an event, before the run it starts */
		pthread_mutex_lock(&d->mu);
		was = s->present;
		known = s->present_known;
		pthread_mutex_unlock(&d->mu);
		if (known && was != pins.present) {
			json_t *j = event_new(s, "presence");

			json_object_set_new(j, "present", json_boolean(pins.present));
			if (got_sn && sn[0])
				json_object_set_new(j, "module_serial", json_string(sn));
			emit(d, j);
		}
		pthread_mutex_lock(&d->mu);
		s->present = pins.present;
		s->present_known = true;
		if (!pins.present) {
			/* that module is gone */
			s->module_sn[0] = s->module_pn[0] = s->module_vendor[0] = '\0';
			s->sn_read = false;
		} else if (got_sn) {
			snprintf(s->module_sn, sizeof(s->module_sn), "%s", sn);
			s->sn_read = true;
		}
		if (auto_start && known && !was && pins.present && s->state == BERTD_IDLE &&
		    !s->start_req && !atomic_load(&d->stopping)) {
			log_info("site %u: module inserted: starting", s->index);
			start_locked(d, s, NULL, NULL);
			pthread_cond_broadcast(&d->wake);
			n++;
		}
		pthread_mutex_unlock(&d->mu);
	}
	return n;
}

int bertd_sim(struct bertd *d, unsigned site, int present, int unplugged)
{
	char uri[QUAL_URI_MAX];

	if (!site || site > d->nsites)
		return bert_fail(BERT_ERR_RANGE, "no site %u (1..%u)", site, d->nsites);
	if (!d->site[site - 1].clock)
		return bert_fail(BERT_ERR_UNSUPPORTED, "site %u is not an emulated shared "
				 "bench site (sim:BENCH?site=N)", site);
	pthread_mutex_lock(&d->mu);
	snprintf(uri, sizeof(uri), "%s", d->gen->st.site[site - 1].fixture);
	pthread_mutex_unlock(&d->mu);
	return fixture_sim_site_control(uri, present, unplugged);
}

int bertd_sim_instrument(struct bertd *d, unsigned site, const char *name,
			 const char *fault)
{
	const struct station_instr *si;
	char uri[QUAL_URI_MAX], bench[QUAL_URI_MAX], bound[2 * QUAL_URI_MAX + 8], *hash;
	int rc;

	if (!site || site > d->nsites)
		return bert_fail(BERT_ERR_RANGE, "no site %u (1..%u)", site, d->nsites);
	pthread_mutex_lock(&d->mu);
	si = station_find(&d->gen->st.instr, name);
	if (si)
		snprintf(uri, sizeof(uri), "%s", si->uri);
	/* the emulator the site's runs talk to is bound to the bench of its
	 * fixture, which the presence poll keeps open */
	snprintf(bench, sizeof(bench), "%s", d->site[site - 1].fx_bench);
	pthread_mutex_unlock(&d->mu);
	if (!si)
		return bert_fail(BERT_ERR_CONFIG, "no instrument %s in the station", name);
	if (strncmp(uri, "sim:", 4))
		return bert_fail(BERT_ERR_UNSUPPORTED, "instrument %s (%s) is not emulated "
				 "(sim:)", name, uri);
	if (!bench[0])
		return bert_fail(BERT_ERR_STATE, "site %u: its fixture is not open yet", site);
	rc = scpi_sim_bind(uri, bench, bound, sizeof(bound));
	if (rc)
		return rc;
	hash = strchr(bound, '#');
	if (hash)
		*hash = '\0';
	return scpi_sim_set_fault(bound + 4, fault);
}

json_t *bertd_status(struct bertd *d)
{
	json_t *root = json_object(), *arr = json_array();
	unsigned i;

	pthread_mutex_lock(&d->mu);
	json_object_set_new(root, "station", json_string(d->gen->st.name));
	json_object_set_new(root, "config", json_string(d->station_path));
	for (i = 0; i < d->nsites; i++) {
		const struct site *s = &d->site[i];
		const struct qual_site *qs = &d->gen->st.site[i];
		json_t *j = json_object();

		json_object_set_new(j, "site", json_integer(s->index));
		json_object_set_new(j, "name", json_string(qs->name));
		json_object_set_new(j, "state", json_string(bertd_state_name(s->state)));
		json_object_set_new(j, "fixture", json_string(qs->fixture));
		json_object_set_new(j, "auto_start", json_boolean(qs->auto_start));
		if (s->present_known)
			json_object_set_new(j, "present", json_boolean(s->present));
		json_object_set_new(j, "module_serial", s->module_sn[0] ?
				    json_string(s->module_sn) : json_null());
		json_object_set_new(j, "module_pn", s->module_pn[0] ?
				    json_string(s->module_pn) : json_null());
		json_object_set_new(j, "module_vendor", s->module_vendor[0] ?
				    json_string(s->module_vendor) : json_null());
		json_object_set_new(j, "runs", json_integer(s->runs));
		json_object_set_new(j, "fixture_opens", json_integer(s->fixture_opens));
		json_object_set_new(j, "presence_polls", json_integer(s->presence_polls));
		if (s->clock)
			json_object_set_new(j, "station_ns",
					    json_integer((json_int_t)bert_clock_now(s->clock)));
		if (s->state != BERTD_IDLE) {
			json_object_set_new(j, "run", json_string(s->run_uuid));
			json_object_set_new(j, "profile", json_string(s->profile));
			json_object_set_new(j, "step", json_string(s->step));
			json_object_set_new(j, "index", json_integer(s->step_index + 1));
			json_object_set_new(j, "of", json_integer(s->nsteps));
			json_object_set_new(j, "lane", json_integer(s->lane));
			json_object_set_new(j, "t", json_real(s->t_ns / 1e9));
		}
		if (s->has_last) {
			json_t *l = json_object();

			json_object_set_new(l, "run", json_string(s->last_uuid));
			json_object_set_new(l, "id", json_integer(s->last_id));
			json_object_set_new(l, "status",
					    json_string(qual_run_status_name(s->last_status)));
			json_object_set_new(l, "verdict",
					    json_string(qual_verdict_name(s->last_verdict)));
			json_object_set_new(j, "last", l);
		}
		json_array_append_new(arr, j);
	}
	pthread_mutex_unlock(&d->mu);
	json_object_set_new(root, "sites", arr);
	return root;
}

json_t *bertd_results(struct bertd *d, int64_t since, unsigned limit)
{
	struct store_filter f = { .changed_since = since, .limit = limit ? limit : 100 };
	struct store_run_summary *runs = NULL;
	size_t n = 0, i;
	int64_t cursor = 0;
	json_t *root, *arr;

	if (!d->store)
		return NULL;
	if (store_last_change(d->store, &cursor) ||
	    store_run_list(d->store, &f, &runs, &n))
		return NULL;
	root = json_object();
	arr = json_array();
	for (i = 0; i < n; i++) {
		const struct store_run_summary *r = &runs[i];
		json_t *j = json_object();

		json_object_set_new(j, "id", json_integer(r->id));
		json_object_set_new(j, "run", json_string(r->uuid));
		json_object_set_new(j, "status", json_string(qual_run_status_name(r->status)));
		json_object_set_new(j, "verdict", json_string(qual_verdict_name(r->verdict)));
		json_object_set_new(j, "profile", json_string(r->profile));
		json_object_set_new(j, "site", json_integer(r->site));
		json_object_set_new(j, "serial", json_string(r->sn));
		json_object_set_new(j, "steps", json_integer(r->steps));
		json_object_set_new(j, "station_s", json_real(r->station_ns / 1e9));
		json_object_set_new(j, "wall_start", json_integer(r->wall_start));
		json_array_append_new(arr, j);
	}
	free(runs);
	json_object_set_new(root, "cursor", json_integer(cursor));
	json_object_set_new(root, "runs", arr);
	return root;
}

bool bertd_idle(struct bertd *d)
{
	bool idle;

	pthread_mutex_lock(&d->mu);
	idle = all_idle_locked(d);
	pthread_mutex_unlock(&d->mu);
	return idle;
}

void bertd_wait_idle(struct bertd *d)
{
	pthread_mutex_lock(&d->mu);
	while (!all_idle_locked(d))
		pthread_cond_wait(&d->idle, &d->mu);
	pthread_mutex_unlock(&d->mu);
}

int bertd_arbiter_stats(struct bertd *d, const char *name, uint64_t *grants,
			uint64_t *contended, uint64_t *wait_ns, uint64_t *held_ns)
{
	struct arb_instr *a = arb_find(d, name);
	struct bert_clock_lock snap;

	if (!a || !a->shared)
		return bert_fail(BERT_ERR_RANGE, "%s is not a shared instrument", name);
	bert_clock_lock_snapshot(a->clock, &a->lock, &snap);
	*grants = snap.grants;
	*contended = snap.contended;
	*wait_ns = snap.wait_ns;
	*held_ns = snap.held_ns;
	return BERT_OK;
}

struct bert_clock *bertd_site_clock(struct bertd *d, unsigned site)
{
	return site >= 1 && site <= d->nsites ? d->site[site - 1].clock : NULL;
}
