// SPDX-License-Identifier: MIT
/* libFuzzer: the hex text parser (ethtool -m hex on and plain forms), then a
 * write back that must parse to the same page map. All-zero pages count as
 * absent (image.h), so the linear lengths may differ; the pages may not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures/cmis/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_map(const struct cmis_page_map *a, const struct cmis_page_map *b)
{
	unsigned p;

	if (memcmp(a->lower, b->lower, CMIS_PAGE_SIZE))
		return 0;
	for (p = 0; p < CMIS_MAX_PAGES; p++) {
		if (!a->upper[p] != !b->upper[p])
			return 0;
		if (a->upper[p] && memcmp(a->upper[p], b->upper[p], CMIS_PAGE_SIZE))
			return 0;
	}
	return 1;
}

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
				if (!same_map(&again.map, &img.map))
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
