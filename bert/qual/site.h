/* SPDX-License-Identifier: MIT */
/* Stations and sites (format in bert/qual/STATION.md).
 *
 * A station file (station.ini) describes a test station: its instruments
 * (`[instrument NAME]`, read by instruments/instr_file.c) and its fixture
 * sites (`[site N]`, read here): per site the fixture URI, an optional
 * default profile, which VOA / meter / switch channel serves each lane, and
 * the calibrations that turn a meter reading into launch and receive power:
 *
 *   Tx --patch_loss_db--> VOA (setting A) --> tap --through_loss_db--> Rx
 *                                               \--tap_loss_db--> [switch] --> meter
 *
 *   launch power  = meter + tap_loss_db + A + voa_loss_db + patch_loss_db
 *   receive power = meter + tap_loss_db - through_loss_db
 *   OMA           = average + 10 log10(2 (ER - 1) / (ER + 1)), ER linear from
 *                   stimulus_er_db (the extinction ratio of the transmitter
 *                   the station assumes or measured at calibration)
 *
 * The ER is per lane when calibrated (stimulus_er_db.N, e.g. from a DCA
 * measurement of each lane's launch), with its expanded uncertainty
 * (stimulus_er_u_db[.N], k = 2); stimulus_er_source says whether the values
 * come from a `calibration` or are `assumed` (the default; an assumption
 * without a stated U gets QUAL_ER_ASSUMED_U_DB). The ER term enters the
 * uncertainty of every OMA figure (qual_oma_offset_u_db()).
 *
 * tap_ratio r gives tap_loss_db = -10 log10(r) and through_loss_db =
 * -10 log10(1 - r) unless those are given. Errors are BERT_ERR_CONFIG with
 * "FILE:LINE: detail" (rules across lines name the file and the section).
 *
 * With no file, qual_station_default() describes the in-process virtual
 * bench (fixtures/sim/benches/default.ini): one site on the fixture given
 * (`sim:` by default), instruments sim:voa1, sim:osw1 and sim:opm1 bound to
 * that fixture's bench, VOA channel n, switch input n for lane n, tap 95/5,
 * patch cord 2 m + 2 connectors (0.601 dB), ER 4.5 dB.
 */
#ifndef BERT_QUAL_SITE_H
#define BERT_QUAL_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include "bert/core/clock.h"
#include "bert/qual/profile.h"
#include "bert/qual/record.h"
#include "instruments/instr_file.h"

#define QUAL_MAX_SITES		16
#define QUAL_SITE_LANES		PROFILE_MAX_LANES
#define QUAL_INSTR_NAME_MAX	32

/* One instrument channel: [instrument NAME] of the station, channel (VOA,
 * meter) or input port (switch) ch. name "" = none. */
struct qual_chan {
	char name[QUAL_INSTR_NAME_MAX];
	unsigned ch;
};

struct qual_site_lane {
	struct qual_chan voa;		/* attenuator in front of the receiver */
	struct qual_chan meter;		/* meter reading the lane's tap */
	struct qual_chan sw;		/* switch input of the lane's tap */
	double er_db, er_u_db;		/* the lane's stimulus ER and U (k = 2); NAN = the site's */
};

/* Receive power through the tap (meter + tap_loss_db - through_loss_db):
 * 1-sigma in dB of its calibration, meter 0.1 dB and tap ratio / through
 * loss 0.15 dB at k = 2 combined (the launch power's budget without the VOA
 * setting and the patch cord, steps.c). The budget point's rx_oma and the
 * sweep's sensitivities share it. */
#define QUAL_RX_POWER_CAL_SIGMA_DB	0.09
#define QUAL_RX_POWER_CAL_NOTE		"meter 0.1, tap ratio and through loss 0.15 dB (k = 2)"

/* An assumed ER with no stated uncertainty: U (k = 2) in dB. A DR4 EML's ER
 * sits between the IEEE 802.3 Table 124-6 minimum of 3.5 dB and about
 * 5.5 dB; 4.5 +- 1.0 covers that range at k = 2 (bert's choice). */
