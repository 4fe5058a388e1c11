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
