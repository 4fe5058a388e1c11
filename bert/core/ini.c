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

/* Duplicates (ini.h): every section header and key of one file, with the
 * line it is on. Config files are small, so a linear list will do. */
struct seen {
	char *section;
	char *name;		/* NULL: the section header */
	int line;
};

struct parse_state {
	bert_ini_handler handler;
	void *user;
	int err;		/* first handler error */
	int err_line;		/* its line when the reader found it */
	char detail[768];	/* its detail, without file:line */
	/* the reader: a FILE or a string, and where it is */
	FILE *f;
	const char *text;
	int line;		/* line the parser is on */
	bool mid_line;		/* the last chunk did not end the line */
	bool after_key;		/* a key line since the last header */
	bool cont;		/* this line continues the last value */
	struct seen *seen;
	size_t nseen, cap;
};

static const struct seen *seen_find(const struct parse_state *st,
				    const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < st->nseen; i++) {
		const struct seen *e = &st->seen[i];

		if (strcmp(e->section, section))
			continue;
		if (name ? e->name && !strcmp(e->name, name) : !e->name)
			return e;
	}
	return NULL;
}

static int seen_add(struct parse_state *st, const char *section,
		    const char *name, int line)
{
	struct seen *e;

	if (st->nseen == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 32;
		struct seen *n = realloc(st->seen, cap * sizeof(*n));

		if (!n)
			return BERT_ERR_NOMEM;
		st->seen = n;
		st->cap = cap;
	}
	e = &st->seen[st->nseen];
	e->section = strdup(section);
	e->name = name ? strdup(name) : NULL;
	e->line = line;
	if (!e->section || (name && !e->name)) {
		free(e->section);
		free(e->name);
		return BERT_ERR_NOMEM;
	}
	st->nseen++;
	return BERT_OK;
}

static void seen_free(struct parse_state *st)
{
	size_t i;

	for (i = 0; i < st->nseen; i++) {
		free(st->seen[i].section);
		free(st->seen[i].name);
	}
	free(st->seen);
}

/* A line as inih sees it: a section header "[name]" (inih keeps the text
 * between the brackets as it is), or an indented continuation of the last
 * value (inih's multi-line values). */
static void look_at_line(struct parse_state *st, const char *l)
{
	const char *p = l, *end;
	char name[256];
	const struct seen *prev;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	st->cont = false;
	if (!*p || strchr(";#", *p))
		return;
	if (p > l && st->after_key) {
		st->cont = true;
		return;
	}
	if (*p != '[') {
		st->after_key = true;
		return;
	}
	st->after_key = false;
	end = strchr(p + 1, ']');
	if (!end || (size_t)(end - p - 1) >= sizeof(name))
		return;		/* inih reports the syntax error */
	memcpy(name, p + 1, (size_t)(end - p - 1));
	name[end - p - 1] = 0;
	if (st->err)
		return;
	prev = seen_find(st, name, NULL);
	if (prev) {
		st->err = BERT_ERR_CONFIG;
		st->err_line = st->line;
		snprintf(st->detail, sizeof(st->detail), "section [%s] appears "
			 "twice (first at line %d); merge them", name, prev->line);
		return;
	}
	if (seen_add(st, name, NULL, st->line)) {
		st->err = BERT_ERR_NOMEM;
		st->err_line = st->line;
		snprintf(st->detail, sizeof(st->detail), "out of memory");
	}
}

/* fgets-style reader for inih that counts lines. Stops at the first
 * duplicate section (st->err set). */
static char *reader(char *buf, int num, void *user)
{
	struct parse_state *st = user;
	char *r;

	if (st->err && st->err_line)
		return NULL;
	if (st->f) {
		r = fgets(buf, num, st->f);
	} else {
		const char *t = st->text;
		int n = 0;

		if (!*t)
			return NULL;
		while (n < num - 1 && t[n]) {
			buf[n] = t[n];
			if (t[n++] == '\n')
				break;
		}
		buf[n] = 0;
		st->text = t + n;
		r = buf;
	}
	if (!r)
		return NULL;
	if (!st->mid_line) {
		st->line++;
		look_at_line(st, buf);
	}
	st->mid_line = !strchr(buf, '\n');
	return r;
}

static int trampoline(void *user, const char *section, const char *name,
		      const char *value)
{
	struct parse_state *st = user;
	const struct seen *prev;
	int rc;

	if (st->err)
		return 1;	/* keep inih's first-error line number */
	bert_error_clear();
	prev = st->cont ? NULL : seen_find(st, section, name);
	if (prev) {
		rc = bert_fail(BERT_ERR_CONFIG, "duplicate key '%s'%s%s%s (first "
			       "at line %d)", name, section[0] ? " in [" : "",
			       section, section[0] ? "]" : "", prev->line);
	} else if (!st->cont && seen_add(st, section, name, st->line)) {
		rc = bert_fail(BERT_ERR_NOMEM, "out of memory");
	} else {
		rc = st->handler(st->user, section, name, value);
	}
	if (rc == BERT_OK)
		return 1;
	st->err = rc;
	snprintf(st->detail, sizeof(st->detail), "%s", bert_error_detail());
	return 0;
}

static int finish(const char *name, int line, struct parse_state *st)
{
	int rc;

	if (st->err && st->err_line)
		line = st->err_line;
	if (line == 0)
		rc = BERT_OK;
	else if (line < 0)
		rc = bert_fail(BERT_ERR_NOMEM, "%s: out of memory while parsing", name);
	else if (st->err)
		rc = bert_fail(st->err, "%s:%d: %s", name, line, st->detail);
	else
		rc = bert_fail(BERT_ERR_CONFIG, "%s:%d: syntax error (expected "
			       "[section], key = value, or a comment)", name, line);
	seen_free(st);
	return rc;
}

int bert_ini_parse_file(const char *path, bert_ini_handler handler, void *user)
{
	struct parse_state st = { .handler = handler, .user = user };
	int line;

	st.f = fopen(path, "r");
	if (!st.f)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot open: %s", path,
				 strerror(errno));
	line = ini_parse_stream(reader, &st, trampoline, &st);
	fclose(st.f);
	return finish(path, line, &st);
}

int bert_ini_parse_string(const char *name, const char *text,
			  bert_ini_handler handler, void *user)
{
	struct parse_state st = { .handler = handler, .user = user, .text = text };

	return finish(name, ini_parse_stream(reader, &st, trampoline, &st), &st);
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
