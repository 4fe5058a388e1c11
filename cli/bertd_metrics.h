/* SPDX-License-Identifier: MIT */
/* bertd's Prometheus metrics (the text exposition format, version 0.0.4),
 * served at /metrics by cli/bertd_http.c:
 *
 *   bertd_info{station,version}                      gauge 1
 *   bertd_runs_started_total{site}                   counter
 *   bertd_runs_finished_total{site,status,verdict}   counter
 *   bertd_site_state{site,state}                     gauge 0/1 per state
 *   bertd_step_duration_seconds{step}                histogram, station time
 *   bertd_instrument_lock_grants_total{instrument}   counter (shared ones)
 *   bertd_instrument_lock_contended_total{instrument} counter
 *   bertd_instrument_lock_wait_seconds_total{instrument} counter, station time
 *   bertd_instrument_lock_hold_seconds_total{instrument} counter, station time
 *   bertd_worker_restarts_total{site}                counter: runs that ended
 *                                                    in a station error, after
 *                                                    which the worker opens the
 *                                                    site afresh
 *   bertd_spool_backlog_runs                         gauge (with a central db)
 *   bertd_spool_backlog_oldest_age_seconds           gauge; absent when empty
 *   bertd_spool_backlog_max_runs                     gauge, since start
 *   bertd_central_up                                 gauge 0/1
 *   bertd_uploads_total                              counter, runs acknowledged
 *   bertd_upload_errors_total                        counter, failed attempts
 *
 * Counters come from the daemon's progress events (bertd_metrics_event, in
 * the control loop); states, locks and the spool are read at each scrape.
 */
#ifndef BERT_CLI_BERTD_METRICS_H
#define BERT_CLI_BERTD_METRICS_H

#include <stddef.h>

#include "bert/daemon/bertd_core.h"
#include "bert/store/uploader.h"
#include "cli/bertd_http.h"

struct bertd_metrics;

/* station_file: its shared instruments are looked up at each scrape.
 * up may be NULL (no central database). */
int bertd_metrics_new(struct bertd *d, const char *station_file, struct uploader *up,
		      struct bertd_metrics **out);
void bertd_metrics_free(struct bertd_metrics *m);
/* One progress event line (bertd_sink_fn format). */
void bertd_metrics_event(struct bertd_metrics *m, const char *line, size_t len);
/* The /metrics route. */
int bertd_metrics_render(void *user, struct bertd_http_reply *r);

#endif
