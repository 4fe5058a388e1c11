// SPDX-License-Identifier: MIT
/* bert-sim serve: the bench's instruments on ptys and TCP (emu_hub), its
 * modules behind sim-socket servers (protocol in fixtures/fixture_socket.h),
 * one poll loop, a self-pipe for SIGTERM/SIGINT. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bert/core/bytes.h"
#include "bert/core/error.h"
#include "cli/bert-sim.h"
#include "cli/common.h"
#include "fixtures/cmis/cmis_regs.h"
#include "fixtures/fixture_socket.h"
#include "fixtures/i2c_sim.h"
#include "fixtures/sim/bench.h"
#include "fixtures/sim/cmis_module.h"
#include "instruments/sim/emu_hub.h"
#include "instruments/sim/scpi_emu.h"

#define MAX_SITES 16
#define MAX_INSTR 32

struct site_srv {
	unsigned site;
	struct sim_module *m;
	struct i2c_bus *bus;
	bool resetl, lpmode;
	int listen_fd;
	char path[108];
	uint8_t req[SIMSOCK_MAX_FRAME], rep[SIMSOCK_MAX_FRAME];
};

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stopping, dump_counters;

static void on_signal(int sig)
{
	char c = (char)sig;
	ssize_t n;

	if (sig == SIGUSR1)
		dump_counters = 1;
	else
		stopping = 1;
	n = write(sig_pipe[1], &c, 1);
	(void)n;
}

static int on_sig_pipe(void *ctx, int fd)
{
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf));

	(void)ctx;
	(void)n;
	return 0;
}

/* {"counters": {NAME: {"connections": N, "refused": N, "protocol_errors": N,
 * "commands": N}, ...}}: what each emulator counted (scpi_emu_stats). */
