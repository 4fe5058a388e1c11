// SPDX-License-Identifier: MIT
/* Live progress lines on stderr for sweeps and the sensitivity step
 * (see common_progress.h). */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "bert/qual/sweep.h"
#include "cli/common_progress.h"

void cli_progress_init(struct cli_progress *p, const struct cli_opts *o, uint64_t t0_ns)
{
	p->on = !o->quiet && isatty(STDERR_FILENO);
	p->t0_ns = t0_ns;
}

void cli_progress_point(const struct cli_progress *p, unsigned lane,
			const struct sweep_point *pt, unsigned done, unsigned expected)
{
	double el = pt->t_ns > p->t0_ns ? (double)(pt->t_ns - p->t0_ns) / 1e9 : 0;
	char ber[24], eta[32];

	if (!p->on)
		return;
	if (pt->bits && !pt->errors)	/* no error seen: the 95 % upper bound */
		snprintf(ber, sizeof(ber), "<%.1e", 3.0 / (double)pt->bits);
	else if (isfinite(pt->ber))
		snprintf(ber, sizeof(ber), "%.3e", pt->ber);
	else
		snprintf(ber, sizeof(ber), "n/a");
	/* the same pace for the points still to come: an estimate */
	if (done && expected > done)
		snprintf(eta, sizeof(eta), "ETA ~%.1f s", el / done * (expected - done));
	else
		snprintf(eta, sizeof(eta), "ETA -");
	fprintf(stderr, "  sweep lane %u  point %u/%u  atten %5.2f dB  Prx %7.3f dBm  "
		"BER %s  elapsed %.1f s  %s\n", lane, done, expected, pt->atten_db,
		pt->power_dbm, ber, el, eta);
	fflush(stderr);
}
