// SPDX-License-Identifier: MIT
/* Model tables, instrument URIs and the command expander. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_PREFIX "instr"
#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/core/units.h"
#include "instruments/instr.h"
#include "instruments/instr_internal.h"

extern const struct instr_model instr_keysight_8163;
extern const struct instr_model instr_keysight_n77xx;
extern const struct instr_model instr_exfo_fva3150;
extern const struct instr_model instr_thorlabs_pm100d;
extern const struct instr_model instr_scpi_switch;

/* Explicit registration: every driver model is listed here. */
const struct instr_model *const instr_models[] = {
	&instr_keysight_8163,
	&instr_keysight_n77xx,
	&instr_exfo_fva3150,
	&instr_thorlabs_pm100d,
	&instr_scpi_switch,
	NULL,
};

const struct instr_model *instr_model_find(const char *name)
{
	const struct instr_model *const *m;

	for (m = instr_models; *m; m++)
		if (!strcasecmp((*m)->name, name))
			return *m;
	return NULL;
}

const char *instr_models_list(char *buf, size_t size)
{
	const struct instr_model *const *m;
	size_t o = 0;
	unsigned i;

	buf[0] = '\0';
	for (m = instr_models; *m && o < size; m++) {
		o += (size_t)snprintf(buf + o, size - o, "%s%s (", o ? ", " : "", (*m)->name);
		for (i = 0; (*m)->models[i] && o < size; i++)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "/" : "",
					      (*m)->models[i]);
		if (o < size)
			o += (size_t)snprintf(buf + o, size - o, ")");
	}
	return buf;
}

static bool is_transport(const char *s, size_t n)
{
	const struct scpi_transport_ops *const *t;

	for (t = scpi_transports; *t; t++)
		if (strlen((*t)->prefix) == n && !strncmp(s, (*t)->prefix, n))
			return true;
	return false;
}

static int parse_addr(const char *frag, struct instr_uri *u)
{
	const char *p = frag;

	while (*p) {
		size_t kl = strcspn(p, "=,");
		char *end;
		unsigned long v;

		if (p[kl] != '=')
			return bert_fail(BERT_ERR_CONFIG, "instrument address '%s': "
					 "expected slot=N,chan=M", frag);
		v = strtoul(p + kl + 1, &end, 10);
		if (end == p + kl + 1 || (*end && *end != ',') || v < 1 || v > 64)
			return bert_fail(BERT_ERR_CONFIG, "instrument address '%s': bad "
					 "number", frag);
		if (kl == 4 && !strncmp(p, "slot", 4)) {
			u->slot = (unsigned)v;
			u->has_slot = true;
		} else if ((kl == 4 && !strncmp(p, "chan", 4)) ||
			   (kl == 7 && !strncmp(p, "channel", 7))) {
			u->chan = (unsigned)v;
			u->has_chan = true;
		} else {
			return bert_fail(BERT_ERR_CONFIG, "instrument address '%s': "
					 "unknown key '%.*s' (slot, chan)", frag, (int)kl, p);
		}
		p = *end ? end + 1 : end;
	}
	return BERT_OK;
}

int instr_uri_parse(const char *uri, struct instr_uri *u)
{
	const char *colon = strchr(uri, ':'), *hash, *t = uri;
	size_t n;

	memset(u, 0, sizeof(*u));
	u->slot = u->chan = 1;
	if (!colon)
		return bert_fail(BERT_ERR_CONFIG, "instrument '%s': expected "
				 "[MODEL:]TRANSPORT:ARGS", uri);
	if (!is_transport(uri, (size_t)(colon - uri))) {
		n = (size_t)(colon - uri);
		if (n >= sizeof(u->model))
			return bert_fail(BERT_ERR_CONFIG, "instrument '%s': model name too "
					 "long", uri);
		memcpy(u->model, uri, n);
		u->model[n] = '\0';
		t = colon + 1;
	}
	hash = strchr(t, '#');
	n = hash ? (size_t)(hash - t) : strlen(t);
	if (n >= sizeof(u->transport))
		return bert_fail(BERT_ERR_CONFIG, "instrument '%s': URI too long", uri);
	memcpy(u->transport, t, n);
	u->transport[n] = '\0';
	return hash ? parse_addr(hash + 1, u) : BERT_OK;
}

static const struct scpi_command *find_cmd(const struct instr *in, int id)
{
	const struct scpi_command *c;

	for (c = in->model->cmds; c->id; c++)
		if (c->id == id)
			return c;
	return NULL;
}

bool instr_has(const struct instr *in, int id)
{
	return find_cmd(in, id) != NULL;
}

static int expand(const struct instr *in, const struct scpi_command *c, unsigned chan,
		  double value, char *buf, size_t size)
{
	const char *p = c->cmd;
	size_t o = 0;
	int n;

	while (*p) {
		if (p[0] == '{' && p[1] && p[2] == '}') {
			switch (p[1]) {
			case 's':
				n = snprintf(buf + o, size - o, "%u", in->slot);
				break;
			case 'c':
				n = snprintf(buf + o, size - o, "%u", chan);
				break;
			case 'k':
				n = snprintf(buf + o, size - o, "%u", (chan - 1) *
					     (in->model->slot_stride ? in->model->slot_stride : 1) + 1);
				break;
			case 'v':
				n = snprintf(buf + o, size - o, "%.4f", value);
				break;
			case 'i':
				n = snprintf(buf + o, size - o, "%ld", lround(value));
				break;
			case 'w':
				n = snprintf(buf + o, size - o, "%.4E",
					     bert_dbm_to_mw(value) * 1e-3);
				break;
			default:
				return bert_fail(BERT_ERR_INTERNAL, "command '%s'", c->cmd);
			}
			if (n < 0 || (size_t)n >= size - o)
				return bert_fail(BERT_ERR_INTERNAL, "command too long");
			o += (size_t)n;
			p += 3;
			continue;
		}
		if (o + 1 >= size)
			return bert_fail(BERT_ERR_INTERNAL, "command too long");
		buf[o++] = *p++;
	}
	buf[o] = '\0';
	return BERT_OK;
}

static int lookup(const struct instr *in, int id, const struct scpi_command **c)
{
	*c = find_cmd(in, id);
	if (!*c)
		return bert_fail(BERT_ERR_UNSUPPORTED, "%s: %s has no command for this",
				 in->dev->uri, in->model->name);
	return BERT_OK;
}

int instr_cmd(struct instr *in, int id, unsigned chan, double value)
{
	const struct scpi_command *c;
	char cmd[SCPI_LINE_MAX];
	int rc;

	rc = lookup(in, id, &c);
	if (!rc)
		rc = expand(in, c, chan, value, cmd, sizeof(cmd));
	if (!rc && !(rc = instr_enter(in)))
		rc = instr_leave(in, scpi_cmd(in->dev, "%s", cmd));
	return rc;
}

int instr_query(struct instr *in, int id, unsigned chan, double *out)
{
	const struct scpi_command *c;
	char cmd[SCPI_LINE_MAX];
	int rc;

	rc = lookup(in, id, &c);
	if (!rc)
		rc = expand(in, c, chan, 0, cmd, sizeof(cmd));
	if (!rc && !(rc = instr_enter(in)))
		rc = instr_leave(in, scpi_query_double(in->dev, out, "%s", cmd));
	if (!rc && c->scale)
		*out *= c->scale;
	return rc;
}

int instr_settle(struct instr *in, uint64_t timeout_ns)
{
	int rc = instr_enter(in);

	return rc ? rc : instr_leave(in, scpi_opc(in->dev, timeout_ns));
}
