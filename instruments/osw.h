/* SPDX-License-Identifier: MIT */
/* Optical switch front end: connect an input port to an output port, so one
 * meter or VOA can serve several fixture sites. Ports count from 1; routing
 * waits until the switch has settled. */
#ifndef BERT_INSTRUMENTS_OSW_H
#define BERT_INSTRUMENTS_OSW_H

#include "instruments/instr.h"

struct osw;

/* A channel of its own connection (instr_open). */
int osw_open(const char *uri, struct bert_clock *clock, struct osw **out);
/* A channel handle on a shared connection (instr.h): chan 0 = the
 * connection URI's #chan= (or 1). */
int osw_channel(struct instr_conn *c, unsigned chan, struct osw **out);
void osw_close(struct osw *s);
struct instr *osw_instr(struct osw *s);

int osw_route(struct osw *s, unsigned in, unsigned out);
int osw_get_route(struct osw *s, unsigned in, unsigned *out);

#endif
