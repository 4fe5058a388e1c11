/* SPDX-License-Identifier: MIT */
/* bertd's program parts: the control socket server (bertd_server.c), the
 * HTTP server (bertd_http.h) and its /metrics (bertd_metrics.h). */
#ifndef BERT_CLI_BERTD_H
#define BERT_CLI_BERTD_H

#include "bert/daemon/bertd_core.h"

#define BERTD_DEFAULT_SOCKET	"/run/bertd/bertd.sock"
#define BERTD_MAX_CLIENTS	64
#define BERTD_OUT_MAX		(1u << 20)	/* a client's unsent bytes */
#define BERTD_POLL_MS		50		/* ModPrsL polling */

struct bertd_server_opts {
	struct bertd_config core;
	const char *socket;
	const char *group;		/* NULL = the daemon's */
	unsigned mode;			/* socket file mode */
	const char *event_log;		/* NULL, or a file every event is appended to */
	const char *station_file;	/* for [store] and the metrics */
	const char *central;		/* postgresql:// URI; NULL = none */
	double upload_poll_s, upload_retry_max_s;
	const char *http;		/* HOST:PORT; NULL = no HTTP server */
	const char *http_token;		/* NULL = loopback only */
};

/* Opens the core and the socket, serves until SIGTERM/SIGINT, then aborts
 * running sites, waits for them and removes the socket. */
int bertd_serve(const struct bertd_server_opts *o);

#endif
