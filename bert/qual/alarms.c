// SPDX-License-Identifier: MIT
/* Module alarms versus stimulus flags (alarms.h). */
#define LOG_PREFIX "qual"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bert/core/error.h"
#include "bert/core/log.h"
#include "bert/qual/alarms.h"
#include "bert/qual/engine.h"
#include "fixtures/cmis/cmis.h"
#include "fixtures/cmis/decode.h"

bool qual_lane_flag_from_stimulus(unsigned bit)
{
	switch (bit) {
	case CMIS_LFLAG_DP_STATE_CHANGED:	/* bring-up */
	case CMIS_LFLAG_TX_LOS:			/* host signal while reconfigured */
	case CMIS_LFLAG_TX_CDR_LOL:
	case CMIS_LFLAG_TX_POWER_LOW_ALARM:	/* Tx off / turning on */
	case CMIS_LFLAG_TX_POWER_LOW_WARN:
	case CMIS_LFLAG_TX_BIAS_LOW_ALARM:
	case CMIS_LFLAG_TX_BIAS_LOW_WARN:
	case CMIS_LFLAG_RX_LOS:			/* the VOA, either way */
	case CMIS_LFLAG_RX_CDR_LOL:
	case CMIS_LFLAG_RX_POWER_HIGH_ALARM:
	case CMIS_LFLAG_RX_POWER_LOW_ALARM:
	case CMIS_LFLAG_RX_POWER_HIGH_WARN:
	case CMIS_LFLAG_RX_POWER_LOW_WARN:
	case CMIS_LFLAG_RX_OUT_CHANGED:
		return true;
	default:
		return false;
	}
}

static void label(char *buf, size_t size, const char *name, unsigned lane)
{
	if (lane)
		snprintf(buf, size, "lane %u %s", lane, name);
	else
		snprintf(buf, size, "%s", name);
}

static void append(char *buf, size_t size, const char *name, unsigned lane)
{
	size_t o = strlen(buf);
	char l[64];

	if (o + 1 >= size)
		return;
	label(l, sizeof(l), name, lane);
	snprintf(buf + o, size - o, "%s%s", o ? ", " : "", l);
}

/* Whether the run already counted this alarm as the module's own. */
static bool own_seen(const struct qual_alarm_state *a, const char *name, unsigned lane)
{
	char l[64];

	label(l, sizeof(l), name, lane);
	return strstr(a->own_names, l) != NULL;
}

/* The same alarm latched again later in the run counts once. */
static void own_alarm(struct qual_alarm_state *a, const char *name, unsigned lane)
{
	if (own_seen(a, name, lane))
		return;
	a->own++;
	append(a->own_names, sizeof(a->own_names), name, lane);
}

static int read_info(struct cmis_dev *dev, struct cmis_info **out)
{
	struct cmis_info *in = calloc(1, sizeof(*in));
	struct cmis_snapshot *snap = malloc(sizeof(*snap));
	int rc;

	if (!in || !snap) {
		free(in);
		free(snap);
		return bert_fail(BERT_ERR_NOMEM, "reading the flags");
	}
	rc = cmis_snapshot_read(dev, snap);
	if (!rc)
		rc = cmis_decode(&snap->map, in);
	free(snap);
	if (rc) {
		free(in);
		return bert_fail_ctx(rc, "reading the flags");
	}
	*out = in;
	return BERT_OK;
}

int qual_alarms_read(struct cmis_dev *dev, struct qual_alarm_state *a)
{
	struct cmis_info *in;
	unsigned bit, i;
	int rc = read_info(dev, &in);

	if (rc)
		return rc;
	memset(a->stim, 0, sizeof(a->stim));
	memset(a->stim_names, 0, sizeof(a->stim_names));
	for (bit = 0; bit < CMIS_MFLAG_COUNT; bit++)
		if ((in->module_flags & (1u << bit)) &&
		    cmis_module_flag_kind(bit) == CMIS_FLAG_ALARM)
			own_alarm(a, cmis_module_flag_name(bit), 0);
	for (i = 0; i < in->lanes.count && i < CMIS_MAX_LANES; i++) {
		const struct cmis_lane *l = &in->lanes.lane[i];

		if (!l->lane || l->lane > a->lanes || l->lane > PROFILE_MAX_LANES)
			continue;
		for (bit = 0; bit < CMIS_LFLAG_COUNT; bit++) {
			enum cmis_flag_kind k = cmis_lane_flag_kind(bit);

			if (!(l->flags & (1u << bit)) || k == CMIS_FLAG_EVENT)
				continue;
			if (qual_lane_flag_from_stimulus(bit)) {
				a->stim[l->lane]++;
				append(a->stim_names[l->lane], QUAL_MSG_MAX,
				       cmis_lane_flag_name(bit), 0);
			} else if (k == CMIS_FLAG_ALARM) {
				own_alarm(a, cmis_lane_flag_name(bit), l->lane);
			}
		}
	}
	free(in);
	return BERT_OK;
}

