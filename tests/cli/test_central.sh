# SPDX-License-Identifier: MIT
# The central results database on a real PostgreSQL server (a throwaway
# cluster in the test's folder, Unix socket only, tests/pg/cluster.sh):
# schema creation and migration from the previous version with the data
# kept, idempotent sync, a newer schema refused, wrong credentials and an
# unreachable server (clear error, growing backlog, runs still complete);
# then a virtual shift of three bertd stations of eight sites uploading to
# one database, the server stopped and started mid-shift, a bertd killed
# with -9 while it drains its backlog and restarted: every run reaches the
# database once, in order, identical to the station stores; /metrics scraped
# and parsed throughout. Waits are bounded polls, never timing assertions.
. "$(dirname "$0")/lib.sh"

BERTD="${BERT_BUILD:-build}/bertd"
PGC="$T/pg"
PY="$TOP/tests/pg"
chmod 755 "$T"
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	sh "$PY/cluster.sh" destroy "$PGC" 2>/dev/null
	rm -rf "$T"
}
trap 'cleanup; checks_done' EXIT

# wait_for CMD...: retries up to ~60 s (bounded; not a timing assertion)
WAIT_TRIES=1200

sh "$PY/cluster.sh" start "$PGC" >"$T/cluster.log" 2>&1; crc=$?
if [ $crc = 77 ]; then
	[ "${CI:-}" = true ] && { cat "$T/cluster.log"; fail "CI: no PostgreSQL server"; }
	echo "SKIP: no PostgreSQL server installed (Debian package postgresql)"; exit 0
fi
[ $crc = 0 ] || { cat "$T/cluster.log"; fail "cannot start the PostgreSQL cluster"; }
. "$PGC/env"
export PGPASSFILE
psql_q() { sh "$PY/cluster.sh" psql "$PGC" -d "${2:-bert}" -At -c "$1"; }

# --- schema: an older version (2), data, migration to version 4 keeps it ----------
run "$BERT" results db migrate --db "$T/local.db"
status_is 2; err_has "postgresql://"
run "$BERT" results list --db "$URI"
status_is 2; err_has "no bert schema.*migrate"
run "$BERT" results db migrate --db "$URI" --to 2
status_is 0; out_has "schema version 0 -> 2"
for i in 1 2; do
	"$BERT" qualify --db "$T/q.db" -q >/dev/null 2>&1 || fail "qualify $i"
done
# version 2 cannot hold uncertainty budgets: refused, nothing dropped
run "$BERT" results sync --db "$T/q.db" --central "$URI"
status_is 2; err_has "schema version 2 has no uncertainty budgets.*migrate"
out_has "0 runs uploaded.*2 waiting"
# runs that fit version 2: the same records without budgets and trace, from
# another station
for u in $("$BERT" results list --db "$T/q.db" --json | jq -r '.[].uuid'); do
	"$BERT" results export "$u" --db "$T/q.db" | jq '.uuid |= "00000000" + .[8:] |
		.station.name = "line-old" |
		walk(if type == "object" then del(.uncertainty_budget) else . end) |
		del(.trace) | .dut.date_code = null' >"$T/nb.json"
	"$BERT" results import "$T/nb.json" --db "$T/old.db" -q || fail "import $u"
done
run "$BERT" results sync --db "$T/old.db" --central "$URI"
status_is 0; out_has "2 runs uploaded.*0 waiting"
for u in $("$BERT" results list --db "$T/old.db" --json | jq -r '.[].uuid'); do
	"$BERT" results export "$u" --db "$URI" >"$T/v2-$u.json" || fail "export at v2"
done
run "$BERT" results db migrate --db "$URI" --json
status_is 0; out_has '"from": 2'; out_has '"version": 4'
[ "$(psql_q "SELECT string_agg(version::text, ',' ORDER BY version) FROM bert_schema_version")" = "1,2,3,4" ] ||
	fail "schema versions recorded: $(psql_q 'SELECT version FROM bert_schema_version')"
