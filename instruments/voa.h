/* SPDX-License-Identifier: MIT */
/* Variable optical attenuator front end. Attenuation has one definition
 * across vendors: the attenuation the instrument inserts in dB, without the
 * user offset a Keysight display adds (alpha = alpha_filter + alpha_offset)
 * or the CAL an EXFO ATT? adds. Setting it waits until the channel has
 * settled (*OPC?). URIs as in instr.h; #slot= / #chan= pick the channel. */
#ifndef BERT_INSTRUMENTS_VOA_H
#define BERT_INSTRUMENTS_VOA_H

#include <stdbool.h>

#include "instruments/instr.h"

struct voa;

/* A channel of its own connection (instr_open). */
int voa_open(const char *uri, struct bert_clock *clock, struct voa **out);
/* A channel handle on a shared connection (instr.h): chan 0 = the
 * connection URI's #chan= (or 1). */
int voa_channel(struct instr_conn *c, unsigned chan, struct voa **out);
void voa_close(struct voa *v);
/* The driver underneath (identity, model, channel, SCPI device). */
struct instr *voa_instr(struct voa *v);

/* Sets the attenuation and waits (on the clock) until it has settled. */
int voa_set_attenuation(struct voa *v, double db);
/* The same without waiting: channels set one after the other settle
 * together; voa_settle() (or the next waiting call) waits for them. */
int voa_set_attenuation_nowait(struct voa *v, double db);
int voa_get_attenuation(struct voa *v, double *db);
/* The wavelength the attenuation is calibrated for, nm. */
int voa_set_wavelength(struct voa *v, double nm);
int voa_get_wavelength(struct voa *v, double *nm);
/* Output shutter: true = light passes. */
int voa_set_enabled(struct voa *v, bool on);
int voa_get_enabled(struct voa *v, bool *on);
/* Waits until pending changes have settled. */
int voa_settle(struct voa *v);

#endif
