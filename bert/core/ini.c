// SPDX-License-Identifier: MIT
/* INI files through inih with file:line errors and table-driven fields
 * (see ini.h). */
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bert/core/error.h"
#include "bert/core/ini.h"

struct parse_state {
	bert_ini_handler handler;
	void *user;
	int err;		/* first handler error */
	char detail[768];	/* its detail, without file:line */
};

static int trampoline(void *user, const char *section, const char *name,
		      const char *value)
{
	struct parse_state *st = user;
	int rc;

	if (st->err)
		return 1;	/* keep inih's first-error line number */
	bert_error_clear();
	rc = st->handler(st->user, section, name, value);
	if (rc == BERT_OK)
		return 1;
	st->err = rc;
	snprintf(st->detail, sizeof(st->detail), "%s", bert_error_detail());
	return 0;
}

static int finish(const char *name, int line, struct parse_state *st)
{
	if (line == 0)
		return BERT_OK;
	if (line < 0)
		return bert_fail(BERT_ERR_NOMEM, "%s: out of memory while parsing", name);
	if (st->err)
		return bert_fail(st->err, "%s:%d: %s", name, line, st->detail);
	return bert_fail(BERT_ERR_CONFIG, "%s:%d: syntax error (expected "
			 "[section], key = value, or a comment)", name, line);
}

int bert_ini_parse_file(const char *path, bert_ini_handler handler, void *user)
{
	struct parse_state st = { .handler = handler, .user = user };
	FILE *f;
	int line;

	f = fopen(path, "r");
	if (!f)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot open: %s", path,
				 strerror(errno));
	line = ini_parse_file(f, trampoline, &st);
	fclose(f);
	return finish(path, line, &st);
}

int bert_ini_parse_string(const char *name, const char *text,
			  bert_ini_handler handler, void *user)
{
	struct parse_state st = { .handler = handler, .user = user };

	return finish(name, ini_parse_string(text, trampoline, &st), &st);
}

int bert_ini_double(const char *value, double *out, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(value, &end);
	if (end == value || *end != '\0' || errno == ERANGE || !isfinite(v))
		return bert_fail(BERT_ERR_CONFIG, "'%s' is not a number", value);
	if (v < min || v > max)
		return bert_fail(BERT_ERR_CONFIG, "%s is out of range [%g, %g]",
				 value, min, max);
	*out = v;
	return BERT_OK;
}

int bert_ini_uint(const char *value, unsigned long *out, unsigned long max)
{
	char *end;
	unsigned long v;

	if (value[0] == '-' || value[0] == '+' || value[0] == '\0')
		return bert_fail(BERT_ERR_CONFIG, "'%s' is not a whole number", value);
	errno = 0;
	v = strtoul(value, &end, 0);
	if (end == value || *end != '\0' || errno == ERANGE)
		return bert_fail(BERT_ERR_CONFIG, "'%s' is not a whole number", value);
	if (v > max)
		return bert_fail(BERT_ERR_CONFIG, "%s is out of range [0, %lu]",
				 value, max);
	*out = v;
	return BERT_OK;
}

int bert_ini_bool(const char *value, bool *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(value, yes[i])) {
			*out = true;
			return BERT_OK;
		}
		if (!strcasecmp(value, no[i])) {
			*out = false;
			return BERT_OK;
		}
	}
	return bert_fail(BERT_ERR_CONFIG, "'%s' is not a boolean (true/false)", value);
}

bool bert_ini_section_index(const char *section, const char *kind,
			    unsigned max, unsigned *index, int *err)
{
	size_t n = strlen(kind);
	unsigned long v;

	*err = BERT_OK;
	if (strncmp(section, kind, n) != 0 || section[n] != ' ')
		return false;
	if (bert_ini_uint(section + n + 1, &v, max) != BERT_OK || v < 1) {
		*err = bert_fail(BERT_ERR_CONFIG, "[%s]: %s number must be 1..%u",
				 section, kind, max);
		return true;
	}
	*index = (unsigned)v;
	return true;
}

int bert_ini_set_field(const struct bert_ini_field *fields, void *base,
		       const char *section, const char *name, const char *value)
{
	const struct bert_ini_field *f;
	unsigned long u;
	char *p;
	int rc;

	for (f = fields; f->name; f++) {
		if (strcmp(f->name, name) != 0)
			continue;
		p = (char *)base + f->offset;
		switch (f->type) {
		case BERT_INI_DOUBLE:
			rc = bert_ini_double(value, (double *)(void *)p, f->min, f->max);
			break;
		case BERT_INI_UINT:
			rc = bert_ini_uint(value, &u, (unsigned long)f->max);
			if (rc == BERT_OK)
				*(unsigned *)(void *)p = (unsigned)u;
			break;
		case BERT_INI_BOOL:
			rc = bert_ini_bool(value, (bool *)(void *)p);
			break;
		case BERT_INI_STRING:
			if (strlen(value) >= f->size)
				return bert_fail(BERT_ERR_CONFIG, "%s: longer than %zu "
						 "characters", name, f->size - 1);
			memcpy(p, value, strlen(value) + 1);
			rc = BERT_OK;
			break;
		default:
			return bert_fail(BERT_ERR_INTERNAL, "bad field type");
		}
		if (rc != BERT_OK)
			return bert_fail_ctx(rc, "%s", name);
		return BERT_OK;
	}
	return bert_fail(BERT_ERR_CONFIG, "unknown key '%s' in [%s]", name, section);
}
