/* SPDX-License-Identifier: MIT */
/* The operator page (cli/web/), compiled into bertd by cli/web/embed.sh:
 * served from memory, nothing read from disk at run time. */
#ifndef BERT_CLI_BERTD_WEB_ASSETS_H
#define BERT_CLI_BERTD_WEB_ASSETS_H

#include <stddef.h>

#include "bert/daemon/bertd_web.h"

extern const struct bertd_web_asset bertd_web_assets[];
extern const size_t bertd_web_nassets;

#endif
