/* SPDX-License-Identifier: MIT */
/* INI loading on top of inih, shared by every config file bert reads (module
 * and bench descriptions, profiles, station files). Errors name file:line.
 *
 * A handler returns BERT_OK or an error whose detail it set with bert_fail();
 * the first error wins and is reported as "PATH:LINE: detail". Keys outside
 * any section arrive with section "".
 *
 * One file states each thing once: a section header that appears twice, or
 * a key given twice in one section, is BERT_ERR_CONFIG naming the second
 * line and the first ("section [limit x] appears twice (first at line 4)",
 * "duplicate key 'max' in [limit x] (first at line 5)"), before the handler
 * sees it. Indented continuation lines of a multi-line value are not
 * duplicates. The check is per parse call: a format with includes (profiles)
 * parses each file on its own, so a key after an include overrides the
 * included file's value, which is the one explicit way to override. */
#ifndef BERT_CORE_INI_H
#define BERT_CORE_INI_H

#include <stdbool.h>
#include <stddef.h>

typedef int (*bert_ini_handler)(void *user, const char *section,
				const char *name, const char *value);

int bert_ini_parse_file(const char *path, bert_ini_handler handler, void *user);
/* name is used in error messages in place of a path. */
int bert_ini_parse_string(const char *name, const char *text,
			  bert_ini_handler handler, void *user);

/* Value parsers: BERT_OK, or BERT_ERR_CONFIG with a detail naming the value. */
int bert_ini_double(const char *value, double *out, double min, double max);
int bert_ini_uint(const char *value, unsigned long *out, unsigned long max);
int bert_ini_bool(const char *value, bool *out);
/* "lane 3" with kind "lane" -> *index = 3 (1..max). Returns false when the
 * section is not of that kind; an out-of-range index is reported as an error
 * through *err (BERT_OK otherwise). */
bool bert_ini_section_index(const char *section, const char *kind,
			    unsigned max, unsigned *index, int *err);

/* Table-driven fields: a config struct describes its keys once. */
enum bert_ini_type {
	BERT_INI_DOUBLE,	/* double, within [min, max] */
	BERT_INI_UINT,		/* unsigned int, 0..max (decimal or 0x hex) */
	BERT_INI_BOOL,		/* bool: true/false, yes/no, on/off, 1/0 */
	BERT_INI_STRING,	/* char[size], must fit */
};

struct bert_ini_field {
	const char *name;
	enum bert_ini_type type;
	size_t offset;
	double min, max;	/* DOUBLE: range; UINT: max only */
	size_t size;		/* STRING: buffer size including NUL */
};

#define BERT_INI_END { .name = NULL }

/* Sets the field called name in base; BERT_ERR_CONFIG "unknown key" when the
 * table has no such key. */
int bert_ini_set_field(const struct bert_ini_field *fields, void *base,
		       const char *section, const char *name, const char *value);

#endif