#define QUAL_ER_ASSUMED_U_DB	1.0

/* The stimulus ER of one lane. */
struct qual_er {
	double er_db;			/* NAN = none: OMA unknown */
	double u_db;			/* expanded (k = 2) */
	bool calibrated;		/* from a calibration, else assumed */
};

struct qual_site {
	unsigned index;			/* N of [site N], 1.. */
	char name[QUAL_STR_MAX];	/* `name`, default "site N" */
	char fixture[QUAL_URI_MAX];	/* fixture URI (required) */
	char profile[PROFILE_PATH_MAX];	/* default profile, "" = none */
	unsigned nlanes;		/* highest lane with a channel */
	struct qual_site_lane lane[QUAL_SITE_LANES + 1];	/* [1..nlanes] */
	unsigned switch_out;		/* switch output that feeds the meter (1) */
	/* calibrations, dB */
	double tap_ratio;		/* fraction to the tap port, 0 = no tap */
	double tap_loss_db;		/* VOA output -> meter detector */
	double through_loss_db;		/* VOA output -> receiver */
	double patch_loss_db;		/* transmitter -> VOA input */
	double voa_loss_db;		/* VOA insertion loss at setting 0 */
	double stimulus_er_db;		/* ER for OMA conversion */
	double stimulus_er_u_db;	/* its U (k = 2); NAN = not stated */
	bool stimulus_er_calibrated;	/* stimulus_er_source = calibration */
	double meter_avg_s;		/* meter averaging time (0.1) */
	double wavelength_nm;		/* instruments set to this (1311) */
	bool auto_start;		/* bertd: start a run on insertion */
	unsigned line;			/* where [site N] starts; 0 = default */
};

/* [bertd] of the station file: the daemon's defaults (cli/bertd.md). Read
 * and checked by every program that reads the file, so a mistake in it is
 * the same error in `bert qualify --station` as in bertd; used by bertd. */
struct qual_bertd {
	char socket[256];		/* "" = the built-in default */
	char socket_group[64];
	char db[256];
	char arbitration[16];		/* "fifo" (default) or "rr" */
	unsigned socket_mode;		/* octal, 0660 */
	double speed;			/* emulated benches: x wall time, 0 = free */
	char http[128];			/* HOST:PORT of the HTTP server, "" = none */
	char http_token_file[256];	/* bearer token for a non-loopback bind */
	unsigned repeat;		/* runs per start, back to back */
	bool present;			/* the file has a [bertd] section */
};

/* One key of [bertd]; BERT_ERR_CONFIG naming the key. */
int qual_bertd_key(struct qual_bertd *b, const char *name, const char *value);

struct qual_station {
	char path[PROFILE_PATH_MAX];	/* "" for the default station */
	char name[QUAL_STR_MAX];	/* [station] name, default host name */
	char location[QUAL_STR_MAX];	/* [station] location: the site or line */
	struct station instr;		/* the [instrument NAME] sections */
	struct qual_bertd bertd;	/* [bertd] */
	struct qual_site site[QUAL_MAX_SITES];
	unsigned nsites;
	bool is_default;		/* the in-process virtual bench */
};

/* Loads a station file: [station] (name), [instrument NAME], [site N] and
 * [bertd] -- the one reader of station files for every program; any other
 * section is an error.
 * Sites are numbered 1..N without holes; every channel must name an
 * instrument of the right type and a channel within its `channels`. */
int qual_station_load(const char *path, struct qual_station *st);
/* The same reader for programs that need only the instruments (`bert
 * instr`): a file without [site N] is fine, every section still checked. */
int qual_station_load_any(const char *path, struct qual_station *st);
/* The same from text (name stands for the file in messages). */
int qual_station_load_string(const char *name, const char *text,
			     struct qual_station *st);
/* The default station around fixture_uri (NULL or "" = "sim:"). For a
 * fixture that is not emulated the site has no instruments. */
