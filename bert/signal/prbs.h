/* SPDX-License-Identifier: MIT */
/* PRBS, QPRBS and SSPRQ generators and a word-parallel checker
 * (IEEE 802.3 120.5.11.2).
 *
 * Bit streams are packed 8 bits a byte, MSB first unless BERT_PRBS_LSB_FIRST.
 * The Q (PAM4) patterns are the PRBS bits taken in pairs and Gray-mapped
 * (00->0, 01->1, 11->2, 10->3); as a bit stream they are carried as the
 * level index of each symbol, 2 bits MSB first, which is how a PAM4 capture
 * is stored. */
#ifndef BERT_SIGNAL_PRBS_H
#define BERT_SIGNAL_PRBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bert_prbs_pattern {
	BERT_PRBS7, BERT_PRBS9, BERT_PRBS11, BERT_PRBS13,
	BERT_PRBS15, BERT_PRBS20, BERT_PRBS23, BERT_PRBS31,
	BERT_PRBS7Q, BERT_PRBS9Q, BERT_PRBS11Q, BERT_PRBS13Q,
	BERT_PRBS15Q, BERT_PRBS20Q, BERT_PRBS23Q, BERT_PRBS31Q,
	BERT_SSPRQ,
	BERT_PRBS_COUNT,
};

#define BERT_SSPRQ_SYMBOLS	65535

/* Generator and checker options */
#define BERT_PRBS_INVERT	0x1	/* invert every bit (on top of IEEE's) */
#define BERT_PRBS_LSB_FIRST	0x2	/* first bit in bit 0 of each byte */

const char *bert_prbs_name(enum bert_prbs_pattern p);
/* "PRBS31", "prbs13q", "SSPRQ" ...; BERT_ERR_CONFIG when unknown. */
int bert_prbs_from_name(const char *name, enum bert_prbs_pattern *p);
/* CMIS pattern IDs (OIF-CMIS 5.x Page 13h): 0 PRBS31Q, 1 PRBS31, ... 12 SSPRQ.
 * from: BERT_ERR_UNSUPPORTED for 13..15 and others; to: -1 if none. */
int bert_prbs_from_cmis(unsigned id, enum bert_prbs_pattern *p);
int bert_prbs_to_cmis(enum bert_prbs_pattern p);
bool bert_prbs_is_pam4(enum bert_prbs_pattern p);
/* Period in bits of the bit stream (2^n - 1 PRBS bits; SSPRQ 131070). */
uint64_t bert_prbs_period_bits(enum bert_prbs_pattern p);

/* Generator. The seed is the register S0..S(n-1) (bit k = S_k, S0 the most
 * recent bit); 0 picks the default: all ones, or the IEEE seed for
 * PRBS13Q (120.5.11.2.1). PRBS31 and PRBS31Q carry IEEE's output inverter
 * (Figure 49-9). SSPRQ ignores the seed and starts at IEEE's phase. */
struct bert_prbs_gen {
	enum bert_prbs_pattern pat;
	unsigned flags;
	uint8_t ring[32][32] __attribute__((aligned(32)));
	uint64_t chunk;		/* next chunk to produce */
	unsigned off;		/* bytes of ring[(chunk-1)%32] already handed out */
	uint64_t ssprq_pos;	/* SSPRQ: next bit */
};

int bert_prbs_gen_init(struct bert_prbs_gen *g, enum bert_prbs_pattern p,
		       uint32_t seed, unsigned flags);
/* Next 8 * n bits of the stream. */
void bert_prbs_gen_bytes(struct bert_prbs_gen *g, uint8_t *out, size_t n);
/* Next n PAM4 symbols (level indices 0..3) of a Q pattern or SSPRQ;
 * BERT_ERR_ARG for a binary pattern. */
int bert_prbs_gen_symbols(struct bert_prbs_gen *g, uint8_t *sym, size_t n);

/* Checker over a whole capture. Lock: the PRBS recurrence holds for
 * lock_bits consecutive bits; then a local generator runs free (so one
 * flipped bit counts once) and is compared word by word. Loss of lock:
 * more than a quarter of the bits of a 1024-bit window in error; the window
 * is not counted and the checker re-acquires from there. */
struct bert_prbs_check_opts {
	enum bert_prbs_pattern pat;
	unsigned flags;		/* BERT_PRBS_INVERT, BERT_PRBS_LSB_FIRST */
	unsigned lock_bits;	/* 0: 64 + degree */
};

struct bert_prbs_result {
	uint64_t bits_total;	/* bits in the capture */
	uint64_t bits_checked;	/* compared while locked */
	uint64_t bit_errors;
	uint64_t symbols_checked; /* PAM4 patterns: bit pairs compared */
	uint64_t symbol_errors;
	uint64_t first_lock_bit; /* where the first lock started */
	unsigned locks;		/* lock acquisitions */
	unsigned losses;	/* losses of lock */
	bool locked;		/* locked at the end of the capture */
};

/* BERT_ERR_ARG for bad options, BERT_ERR_PROTOCOL (with a detail) when the
 * capture is empty or never locks; res is filled in either case. */
int bert_prbs_check(const struct bert_prbs_check_opts *o, const uint8_t *buf,
		    size_t len, struct bert_prbs_result *res);

#endif