static void print_counters(struct scpi_emu *const *emus, unsigned n, bool json)
{
	json_t *root = json_object(), *c = json_object();
	unsigned i;

	for (i = 0; i < n; i++) {
		struct scpi_emu_stats st;
		json_t *j = json_object();

		scpi_emu_stats(emus[i], &st);
		json_object_set_new(j, "connections", json_integer(st.connections));
		json_object_set_new(j, "refused", json_integer(st.refused));
		json_object_set_new(j, "protocol_errors", json_integer(st.protocol_errors));
		json_object_set_new(j, "commands", json_integer(st.commands));
		json_object_set_new(c, scpi_emu_instr(emus[i]), j);
		if (!json)
			printf("counters %s: %u connections, %u refused, %u protocol errors, "
			       "%u commands\n", scpi_emu_instr(emus[i]), st.connections,
			       st.refused, st.protocol_errors, st.commands);
	}
	json_object_set_new(root, "counters", c);
	if (json) {
		json_dumpf(root, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	}
	fflush(stdout);
	json_decref(root);
}

/* Writes the status + detail head of a reply; returns its length. */
static size_t reply_head(uint8_t *rep, int status)
{
	const char *d = status ? bert_error_detail() : "";
	size_t dl = strlen(d);

	if (dl > 1000)
		dl = 1000;
	bert_put_le32(rep, (uint32_t)status);
	rep[4] = (uint8_t)dl;
	rep[5] = (uint8_t)(dl >> 8);
	memcpy(rep + 6, d, dl);
	return 6 + dl;
}

static size_t do_xfer(struct site_srv *s, const uint8_t *req, size_t len)
{
	struct i2c_msg msgs[64];
	uint8_t *rd = s->rep + 1100;	/* read data, after the longest head */
	size_t o = 2, rdo = 0, h, n, i;
	int rc;

	if (len < 2 || (n = (size_t)req[0] | (size_t)req[1] << 8) > 64) {
		rc = bert_fail(BERT_ERR_PROTOCOL, "sim-socket: bad XFER request");
		return reply_head(s->rep, rc);
	}
	for (i = 0; i < n; i++) {
		if (o + 4 > len) {
			rc = bert_fail(BERT_ERR_PROTOCOL, "sim-socket: XFER cut short");
			return reply_head(s->rep, rc);
		}
		msgs[i].addr = req[o];
		msgs[i].flags = req[o + 1];
		msgs[i].len = (uint16_t)(req[o + 2] | req[o + 3] << 8);
		o += 4;
		if (msgs[i].flags & I2C_MSG_READ) {
			if (1100 + rdo + msgs[i].len + 8 > sizeof(s->rep)) {
				rc = bert_fail(BERT_ERR_PROTOCOL, "sim-socket: XFER too long");
				return reply_head(s->rep, rc);
			}
			msgs[i].buf = rd + rdo;
			rdo += msgs[i].len;
		} else {
			if (o + msgs[i].len > len) {
				rc = bert_fail(BERT_ERR_PROTOCOL, "sim-socket: XFER cut short");
				return reply_head(s->rep, rc);
			}
			msgs[i].buf = (uint8_t *)req + o;
			o += msgs[i].len;
		}
	}
	rc = i2c_xfer(s->bus, msgs, (unsigned)n);
	h = reply_head(s->rep, rc);
	if (rc)
		return h;
	memmove(s->rep + h, rd, rdo);
	bert_put_le64(s->rep + h + rdo, i2c_batch_bus_time_ns(msgs, (unsigned)n, s->bus->scl_hz));
	return h + rdo + 8;
}

static size_t handle(struct site_srv *s, uint8_t op, const uint8_t *req, size_t len)
{
	size_t h;
	double w;
	uint64_t bits;

	switch (op) {
	case SIMSOCK_HELLO:
		if (len < 4 || req[0] != SIMSOCK_VERSION)
			return reply_head(s->rep, bert_fail(BERT_ERR_PROTOCOL, "sim-socket: "
					  "version %u not spoken (server: %u)",
					  len ? req[0] : 0, SIMSOCK_VERSION));
		h = reply_head(s->rep, BERT_OK);
		bert_put_le32(s->rep + h, SIMSOCK_VERSION);
		bert_put_le32(s->rep + h + 4, s->site);
		bert_put_le32(s->rep + h + 8, s->bus->scl_hz);
		return h + 12;
	case SIMSOCK_XFER:
		return do_xfer(s, req, len);
	case SIMSOCK_GET_PINS:
		h = reply_head(s->rep, BERT_OK);
		s->rep[h] = SIMSOCK_PIN_PRESENT |
			    (sim_module_intl_asserted(s->m) ? SIMSOCK_PIN_INTL : 0) |
			    (s->resetl ? SIMSOCK_PIN_RESETL : 0) |
			    (s->lpmode ? SIMSOCK_PIN_LPMODE : 0);
		return h + 1;
	case SIMSOCK_SET_RESETL:
	case SIMSOCK_SET_LPMODE:
		if (len < 1)
			return reply_head(s->rep, bert_fail(BERT_ERR_PROTOCOL, "sim-socket: "
					  "pin request without a level"));
		if (op == SIMSOCK_SET_RESETL) {
			s->resetl = req[0];
			sim_module_set_resetl(s->m, s->resetl);
		} else {
			s->lpmode = req[0];
			sim_module_set_lpmode(s->m, s->lpmode);
		}
		return reply_head(s->rep, BERT_OK);
	case SIMSOCK_POWER:
		h = reply_head(s->rep, BERT_OK);
		w = sim_module_power_w(s->m);
		memcpy(&bits, &w, sizeof(bits));
		bert_put_le64(s->rep + h, bits);
		return h + 8;
	}
	return reply_head(s->rep, bert_fail(BERT_ERR_PROTOCOL, "sim-socket: unknown op %u",
					    op));
}

static int on_conn(void *ctx, int fd)
{
	struct site_srv *s = ctx;
	uint8_t op;
	size_t len, rl;

	if (simsock_read_frame(fd, &op, s->req, sizeof(s->req), &len, 1000)) {
		close(fd);	/* client gone or speaking nonsense */
		return 1;
	}
	rl = handle(s, op, s->req, len);
	if (simsock_write_frame(fd, op, s->rep, rl, 1000)) {
		close(fd);
		return 1;
	}
	return 0;
}

static struct emu_hub *hub;

static int on_listen(void *ctx, int fd)
{
	struct site_srv *s = ctx;
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (c >= 0 && emu_hub_watch(hub, c, on_conn, s))
		close(c);
	return 0;
}

static int site_listen(struct site_srv *s, const char *dir)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if ((size_t)snprintf(s->path, sizeof(s->path), "%s/site%u.sock", dir, s->site) >=
	    sizeof(s->path))
		return bert_fail(BERT_ERR_CONFIG, "socket directory path too long");
	memcpy(a.sun_path, s->path, strlen(s->path) + 1);
	unlink(s->path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s->listen_fd, 4))
		return bert_fail(BERT_ERR_IO, "%s: %s", s->path, strerror(errno));
	return emu_hub_watch(hub, s->listen_fd, on_listen, s);
}

static const char *primary(const char *type)
{
	/* Attenuators are usually on RS-232, meters and switches on the LAN. */
	return type && !strcmp(type, "voa") ? "serial" : "tcp";
}

