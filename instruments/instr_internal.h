/* SPDX-License-Identifier: MIT */
/* Private to instruments/: the guard around every exchange of a channel
 * handle (instr_conn.c). */
#ifndef BERT_INSTRUMENTS_INSTR_INTERNAL_H
#define BERT_INSTRUMENTS_INSTR_INTERNAL_H

#include "instruments/instr.h"

/* Before an exchange: BERT_ERR_NODEV naming the instrument when the link
 * was lost since the handle was made; takes the exchange lock on the
 * monotonic clock. Every BERT_OK must be followed by instr_leave(). */
int instr_enter(struct instr *in);
/* After it: a lost link (BERT_ERR_NODEV, BERT_ERR_IO) marks the connection
 * lost for every handle; releases the lock; returns rc with the
 * instrument's name in the detail. */
int instr_leave(struct instr *in, int rc);

#endif
