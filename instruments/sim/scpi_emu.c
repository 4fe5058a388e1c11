// SPDX-License-Identifier: MIT
/* The SCPI emulator engine: program message parsing (SCPI 1999 vol. 1
 * chapter 6: short/long mnemonics, numeric suffixes, optional nodes, ';'
 * separated units), the IEEE 488.2 common commands, the error queue, the
 * output queue with ready times, and the physics shared by the models. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/ini.h"
#include "bert/core/units.h"
#include "instruments/sim/emu_internal.h"

const struct emu_model *const emu_models[] = {
	&emu_keysight_8163b,
	&emu_keysight_8164b,
	&emu_keysight_n7764a,
	&emu_keysight_n7752a,
	&emu_exfo_fva3150,
	&emu_thorlabs_pm100d,
	&emu_scpi_switch,
	NULL,
};

/* ---- randomness: splitmix64, seeded per instrument ---- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
	return (double)(splitmix(s) >> 11) * (1.0 / 9007199254740992.0);
}

static double emu_gauss(struct scpi_emu *e)
{
	double u1 = uniform(&e->rng), u2 = uniform(&e->rng);

	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* ---- error and output queues ---- */

void emu_error(struct scpi_emu *e, int code, const char *text)
{
	e->stats.protocol_errors++;
	if (e->nerr == EMU_ERRQ) {
		/* SCPI: the last entry becomes -350 Queue overflow. */
		e->errq_code[EMU_ERRQ - 1] = -350;
		snprintf(e->errq_text[EMU_ERRQ - 1], sizeof(e->errq_text[0]), "Queue overflow");
		return;
	}
	e->errq_code[e->nerr] = code;
	snprintf(e->errq_text[e->nerr], sizeof(e->errq_text[0]), "%s", text);
	e->nerr++;
}

void emu_reply_bytes(struct scpi_emu *e, uint64_t ready, const void *data, size_t len)
{
	struct emu_out *o;

	if (e->fault == EMU_FAULT_SILENT)
		return;
	if (e->out_n == EMU_OUTQ) {
		emu_error(e, -350, "Queue overflow");
		return;
	}
	o = &e->out[(e->out_head + e->out_n) % EMU_OUTQ];
	if (ready < e->now)
		ready = e->now;
	/* Replies leave in order: none before the one ahead of it. */
	if (e->out_n) {
		const struct emu_out *prev = &e->out[(e->out_head + e->out_n - 1) % EMU_OUTQ];

		if (ready < prev->ready)
			ready = prev->ready;
	}
	o->ready = ready;
	if (len > sizeof(o->data))
		len = sizeof(o->data);
	if (e->fault == EMU_FAULT_GARBAGE) {
		static const char junk[] = "\x01garbage\x7f,,;";

		len = sizeof(junk) - 1;
		data = junk;
		e->fault = EMU_FAULT_NONE;
	}
	memcpy(o->data, data, len);
	o->len = len;
	e->out_n++;
}