/* The station file (bert/qual/STATION.md) for what this process serves:
 * its instruments at their pty/TCP endpoints, each site's fixture socket and
 * the bench's wiring (which VOA channel, switch input and meter serve each
 * receiver lane, the tap, the loss before the VOA), so `bert qualify
 * --station FILE` runs against it as against the in-process bench. Written
 * to a temporary name and renamed: a reader never sees half a file. */
static int write_station(const char *path, struct sim_bench *b, json_t *root,
			 struct site_srv *const *sites, unsigned n_sites)
{
	json_t *instruments = json_object_get(root, "instruments");
	json_t *endpoints = json_object_get(root, "endpoints");
	char tmp[4200];
	const char *k;
	json_t *v;
	unsigned i, n;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot create: %s", path,
				 strerror(errno));
	fprintf(f, "; SPDX-License-Identifier: MIT\n"
		"; Written by bert-sim serve (pid %d) for the bench it serves; valid\n"
		"; while that process runs. Format: bert/qual/STATION.md.\n\n"
		"[station]\nname = bert-sim\n", (int)getpid());
	json_object_foreach(endpoints, k, v) {
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *ch = sim_bench_instrument_get(b, k, type && !strcmp(type, "switch") ?
							 "inputs" : "channels");

		fprintf(f, "\n[instrument %s]\nuri = %s\ntype = %s\nchannels = %s\n", k,
			json_string_value(json_object_get(instruments, k)), type ? type : "",
			ch ? ch : "1");
	}
	for (i = 0; i < n_sites; i++) {
		const struct sim_module_cfg *mc = sim_module_cfg(sites[i]->m);
		char voa[512] = "", sw[512] = "", meter[512] = "";
		double tap = 0, loss = 0;
		unsigned lane, np = 0;

		for (lane = 1; lane <= 8; lane++)
			for (n = 0; n < sim_bench_paths(b); n++) {
				struct sim_bench_path_info pi;
				char m[32], e[48];
				unsigned mch;

				if (sim_bench_path_info(b, n, &pi) || pi.rx_site != sites[i]->site ||
				    pi.rx_lane != lane)
					continue;
				if (pi.voa[0]) {
					snprintf(e, sizeof(e), "%s%s:%u", voa[0] ? "," : "", pi.voa,
						 pi.voa_ch);
					strncat(voa, e, sizeof(voa) - strlen(voa) - 1);
				}
				if (pi.sw[0]) {
					snprintf(e, sizeof(e), "%s%s:%u", sw[0] ? "," : "", pi.sw,
						 pi.sw_in);
					strncat(sw, e, sizeof(sw) - strlen(sw) - 1);
					sim_bench_switch_meter(b, pi.sw, 1, m, sizeof(m), &mch);
					if (m[0] && !meter[0])
						snprintf(meter, sizeof(meter), "%s:%u", m, mch);
				} else if (pi.meter[0]) {
					snprintf(e, sizeof(e), "%s%s:%u", meter[0] ? "," : "",
						 pi.meter, pi.meter_ch);
					strncat(meter, e, sizeof(meter) - strlen(meter) - 1);
				}
				tap = pi.tap_ratio;
				loss = pi.loss_db;
				np++;
			}
		fprintf(f, "\n[site %u]\nfixture = sim-socket:%s\n", sites[i]->site,
			sites[i]->path);
		if (voa[0])
			fprintf(f, "voa = %s\n", voa);
		if (sw[0])
			fprintf(f, "switch = %s\n", sw);
		if (meter[0])
			fprintf(f, "meter = %s\n", meter);
		if (np) {
			fprintf(f, "tap_ratio = %.4g\npatch_loss_db = %.4g\n", tap, loss);
			if (mc->lane[0].er_db > 0)
				fprintf(f, "stimulus_er_db = %.3g\n", mc->lane[0].er_db);
		}
	}
	if (fclose(f) || rename(tmp, path)) {
		int e = errno;

		unlink(tmp);
		return bert_fail(BERT_ERR_CONFIG, "%s: cannot write: %s", path, strerror(e));
	}
	return BERT_OK;
}

