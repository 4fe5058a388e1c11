/* SPDX-License-Identifier: MIT */
/* Spec-limit profiles (profiles/NAME.ini; the format is in profiles/README.md).
 *
 * A profile says what a module must be (media type, application, lane count
 * and rate), the FEC and its thresholds, the link the product is asked to
 * support (channel budget, fiber loss), the limits every measurement is
 * judged against, and optionally which vendors, part numbers and firmware are
 * allowed. `include = FILE` (relative to the including file) loads another
 * profile first; later keys override it, so a factory or per-part-number
 * profile is a few lines on top of the IEEE one.
 *
 * Errors are BERT_ERR_CONFIG with "FILE:LINE: detail" (an error inside an
 * include names both files). Nothing here assumes four lanes: the lane count
 * and how lanes group into links (a breakout application has one lane per
 * link) come from the profile.
 */
#ifndef BERT_QUAL_PROFILE_H
#define BERT_QUAL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "bert/qual/measurement.h"

#define PROFILE_MAX_LANES	16
#define PROFILE_MAX_LIMITS	40
#define PROFILE_MAX_ALLOW	16
#define PROFILE_MAX_FILES	8	/* files that make one profile */
#define PROFILE_MAX_DEPTH	4	/* include nesting below the top file */
#define PROFILE_MAX_BYTES	(256 * 1024)
#define PROFILE_PATH_MAX	512
#define PROFILE_STR_MAX		64
#define PROFILE_HASH_MAX	32	/* "fnv1a64:" + 16 hex digits + NUL */

/* CMIS media type encoding (00h:85). */
enum profile_media {
	PROFILE_MEDIA_MMF = 1,
	PROFILE_MEDIA_SMF = 2,
	PROFILE_MEDIA_COPPER = 3,
	PROFILE_MEDIA_ACTIVE = 4,
};

enum profile_modulation {
	PROFILE_NRZ = 1,
	PROFILE_PAM4 = 2,
};

struct profile_limit {
	const struct qual_quantity *q;	/* catalogue entry (name, unit, scope) */
	struct qual_limits lim;
	bool guard_set;			/* else the profile's [verdict] guard */
};

struct profile {
	char name[PROFILE_STR_MAX];
	char description[160];
	char standard[96];
	char path[PROFILE_PATH_MAX];	/* top file ("" for a string) */

	/* [application] */
	enum profile_media media_type;
	unsigned media_id;		/* SFF-8024 media interface ID */
	int host_id;			/* SFF-8024 host interface ID, -1 any */
	unsigned lanes;			/* media lanes under test */
	unsigned lanes_per_link;	/* lanes / lanes_per_link = links */
	double lane_rate_gbd;
	enum profile_modulation modulation;
	double wavelength_nm;		/* NAN when not given */
	double reach_m;

	/* [fec] */
	unsigned fec_n, fec_k, fec_t;	/* RS(n,k), t = (n-k)/2 */
	double ber_threshold;		/* pre-FEC BER (sensitivity reference) */
	double flr_pmd;			/* FLR the PMD BER must guarantee */
	double flr_phy;			/* complete-PHY FLR objective */
	double confidence;		/* BER statements at this CL */

	/* [link] */
	double fiber_loss_db_per_km;
	double channel_budget_db;	/* what every lane must support */
	double channel_il_db;		/* the standard's channel IL, for reference */
	/* bert budget's verdict on a plant whose insertion loss exceeds
	 * channel_il_db (QUAL_NONE: not set, FAIL is used) */
	enum qual_verdict channel_il_verdict;
	double connector_loss_db;	/* planning default per connection */

	/* [rx] */
	double rx_damage_dbm;

	/* [verdict] */
	enum qual_guard guard;
	bool stop_on_fail;

	struct profile_limit limits[PROFILE_MAX_LIMITS];
	size_t nlimits;

	/* [allow] (empty lists allow anything) */
	char allow_vendor[PROFILE_MAX_ALLOW][PROFILE_STR_MAX];
	size_t nallow_vendor;
	char allow_pn[PROFILE_MAX_ALLOW][PROFILE_STR_MAX];	/* fnmatch globs */
	size_t nallow_pn;
	char min_firmware[PROFILE_STR_MAX];

	/* provenance */
	char files[PROFILE_MAX_FILES][PROFILE_PATH_MAX];	/* in load order */
	size_t nfiles;
	char hash[PROFILE_HASH_MAX];
};

/* Loads a profile file (and its includes). On error *p is undefined. */
int profile_load_file(const char *path, struct profile *p);
/* Loads a profile from text; name stands for the path in messages, and
 * includes resolve relative to its directory. */
int profile_load_string(const char *name, const char *text, struct profile *p);
/* NAME (no '/', no ".ini") is looked up as NAME.ini in $BERT_PROFILE_PATH
 * (colon-separated), ./profiles, the source tree or install tree next to the
 * running program, and BERT_DATADIR/profiles; anything else is a path.
 * BERT_ERR_CONFIG "no profile NAME (searched ...)" when absent. */
int profile_find(const char *name_or_path, char *out, size_t size);
/* profile_find() then profile_load_file(). */
int profile_load(const char *name_or_path, struct profile *p);

/* Limits of a quantity, or NULL when the profile does not judge it. */
const struct profile_limit *profile_limit(const struct profile *p,
					  const char *name);
/* The limits to pass to qual_measure(): the profile's, or none. */
struct qual_limits profile_limits_for(const struct profile *p, const char *name);
unsigned profile_links(const struct profile *p);
/* Required link margin (the low limit of link_margin), 0 when not set. */
double profile_required_margin(const struct profile *p);

/* Allow-list at identify: BERT_OK, or BERT_ERR_UNSUPPORTED with a detail
 * naming what is not allowed. Vendors compare case-insensitively with
 * surrounding blanks ignored (CMIS pads with spaces); part numbers are
 * fnmatch globs; firmware compares numerically per dotted component. */
int profile_check_identity(const struct profile *p, const char *vendor,
			   const char *pn, const char *firmware);
/* <0, 0, >0 like strcmp: "1.10" > "1.9", "2.0" == "2", "2.0.1" > "2.0". */
int profile_version_cmp(const char *a, const char *b);

/* The canonical dump the hash covers: every value that affects a verdict
 * (application, FEC, link, rx, verdict rules, limits sorted by name, allow
 * lists), one "key=value" line each, numbers as %.17g. Not covered: name,
 * description, standard, file names, comments and key order. The caller
 * frees the string. NULL on allocation failure. */
char *profile_canonical(const struct profile *p);

const char *profile_media_name(enum profile_media m);

#endif
