// SPDX-License-Identifier: MIT
/* Opening the module behind --fixture, and the I2C figures behind
 * --stats (see common_module.h). */
#include <stdio.h>
#include <stdlib.h>

#include "bert/core/error.h"
#include "cli/common_module.h"
#include "fixtures/cmis/cmis_regs.h"

int cli_module_open(const struct cli_opts *o, struct cli_module *m)
{
	int rc;

	m->fixture = NULL;
	m->dev = NULL;
	rc = bert_fixture_open(o->fixture, &m->fixture);
	if (rc)
		return cli_error(rc, "opening fixture");
	rc = cmis_open(m->fixture->bus, &m->dev);
	if (rc) {
		int ex = cli_error(rc, "opening module");

		bert_fixture_close(m->fixture);
		m->fixture = NULL;
		return ex;
	}
	return 0;
}

void cli_module_close(struct cli_module *m)
{
	cmis_close(m->dev);
	bert_fixture_close(m->fixture);
	m->dev = NULL;
	m->fixture = NULL;
}

int cli_module_bring_up(struct cli_module *m, unsigned appsel)
{
	uint8_t desc[CMIS_APP_DESC_LEN], mask = 0;
	unsigned width, lane;
	int rc;

	rc = cmis_read(m->dev, 0, 0, (uint8_t)(CMIS_APP_DESC + 4 * (appsel - 1)),
		       desc, sizeof(desc));
	if (rc)
		return cli_error(rc, "reading applications");
	width = desc[2] >> 4;
	/* Every data path the host lane options allow, from lane 1 on. */
	for (lane = 0; width && lane + width <= 8; lane += width)
		if (desc[3] & (1u << lane))
			mask |= (uint8_t)(((1u << width) - 1) << lane);
	if (!mask)
		mask = 0xff;	/* let the driver refuse with a clear error */
	rc = cmis_bring_up(m->dev, appsel, mask);
	if (rc)
		return cli_error(rc, "bringing the module up");
	return 0;
}

/* The I2C figures behind --stats (their JSON keys are a contract: never rename). */
json_t *cli_i2c_stats_json(const struct i2c_stats *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}",
			 "transactions", (json_int_t)s->transactions,
			 "retries", (json_int_t)s->retries,
			 "usb_round_trips", (json_int_t)s->usb_round_trips,
			 "bytes_read", (json_int_t)s->bytes_read,
			 "bytes_written", (json_int_t)s->bytes_written,
			 "bus_time_us", s->bus_time_ns / 1000.0);
}

int cli_module_option(int c, const char *arg, struct cli_module_opts *mo)
{
	char *end;

	switch (c) {
	case 'b':
		mo->appsel = 1;
		if (arg) {
			unsigned long v = strtoul(arg, &end, 10);

			if (*end || v < 1 || v > 8)
				return cli_usage_error("--bring-up: AppSel '%s' must "
						       "be 1..8", arg);
			mo->appsel = (unsigned)v;
		}
		return 0;
	case 's':
		mo->stats = true;
		return 0;
	}
	return -1;
}

int cli_module_start(const struct cli_opts *o, const struct cli_module_opts *mo,
		     struct cli_module *m)
{
	int ex = cli_module_open(o, m);

	if (ex || !mo->appsel)
		return ex;
	ex = cli_module_bring_up(m, mo->appsel);
	if (ex)
		cli_module_close(m);
	return ex;
}

int cli_module_snapshot(struct cli_module *m, struct cmis_snapshot **out)
{
	struct cmis_snapshot *snap = calloc(1, sizeof(*snap));
	int rc;

	*out = NULL;
	if (!snap)
		return cli_error(BERT_ERR_NOMEM, "reading module memory");
	rc = cmis_snapshot_read(m->dev, snap);
	if (rc) {
		free(snap);
		return cli_error(rc, "reading module memory");
	}
	*out = snap;
	return 0;
}
