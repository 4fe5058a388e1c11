/* SPDX-License-Identifier: MIT */
/* Optical power meter front end: dBm at a wavelength, with an averaging
 * time and a range (auto, or a manual upper limit). A reading above the
 * range (the instrument's overload value) is BERT_ERR_RANGE. */
#ifndef BERT_INSTRUMENTS_OPM_H
#define BERT_INSTRUMENTS_OPM_H

#include <stdbool.h>

#include "instruments/instr.h"

struct opm;

/* A channel of its own connection (instr_open). */
int opm_open(const char *uri, struct bert_clock *clock, struct opm **out);
/* A channel handle on a shared connection (instr.h): chan 0 = the
 * connection URI's #chan= (or 1). */
int opm_channel(struct instr_conn *c, unsigned chan, struct opm **out);
void opm_close(struct opm *m);
struct instr *opm_instr(struct opm *m);

int opm_set_wavelength(struct opm *m, double nm);
int opm_get_wavelength(struct opm *m, double *nm);
/* Averaging time in seconds (a sample count on meters that count). */
int opm_set_averaging(struct opm *m, double seconds);
/* autorange true: the meter picks; else the upper limit in dBm. */
int opm_set_range(struct opm *m, bool autorange, double dbm);
/* One triggered reading in dBm (waits the averaging time on the clock). */
int opm_read_dbm(struct opm *m, double *dbm);

#endif
