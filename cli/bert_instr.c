// SPDX-License-Identifier: MIT
/* bert instr list | idn | voa | opm | osw: the lab instruments. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bert/core/error.h"
#include "cli/bert.h"
#include "cli/common.h"
#include "instruments/opm.h"
#include "instruments/osw.h"
#include "bert/qual/site.h"
#include "instruments/instr_file.h"
#include "instruments/voa.h"

static void instr_usage(FILE *f)
{
	fprintf(f, "usage: bert instr list [--station FILE]\n"
		"       bert instr idn URI\n"
		"       bert instr voa URI set DB | get [--wavelength NM]\n"
		"       bert instr opm URI read [--wavelength NM] [--avg S] [--range DBM]\n"
		"       bert instr osw URI route IN OUT | get IN\n"
		"       bert instr raw URI MESSAGE...   each MESSAGE sent as it is; a query's\n"
		"                                       reply printed (no error-queue drain)\n"
		"  (all with --json, -q, -v)\n\n"
		"URI: [MODEL:]TRANSPORT[#slot=N,chan=M], e.g. serial:/dev/ttyUSB0?baud=9600,\n"
		"tcp:10.0.0.5:5025, usbtmc:0x1313:0x8078, sim:voa1, or keysight-8163:tcp:HOST#slot=2;\n"
		"or the name of an [instrument NAME] of --station FILE (default ./station.ini).\n");
}

struct instr_opts {
	struct cli_opts o;
	const char *station;
	double wavelength, avg, range;
	bool have_wl, have_avg, have_range;
};

/* A station instrument name, or the URI as given. */
/* Every station file goes through the one reader (bert/qual/site.h), so a
 * section this command does not use is still checked, never ignored. */
static struct qual_station qst;

static int load_station(const char *path, const struct station **out)
{
	int rc = qual_station_load_any(path, &qst);

	*out = &qst.instr;
	return rc;
}

static int resolve(const struct instr_opts *io, const char *arg, char *uri, size_t size)
{
	const struct station *st;
	const struct station_instr *si;
	struct stat sb;
	int rc;

	if (strchr(arg, ':')) {
		snprintf(uri, size, "%s", arg);
		return BERT_OK;
	}
	if (!io->station && stat("station.ini", &sb))
		return bert_fail(BERT_ERR_CONFIG, "'%s' is neither a URI nor a station "
				 "instrument (no --station, no ./station.ini)", arg);
	rc = load_station(io->station ? io->station : "station.ini", &st);
	if (rc)
		return rc;
	si = station_find(st, arg);
	if (!si)
		return bert_fail(BERT_ERR_CONFIG, "%s: no [instrument %s]", st->path, arg);
	station_instr_uri(si, uri, size);
	return BERT_OK;
}

static json_t *idn_json(const struct instr *in)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
			 "vendor", in->idn.vendor, "model", in->idn.model,
			 "serial", in->idn.serial, "firmware", in->idn.firmware,
			 "driver", in->model->name, "slot", (int)in->slot, "chan", (int)in->chan);
}

static int cmd_list(const struct instr_opts *io)
{
	const struct scpi_transport_ops *const *t;
	const struct instr_model *const *m;
	const struct station *st;
	struct stat sb;
	const char *path = io->station;
	json_t *root = json_object(), *jt = json_array(), *jm = json_array(), *js;
	unsigned i, k;
	int rc;

	if (!path && !stat("station.ini", &sb))
		path = "station.ini";
	for (t = scpi_transports; *t; t++)
		json_array_append_new(jt, json_pack("{s:s, s:s}", "prefix", (*t)->prefix,
						    "summary", (*t)->summary));
	for (m = instr_models; *m; m++) {
		json_t *models = json_array(), *kinds = json_array();

		for (i = 0; (*m)->models[i]; i++)
			json_array_append_new(models, json_string((*m)->models[i]));
		for (k = INSTR_VOA; k <= INSTR_OSW; k <<= 1)
			if ((*m)->kinds & k)
				json_array_append_new(kinds, json_string(instr_kind_name(k)));
		json_array_append_new(jm, json_pack("{s:s, s:s, s:o, s:o}", "name", (*m)->name,
						    "summary", (*m)->summary, "types", kinds,
						    "idn_models", models));
	}
	json_object_set_new(root, "transports", jt);
	json_object_set_new(root, "models", jm);
	if (path) {
		rc = load_station(path, &st);
		if (rc) {
			json_decref(root);
			return cli_error(rc, "station file");
		}
		js = json_array();
		for (i = 0; i < st->n_instr; i++) {
			const struct station_instr *si = &st->instr[i];
			json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", si->name,
					      "uri", si->uri, "model", si->model,
					      "type", instr_kind_name(si->kind),
					      "channels", (int)si->channels);

			json_object_set_new(e, "wavelength_nm", si->wavelength_nm > 0 ?
					    json_real(si->wavelength_nm) : json_null());
			json_array_append_new(js, e);
		}
		json_object_set_new(root, "station", json_string(path));
		json_object_set_new(root, "instruments", js);
	}
	if (io->o.json) {
		cli_print_json(root);
		return EXIT_OK;
	}
	if (io->o.quiet) {	/* the station's instrument names, one a line */
		json_t *e;

		json_array_foreach(json_object_get(root, "instruments"), i, e)
			printf("%s\n", json_string_value(json_object_get(e, "name")));
		json_decref(root);
		return EXIT_OK;
	}
	printf("transports:\n");
	json_array_foreach(jt, i, js)
		printf("  %-8s %s\n", json_string_value(json_object_get(js, "prefix")),
		       json_string_value(json_object_get(js, "summary")));
	printf("models:\n");
	for (m = instr_models; *m; m++)
		printf("  %-16s %s\n", (*m)->name, (*m)->summary);
	if (path) {
		printf("instruments in %s:\n", path);
		for (i = 0; i < st->n_instr; i++)
			printf("  %-10s %-4s %s%s%s\n", st->instr[i].name,
			       instr_kind_name(st->instr[i].kind), st->instr[i].model,
			       st->instr[i].model[0] ? ":" : "", st->instr[i].uri);
	}
	json_decref(root);
	return EXIT_OK;
}

