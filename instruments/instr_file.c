// SPDX-License-Identifier: MIT
/* The [instrument NAME] sections of a station file (see station.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bert/core/error.h"
#include "bert/core/ini.h"
#include "instruments/instr_file.h"

struct load {
	struct station *st;
	char cur[64];
	struct station_instr *si;
};

const char *instr_kind_name(enum instr_kind k)
{
	switch (k) {
	case INSTR_VOA: return "voa";
	case INSTR_OPM: return "opm";
	case INSTR_OSW: return "osw";
	}
	return "";
}

static int parse_kind(const char *v, enum instr_kind *k)
{
	if (!strcasecmp(v, "voa"))
		*k = INSTR_VOA;
	else if (!strcasecmp(v, "opm") || !strcasecmp(v, "meter"))
		*k = INSTR_OPM;
	else if (!strcasecmp(v, "osw") || !strcasecmp(v, "switch"))
		*k = INSTR_OSW;
	else
		return bert_fail(BERT_ERR_CONFIG, "type '%s': expected voa, opm or osw", v);
	return BERT_OK;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct load *l = user;
	struct station *st = l->st;
	struct station_instr *si;
	unsigned long u;
	int rc;

	if (strncmp(section, "instrument ", 11))
		return BERT_OK;	/* sites, profiles ...: not ours */
	if (strcmp(section, l->cur)) {
		const char *iname = section + 11;
		unsigned i;

		snprintf(l->cur, sizeof(l->cur), "%s", section);
		if (!iname[0] || strlen(iname) >= sizeof(si->name) ||
		    strspn(iname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789_-.") != strlen(iname))
			return bert_fail(BERT_ERR_CONFIG, "[%s]: bad instrument name", section);
		for (i = 0; i < st->n_instr; i++)
			if (!strcmp(st->instr[i].name, iname))
				return bert_fail(BERT_ERR_CONFIG, "[%s]: instrument defined "
						 "twice", section);
		if (st->n_instr == STATION_MAX_INSTR)
			return bert_fail(BERT_ERR_CONFIG, "more than %d instruments",
					 STATION_MAX_INSTR);
		l->si = &st->instr[st->n_instr++];
		memset(l->si, 0, sizeof(*l->si));
		snprintf(l->si->name, sizeof(l->si->name), "%s", iname);
		l->si->channels = 1;
	}
	si = l->si;
	if (!strcmp(name, "uri")) {
		struct instr_uri iu;

		if (strlen(value) >= sizeof(si->uri))
			return bert_fail(BERT_ERR_CONFIG, "uri too long");
		rc = instr_uri_parse(value, &iu);
		if (rc)
			return rc;
		snprintf(si->uri, sizeof(si->uri), "%s", value);
	} else if (!strcmp(name, "model")) {
		if (!instr_model_find(value)) {
			char list[512];

			return bert_fail(BERT_ERR_CONFIG, "model '%s' unknown; supported: %s",
					 value, instr_models_list(list, sizeof(list)));
		}
		snprintf(si->model, sizeof(si->model), "%s", value);
	} else if (!strcmp(name, "type")) {
		return parse_kind(value, &si->kind);
	} else if (!strcmp(name, "channels")) {
		rc = bert_ini_uint(value, &u, 64);
		if (rc)
			return rc;
		if (!u)
			return bert_fail(BERT_ERR_CONFIG, "channels must be >= 1");
		si->channels = (unsigned)u;
	} else if (!strcmp(name, "wavelength")) {
		return bert_ini_double(value, &si->wavelength_nm, 400, 2000);
	} else if (!strcmp(name, "calibrated")) {
		unsigned y, m, d;
		char end;

		/* ISO 8601 calendar date, as a calibration certificate states it */
		if (sscanf(value, "%4u-%2u-%2u%c", &y, &m, &d, &end) != 3 ||
		    strlen(value) != 10 || y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
			return bert_fail(BERT_ERR_CONFIG, "calibrated: '%s' is not a date "
					 "YYYY-MM-DD", value);
		snprintf(si->calibrated, sizeof(si->calibrated), "%s", value);
	} else {
		return bert_fail(BERT_ERR_CONFIG, "[%s]: unknown key '%s' (uri, model, type, "
				 "channels, wavelength, calibrated)", section, name);
	}
	return BERT_OK;
}

static int load(const char *path, const char *text, struct station *st)
{
	struct load l = { .st = st };
	unsigned i;
	int rc;

	memset(st, 0, sizeof(*st));
	snprintf(st->path, sizeof(st->path), "%s", path);
	rc = text ? bert_ini_parse_string(path, text, handler, &l) :
		    bert_ini_parse_file(path, handler, &l);
	if (rc)
		return rc;
	for (i = 0; i < st->n_instr; i++)
		if (!st->instr[i].uri[0])
			return bert_fail(BERT_ERR_CONFIG, "%s: [instrument %s] has no uri",
					 path, st->instr[i].name);
	return BERT_OK;
}

int station_load(const char *path, struct station *st)
{
	return load(path, NULL, st);
}

int station_load_string(const char *name, const char *text, struct station *st)
{
	return load(name, text, st);
}

const struct station_instr *station_find(const struct station *st, const char *name)
{
	unsigned i;

	for (i = 0; i < st->n_instr; i++)
		if (!strcmp(st->instr[i].name, name))
			return &st->instr[i];
	return NULL;
}

const char *station_instr_uri(const struct station_instr *si, char *buf, size_t size)
{
	if (si->model[0])
		snprintf(buf, size, "%s:%s", si->model, si->uri);
	else
		snprintf(buf, size, "%s", si->uri);
	return buf;
}
