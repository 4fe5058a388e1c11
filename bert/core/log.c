// SPDX-License-Identifier: MIT
/* Leveled logging to a handler the program installs; library code only
 * logs (see log.h). */
#include <stdatomic.h>
#include <stddef.h>

#include "bert/core/bytes.h"
#include "bert/core/log.h"

static bert_log_handler log_handler;
static void *log_user;
static atomic_int log_level = BERT_LOG_WARN;

void bert_log_set_handler(bert_log_handler handler, void *user)
{
	log_handler = handler;
	log_user = user;
}

void bert_log_set_level(enum bert_log_level level)
{
	atomic_store(&log_level, (int)level);
}

const char *bert_log_level_name(enum bert_log_level level)
{
	static const char *const names[] = {
		[BERT_LOG_NONE] = "none", [BERT_LOG_ERR] = "error",
		[BERT_LOG_WARN] = "warning", [BERT_LOG_INFO] = "info",
		[BERT_LOG_DBG] = "debug", [BERT_LOG_SPEW] = "spew",
	};

	if ((unsigned)level >= ARRAY_SIZE(names))
		return "?";
	return names[level];
}

void bert_log(enum bert_log_level level, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	if (!log_handler || (int)level > atomic_load(&log_level))
		return;
	va_start(ap, fmt);
	log_handler(log_user, level, prefix, fmt, ap);
	va_end(ap);
}
