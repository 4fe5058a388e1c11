/* SPDX-License-Identifier: MIT */
/* Leveled logging. Library code never prints: it logs through these macros
 * (each .c defines LOG_PREFIX before including this), and the program that
 * links the library installs a handler. With no handler, nothing is shown. */
#ifndef BERT_CORE_LOG_H
#define BERT_CORE_LOG_H

#include <stdarg.h>

enum bert_log_level {
	BERT_LOG_NONE = 0,
	BERT_LOG_ERR  = 1,
	BERT_LOG_WARN = 2,
	BERT_LOG_INFO = 3,
	BERT_LOG_DBG  = 4,
	BERT_LOG_SPEW = 5,
};

typedef void (*bert_log_handler)(void *user, enum bert_log_level level,
				 const char *prefix, const char *fmt, va_list ap);

void bert_log_set_handler(bert_log_handler handler, void *user);
void bert_log_set_level(enum bert_log_level level);
const char *bert_log_level_name(enum bert_log_level level);
void bert_log(enum bert_log_level level, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifndef LOG_PREFIX
#define LOG_PREFIX "bert"
#endif

#define log_err(...)  bert_log(BERT_LOG_ERR,  LOG_PREFIX, __VA_ARGS__)
#define log_warn(...) bert_log(BERT_LOG_WARN, LOG_PREFIX, __VA_ARGS__)
#define log_info(...) bert_log(BERT_LOG_INFO, LOG_PREFIX, __VA_ARGS__)
#define log_dbg(...)  bert_log(BERT_LOG_DBG,  LOG_PREFIX, __VA_ARGS__)
#define log_spew(...) bert_log(BERT_LOG_SPEW, LOG_PREFIX, __VA_ARGS__)

#endif
