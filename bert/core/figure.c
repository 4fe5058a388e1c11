// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdio.h>

#include "bert/core/figure.h"

bool bert_fig_dbm_no_light(double dbm)
{
	return isinf(dbm) && dbm < 0;
}

bool bert_fig_ratio_ok(double v)
{
	return isfinite(v) && v >= 0 && v <= 1;
}

double bert_fig_ratio(double v, bool measured, bool bound)
{
	if (!measured || !bert_fig_ratio_ok(v))
		return NAN;
	if (bound && v < BERT_FIG_FLOOR)
		return BERT_FIG_FLOOR;
	return v;
}

const char *bert_fig_ratio_text(char *buf, size_t size, double v,
				bool measured, bool bound)
{
	double s = bert_fig_ratio(v, measured, bound);

	if (isnan(s))
		snprintf(buf, size, "n/a");
	else if (bound && s <= BERT_FIG_FLOOR)
		snprintf(buf, size, "< " BERT_FIG_FLOOR_TEXT);
	else
		snprintf(buf, size, "%s%.3e", bound ? "<" : "", s);
	return buf;
}