int qual_alarms_clean_read(struct cmis_dev *dev, struct bert_clock *clock,
			   struct qual_alarm_state *a)
{
	struct cmis_info *in;
	unsigned bit, i;
	int rc;

	rc = bert_clock_sleep(clock, QUAL_ALARM_CLEAN_WAIT_NS);
	if (!rc)
		rc = read_info(dev, &in);
	if (rc)
		return rc;
	a->clean = a->clean_new = 0;
	a->clean_names[0] = '\0';
	for (bit = 0; bit < CMIS_MFLAG_COUNT; bit++)
		if ((in->module_flags & (1u << bit)) &&
		    cmis_module_flag_kind(bit) == CMIS_FLAG_ALARM) {
			a->clean++;
			a->clean_new += !own_seen(a, cmis_module_flag_name(bit), 0);
			append(a->clean_names, sizeof(a->clean_names),
			       cmis_module_flag_name(bit), 0);
		}
	for (i = 0; i < in->lanes.count && i < CMIS_MAX_LANES; i++) {
		const struct cmis_lane *l = &in->lanes.lane[i];

		if (!l->lane || l->lane > a->lanes)
			continue;
		for (bit = 0; bit < CMIS_LFLAG_COUNT; bit++)
			if ((l->flags & (1u << bit)) &&
			    cmis_lane_flag_kind(bit) == CMIS_FLAG_ALARM) {
				a->clean++;
				a->clean_new += !own_seen(a, cmis_lane_flag_name(bit), l->lane);
				append(a->clean_names, sizeof(a->clean_names),
				       cmis_lane_flag_name(bit), l->lane);
			}
	}
	free(in);
	return BERT_OK;
}

unsigned qual_alarms_total(const struct qual_alarm_state *a)
{
	return a->clean_new + a->own;
}

void qual_alarms_describe(const struct qual_alarm_state *a, char *buf, size_t size)
{
	char msg[512];
	size_t len;

	snprintf(msg, sizeof(msg), "%s%s%s%s%s",
		 a->clean ? "at nominal after clearing: " : "", a->clean_names,
		 a->clean && a->own ? "; " : "",
		 a->own ? "own, during the run: " : "", a->own_names);
	len = strlen(msg);
	if (!size)
		return;
	if (len >= size)
		len = size - 1;
	memcpy(buf, msg, len);
	buf[len] = '\0';
}

/* ---- the engine's steps ------------------------------------------------- */

int qual_alarms_collect(struct qual_ctx *ctx, struct qual_step *step,
			const char *during)
{
	struct qual_alarm_state *a = &ctx->run.alarms;
	unsigned lane;
	int rc;

	a->lanes = ctx->run.lanes;
	rc = qual_alarms_read(ctx->io->dev, a);
	for (lane = 1; !rc && lane <= ctx->run.lanes && lane <= PROFILE_MAX_LANES; lane++) {
		struct qual_limits none = qual_limits_none();

		if (!a->stim[lane])
			continue;
		rc = qual_ctx_measure_lim(ctx, step, "stimulus_flags", lane, a->stim[lane],
					  NAN, "cmis-latched-flags", &none);
		if (!rc)
			snprintf(step->m[step->nm - 1].message, QUAL_MSG_MAX,
				 "latched during %.40s (cleared): %.90s", during,
				 a->stim_names[lane]);
	}
	return rc;
}

int qual_alarms_judge(struct qual_ctx *ctx, struct qual_step *step)
{
	struct qual_alarm_state *a = &ctx->run.alarms;
	struct qual_limits lim;
	unsigned n;
	int rc;

	rc = qual_alarms_collect(ctx, step, "the return to nominal");
	if (!rc && qual_ctx_aborted(ctx))
		rc = bert_fail(BERT_ERR_ABORTED, "aborted");
	if (!rc)
		rc = qual_alarms_clean_read(ctx->io->dev, ctx->clock, a);
	if (rc)
		return rc;
	n = qual_alarms_total(a);
	lim = profile_limits_for(ctx->profile, "dom_alarms");
	if (qual_limits_empty(&lim))
		lim.high = 0;
	rc = qual_ctx_measure_lim(ctx, step, "dom_alarms", 0, n, NAN,
				  "cmis-latched-flags", &lim);
	if (!rc && n)
		qual_alarms_describe(a, step->m[step->nm - 1].message, QUAL_MSG_MAX);
	return rc;
}