static int cmd_idn(const struct instr_opts *io, const char *uri)
{
	const struct instr_model *const *mp, *found = NULL;
	struct instr_uri u;
	struct scpi_dev *d;
	struct scpi_idn idn;
	int rc;

	rc = instr_uri_parse(uri, &u);
	if (!rc)
		rc = scpi_open(u.transport, NULL, &d);
	if (rc)
		return cli_error(rc, "opening the instrument");
	rc = scpi_idn(d, &idn);
	scpi_close(d);
	if (rc)
		return cli_error(rc, "*IDN?");
	for (mp = instr_models; *mp && !found; mp++) {
		unsigned i, j;

		for (i = 0; (*mp)->vendors[i] && !found; i++)
			for (j = 0; (*mp)->models[j]; j++)
				if (!strcasecmp((*mp)->vendors[i], idn.vendor) &&
				    !strcasecmp((*mp)->models[j], idn.model))
					found = *mp;
	}
	if (u.model[0])
		found = instr_model_find(u.model);
	if (io->o.json) {
		cli_print_json(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "uri", uri,
					 "vendor", idn.vendor, "model", idn.model,
					 "serial", idn.serial, "firmware", idn.firmware,
					 "driver", found ? found->name : NULL));
		return EXIT_OK;
	}
	if (io->o.quiet) {	/* the one value: the identity */
		printf("%s,%s,%s,%s\n", idn.vendor, idn.model, idn.serial, idn.firmware);
		return EXIT_OK;
	}
	printf("vendor:   %s\nmodel:    %s\nserial:   %s\nfirmware: %s\ndriver:   %s\n",
	       idn.vendor, idn.model, idn.serial, idn.firmware,
	       found ? found->name : "none (not a supported model)");
	return EXIT_OK;
}

/* One program message per argument, sent as it is: the instrument's own
 * answer to what bert would never send (a malformed command gets no reply
 * and an error for SYST:ERR?). */
static int cmd_raw(const struct instr_opts *io, const char *uri, int argc, char **argv)
{
	struct instr_uri u;
	struct scpi_dev *d;
	json_t *arr = json_array();
	char reply[SCPI_LINE_MAX];
	int i, rc;

	if (argc < 1) {
		json_decref(arr);
		return cli_usage_error("instr raw: missing MESSAGE");
	}
	rc = instr_uri_parse(uri, &u);
	if (!rc)
		rc = scpi_open(u.transport, NULL, &d);
	if (rc) {
		json_decref(arr);
		return cli_error(rc, "opening the instrument");
	}
	d->check_errors = false;
	for (i = 0; i < argc && !rc; i++) {
		size_t n = strlen(argv[i]);
		bool query = n && argv[i][n - 1] == '?';

		if (query) {
			rc = scpi_query(d, reply, sizeof(reply), "%s", argv[i]);
			rc = rc < 0 ? rc : BERT_OK;
		} else {
			rc = scpi_send(d, "%s", argv[i]);
		}
		if (rc)
			break;
		if (io->o.json)
			json_array_append_new(arr, json_pack("{s:s, s:s?}", "message", argv[i],
							     "reply", query ? reply : NULL));
		else if (query)
			printf("%s\n", reply);
	}
	if (!rc) {
		/* a last *OPC? so a command-only message has reached the
		 * instrument before the link closes */
		rc = scpi_query(d, reply, sizeof(reply), "*OPC?");
		rc = rc < 0 ? rc : BERT_OK;
	}
	scpi_close(d);
	if (rc) {
		json_decref(arr);
		return cli_error(rc, argv[i < argc ? i : argc - 1]);
	}
	if (io->o.json)
		cli_print_json(json_pack("{s:s, s:o}", "uri", uri, "messages", arr));
	else
		json_decref(arr);
	return EXIT_OK;
}

