// SPDX-License-Identifier: MIT
/* libFuzzer harness for the SCPI reply parsers (numbers, booleans, *IDN?,
 * SYST:ERR?, definite-length block headers) and the USBTMC Bulk-IN
 * reassembly: any bytes an instrument may send. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "instruments/scpi.h"
#include "instruments/usbtmc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct scpi_idn idn;
	struct usbtmc_in in;
	uint8_t out[256];
	char text[64];
	size_t hl, dl, olen = 0, i;
	double d;
	long l;
	bool b;
	int code;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (scpi_parse_double(s, &d) == 0 && d != d)
		abort();	/* a NaN must never pass */
	scpi_parse_int(s, &l);
	scpi_parse_bool(s, &b);
	if (scpi_parse_idn(s, &idn) == 0 && (!idn.vendor[0] || !idn.model[0]))
		abort();
	if (scpi_parse_error(s, &code, text, sizeof(text)) == 0 && strlen(text) >= sizeof(text))
		abort();
	if (scpi_parse_block_header(data, size, &hl, &dl) == 0 && hl > size)
		abort();
	/* Bulk-IN: the input cut into 16-byte packets */
	usbtmc_in_start(&in, size ? data[0] : 1, 200);
	for (i = 0; i < size && !in.done; i += 16) {
		size_t n = size - i < 16 ? size - i : 16;

		if (usbtmc_in_feed(&in, data + i, n, 16, out, sizeof(out), &olen))
			break;
		if (olen > sizeof(out))
			abort();
	}
	free(s);
	return 0;
}
