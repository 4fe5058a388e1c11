// SPDX-License-Identifier: MIT
/* libFuzzer: the hex text parser (ethtool -m hex on and plain forms), then a
 * write back that must parse to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/cmis/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmis_image img, again;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (cmis_image_parse_hex((const char *)data, size, "fuzz", &img))
		return 0;
	f = open_memstream(&buf, &len);
	if (f) {
		if (cmis_image_write_hex(f, &img.map) == 0) {
			fflush(f);
			if (cmis_image_parse_hex(buf, len, "again", &again) == 0) {
				if (again.len != img.len || memcmp(again.buf, img.buf, img.len))
					abort();
				cmis_image_free(&again);
			} else {
				abort();
			}
		}
		fclose(f);
		free(buf);
	}
	cmis_image_free(&img);
	return 0;
}
