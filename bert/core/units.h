/* SPDX-License-Identifier: MIT */
/* Units and the CMIS numeric encodings (OIF-CMIS 5.x Lower
 * Memory, Pages 02h and 11h, the F16 format).
 * Multi-byte CMIS values are big-endian unless noted. */
#ifndef BERT_CORE_UNITS_H
#define BERT_CORE_UNITS_H

#include <stdint.h>

#include "bert/core/bytes.h"	/* the byte-order helpers the encodings use */

/* Power below this is shown as -inf dBm rather than a huge negative number. */
#define BERT_DBM_FLOOR (-40.0)

double bert_mw_to_dbm(double mw);     /* -inf for mw <= 0 */
double bert_dbm_to_mw(double dbm);

/* OMA from average power and extinction ratio (linear ratio P1/P0):
 * OMA = 2 * Pavg * (ER - 1) / (ER + 1). */
double bert_oma_mw(double avg_mw, double er_linear);
double bert_db_to_ratio(double db);

/* CMIS optical power: U16 in 0.1 uW (OIF-CMIS 5.x Pages 02h, 11h). Encoding saturates. */
double bert_cmis_power_to_mw(uint16_t raw);
uint16_t bert_cmis_power_from_mw(double mw);
/* Tx bias: U16 in 2 uA units times the 01h:160 multiplier (1, 2 or 4). */
double bert_cmis_bias_to_ma(uint16_t raw, unsigned multiplier);
uint16_t bert_cmis_bias_from_ma(double ma, unsigned multiplier);
/* Temperature: S16, 1/256 degC. */
double bert_cmis_temp_to_c(uint16_t raw);
uint16_t bert_cmis_temp_from_c(double c);
/* Vcc: U16, 100 uV. */
double bert_cmis_vcc_to_v(uint16_t raw);
uint16_t bert_cmis_vcc_from_v(double v);
/* SNR / eSNR / LTP: U16, 1/256 dB. */
double bert_cmis_db256_to_db(uint16_t raw);
uint16_t bert_cmis_db256_from_db(double db);

/* F16 (OIF-CMIS 5.x F16 format): bits 15-11 exponent s, bits 10-0 mantissa m,
 * value = m * 10^(s - 24). Encoding picks the smallest s that fits m in
 * 11 bits; values above the range saturate, negatives and NaN encode 0. */
double bert_f16_to_double(uint16_t raw);
uint16_t bert_f16_from_double(double v);

#endif