void emu_reply(struct scpi_emu *e, uint64_t ready, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	emu_reply_bytes(e, ready, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void emu_reply_real(struct scpi_emu *e, uint64_t ready, double v)
{
	char buf[40], *x;
	int ex;

	if (!e->m->real_816x) {
		emu_reply(e, ready, "%+.6E", v);
		return;
	}
	snprintf(buf, sizeof(buf), "%+.8E", v);
	x = strchr(buf, 'E');
	if (!x) {
		emu_reply(e, ready, "%s", buf);
		return;
	}
	ex = atoi(x + 1);
	snprintf(x, sizeof(buf) - (size_t)(x - buf), "E%c%03d", ex < 0 ? '-' : '+',
		 ex < 0 ? -ex : ex);
	emu_reply(e, ready, "%s", buf);
}

bool scpi_emu_output(struct scpi_emu *e, uint64_t now, uint8_t *buf, size_t size,
		     size_t *len)
{
	struct emu_out *o;
	size_t n;

	if (!e->out_n || e->out[e->out_head].ready > now)
		return false;
	o = &e->out[e->out_head];
	n = o->len < size ? o->len : size;
	memcpy(buf, o->data, n);
	*len = n;
	e->out_head = (e->out_head + 1) % EMU_OUTQ;
	e->out_n--;
	return true;
}

uint64_t scpi_emu_next_ready(const struct scpi_emu *e)
{
	return e->out_n ? e->out[e->out_head].ready : UINT64_MAX;
}

void scpi_emu_stats(const struct scpi_emu *e, struct scpi_emu_stats *st)
{
	*st = e->stats;
}

void scpi_emu_count_connection(struct scpi_emu *e)
{
	e->stats.connections++;
}

void scpi_emu_count_refused(struct scpi_emu *e)
{
	e->stats.refused++;
}

void scpi_emu_set_fault(struct scpi_emu *e, enum emu_fault f)
{
	e->fault = f;
}

/* ---- header matching ---- */

struct node {
	const char *p;		/* mnemonic in the pattern (mixed case) */
	size_t n;
	bool sfx, opt;
	int sfx_idx;
};

static unsigned parse_pattern(const char *pat, struct node *nodes, unsigned max)
{
	unsigned k = 0;
	int sfx_idx = 0;
	bool opt = false;

	while (*pat && *pat != '?' && k < max) {
		if (*pat == '[') {
			opt = true;
			pat++;
		}
		if (*pat == ':')
			pat++;
		nodes[k].p = pat;
		while (isalpha((unsigned char)*pat) || *pat == '*')
			pat++;
		nodes[k].n = (size_t)(pat - nodes[k].p);
		nodes[k].sfx = *pat == '#';
		nodes[k].sfx_idx = nodes[k].sfx ? sfx_idx++ : -1;
		if (*pat == '#')
			pat++;
		nodes[k].opt = opt;
		if (*pat == ']') {
			opt = false;
			pat++;
		}
		k++;
	}
	return k;
}

/* An input mnemonic matches the short form (the upper-case letters) or the
 * long form (all letters), case-insensitively. */
static bool mnemonic_eq(const struct node *nd, const char *in, size_t n, bool upper_short)
{
	size_t i, s = 0;

	while (s < nd->n && !islower((unsigned char)nd->p[s]))
		s++;
	if (upper_short) {
		/* short forms in upper case only (EXFO FVA-3150) */
		if (n != s)
			return false;
		for (i = 0; i < n; i++)
			if (in[i] != nd->p[i])
				return false;
		return true;
	}
	if (n == nd->n) {
		for (i = 0; i < n; i++)
			if (toupper((unsigned char)in[i]) != toupper((unsigned char)nd->p[i]))
				return false;
		return true;
	}
	if (n == s) {
		for (i = 0; i < n; i++)
			if (toupper((unsigned char)in[i]) != nd->p[i])
				return false;
		return true;
	}
	return false;
}

struct in_node {
	const char *p;
	size_t n;
	bool has_sfx;
	unsigned sfx;
};

static bool match(const struct node *pn, unsigned np, const struct in_node *in, unsigned ni,
		  unsigned *sfx, bool up)
{
	if (!np)
		return ni == 0;
	if (pn->opt && match(pn + 1, np - 1, in, ni, sfx, up))
		return true;
	if (!ni || !mnemonic_eq(pn, in->p, in->n, up))
		return false;
	if (in->has_sfx && !pn->sfx)
		return false;
	if (pn->sfx)
		sfx[pn->sfx_idx] = in->has_sfx ? in->sfx : 1;
	return match(pn + 1, np - 1, in + 1, ni - 1, sfx, up);
}

/* Splits a header into its nodes (SCPI 1999 vol. 1, 6.2: mnemonics of
 * letters, at most 12 of them, each with an optional numeric suffix, ':'
 * between them, a leading ':' allowed, '*' for common commands). Returns 0
 * or the error a malformed header draws: -102 Syntax error (an empty node,
 * a character no mnemonic has), -112 Program mnemonic too long, -114
 * Header suffix out of range (a suffix too large for any instrument). */
static int split_header(const char *h, size_t hl, struct in_node *in, unsigned *ni)
{
	size_t i = 0;

	*ni = 0;
	if (hl && h[0] == ':')
		i++;
	while (i < hl) {
		struct in_node *x;
		size_t j = i;

		if (*ni == 8)
			return -113;	/* deeper than any tree: undefined */
		x = &in[(*ni)++];
		x->p = h + i;
		if (j < hl && h[j] == '*' && *ni == 1)
			j++;
		while (j < hl && isalpha((unsigned char)h[j]))
			j++;
		x->n = j - i;
		x->has_sfx = false;
		if (!x->n)
			return -102;
		if (x->n > 12)
			return -112;
		if (j < hl && isdigit((unsigned char)h[j])) {
			unsigned long v = 0;

			while (j < hl && isdigit((unsigned char)h[j])) {
				v = v * 10 + (unsigned long)(h[j] - '0');
				if (v > 1000)
					return -114;
				j++;
			}
			x->has_sfx = true;
			x->sfx = (unsigned)v;
		}
		if (j < hl && h[j] != ':')
			return -102;
		if (j + 1 == hl)
			return -102;	/* a trailing ':' */
		i = j + 1;
	}
	return *ni > 0 ? 0 : -102;
}

/* ---- common commands ---- */

static void reset_state(struct scpi_emu *e)
{
	unsigned i;

	for (i = 0; i < EMU_MAX_CH; i++) {
		struct emu_ch *c = &e->ch[i];
		double wl = 1310.0;

		c->offset = 0;
		c->att_disp = 0;
		c->wl_nm = wl;
		c->enabled = true;
		c->atim_s = e->m->kind == EMU_OPM ? 0.1 : 0;
		c->range_dbm = 0;
		c->autorange = true;
		c->unit_watt = false;
		c->last_mw = 0;
		c->aver_count = 1;
		c->route = 1;
	}
}

static void c_idn(struct scpi_emu *e, const struct emu_call *c)
{
	(void)c;
	if (e->idn[0])
		emu_reply(e, e->now, "%s", e->idn);
	else
		emu_reply(e, e->now, "%s,%s,%s,1.0.0-bert-sim", e->m->vendor, e->m->model,
			  e->serial);
}

static void c_opc_q(struct scpi_emu *e, const struct emu_call *c)
{
	(void)c;
	emu_reply(e, e->busy_until > e->now ? e->busy_until : e->now, "1");
}

static void c_nop(struct scpi_emu *e, const struct emu_call *c)
{
	(void)e;
	(void)c;
}

static void c_cls(struct scpi_emu *e, const struct emu_call *c)
{
	(void)c;
	e->nerr = 0;
}

static void c_rst(struct scpi_emu *e, const struct emu_call *c)
{
	unsigned i;

	(void)c;
	reset_state(e);
	for (i = 0; i < e->nch; i++)
		if (e->m->kind == EMU_VOA)
			emu_voa_apply(e, i);
}

static void c_esr(struct scpi_emu *e, const struct emu_call *c)
{
	(void)c;
	emu_reply(e, e->now, "%d", e->nerr ? 0x20 : 0);
}

static void c_tst(struct scpi_emu *e, const struct emu_call *c)
{
	(void)c;
	emu_reply(e, e->now, "0");
}

static void c_err(struct scpi_emu *e, const struct emu_call *c)
{
	(void)c;
	if (!e->nerr) {
		emu_reply(e, e->now, "+0,\"No error\"");
		return;
	}
	emu_reply(e, e->now, "%+d,\"%s\"", e->errq_code[0], e->errq_text[0]);
	memmove(e->errq_code, e->errq_code + 1, (e->nerr - 1) * sizeof(e->errq_code[0]));
	memmove(e->errq_text, e->errq_text + 1, (e->nerr - 1) * sizeof(e->errq_text[0]));
	e->nerr--;
}

static const struct emu_cmd common_cmds[] = {
	{ "*IDN?", c_idn, 0 },
	{ "*OPC?", c_opc_q, 0 },
	{ "*OPC", c_nop, 0 },
	{ "*WAI", c_nop, 0 },
	{ "*CLS", c_cls, 0 },
	{ "*RST", c_rst, 0 },
	{ "*ESR?", c_esr, 0 },
	{ "*TST?", c_tst, 0 },
	{ ":SYSTem:ERRor[:NEXT]?", c_err, 0 },
	{ NULL, NULL, 0 },
};

static bool try_table(struct scpi_emu *e, const struct emu_cmd *cmds, const struct in_node *in,
		      unsigned ni, bool query, struct emu_call *call, bool common)
{
	struct node nodes[8];
	unsigned np, i;

	for (; cmds->pattern; cmds++) {
		size_t pl = strlen(cmds->pattern);
		bool pq = pl && cmds->pattern[pl - 1] == '?';

		if (pq != query)
			continue;
		np = parse_pattern(cmds->pattern, nodes, 8);
		for (i = 0; i < EMU_MAX_SFX; i++)
			call->sfx[i] = 1;
		if (match(nodes, np, in, ni, call->sfx, !common && e->m->upper_short_only)) {
			unsigned max = cmds->max_args ? cmds->max_args :
				       query || common ? 0 : 1;

			call->query = query;
			if (call->nargs > max)
				emu_error(e, EMU_E_PARAM_NOT_ALLOWED);
			else
				cmds->fn(e, call);
			return true;
		}
	}
	return false;
}

static void run_unit(struct scpi_emu *e, char *u)
{
	struct emu_call call = { 0 };
	struct in_node in[8];
	unsigned ni;
	char *h, *args, *p;
	size_t hl;
	bool query = false;

	while (*u == ' ' || *u == '\t')
		u++;
	if (!*u)
		return;
	e->stats.commands++;
	h = u;
	hl = strcspn(u, " \t");
	args = u + hl;
	if (hl && h[hl - 1] == '?') {
		query = true;
		hl--;
	}
	switch (split_header(h, hl, in, &ni)) {
	case 0:
		break;
	case -102:
		emu_error(e, EMU_E_SYNTAX);
		return;
	case -112:
		emu_error(e, EMU_E_MNEMONIC_LONG);
		return;
	case -114:
		emu_error(e, EMU_E_HEADER_SUFFIX);
		return;
	default:
		emu_error(e, EMU_E_UNDEFINED_HEADER);
		return;
	}
	/* arguments: comma separated, blanks trimmed */
	while (*args == ' ' || *args == '\t')
		args++;
	p = args;
	while (*p && call.nargs < EMU_MAX_ARGS) {
		char *c = strchr(p, ','), *end;

		if (c)
			*c = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		call.args[call.nargs++] = p;
		if (!c)
			break;
		p = c + 1;
	}
	if (try_table(e, common_cmds, in, ni, query, &call, true) ||
	    try_table(e, e->m->cmds, in, ni, query, &call, false))
		return;
	emu_error(e, EMU_E_UNDEFINED_HEADER);
}

void scpi_emu_input(struct scpi_emu *e, const char *line)
{
	char buf[512], *u, *semi;
	bool in_quote = false;
	size_t i;

	e->now = bert_clock_now(e->plant.clock);
	snprintf(buf, sizeof(buf), "%s", line);
	/* Strip a trailing CR (CR LF terminated lines). */
	i = strlen(buf);
	while (i && (buf[i - 1] == '\r' || buf[i - 1] == '\n'))
		buf[--i] = '\0';
	u = buf;
	for (semi = buf; *semi; semi++) {
		if (*semi == '"')
			in_quote = !in_quote;
		if (*semi == ';' && !in_quote) {
			*semi = '\0';
			run_unit(e, u);
			u = semi + 1;
		}
	}
	run_unit(e, u);
}

/* ---- argument helpers ---- */

int emu_ch_index(struct scpi_emu *e, const struct emu_call *c, unsigned sfx_slot,
		 unsigned sfx_chan)
{
	unsigned slot = c->sfx[sfx_slot], chan = sfx_chan < EMU_MAX_SFX ? c->sfx[sfx_chan] : 1;

	if (slot < 1 || slot > e->nch || chan != 1) {
		emu_error(e, EMU_E_HEADER_SUFFIX);
		return -1;
	}
	return (int)slot - 1;
}

bool emu_arg_number(struct scpi_emu *e, const struct emu_call *c, unsigned i,
		    const struct emu_unit *units, double min, double max, double def,
		    double *out)
{
	const char *a;
	char *end;
	double v;

	if (i >= c->nargs || !c->args[i][0]) {
		emu_error(e, EMU_E_MISSING_PARAM);
		return false;
	}
	a = c->args[i];
	if (!strcasecmp(a, "MIN") || !strcasecmp(a, "MINIMUM")) {
		*out = min;
		return true;
	}
	if (!strcasecmp(a, "MAX") || !strcasecmp(a, "MAXIMUM")) {
		*out = max;
		return true;
	}
	if (!strcasecmp(a, "DEF") || !strcasecmp(a, "DEFAULT")) {
		*out = def;
		return true;
	}
	if (!isdigit((unsigned char)a[0]) && a[0] != '-' && a[0] != '+' && a[0] != '.') {
		emu_error(e, EMU_E_DATA_TYPE);
		return false;
	}
	v = strtod(a, &end);
	if (end == a || !isfinite(v)) {
		emu_error(e, EMU_E_DATA_TYPE);
		return false;
	}
	while (*end == ' ')
		end++;
	if (*end) {
		const struct emu_unit *u;

		for (u = units; u && u->suffix; u++)
			if (!strcasecmp(end, u->suffix))
				break;
		if (!u || !u->suffix) {
			emu_error(e, EMU_E_INVALID_SUFFIX);
			return false;
		}
		v *= u->scale;
	}
	if (v < min - 1e-9 || v > max + 1e-9) {
		emu_error(e, EMU_E_OUT_OF_RANGE);
		return false;
	}
	*out = v;
	return true;
}

bool emu_arg_bool(struct scpi_emu *e, const struct emu_call *c, unsigned i, bool *out)
{
	const char *a;

	if (i >= c->nargs || !c->args[i][0]) {
		emu_error(e, EMU_E_MISSING_PARAM);
		return false;
	}
	a = c->args[i];
	if (!strcmp(a, "1") || !strcasecmp(a, "ON"))
		*out = true;
	else if (!strcmp(a, "0") || !strcasecmp(a, "OFF"))
		*out = false;
	else {
		emu_error(e, EMU_E_ILLEGAL_VALUE);
		return false;
	}
	return true;
}

bool emu_arg_wavelength(struct scpi_emu *e, const struct emu_call *c, unsigned i,
			double *nm)
{
	static const struct emu_unit u[] = {
		{ "NM", 1.0 }, { "UM", 1e3 }, { "M", 1e9 }, { "PM", 1e-3 }, { NULL, 0 },
	};
	double v;

	if (i < c->nargs && c->args[i][0]) {
		char *end;

		v = strtod(c->args[i], &end);
		/* a bare number below 1e-3 is in meters (Keysight's default unit) */
		if (end != c->args[i] && !*end && v > 0 && v < 1e-3) {
			v *= 1e9;
			if (v < e->m->wl_min_nm || v > e->m->wl_max_nm) {
				emu_error(e, EMU_E_OUT_OF_RANGE);
				return false;
			}
			*nm = v;
			return true;
		}
	}
	return emu_arg_number(e, c, i, u, e->m->wl_min_nm, e->m->wl_max_nm, 1310.0, nm);
}

/* ---- physics ---- */

/* The setting error of a VOA channel at a wavelength: repeatable, within
 * +-accuracy_db, different per channel and per wavelength (nm rounded). */
static double voa_error_db(struct scpi_emu *e, unsigned ch)
{
	uint64_t s = e->seed ^ ((uint64_t)(ch + 1) * 0x9e3779b97f4a7c15ull) ^
		     ((uint64_t)lround(e->ch[ch].wl_nm) << 20);

	return e->accuracy_db * (2.0 * uniform(&s) - 1.0);
}

void emu_voa_apply(struct scpi_emu *e, unsigned ch)
{
	double filt = e->ch[ch].att_disp - e->ch[ch].offset;

	if (filt < 0)
		filt = 0;
	e->plant.ops->voa_set(e->plant.ctx, e->instr, ch + 1, filt + voa_error_db(e, ch));
	e->plant.ops->voa_enable(e->plant.ctx, e->instr, ch + 1, e->ch[ch].enabled);
}

void emu_voa_settle(struct scpi_emu *e)
{
	uint64_t t = e->now + (uint64_t)(e->settle_s * 1e9);

	if (t > e->busy_until)
		e->busy_until = t;
}

bool emu_voa_set_att(struct scpi_emu *e, unsigned ch, double disp)
{
	double filt = disp - e->ch[ch].offset;

	if (filt < -1e-9 || filt > e->m->att_max_db + 1e-9) {
		emu_error(e, EMU_E_OUT_OF_RANGE);
		return false;
	}
	e->ch[ch].att_disp = disp;
	emu_voa_apply(e, ch);
	emu_voa_settle(e);
	return true;
}

bool emu_meter_measure(struct scpi_emu *e, unsigned ch, double avg_s, double *mw,
		       uint64_t *ready)
{
	double p = 0, sigma;

	e->plant.ops->meter_input_mw(e->plant.ctx, e->instr, ch + 1, &p);
	if (avg_s < 1e-6)
		avg_s = 1e-6;
	/* relative noise at 100 ms averaging, falling as 1/sqrt(time); an
	 * absolute floor (dark noise) of the detector */
	sigma = e->noise_rel * sqrt(0.1 / avg_s);
	p = p * (1.0 + sigma * emu_gauss(e)) + e->m->floor_mw * fabs(emu_gauss(e));
	if (p < e->m->floor_mw * 0.01)
		p = e->m->floor_mw * 0.01;
	*ready = e->now + (uint64_t)(avg_s * 1e9);
	e->ch[ch].last_mw = p;
	*mw = p;
	if (!e->ch[ch].autorange && bert_mw_to_dbm(p) > e->ch[ch].range_dbm + 3.0)
		return false;
	return !(bert_mw_to_dbm(p) > e->m->range_max_dbm + 3.0);
}

void emu_meter_reply(struct scpi_emu *e, unsigned ch, double mw, bool ok, uint64_t ready)
{
	if (!ok)
		emu_reply(e, ready, "+9.91E+37");
	else if (e->ch[ch].unit_watt)
		emu_reply_real(e, ready, mw * 1e-3);
	else if (e->m->real_816x)
		emu_reply_real(e, ready, bert_mw_to_dbm(mw));
	else
		emu_reply(e, ready, "%+.4E", bert_mw_to_dbm(mw));
}

/* ---- construction ---- */

static const struct emu_model *model_by_name(const char *name)
{
	const struct emu_model *const *m;

	for (m = emu_models; *m; m++)
		if (!strcasecmp((*m)->name, name))
			return *m;
	return NULL;
}

static int guess_kind(const struct emu_plant *p, const char *instr, enum emu_kind *k)
{
	const char *t = p->ops->get(p->ctx, instr, "type");

	if (!t)
		t = p->ops->get(p->ctx, instr, "kind");
	if (!t)
		t = instr;
	if (!strncasecmp(t, "voa", 3) || !strncasecmp(t, "att", 3))
		*k = EMU_VOA;
	else if (!strncasecmp(t, "opm", 3) || !strncasecmp(t, "meter", 5) ||
		 !strncasecmp(t, "pm", 2))
		*k = EMU_OPM;
	else if (!strncasecmp(t, "osw", 3) || !strncasecmp(t, "switch", 6) ||
		 !strncasecmp(t, "sw", 2))
		*k = EMU_OSW;
	else
		return bert_fail(BERT_ERR_CONFIG, "instrument %s: no model and no type "
				 "(voa, opm, osw)", instr);
	return BERT_OK;
}

static int get_double(const struct emu_plant *p, const char *instr, const char *key,
		      double *v, double min, double max)
{
	const char *s = p->ops->get(p->ctx, instr, key);
	int rc;

	if (!s)
		return BERT_OK;
	rc = bert_ini_double(s, v, min, max);
	if (rc)
		return bert_fail_ctx(rc, "instrument %s: %s", instr, key);
	return BERT_OK;
}

int scpi_emu_new(const struct emu_plant *plant, const char *instr, struct scpi_emu **out)
{
	const struct emu_model *m = NULL;
	const char *name = plant->ops->get(plant->ctx, instr, "emulate");
	struct scpi_emu *e;
	enum emu_kind kind;
	double nch = 0, ports = 0, seed = 0;
	unsigned i;
	int rc;

	*out = NULL;
	/* `emulate` names the model; `model` does too when it is one of ours
	 * (a bench may carry a descriptive SIM-... model name instead). */
	if (!name) {
		name = plant->ops->get(plant->ctx, instr, "model");
		if (name && (!model_by_name(name) && !strncasecmp(name, "SIM-", 4)))
			name = NULL;
	}
	if (name) {
		m = model_by_name(name);
		if (!m) {
			char known[256] = "";
			const struct emu_model *const *k;

			for (k = emu_models; *k; k++) {
				strcat(known, (*k)->name);
				if (k[1])
					strcat(known, ", ");
			}
			return bert_fail(BERT_ERR_CONFIG, "instrument %s: model '%s' is not "
					 "emulated (known: %s)", instr, name, known);
		}
	} else {
		rc = guess_kind(plant, instr, &kind);
		if (rc)
			return rc;
		m = kind == EMU_VOA ? &emu_keysight_n7764a :
		    kind == EMU_OPM ? &emu_keysight_8163b : &emu_scpi_switch;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return bert_fail(BERT_ERR_NOMEM, "emulator");
	e->m = m;
	e->plant = *plant;
	snprintf(e->instr, sizeof(e->instr), "%s", instr);
	e->accuracy_db = 0.1;
	e->noise_rel = 0.002;
	e->settle_s = m->settle_s;
	nch = m->kind == EMU_OSW ? 1 : m->max_ch;
	ports = m->kind == EMU_OSW ? 2 : 0;
	rc = get_double(plant, instr, m->kind == EMU_OSW ? "inputs" : "channels", &nch, 1,
			m->max_ch);
	if (!rc)
		rc = get_double(plant, instr, "outputs", &ports, 1, 64);
	if (!rc)
		rc = get_double(plant, instr, "accuracy_db", &e->accuracy_db, 0, 3);
	if (!rc)
		rc = get_double(plant, instr, "noise", &e->noise_rel, 0, 0.5);
	if (!rc) {
		double ms = e->settle_s * 1e3;

		rc = get_double(plant, instr, "settle_ms", &ms, 0, 60000);
		e->settle_s = ms / 1e3;
	}
	if (!rc)
		rc = get_double(plant, instr, "cal_db", &e->cal_db, -10, 10);
	if (!rc)
		rc = get_double(plant, instr, "seed", &seed, 0, 4294967295.0);
	if (rc) {
		free(e);
		return rc;
	}
	if (plant->ops->get(plant->ctx, instr, "idn"))
		snprintf(e->idn, sizeof(e->idn), "%s", plant->ops->get(plant->ctx, instr, "idn"));
	e->nch = (unsigned)nch;
	e->ports = (unsigned)ports;
	e->seed = hash_str(instr) ^ (uint64_t)seed;
	e->rng = e->seed;
	snprintf(e->serial, sizeof(e->serial), "SIM%08X", (unsigned)(e->seed & 0xffffffffu));
	reset_state(e);
	for (i = 0; i < e->nch && m->kind == EMU_VOA; i++)
		emu_voa_apply(e, i);
	*out = e;
	return BERT_OK;
}

void scpi_emu_free(struct scpi_emu *e)
{
	free(e);
}

const char *scpi_emu_model(const struct scpi_emu *e)
{
	return e->m->name;
}

const char *scpi_emu_instr(const struct scpi_emu *e)
{
	return e->instr;
}

enum emu_kind scpi_emu_kind(const struct scpi_emu *e)
{
	return e->m->kind;
}