int qual_station_default(const char *fixture_uri, struct qual_station *st);
/* Site n (1..), or NULL. */
const struct qual_site *qual_station_site(const struct qual_station *st,
					  unsigned n);
/* OMA minus average power in dB for an extinction ratio in dB:
 * 10 log10(2 (ER - 1) / (ER + 1)). NaN for er_db <= 0. */
double qual_oma_offset_db(double er_db);
/* Standard uncertainty (k = 1, dB) of that offset for an ER known to
 * er_u_db (expanded, k = 2): the conversion is monotonic, so the interval
 * ER +- U maps onto an interval of the offset; half of its larger
 * half-width is the standard uncertainty (the conversion is not linear over
 * a wide interval, the larger side keeps it conservative; GUM 5.1.2 with
 * the sensitivity coefficient taken over the interval). */
double qual_oma_offset_u_db(double er_db, double er_u_db);
/* The stimulus ER of lane (1..): the lane's own calibration, else the
 * site's value. */
struct qual_er qual_site_er(const struct qual_site *s, unsigned lane);
/* "calibration 3.60 dB, U 0.20 dB" / "assumed 4.50 dB, U 1.00 dB". */
const char *qual_er_describe(const struct qual_er *e, char *buf, size_t size);

/* ---- a site opened for a run ------------------------------------------ */

struct bert_fixture;
struct cmis_dev;
struct voa;
struct opm;
struct osw;

/* Per lane, the instruments serving it (NULL = none): channel handles on
 * the station's connections (instr.h), one connection per instrument however
 * many lanes and sites use it. */
struct qual_site_lane_io {
	struct voa *voa;
	struct opm *meter;
	struct osw *sw;
	unsigned sw_in;
	char voa_name[QUAL_INSTR_NAME_MAX];	/* for the arbiter */
	char meter_name[QUAL_INSTR_NAME_MAX];
	char sw_name[QUAL_INSTR_NAME_MAX];
};

struct qual_site_io {
	const struct qual_site *site;
	struct bert_fixture *fixture;
	struct cmis_dev *dev;
	struct qual_site_lane_io lane[QUAL_SITE_LANES + 1];	/* [1..nlanes] */
	unsigned nlanes;
	struct instr_pool *pool;	/* the connections the handles are on */
	bool own_pool;			/* made for this site, freed on close */
	bool lent_fixture;		/* qual_site_open_lent(): not closed here */
};

/* Opens the site's fixture (fixture_uri overrides site->fixture when not
 * NULL), the CMIS module on it and a channel handle for every lane's
 * instruments on the fixture's clock, each instrument one connection of a
 * pool made for the site. A sim: instrument URI without a bench acts on the
 * fixture's bench when the fixture is emulated (sim:NAME@BENCH,
 * instruments/scpi_sim.h). On error nothing stays open; BERT_ERR_CONFIG for
 * station mistakes, hardware errors otherwise. */
int qual_site_open(const struct qual_station *st, const struct qual_site *site,
		   const char *fixture_uri, struct qual_site_io *io);
/* The same on a fixture the caller keeps open (bertd holds each site's
 * fixture while it runs): the site's URI is not opened, and
 * qual_site_close() leaves the fixture open. With shared-instrument
 * arbitration (bertd, engine.h) on the station's pool of connections: each
 * instrument is acquired by its station name around its own set-up, so a
 * site opening does not hold instruments other sites share for longer than
 * it talks to them; arb NULL = no arbitration. One pool serves every site
 * (bertd), so an instrument sites share is opened once; pool NULL = a pool
 * of the site's own. */
struct qual_arbiter;
struct instr_pool;
struct bert_fixture;
int qual_site_open_lent(const struct qual_station *st, const struct qual_site *site,
			struct bert_fixture *fixture, struct qual_site_io *io,
			const struct qual_arbiter *arb, struct instr_pool *pool);
void qual_site_close(struct qual_site_io *io);

#endif
