// SPDX-License-Identifier: MIT
/* dBm/mW, OMA and the CMIS monitor encodings (U16 power, bias,
 * temperature, voltage, F16); see units.h. */
#include <math.h>

#include "bert/core/units.h"

double bert_mw_to_dbm(double mw)
{
	if (!(mw > 0.0))
		return -INFINITY;
	return 10.0 * log10(mw);
}

double bert_dbm_to_mw(double dbm)
{
	return pow(10.0, dbm / 10.0);
}

double bert_db_to_ratio(double db)
{
	return pow(10.0, db / 10.0);
}

double bert_oma_mw(double avg_mw, double er_linear)
{
	return 2.0 * avg_mw * (er_linear - 1.0) / (er_linear + 1.0);
}

static uint16_t clamp_u16(double v)
{
	if (!(v > 0.0))
		return 0;
	if (v >= 65535.0)
		return 65535;
	return (uint16_t)lround(v);
}

double bert_cmis_power_to_mw(uint16_t raw)
{
	return raw / 10000.0;
}

uint16_t bert_cmis_power_from_mw(double mw)
{
	return clamp_u16(mw * 10000.0);
}

double bert_cmis_bias_to_ma(uint16_t raw, unsigned multiplier)
{
	return raw * 0.002 * (multiplier ? multiplier : 1);
}

uint16_t bert_cmis_bias_from_ma(double ma, unsigned multiplier)
{
	return clamp_u16(ma / (0.002 * (multiplier ? multiplier : 1)));
}

double bert_cmis_temp_to_c(uint16_t raw)
{
	return (int16_t)raw / 256.0;
}

uint16_t bert_cmis_temp_from_c(double c)
{
	double v = round(c * 256.0);

	if (v > 32767.0)
		v = 32767.0;
	if (v < -32768.0)
		v = -32768.0;
	return (uint16_t)(int16_t)v;
}

double bert_cmis_vcc_to_v(uint16_t raw)
{
	return raw / 10000.0;
}

uint16_t bert_cmis_vcc_from_v(double v)
{
	return clamp_u16(v * 10000.0);
}

double bert_cmis_db256_to_db(uint16_t raw)
{
	return raw / 256.0;
}

uint16_t bert_cmis_db256_from_db(double db)
{
	return clamp_u16(db * 256.0);
}

double bert_f16_to_double(uint16_t raw)
{
	unsigned s = raw >> 11, m = raw & 0x7ff;

	return m * pow(10.0, (double)s - 24.0);
}

uint16_t bert_f16_from_double(double v)
{
	unsigned s;

	if (!(v > 0.0))
		return 0;
	for (s = 0; s < 32; s++) {
		double m = round(v / pow(10.0, (double)s - 24.0));

		if (m <= 2047.0)
			return (uint16_t)((s << 11) | (unsigned)m);
	}
	return 0xffff;	/* saturate: 2047e7 */
}
