// SPDX-License-Identifier: MIT
/* libFuzzer: bytes -> binary image -> decode -> JSON and text render. */
#include <stdint.h>
#include <stdio.h>

#include "cli/common_cmis.h"
#include "fixtures/cmis/decode.h"
#include "fixtures/cmis/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cmis_image img;
	struct cmis_info info;
	FILE *devnull;
	json_t *j;
	char *s;

	if (cmis_image_parse_bin(data, size, "fuzz", &img))
		return 0;
	if (cmis_decode(&img.map, &info) == 0) {
		j = cli_cmis_info_json(&info);
		s = json_dumps(j, 0);
		free(s);
		json_decref(j);
		devnull = fopen("/dev/null", "w");
		if (devnull) {
			cli_cmis_print_info(devnull, &info, CLI_CMIS_ALL, 1);
			fclose(devnull);
		}
	}
	cmis_image_free(&img);
	return 0;
}