static int cmd_voa(const struct instr_opts *io, const char *uri, int argc, char **argv)
{
	struct voa *v;
	double db, nm = NAN;
	char *end;
	bool set, on = true;
	int rc;

	if (argc < 1 || (strcmp(argv[0], "set") && strcmp(argv[0], "get")))
		return cli_usage_error("instr voa: expected set DB or get");
	set = !strcmp(argv[0], "set");
	if (set) {
		if (argc != 2)
			return cli_usage_error("instr voa: set needs a value in dB");
		db = strtod(argv[1], &end);
		if (*end || !isfinite(db))
			return cli_usage_error("instr voa: '%s' is not a number of dB", argv[1]);
	} else if (argc != 1) {
		return cli_usage_error("instr voa: get takes no value");
	}
	rc = voa_open(uri, NULL, &v);
	if (rc)
		return cli_error(rc, "opening the attenuator");
	if (io->have_wl)
		rc = voa_set_wavelength(v, io->wavelength);
	if (!rc && set)
		rc = voa_set_attenuation(v, db);
	if (!rc)
		rc = voa_get_attenuation(v, &db);
	if (!rc && instr_has(voa_instr(v), VOA_GET_WAV))
		rc = voa_get_wavelength(v, &nm);
	if (!rc && instr_has(voa_instr(v), VOA_GET_ENABLE))
		rc = voa_get_enabled(v, &on);
	if (rc) {
		voa_close(v);
		return cli_error(rc, "attenuator");
	}
	if (io->o.json) {
		json_t *root = json_pack("{s:s, s:f, s:b, s:o}", "uri", uri,
					 "attenuation_db", db, "enabled", on,
					 "instrument", idn_json(voa_instr(v)));

		json_object_set_new(root, "wavelength_nm", isfinite(nm) ? json_real(nm) :
				    json_null());
		cli_print_json(root);
	} else if (io->o.quiet) {
		printf("%.3f\n", db);
	} else {
		printf("attenuation: %.3f dB%s\n", db, on ? "" : " (shutter closed)");
		if (isfinite(nm))
			printf("wavelength:  %.1f nm\n", nm);
	}
	voa_close(v);
	return EXIT_OK;
}

static int cmd_opm(const struct instr_opts *io, const char *uri, int argc, char **argv)
{
	struct opm *m;
	double dbm;
	int rc = BERT_OK;

	if (argc != 1 || strcmp(argv[0], "read"))
		return cli_usage_error("instr opm: expected read");
	rc = opm_open(uri, NULL, &m);
	if (rc)
		return cli_error(rc, "opening the power meter");
	if (io->have_wl)
		rc = opm_set_wavelength(m, io->wavelength);
	if (!rc && io->have_avg)
		rc = opm_set_averaging(m, io->avg);
	if (!rc && io->have_range)
		rc = opm_set_range(m, false, io->range);
	if (!rc)
		rc = opm_read_dbm(m, &dbm);
	if (rc) {
		opm_close(m);
		return cli_error(rc, "power meter");
	}
	if (io->o.json) {
		json_t *root = json_pack("{s:s, s:f, s:f, s:o}", "uri", uri, "power_dbm", dbm,
					 "power_mw", pow(10.0, dbm / 10.0),
					 "instrument", idn_json(opm_instr(m)));

		json_object_set_new(root, "wavelength_nm", io->have_wl ?
				    json_real(io->wavelength) : json_null());
		cli_print_json(root);
	} else if (io->o.quiet) {
		printf("%.3f\n", dbm);
	} else {
		printf("power: %.3f dBm\n", dbm);
	}
	opm_close(m);
	return EXIT_OK;
}

static bool parse_port(const char *s, unsigned *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 10);

	if (*end || !*s || x < 1 || x > 1000)
		return false;
	*v = (unsigned)x;
	return true;
}

