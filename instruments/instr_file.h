/* SPDX-License-Identifier: MIT */
/* The station file (station.ini): what a test station is made of. This
 * layer reads its `[instrument NAME]` sections (format in
 * instruments/README.md); other sections (sites, profiles) belong to other
 * readers and are skipped here. */
#ifndef BERT_INSTRUMENTS_INSTR_FILE_H
#define BERT_INSTRUMENTS_INSTR_FILE_H

#include "instruments/instr.h"

#define STATION_MAX_INSTR 32

struct station_instr {
	char name[32];
	char uri[256];		/* transport URI, maybe with #slot=,chan= */
	char model[32];		/* "" = chosen by *IDN? */
	enum instr_kind kind;	/* 0 when not given */
	unsigned channels;	/* 1 when not given */
	double wavelength_nm;	/* 0 when not given */
	char calibrated[16];	/* date of its last calibration, YYYY-MM-DD; "" = not given */
	unsigned line;		/* where the section starts */
};

struct station {
	char path[256];
	struct station_instr instr[STATION_MAX_INSTR];
	unsigned n_instr;
};

/* Loads path. BERT_ERR_CONFIG with file:line for a bad key or value, an
 * instrument without uri, a duplicate name or an unknown model. */
int station_load(const char *path, struct station *st);
/* The same from text; name stands for the file in messages. */
int station_load_string(const char *name, const char *text, struct station *st);
const struct station_instr *station_find(const struct station *st, const char *name);
/* The full instrument URI of an entry: [model:]uri. */
const char *station_instr_uri(const struct station_instr *si, char *buf, size_t size);
const char *instr_kind_name(enum instr_kind k);

#endif
