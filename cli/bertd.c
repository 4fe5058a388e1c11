// SPDX-License-Identifier: MIT
/* bertd: the factory station daemon (cli/bertd.md).
 *
 *   bertd --config station.ini [--socket PATH] [--db PATH] [--foreground]
 *         [--speed X] [--group NAME] [--mode OCTAL] [--policy fifo|rr]
 *
 * The station's sites run in worker threads (bert/daemon/bertd_core.h);
 * this file is the process around them: options and the [bertd] section of
 * the station file, the control socket and its poll loop (cli/bertd_server.c),
 * signals through a signalfd (SIGTERM/SIGINT: abort running sites, leave the
 * modules safe, store the records, exit; SIGHUP: reload the station file). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_PREFIX "bertd"
#include "bert/core/error.h"
#include "bert/qual/site.h"
#include "bert/core/log.h"
#include "bert/store/uploader.h"
#include "cli/bertd.h"
#include "cli/common.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bertd --config STATION.ini [--socket PATH] [--db PATH] [--foreground]\n"
		"             [--speed X] [--group NAME] [--mode OCTAL] [--policy fifo|rr]\n"
		"             [--max-time SECONDS] [--event-log FILE] [--http HOST:PORT]\n"
		"             [--repeat N] [-v] [-q]\n\n"
		"The factory station daemon: one worker per [site N] of the station file,\n"
		"shared instruments granted per use, results to the SQLite store, a control\n"
		"socket speaking newline-delimited JSON (bert station is its client).\n"
		"  --config FILE   station file; its [bertd] section sets the defaults below\n"
		"  --socket PATH   Unix socket (default %s)\n"
		"  --db PATH       results database (default: the user's results.db)\n"
		"  --foreground    do not detach (systemd, tests)\n"
		"  --speed X       emulated benches: virtual time at X times wall time;\n"
		"                  0 (default) runs it as fast as the CPU allows\n"
		"  --group NAME    group owning the socket (clients must be in it)\n"
		"  --mode OCTAL    socket mode (default 0660)\n"
		"  --policy P      shared instruments: fifo (default) or rr (round robin)\n"
		"  --max-time S    BER counting limit per run\n"
		"  --event-log F   append every progress event (one JSON line each, in the\n"
		"                  order subscribers get them) to F\n"
		"  --http H:P      HTTP server for /metrics (Prometheus), e.g. 127.0.0.1:9464;\n"
		"                  a non-loopback address needs [bertd] http_token_file\n"
		"  --repeat N      runs per start, back to back (a module replaced at once)\n"
		"The station file's [store] central = postgresql://... makes bertd upload\n"
		"every stored step and run to that database (bert/store/uploader.h).\n"
		"Signals: TERM/INT abort running sites (modules left safe) and exit;\n"
		"HUP reloads the station file (idle sites take it at once).\n",
		BERTD_DEFAULT_SOCKET);
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return bert_fail(BERT_ERR_IO, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return bert_fail(BERT_ERR_IO, "setsid: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		return bert_fail(BERT_ERR_IO, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		return bert_fail(BERT_ERR_IO, "chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return BERT_OK;
}

int main(int argc, char **argv)
{
	enum { O_CONFIG = 0x200, O_SOCKET, O_DB, O_FG, O_SPEED, O_GROUP, O_MODE, O_POLICY,
	       O_MAXT, O_EVLOG, O_HTTP, O_REPEAT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, O_CONFIG },
		{ "socket", required_argument, NULL, O_SOCKET },
		{ "db", required_argument, NULL, O_DB },
		{ "foreground", no_argument, NULL, O_FG },
		{ "speed", required_argument, NULL, O_SPEED },
		{ "group", required_argument, NULL, O_GROUP },
		{ "mode", required_argument, NULL, O_MODE },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "max-time", required_argument, NULL, O_MAXT },
		{ "event-log", required_argument, NULL, O_EVLOG },
		{ "http", required_argument, NULL, O_HTTP },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bertd_server_opts so = { .mode = 0660 };
	struct qual_station *st;
	struct qual_bertd fo;
	struct cli_opts co = { 0 };
	const char *config = NULL, *sock = NULL, *db = NULL, *group = NULL, *policy = NULL;
	const char *http = NULL;
	struct uploader_config uc;
	char cfg_abs[4096], token[256] = "";
	long repeat = -1;
	double speed = -1, maxt = 0;
	bool foreground = false, mode_set = false;
	char *end;
	int c, rc;

	cli_prog = "bertd";
	while ((c = getopt_long(argc, argv, "vqh", longopts, NULL)) != -1) {
		switch (c) {
		case O_CONFIG: config = optarg; break;
		case O_SOCKET: sock = optarg; break;
		case O_DB: db = optarg; break;
		case O_FG: foreground = true; break;
		case O_GROUP: group = optarg; break;
		case O_POLICY: policy = optarg; break;
		case O_EVLOG: so.event_log = optarg; break;
		case O_SPEED:
			speed = strtod(optarg, &end);
			if (*end || !(speed >= 0 && speed <= 1e6))
				return cli_usage_error("--speed: '%s' is not 0..1e6", optarg);
			break;
		case O_HTTP: http = optarg; break;
		case O_REPEAT:
			repeat = strtol(optarg, &end, 10);
			if (*end || end == optarg || repeat < 1 || repeat > 100000)
				return cli_usage_error("--repeat: '%s' is not 1..100000", optarg);
			break;
		case O_MAXT:
			maxt = strtod(optarg, &end);
			if (*end || !(maxt > 0 && maxt <= 86400))
				return cli_usage_error("--max-time: '%s' is not 0..86400 s", optarg);
			break;
		case O_MODE: {
			unsigned long m = strtoul(optarg, &end, 8);

			if (*end || m > 0777)
				return cli_usage_error("--mode: '%s' is not an octal mode", optarg);
			so.mode = (unsigned)m;
			mode_set = true;
			break;
		}
		case 'v': co.verbose++; break;
		case 'q': co.quiet = true; break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (!config) {
		usage(stderr);
		return cli_usage_error("--config is required");
	}
	cli_setup_logging(&co);
	/* the one station-file reader: every section checked, [bertd] kept */
	st = malloc(sizeof(*st));
	if (!st)
		return cli_error(BERT_ERR_NOMEM, "station file");
	rc = qual_station_load(config, st);
	fo = st->bertd;
	free(st);
	if (rc)
		return cli_error(rc, "station file");
	rc = uploader_config_load(config, &uc);
	if (rc)
		return cli_error(rc, "station file");
	if (fo.http_token_file[0]) {
		FILE *tf = fopen(fo.http_token_file, "r");

		if (!tf || !fgets(token, sizeof(token), tf)) {
			if (tf)
				fclose(tf);
			return cli_usage_error("[bertd] http_token_file %s: cannot read it",
					       fo.http_token_file);
		}
		fclose(tf);
		token[strcspn(token, "\r\n")] = '\0';
		if (strlen(token) < 16)
			return cli_usage_error("[bertd] http_token_file %s: the token is "
					       "shorter than 16 characters", fo.http_token_file);
	}
	/* the daemon may chdir /: keep the station file's absolute path */
	if (!realpath(config, cfg_abs))
		return cli_usage_error("--config %s: %s", config, strerror(errno));

	so.socket = sock ? sock : fo.socket[0] ? fo.socket : BERTD_DEFAULT_SOCKET;
	so.group = group ? group : fo.socket_group[0] ? fo.socket_group : NULL;
	if (!mode_set)
		so.mode = fo.socket_mode;
	so.core.station = cfg_abs;
	so.core.db = db ? db : fo.db[0] ? fo.db : NULL;
	so.core.speed = speed >= 0 ? speed : fo.speed;
	so.core.ber_max_time_ns = (uint64_t)(maxt * 1e9);
	so.core.repeat = repeat > 0 ? (unsigned)repeat : fo.repeat;
	so.station_file = cfg_abs;
	so.central = uc.central[0] ? uc.central : NULL;
	so.upload_poll_s = uc.poll_s;
	so.upload_retry_max_s = uc.retry_max_s;
	so.http = http ? http : fo.http[0] ? fo.http : NULL;
	so.http_token = token[0] ? token : NULL;
	if (!policy)
		policy = fo.arbitration[0] ? fo.arbitration : "fifo";
	if (!strcmp(policy, "fifo"))
		so.core.policy = BERT_LOCK_FIFO;
	else if (!strcmp(policy, "rr") || !strcmp(policy, "round-robin"))
		so.core.policy = BERT_LOCK_ROUND_ROBIN;
	else
		return cli_usage_error("--policy: '%s' is not fifo or rr", policy);
	if (so.group && !getgrnam(so.group))
		return cli_usage_error("socket group '%s' does not exist", so.group);
	if (!foreground) {
		rc = daemonize();
		if (rc)
			return cli_error(rc, "detaching");
	}
	rc = bertd_serve(&so);
	if (rc)
		return cli_error(rc, "bertd");
	return EXIT_OK;
}