int bert_sim_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{ "bench", required_argument, NULL, 'b' },
		{ "speed", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "station", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts o = { 0 };
	const char *bench_path = NULL, *dir_opt = NULL, *station_path = NULL;
	char dir[96], *end;
	double speed = 1.0;
	struct bert_clock *clock = NULL;
	struct sim_bench *b = NULL;
	struct site_srv *sites[MAX_SITES] = { NULL };
	struct scpi_emu *emus[MAX_INSTR] = { NULL };
	struct sigaction sa = { .sa_handler = on_signal };
	struct emu_plant plant;
	json_t *root = NULL, *fixtures, *instruments, *endpoints;
	unsigned n_sites, n_instr, i, n_emus = 0;
	bool made_dir = false;
	int c, rc, ret = EXIT_HW;

	optind = 1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg, &o))
			continue;
		switch (c) {
		case 'b':
			bench_path = optarg;
			break;
		case 's':
			speed = strtod(optarg, &end);
			if (*end || !(speed > 0) || speed > 1e6)
				return cli_usage_error("--speed %s: expected a factor > 0", optarg);
			break;
		case 'd':
			dir_opt = optarg;
			break;
		case 'S':
			station_path = optarg;
			break;
		case 'h':
			printf("usage: bert-sim serve [--bench FILE] [--speed N] [--dir DIR] "
			       "[--station FILE] [--json]\n\n"
			       "Serves the bench's instruments on ptys and TCP and its modules on\n"
			       "sim-socket fixtures until SIGTERM or Ctrl-C.\n"
			       "  --station FILE  writes the station file for what it serves\n"
			       "                  (bert qualify --station FILE --site N)\n"
			       "SIGUSR1 prints the instruments' counters (connections,\n"
			       "refused, protocol errors, commands); SIGTERM prints them and stops\n");
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("serve: unexpected '%s'", argv[optind]);
	cli_setup_logging(&o);

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK))
		return cli_error(BERT_ERR_IO, "pipe");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	clock = bert_clock_virtual_new();
	if (!clock)
		return cli_error(BERT_ERR_NOMEM, "clock");
	rc = sim_bench_load(bench_path, clock, &b);
	if (rc) {
		ret = cli_error(rc, "loading the bench");
		goto out;
	}
	rc = emu_hub_new(clock, speed, &hub);
	if (rc) {
		ret = cli_error(rc, "serve");
		goto out;
	}
	if (dir_opt) {
		snprintf(dir, sizeof(dir), "%s", dir_opt);
		if (mkdir(dir, 0700) == 0)
			made_dir = true;
		else if (errno != EEXIST) {
			ret = cli_error(bert_fail(BERT_ERR_CONFIG, "%s: %s", dir, strerror(errno)),
					"--dir");
			goto out;
		}
	} else {
		snprintf(dir, sizeof(dir), "/tmp/bert-sim-XXXXXX");
		if (!mkdtemp(dir)) {
			ret = cli_error(bert_fail(BERT_ERR_IO, "mkdtemp: %s", strerror(errno)),
					"serve");
			goto out;
		}
		made_dir = true;
	}
	root = json_object();
	fixtures = json_array();
	instruments = json_object();
	endpoints = json_object();
	json_object_set_new(root, "fixtures", fixtures);
	json_object_set_new(root, "instruments", instruments);

	n_sites = sim_bench_sites(b);
	for (i = 0; i < n_sites && i < MAX_SITES; i++) {
		struct site_srv *s = calloc(1, sizeof(*s));
		struct i2c_target tg;
		char uri[160];

		if (!s) {
			ret = cli_error(BERT_ERR_NOMEM, "serve");
			goto out;
		}
		sites[i] = s;
		s->site = i + 1;
		s->listen_fd = -1;
		s->m = sim_bench_module(b, i + 1);
		s->bus = i2c_sim_new(clock, 400000);
		if (!s->bus) {
			ret = cli_error(BERT_ERR_NOMEM, "serve");
			goto out;
		}
		tg = sim_module_target(s->m);
		rc = i2c_sim_attach(s->bus, &tg);
		if (!rc)
			rc = site_listen(s, dir);
		if (rc) {
			ret = cli_error(rc, "serving a fixture site");
			goto out;
		}
		/* as the sim: fixture does: ResetL high, LPMode held at insertion */
		s->resetl = true;
		s->lpmode = true;
		sim_module_set_lpmode(s->m, true);
		snprintf(uri, sizeof(uri), "sim-socket:%s", s->path);
		json_array_append_new(fixtures, json_string(uri));
	}

	plant = emu_plant_of_bench(b);
	n_instr = sim_bench_instruments(b);
	for (i = 0; i < n_instr && n_emus < MAX_INSTR; i++) {
		const char *name = sim_bench_instrument_name(b, i);
		const char *type = sim_bench_instrument_get(b, name, "type");
		char pty[64], serial[96], tcp[64];
		uint16_t port = 0;
		struct scpi_emu *e;
		json_t *ep;

		rc = scpi_emu_new(&plant, name, &e);
		if (rc) {
			fprintf(stderr, "bert-sim: warning: instrument %s not served: %s\n",
				name, bert_error_detail());
			continue;
		}
		emus[n_emus++] = e;
		rc = emu_hub_add_pty(hub, e, pty, sizeof(pty));
		if (!rc)
			rc = emu_hub_add_tcp(hub, e, &port);
		if (!rc && sim_bench_instrument_get(b, name, "tcp_clients")) {
			const char *v = sim_bench_instrument_get(b, name, "tcp_clients");
			unsigned long k = strtoul(v, &end, 10);

			rc = *end || !k ? bert_fail(BERT_ERR_CONFIG, "instrument %s: tcp_clients "
						    "'%s': expected 1..64", name, v) :
				emu_hub_set_max_clients(hub, e, (unsigned)k);
		}
		if (rc) {
			ret = cli_error(rc, name);
			goto out;
		}
		snprintf(serial, sizeof(serial), "serial:%s", pty);
		snprintf(tcp, sizeof(tcp), "tcp:127.0.0.1:%u", port);
		json_object_set_new(instruments, name, json_string(
			!strcmp(primary(type), "serial") ? serial : tcp));
		ep = json_object();
		json_object_set_new(ep, "serial", json_string(serial));
		json_object_set_new(ep, "tcp", json_string(tcp));
		json_object_set_new(ep, "model", json_string(scpi_emu_model(e)));
		json_object_set_new(ep, "type", json_string(type ? type : ""));
		json_object_set_new(endpoints, name, ep);
	}
	/* The example names them voa / opm / osw: the first of each
	 * kind answers to that name too, unless the bench uses it. */
	for (i = 0; i < n_emus; i++) {
		static const char *const alias[] = { "voa", "opm", "osw" };
		const char *a = alias[scpi_emu_kind(emus[i])];

		if (!json_object_get(instruments, a))
			json_object_set(instruments, a, json_object_get(instruments,
						scpi_emu_instr(emus[i])));
	}
	json_object_set_new(root, "endpoints", endpoints);
	json_object_set_new(root, "dir", json_string(dir));
	json_object_set_new(root, "speed", json_real(speed));
	rc = emu_hub_watch(hub, sig_pipe[0], on_sig_pipe, NULL);
	if (rc) {
		ret = cli_error(rc, "serve");
		goto out;
	}
	if (station_path) {
		rc = write_station(station_path, b, root, sites, n_sites < MAX_SITES ?
				   n_sites : MAX_SITES);
		if (rc) {
			ret = cli_error(rc, "--station");
			goto out;
		}
		json_object_set_new(root, "station", json_string(station_path));
	}
	if (o.json) {
		json_dumpf(root, stdout, JSON_COMPACT);
		fputc('\n', stdout);
	} else {
		const char *k;
		json_t *v;
		size_t idx;

		json_array_foreach(fixtures, idx, v)
			printf("fixture %s\n", json_string_value(v));
		json_object_foreach(endpoints, k, v)
			printf("instrument %s (%s): %s  %s\n", k,
			       json_string_value(json_object_get(v, "model")),
			       json_string_value(json_object_get(v, "serial")),
			       json_string_value(json_object_get(v, "tcp")));
		if (station_path)
			printf("station file %s (bert qualify --station %s --site 1)\n",
			       station_path, station_path);
		printf("serving at %gx real time; SIGTERM or Ctrl-C stops\n", speed);
	}
	fflush(stdout);

	while (!stopping) {
		rc = emu_hub_run_once(hub, 200);
		if (rc) {
			ret = cli_error(rc, "serve");
			goto out;
		}
		if (dump_counters) {
			dump_counters = 0;
			print_counters(emus, n_emus, o.json);
		}
	}
	/* the last line: what every instrument counted */
	print_counters(emus, n_emus, o.json);
	ret = EXIT_OK;
out:
	emu_hub_free(hub);	/* closes the sockets it watched but did not own */
	hub = NULL;
	for (i = 0; i < MAX_SITES; i++)
		if (sites[i]) {
			if (sites[i]->listen_fd >= 0) {
				close(sites[i]->listen_fd);
				unlink(sites[i]->path);
			}
			i2c_bus_free(sites[i]->bus);
			free(sites[i]);
		}
	if (made_dir)
		rmdir(dir);
	if (station_path && ret == EXIT_OK)
		unlink(station_path);	/* it named endpoints that are gone now */
	for (i = 0; i < n_emus; i++)
		scpi_emu_free(emus[i]);
	json_decref(root);
	sim_bench_free(b);
	bert_clock_free(clock);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	return ret;
}
