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

static void append(char *buf, size_t size, const char *a, unsigned lane)
{
	size_t o = strlen(buf);

	if (o + 1 >= size)
		return;
	if (lane)
		snprintf(buf + o, size - o, "%slane %u %s", o ? ", " : "", lane, a);
	else
		snprintf(buf + o, size - o, "%s%s", o ? ", " : "", a);
}

static void label(char *buf, size_t size, const char *name, unsigned lane)
{
	if (lane)
		snprintf(buf, size, "lane %u %s", lane, name);
	else
		snprintf(buf, size, "%s", name);
}

/* Whether the run already saw this alarm of the module's own. */
static bool own_seen(const struct qual_ctx *ctx, const char *name, unsigned lane)
{
	char l[64];

	label(l, sizeof(l), name, lane);
	return strstr(ctx->own_alarm_names, l) != NULL;
}

/* The same alarm latched again later in the run counts once. */
static void own_alarm(struct qual_ctx *ctx, const char *name, unsigned lane)
{
	if (own_seen(ctx, name, lane))
		return;
	ctx->own_alarms++;
	append(ctx->own_alarm_names, sizeof(ctx->own_alarm_names), name, lane);
}

static int read_flags(struct qual_ctx *ctx, struct cmis_info **out)
{
	struct cmis_info *in = calloc(1, sizeof(*in));
	int rc;

	if (!in)
		return bert_fail(BERT_ERR_NOMEM, "reading the flags");
	rc = qual_ctx_read_info(ctx, in);
	if (rc) {
		free(in);
		return bert_fail_ctx(rc, "reading the flags: ");
	}
	*out = in;
	return BERT_OK;
}

int qual_alarms_collect(struct qual_ctx *ctx, struct qual_step *step,
			const char *during)
{
	struct cmis_info *in;
	unsigned bit, i;
	int rc = read_flags(ctx, &in);

	if (rc)
		return rc;
	for (bit = 0; bit < CMIS_MFLAG_COUNT; bit++)
		if ((in->module_flags & (1u << bit)) &&
		    cmis_module_flag_kind(bit) == CMIS_FLAG_ALARM)
			own_alarm(ctx, cmis_module_flag_name(bit), 0);
	for (i = 0; i < in->lanes.count && i < CMIS_MAX_LANES; i++) {
		const struct cmis_lane *l = &in->lanes.lane[i];
		char names[QUAL_MSG_MAX] = "";
		unsigned n = 0;

		if (!l->lane || l->lane > ctx->lanes)
			continue;
		for (bit = 0; bit < CMIS_LFLAG_COUNT; bit++) {
			enum cmis_flag_kind k = cmis_lane_flag_kind(bit);

			if (!(l->flags & (1u << bit)) || k == CMIS_FLAG_EVENT)
				continue;
			if (qual_lane_flag_from_stimulus(bit)) {
				n++;
				append(names, sizeof(names),
				       cmis_lane_flag_name(bit), 0);
			} else if (k == CMIS_FLAG_ALARM) {
				own_alarm(ctx, cmis_lane_flag_name(bit), l->lane);
			}
		}
		if (n) {
			struct qual_limits none = qual_limits_none();

			rc = qual_ctx_measure_lim(ctx, step, "stimulus_flags", l->lane, n,
						  NAN, "cmis-latched-flags", &none);
			if (!rc)
				snprintf(step->m[step->nm - 1].message, QUAL_MSG_MAX,
					 "latched during %s (cleared): %s", during, names);
		}
	}
	free(in);
	return rc;
}

int qual_alarms_judge(struct qual_ctx *ctx, struct qual_step *step)
{
	struct qual_limits lim;
	struct cmis_info *in;
	char names[QUAL_MSG_MAX] = "";
	unsigned n = 0, bit, i;
	int rc;

	rc = qual_alarms_collect(ctx, step, "the return to nominal");
	if (!rc)
		rc = qual_ctx_sleep(ctx, QUAL_ALARM_CLEAN_WAIT_NS);
	if (!rc)
		rc = read_flags(ctx, &in);
	if (rc)
		return rc;
	for (bit = 0; bit < CMIS_MFLAG_COUNT; bit++)
		if ((in->module_flags & (1u << bit)) &&
		    cmis_module_flag_kind(bit) == CMIS_FLAG_ALARM) {
			n += !own_seen(ctx, cmis_module_flag_name(bit), 0);
			append(names, sizeof(names), cmis_module_flag_name(bit), 0);
		}
	for (i = 0; i < in->lanes.count && i < CMIS_MAX_LANES; i++) {
		const struct cmis_lane *l = &in->lanes.lane[i];

		if (!l->lane || l->lane > ctx->lanes)
			continue;
		for (bit = 0; bit < CMIS_LFLAG_COUNT; bit++)
			if ((l->flags & (1u << bit)) &&
			    cmis_lane_flag_kind(bit) == CMIS_FLAG_ALARM) {
				n += !own_seen(ctx, cmis_lane_flag_name(bit), l->lane);
				append(names, sizeof(names),
				       cmis_lane_flag_name(bit), l->lane);
			}
	}
	free(in);
	lim = profile_limits_for(ctx->profile, "dom_alarms");
	if (qual_limits_empty(&lim))
		lim.high = 0;
	rc = qual_ctx_measure_lim(ctx, step, "dom_alarms", 0, n + ctx->own_alarms, NAN,
				  "cmis-latched-flags", &lim);
	if (!rc && n + ctx->own_alarms) {
		struct qual_measurement *last = &step->m[step->nm - 1];
		char msg[512];
		size_t len;

		snprintf(msg, sizeof(msg), "%s%s%s%s%s",
			 names[0] ? "at nominal after clearing: " : "", names,
			 names[0] && ctx->own_alarms ? "; " : "",
			 ctx->own_alarms ? "own, during the run: " : "",
			 ctx->own_alarm_names);
		len = strlen(msg);
		if (len >= sizeof(last->message))
			len = sizeof(last->message) - 1;
		memcpy(last->message, msg, len);
		last->message[len] = '\0';
	}
	return rc;
}
