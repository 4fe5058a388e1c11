/* SPDX-License-Identifier: MIT */
/* The one place a figure's physical range is checked before it is printed
 * or stored.
 *
 * A ratio (BER, SER, CER, FLR, post-FEC BER) is a finite number in 0..1.
 * A figure that was not measured (an unlocked lane, no bits) or that comes
 * out impossible (NaN, above 1, below 0) is "n/a": text prints "n/a", JSON
 * stores null next to a reason. An upper bound below the reporting floor
 * (1e-15, BERT_FIG_FLOOR) prints as "< 1e-15" and is stored as the floor:
 * below it the random-error models say nothing a test time can confirm
 * (a 1e-15 BER needs about 3e15 bits, 8 hours at 106 Gb/s, for one
 * expected error). */
#ifndef BERT_CORE_FIGURE_H
#define BERT_CORE_FIGURE_H

#include <stdbool.h>
#include <stddef.h>

#define BERT_FIG_FLOOR		1e-15
#define BERT_FIG_FLOOR_TEXT	"1e-15"

/* No light. A CMIS power monitor counts in 0.1 uW steps (OIF-CMIS 5.x,
 * Page 11h lane monitors and Page 02h thresholds: U16, 0.1 uW per LSB), so
 * a reading of 0 says only that the power is below one step: -inf dBm is
 * not a value but a bound, true power < 0.1 uW (-40 dBm). A dBm figure that
 * comes out -inf (0 mW) is never printed or stored as a number: it is n/a
 * (JSON null) with the reason BERT_FIG_NO_LIGHT_TEXT, and it is judged as
 * the bound "below BERT_FIG_NO_LIGHT_DBM":
 *   - a min limit at or above the floor FAILs (the power is below it);
 *   - a max limit at or above the floor is met;
 *   - a limit below the floor cannot be decided from the reading: ERROR,
 *     with the reason, never a pass;
 *   - without limits the reading is informational (a pass, n/a printed).
 * qual_judge_below() (bert/qual/measurement.h) implements this. */
#define BERT_FIG_NO_LIGHT_DBM	-40.0
#define BERT_FIG_NO_LIGHT_TEXT	"no light: below the DOM reporting floor of 0.1 uW"

/* Whether a dBm figure is the no-light bound (-inf, from 0 mW). */
bool bert_fig_dbm_no_light(double dbm);

/* A ratio that may be printed or stored: finite, 0 <= v <= 1. */
bool bert_fig_ratio_ok(double v);

/* The value to store: NaN when !measured or impossible (the caller stores
 * null and a reason), the floor for a bound below it, else v. */
double bert_fig_ratio(double v, bool measured, bool bound);

/* Text for a ratio into buf (at least 16 bytes): "n/a", "< 1e-15",
 * "<1.234e-05" for a bound, "1.234e-05". Returns buf. */
const char *bert_fig_ratio_text(char *buf, size_t size, double v,
				bool measured, bool bound);

#endif
