#!/bin/sh
# SPDX-License-Identifier: MIT
# A throwaway PostgreSQL cluster for the tests and the benchmark: initdb and
# pg_ctl in DIR, listening on a Unix socket in DIR/sock only (no TCP), run by
# an unprivileged user (nobody when we are root: the server refuses root).
#
#   cluster.sh start DIR     create (first time) and start; writes DIR/env:
#                            PGPASSFILE (the station role's password) and
#                            URI (postgresql:///bert?host=DIR/sock&user=bert)
#   cluster.sh stop DIR      stop (fast: open connections are cut)
#   cluster.sh destroy DIR   stop and remove DIR
#   cluster.sh psql DIR ...  psql as the cluster's superuser
#
# Roles: bertadmin (superuser), bert (owns database bert; what stations use).
# Passwords: scram-sha-256, in DIR/pgpass (mode 0600) for libpq.
# Exits 77 when no PostgreSQL server is installed (the caller decides
# whether that is a skip or, in CI, a failure).
set -eu
cmd=$1; dir=$2; shift 2

pgbin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pgbin=$d; done
if [ -z "$pgbin" ]; then
	echo "cluster.sh: no PostgreSQL server (Debian package postgresql)" >&2
	exit 77
fi
if [ "$(id -u)" = 0 ]; then
	as() { runuser -u nobody -- "$@"; }
	owner=nobody
else
	as() { "$@"; }
	owner=$(id -un)
fi

case "$cmd" in
start)
	if [ ! -d "$dir/data" ]; then
		mkdir -p "$dir/sock"
		printf 'admin-%s\n' "$$" > "$dir/adminpw"
		chown -R "$owner" "$dir"
		chmod 700 "$dir/sock"
		as "$pgbin/initdb" -D "$dir/data" -U bertadmin -A scram-sha-256 \
			--pwfile="$dir/adminpw" -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
		cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir/sock'
fsync = off
log_min_messages = warning
CONF
		umask 077
		{
			printf '*:*:*:bertadmin:%s\n' "$(cat "$dir/adminpw")"
			printf '*:*:*:bert:station-%s\n' "$$"
		} > "$dir/pgpass"
		new=1
	fi
	as "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ tail -20 "$dir/server.log" >&2; exit 1; }
	if [ "${new:-0}" = 1 ]; then
		pw=$(sed -n 's/^\*:\*:\*:bert:\(.*\)$/\1/p' "$dir/pgpass")
		PGPASSFILE="$dir/pgpass" psql -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" \
			-U bertadmin -d postgres <<SQL >/dev/null
CREATE ROLE bert LOGIN PASSWORD '$pw';
CREATE DATABASE bert OWNER bert;
SQL
		cat > "$dir/env" <<ENV
PGPASSFILE='$dir/pgpass'
URI='postgresql:///bert?host=$dir/sock&user=bert'
ENV
	fi
	;;
stop)
	as "$pgbin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
	;;
destroy)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
psql)
	PGPASSFILE="$dir/pgpass" psql -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" \
		-U bertadmin "$@"
	;;
*)
	echo "cluster.sh: start|stop|destroy|psql DIR" >&2
	exit 2
	;;
esac