psql_q "SELECT operator, work_order, lot FROM runs LIMIT 1" >/dev/null || fail "v2 columns"
psql_q "SELECT count(*) FROM calibrations" >/dev/null || fail "v2 tables"
for f in "$T"/v2-*.json; do
	u=${f#"$T/v2-"}; u=${u%.json}
	"$BERT" results export "$u" --db "$URI" | cmp -s - "$f" || fail "run $u changed by the migration"
done
python3 "$PY/compare.py" "$BERT" line-old "$T/old.db" "$URI" >"$T/cmp.out" ||
	fail "old.db vs central: $(cat "$T/cmp.out")"
run "$BERT" results sync --db "$T/q.db" --central "$URI"
status_is 0; out_has "2 runs uploaded.*0 waiting"
[ "$(psql_q "SELECT count(*) FROM uncertainty_components")" -gt 0 ] || fail "no budgets stored"
# version 4: the trace of each run (the instruments' *IDN?, the calibration used)
[ "$(psql_q "SELECT count(*) FROM runs WHERE jsonb_array_length(trace->'instruments') = 3 \
	AND trace->>'calibration' LIKE 'patch %' AND date_code = '250101'")" = 2 ] ||
	fail "the trace of the runs is not stored centrally"
run "$BERT" results db migrate --db "$URI"
status_is 0; out_has "nothing to do"
run "$BERT" results db migrate --db "$URI" --to 2
status_is 2; err_has "only go up"

# --- idempotent: again, and after losing the acknowledgements (a crash between
# the server's commit and the station's note) ------------------------------------
run "$BERT" results sync --db "$T/q.db" --central "$URI"
status_is 0; out_has "^0 runs uploaded"
rows() { psql_q "SELECT (SELECT count(*) FROM runs) || '/' || (SELECT count(*) FROM steps) \
	|| '/' || (SELECT count(*) FROM measurements) || '/' || (SELECT count(*) FROM sweep_points)"; }
before=$(rows)
sqlite3 "$T/q.db" "DELETE FROM central_uploads"
run "$BERT" results sync --db "$T/q.db" --central "$URI" --json
status_is 0; out_has '"uploaded": 2'
[ "$(rows)" = "$before" ] || fail "a repeated upload changed the rows: $before -> $(rows)"
python3 "$PY/compare.py" "$BERT" virtual-bench "$T/q.db" "$URI" >"$T/cmp.out" ||
	fail "q.db vs central: $(cat "$T/cmp.out")"

# --- retest history of a serial across the factory ---------------------------------
run "$BERT" results list --db "$URI" --sn SIM0000001 --json
status_is 0
[ "$(printf '%s' "$out" | jq length)" = 4 ] || fail "4 runs of SIM0000001"
[ "$(printf '%s' "$out" | jq '[.[].station] | unique | length')" = 2 ] ||
	fail "SIM0000001 was tested at 2 stations"
run "$BERT" results show last --db "$URI"
status_is 0; out_has "SIM0000001"
run "$BERT" results import "$T/nb.json" --db "$URI"
status_is 2; err_has "station store"

# --- a statement the server refuses: the whole upload is rolled back -------------
psql_q "ALTER TABLE sweep_points ADD CONSTRAINT no_lane_4 CHECK (lane < 4) NOT VALID"
"$BERT" qualify --db "$T/q.db" -q >/dev/null 2>&1 || fail "qualify (refused upload)"
before=$(rows)
run "$BERT" results sync --db "$T/q.db" --central "$URI"
status_is 3; err_has "no_lane_4"; out_has "0 runs uploaded.*1 waiting"
[ "$(rows)" = "$before" ] || fail "a refused upload left rows: $before -> $(rows)"
psql_q "ALTER TABLE sweep_points DROP CONSTRAINT no_lane_4"
run "$BERT" results sync --db "$T/q.db" --central "$URI"
status_is 0; out_has "^1 run uploaded.*0 waiting"

# --- a newer schema is refused; bad credentials; unreachable -----------------------
psql_q "CREATE DATABASE newer OWNER bert" postgres >/dev/null
NEWER=$(printf '%s' "$URI" | sed 's|///bert|///newer|')
run "$BERT" results db migrate --db "$NEWER"
status_is 0
psql_q "INSERT INTO bert_schema_version (version) VALUES (9)" newer
run "$BERT" results list --db "$NEWER"
status_is 2; err_has "schema version 9 is newer than this bert"
run "$BERT" results db migrate --db "$NEWER"
status_is 2; err_has "newer"

"$BERT" qualify --db "$T/q.db" -q >/dev/null 2>&1 || fail "qualify 3"
printf '*:*:*:bert:wrong-password\n' >"$T/badpass"; chmod 600 "$T/badpass"
PGPASSFILE="$T/badpass" run "$BERT" results sync --db "$T/q.db" --central "$URI"
status_is 3; err_has "password authentication failed for user \"bert\""
out_has "0 runs uploaded.*1 waiting"
run "$BERT" results sync --db "$T/q.db" --central "postgresql:///bert?host=$T/nowhere&user=bert"
status_is 3; err_has "nowhere.*(No such file|connect)"
run "$BERT" results sync --db "$T/q.db" --central "postgresql://bert:secret@localhost/bert"
status_is 2; err_has "holds a password"
printf '[store]\ncentral = postgresql://bert:secret@localhost/bert\n' >"$T/pw.ini"
run "$BERT" results sync --db "$T/q.db" --station "$T/pw.ini"
status_is 2; err_has "password.*never in the station file"
run "$BERT" results sync --db "$T/q.db" --station "$T/pw.ini" --central "$URI"
status_is 2; err_has "--central URI or --station"
run "$BERT" results sync --db "$T/q.db" --central "$URI" --json
status_is 0; out_has '"uploaded": 1'; out_has '"backlog": 0'

# --- bert qualify --station with [store] central: uploads after the run; a
# refused upload is a warning, the run stands ----------------------------------------
sed "s|^fixture = sim:|fixture = sim:$TOP/stations/|" "$TOP/stations/station-8.ini" >"$T/q.ini"
printf '\n[store]\ncentral = %s\n' "$URI" >>"$T/q.ini"
run "$BERT" qualify --station "$T/q.ini" --site 2 --db "$T/q.db"
status_is 0; err_has "1 run uploaded"
PGPASSFILE="$T/badpass" run "$BERT" qualify --station "$T/q.ini" --site 2 --db "$T/q.db"
status_is 0; err_has "password authentication failed.*waits in the station store"
run "$BERT" results sync --db "$T/q.db" --station "$T/q.ini"
status_is 0; out_has "^1 run uploaded.*0 waiting"

# --- a shift: three stations of eight sites, one database ---------------------------
station_file() {	# NAME -> $T/st-NAME.ini
	sed -e "s/^name = station-8\$/name = line-$1/" \
	    -e "s|^fixture = sim:|fixture = sim:$TOP/stations/|" \
	    -e '/^\[bertd\]$/a http = 127.0.0.1:0' "$TOP/stations/station-8.ini" >"$T/st-$1.ini"
	printf '\n[store]\ncentral = %s\nupload_poll = 0.1\nupload_retry_max = 0.5\n' \
		"$URI" >>"$T/st-$1.ini"
}
start_bertd() {	# NAME [PGPASSFILE]
	: >"$T/$1.log"
	PGPASSFILE="${2:-$PGPASSFILE}" "$BERTD" --config "$T/st-$1.ini" --socket "$T/$1.sock" \
		--db "$T/$1.db" --foreground -v --repeat 2 >>"$T/$1.log" 2>&1 &
	eval "PID_$1=$!"; PIDS="$PIDS $!"
	BERT_STATION_SOCKET="$T/$1.sock" wait_for "$BERT" station status ||
		{ cat "$T/$1.log"; fail "bertd $1 did not come up"; }
	port=$(sed -n 's/.*http: listening on .* (port \([0-9]*\)).*/\1/p' "$T/$1.log")
	[ -n "$port" ] || { cat "$T/$1.log"; fail "bertd $1: no http port"; }
	eval "URL_$1=http://127.0.0.1:$port/metrics"
}
st() { BERT_STATION_SOCKET="$T/$1.sock" "$BERT" station "$2" ${3:+--site "$3"}; }
url() { eval "printf '%s' \"\$URL_$1\""; }
metric() { python3 "$PY/metrics.py" get "$(url "$1")" "$2"; }
scrape() { python3 "$PY/metrics.py" scrape "$T/metrics.state" "$(url a)" "$(url b)" \
	"$(url c)" >>"$T/scrapes.log" || fail "/metrics: $(tail -1 "$T/scrapes.log")"; }
backlog_is() { [ "$(metric "$1" bertd_spool_backlog_runs)" = "$2" ]; }
local_runs() { "$BERT" results list --db "$T/$1.db" --json | jq length; }

for s in a b c d; do station_file $s; done
for s in a b c; do start_bertd $s; done
# station d has the wrong password: its runs complete, its backlog grows
start_bertd d "$T/badpass"

# 1. the server up
for s in a b c; do st $s start all >/dev/null || fail "start $s"; done
st d start 1 >/dev/null || fail "start d"
n=0
while ! { [ "$(st a status | grep -c idle)" = 8 ] && [ "$(st b status | grep -c idle)" = 8 ] &&
	  [ "$(st c status | grep -c idle)" = 8 ]; }; do
	scrape; n=$((n + 1)); [ $n -gt 3000 ] && fail "shift 1 did not end"
done
scrape
for s in a b c; do wait_for backlog_is $s 0 || fail "$s: backlog after shift 1"; done
wait_for st d watch
[ "$(local_runs d)" = 2 ] || fail "d: 2 runs stored locally"
wait_for backlog_is d 2 || fail "d: backlog 2"
[ "$(metric d bertd_central_up)" = 0 ] || fail "d: central up"
errs=$(metric d bertd_upload_errors_total)
[ "${errs%%.*}" -ge 1 ] || fail "d: upload errors counted"
grep -q 'password authentication failed for user "bert".*the runs wait' "$T/d.log" ||
	fail "d: no clear error in the log"
"$BERT" results list --db "$T/d.db" | grep -q "complete" || fail "d: runs not complete"

# 2. the server stopped mid-shift: runs go on, backlogs grow
sh "$PY/cluster.sh" stop "$PGC" || fail "pg stop"
for s in a b c; do st $s start all >/dev/null || fail "start $s (pg down)"; done
for s in a b c; do wait_for st $s watch || fail "$s: shift 2"; done
scrape
for s in a b c; do
	b=$(metric $s bertd_spool_backlog_runs)
	wait_for sh -c "[ \"\$(python3 '$PY/metrics.py' get '$(url $s)' bertd_spool_backlog_runs)\" -ge 16 ]" ||
		fail "$s: backlog with the server down: $b"
	[ "$(metric $s bertd_central_up)" = 0 ] || fail "$s: central up while down"
	age=$(metric $s bertd_spool_backlog_oldest_age_seconds)
	[ "$age" != absent ] || fail "$s: no backlog age"
done
grep -q "the runs wait in the station store" "$T/a.log" || fail "a: no upload error logged"

# 3. the server back; b killed with -9 while it drains, restarted
up_b=$(metric b bertd_uploads_total)
sh "$PY/cluster.sh" start "$PGC" || fail "pg start"
for s in a c; do st $s start all >/dev/null || fail "start $s (pg back)"; done
st b start all >/dev/null || fail "start b (pg back)"
wait_for sh -c "[ \"\$(python3 '$PY/metrics.py' get '$(url b)' bertd_uploads_total)\" != '$up_b' ]" ||
	fail "b: does not drain"
kill -9 "$PID_b"
wait "$PID_b" 2>/dev/null
echo "line-b killed with $(psql_q "SELECT count(*) FROM runs WHERE station = 'line-b'") of \
$(local_runs b) runs in the central database"
start_bertd b
grep -q "interrupted run(s) marked aborted" "$T/b.log" || fail "b: no recovery line"
for s in a c; do wait_for st $s watch || fail "$s: shift 3"; done
scrape
for s in a b c; do wait_for backlog_is $s 0 || fail "$s: backlog not drained"; done
scrape

# every run once, in order, identical
for s in a b c; do
	python3 "$PY/compare.py" "$BERT" "line-$s" "$T/$s.db" "$URI" >"$T/cmp.out" 2>&1 ||
		fail "compare $s: $(cat "$T/cmp.out")"
	cat "$T/cmp.out"
done
[ "$("$BERT" results list --db "$URI" --station line-d --json | jq length)" = 0 ] ||
	fail "d uploaded with a wrong password"
dups=$(psql_q "SELECT count(*) FROM (SELECT uuid FROM runs GROUP BY uuid HAVING count(*) > 1) x")
[ "$dups" = 0 ] || fail "$dups duplicated runs"
ab=$("$BERT" results list --db "$URI" --station line-b --json | jq '[.[] | select(.status == "aborted")] | length')
echo "line-b: $ab run(s) aborted by the kill -9, uploaded as aborted"
echo "$(wc -l <"$T/scrapes.log") scrapes of 3 stations parsed"

# --- the fleet report over PostgreSQL: yield per station as SQL computes it from
# the same rows (complete runs; modules by serial; first and last run of each)
run "$BERT" results report --db "$URI" --format json
status_is 0
got=$(printf '%s' "$out" | jq -r '.yield.station[] | "\(.name) \(.runs) \(.modules) \(.first_pass) \(.final_pass)"' | sort)
want=$(psql_q "WITH c AS (SELECT station, sn, verdict IN ('pass', 'marginal') AS ok,
	row_number() OVER (PARTITION BY station, sn ORDER BY wall_start, id) AS f,
	row_number() OVER (PARTITION BY station, sn ORDER BY wall_start DESC, id DESC) AS l
	FROM runs WHERE status = 'complete')
	SELECT station || ' ' || count(*) || ' ' || count(DISTINCT sn) || ' ' ||
	count(*) FILTER (WHERE f = 1 AND ok) || ' ' || count(*) FILTER (WHERE l = 1 AND ok)
	FROM c GROUP BY station" | sort)
[ -n "$want" ] || fail "no complete runs in the central database"
[ "$got" = "$want" ] || fail "fleet report over PostgreSQL: got [$got], SQL says [$want]"
total=$(psql_q "SELECT count(*) FROM runs")
[ "$(printf '%s' "$out" | jq '.runs + .incomplete_runs')" = "$total" ] ||
	fail "fleet report: runs + incomplete_runs != $total rows"
run "$BERT" results report --db "$URI" --format html -o "$T/fleet.html"
status_is 0
grep -q "line-a" "$T/fleet.html" || fail "fleet html names no station"
echo "fleet report over PostgreSQL: $(printf '%s' "$want" | tr '\n' ';')"
for s in a b c d; do kill -TERM "$(eval "printf '%s' \"\$PID_$s\"")"; done