static int cmd_osw(const struct instr_opts *io, const char *uri, int argc, char **argv)
{
	struct osw *s;
	unsigned in, out;
	int rc;

	if (argc == 3 && !strcmp(argv[0], "route")) {
		if (!parse_port(argv[1], &in) || !parse_port(argv[2], &out))
			return cli_usage_error("instr osw: ports are numbers from 1");
	} else if (argc == 2 && !strcmp(argv[0], "get")) {
		if (!parse_port(argv[1], &in))
			return cli_usage_error("instr osw: ports are numbers from 1");
	} else {
		return cli_usage_error("instr osw: expected route IN OUT or get IN");
	}
	rc = osw_open(uri, NULL, &s);
	if (rc)
		return cli_error(rc, "opening the switch");
	if (!strcmp(argv[0], "route"))
		rc = osw_route(s, in, out);
	if (!rc)
		rc = osw_get_route(s, in, &out);
	if (rc) {
		osw_close(s);
		return cli_error(rc, "switch");
	}
	if (io->o.json)
		cli_print_json(json_pack("{s:s, s:i, s:i, s:o}", "uri", uri, "input", (int)in,
					 "output", (int)out, "instrument",
					 idn_json(osw_instr(s))));
	else if (io->o.quiet)
		printf("%u\n", out);
	else
		printf("input %u -> output %u\n", in, out);
	osw_close(s);
	return EXIT_OK;
}

static bool opt_double(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return !*end && *s && isfinite(*v);
}

int cmd_instr(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "station", required_argument, NULL, 's' },
		{ "wavelength", required_argument, NULL, 'w' },
		{ "avg", required_argument, NULL, 'a' },
		{ "range", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct instr_opts io = { 0 };
	char uri[512];
	const char *sub;
	int c, rc;

	/* "+": options before the words; those after them are picked below */
	optind = 1;
	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &io.o))
			continue;
		switch (c) {
		case 's':
			io.station = optarg;
			break;
		case 'w':
			if (!opt_double(optarg, &io.wavelength))
				return cli_usage_error("--wavelength %s: not a number", optarg);
			io.have_wl = true;
			break;
		case 'a':
			if (!opt_double(optarg, &io.avg))
				return cli_usage_error("--avg %s: not a number", optarg);
			io.have_avg = true;
			break;
		case 'r':
			if (!opt_double(optarg, &io.range))
				return cli_usage_error("--range %s: not a number", optarg);
			io.have_range = true;
			break;
		case 'h':
			instr_usage(stdout);
			return EXIT_OK;
		default:
			instr_usage(stderr);
			return EXIT_USAGE;
		}
	}
	/* options may also follow the words: "bert instr voa URI set 6 --json" */
	{
		char *words[16];
		int i, nw = 0;

		for (i = optind; i < argc && nw < 16; i++)
			words[nw++] = argv[i];
		argc = 0;
		for (i = 0; i < nw; i++) {
			const char *w = words[i];

			if (!strcmp(w, "--json") || !strcmp(w, "-j"))
				io.o.json = true;
			else if (!strcmp(w, "-q") || !strcmp(w, "--quiet"))
				io.o.quiet = true;
			else if (!strcmp(w, "-v") || !strcmp(w, "--verbose"))
				io.o.verbose++;
			else if ((!strcmp(w, "--station") || !strcmp(w, "--wavelength") ||
				  !strcmp(w, "--avg") || !strcmp(w, "--range")) && i + 1 < nw) {
				const char *val = words[++i];
				double *dst = w[2] == 'w' ? &io.wavelength : w[2] == 'a' ?
					      &io.avg : &io.range;

				if (w[2] == 's') {
					io.station = val;
					continue;
				}
				if (!opt_double(val, dst))
					return cli_usage_error("%s %s: not a number", w, val);
				if (w[2] == 'w')
					io.have_wl = true;
				else if (w[2] == 'a')
					io.have_avg = true;
				else
					io.have_range = true;
			} else {
				argv[argc++] = words[i];
			}
		}
	}
	cli_setup_logging(&io.o);
	if (argc < 1) {
		instr_usage(stderr);
		return EXIT_USAGE;
	}
	sub = argv[0];
	if (!strcmp(sub, "list")) {
		if (argc != 1)
			return cli_usage_error("instr list takes no arguments");
		return cmd_list(&io);
	}
	if (strcmp(sub, "idn") && strcmp(sub, "voa") && strcmp(sub, "opm") && strcmp(sub, "osw") &&
	    strcmp(sub, "raw")) {
		instr_usage(stderr);
		return cli_usage_error("instr: unknown subcommand '%s'", sub);
	}
	if (argc < 2)
		return cli_usage_error("instr %s: missing URI", sub);
	rc = resolve(&io, argv[1], uri, sizeof(uri));
	if (rc)
		return cli_error(rc, "instrument");
	if (!strcmp(sub, "idn")) {
		if (argc != 2)
			return cli_usage_error("instr idn takes only a URI");
		return cmd_idn(&io, uri);
	}
	if (!strcmp(sub, "raw"))
		return cmd_raw(&io, uri, argc - 2, argv + 2);
	if (!strcmp(sub, "voa"))
		return cmd_voa(&io, uri, argc - 2, argv + 2);
	if (!strcmp(sub, "opm"))
		return cmd_opm(&io, uri, argc - 2, argv + 2);
	return cmd_osw(&io, uri, argc - 2, argv + 2);
}
