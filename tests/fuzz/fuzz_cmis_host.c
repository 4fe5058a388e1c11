// SPDX-License-Identifier: MIT
/* libFuzzer: the host driver (fixtures/cmis: cmis.c open, snapshot,
 * durations, bring-up; diag.c generators, checkers, BER, counters, SNR,
 * loss of lock, save/restore; vdm.c) against a module whose every read byte
 * comes from the fuzzer. Byte 0 picks the application and host lanes;
 * byte 1 bit 0-5 makes write n of each 64 NACK. The rest is the stream of
 * bytes the module answers reads with; when it runs out the module is gone
 * (BERT_ERR_NODEV), so every wait loop ends. Must never crash, leak, hang
 * or read outside its buffers; every error is an error code. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/clock.h"
#include "bert/core/error.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/diag.h"
#include "fixtures/cmis/vdm.h"
#include "fixtures/i2c.h"

struct stream {
	const uint8_t *p;
	size_t n, pos;
	unsigned writes;
	uint8_t nack_slot;
};

static struct stream *cur;

static int fz_xfer(struct i2c_bus *bus, struct i2c_msg *msgs, unsigned n)
{
	struct stream *s = cur;
	unsigned i;

	(void)bus;
	for (i = 0; i < n; i++) {
		if (!(msgs[i].flags & I2C_MSG_READ)) {
			if (++s->writes % 64 == s->nack_slot)
				return bert_fail(BERT_ERR_NACK, "fuzz: write NACKed");
			continue;
		}
		if (s->pos + msgs[i].len > s->n)
			return bert_fail(BERT_ERR_NODEV, "fuzz: module gone");
		memcpy(msgs[i].buf, s->p + s->pos, msgs[i].len);
		s->pos += msgs[i].len;
	}
	return BERT_OK;
}

static const struct i2c_bus_ops fz_ops = {
	.name = "fuzz",
	.xfer = fz_xfer,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream s = { 0 };
	struct bert_clock *clk;
	struct i2c_bus *bus;
	struct cmis_dev *dev = NULL;
	struct cmis_snapshot *snap;
	struct cmis_durations d;
	struct cmis_diag *dg = NULL;
	struct cmis_diag_saved saved;
	struct cmis_vdm_reading *vr;
	struct cmis_prbs_cfg cfg = { .pattern = 0 };
	double v[CMIS_DIAG_LANES];
	uint64_t e[CMIS_DIAG_LANES], b[CMIS_DIAG_LANES], ns;
	uint8_t lat, now, lanes;
	int st;

	if (size < 2)
		return 0;
	s.p = data + 2;
	s.n = size - 2;
	s.nack_slot = (uint8_t)(data[1] & 0x3f) + 1;
	lanes = (uint8_t)(data[0] | 1);
	cur = &s;
	clk = bert_clock_virtual_new();
	bus = i2c_bus_new(&fz_ops, clk);
	snap = calloc(1, sizeof(*snap));
	vr = calloc(1, sizeof(*vr));
	if (!bus || !snap || !vr)
		goto out;
	if (cmis_open(bus, &dev))
		goto out;
	cmis_snapshot_read(dev, snap);
	cmis_get_durations(dev, &d);
	cmis_get_module_state(dev, &st);
	cmis_bring_up(dev, 1 + (data[0] >> 5), lanes);
	cmis_get_dp_state(dev, 1 + (data[0] & 7), &st);
	if (!cmis_diag_open(dev, &dg)) {
		cmis_diag_save(dg, &saved);
		cfg.pattern = data[1] >> 6;
		cmis_diag_enable(dg, CMIS_SIDE_MEDIA, CMIS_UNIT_GENERATOR, lanes, &cfg);
		cmis_diag_enable(dg, CMIS_SIDE_MEDIA, CMIS_UNIT_CHECKER, lanes, &cfg);
		cmis_diag_set_measurement(dg, data[0] & 7, data[0] & 8);
		cmis_diag_update_period_ns(dg, &ns);
		cmis_diag_reset_counters(dg);
		cmis_diag_checker_lol(dg, CMIS_SIDE_MEDIA, &lat, &now);
		cmis_diag_read_ber(dg, CMIS_SIDE_MEDIA, v);
		cmis_diag_read_counters(dg, CMIS_SIDE_MEDIA, lanes, e, b);
		cmis_diag_read_snr(dg, CMIS_SIDE_HOST, v);
		cmis_diag_loopback_set(dg, CMIS_SIDE_HOST, CMIS_LOOPBACK_INPUT, lanes, true);
		cmis_diag_loopback_get(dg, CMIS_SIDE_HOST, CMIS_LOOPBACK_INPUT, &lat);
		cmis_diag_restore(dg, &saved);
	}
	cmis_vdm_read(dev, vr);
out:
	cmis_diag_close(dg);
	cmis_close(dev);
	free(vr);
	free(snap);
	i2c_bus_free(bus);
	bert_clock_free(clk);
	cur = NULL;
	return 0;
}
