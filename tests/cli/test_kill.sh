# kill -9 of bertd at seeded points of a multi-site run (8 sites of
# stations/station-8.ini): the daemon dies in the middle of its Nth write to
# the results database (tests/faults/kill_shim.c tears that write and sends
# SIGKILL). After each kill: no bertd process or thread is left; the
# database passes PRAGMA integrity_check; every step the daemon reported
# ended (its --event-log) is stored; the restart marks every interrupted run
# aborted with its finished steps and leaves none running; the next run of
# all 8 sites passes. BERT_KILL_POINTS (default 3; `make faults`: 100),
# seed BERT_FAULT_SEED (default 22). Waits are bounded polls.
. "$(dirname "$0")/lib.sh"
BERTD="${BERT_BUILD:-build}/bertd"
SHIM="${BERT_BUILD:-build}/tests/kill_shim.so"
CHECK="$TOP/tests/faults/check_db.py"
STATION="$TOP/stations/station-8.ini"
POINTS="${BERT_KILL_POINTS:-3}"
SEED="${BERT_FAULT_SEED:-22}"
SOCK="$T/bertd.sock"
DB="$T/results.db"
export BERT_STATION_SOCKET="$SOCK"
[ -e "$SHIM" ] || { fail "no $SHIM (make builds it)"; exit 1; }
PRE="$SHIM"
if ldd "$BERTD" | grep -q libasan; then
	PRE="$(ldd "$BERTD" | awk '/libasan/ {print $3}'):$SHIM"
fi
BPID=""
trap '[ -n "$BPID" ] && kill -9 "$BPID" 2>/dev/null; checks_done' EXIT

gone() { ! kill -0 "$1" 2>/dev/null; }
up() { "$BERT" station status; }
checkdb() { python3 "$CHECK" "$@" >"$T/check" 2>&1 || { cat "$T/check"; fail "database check: $*"; }; }

# the write points of one 8-site round, to place the kills inside it
"$BERTD" --config "$STATION" --socket "$SOCK" --db "$T/count.db" --foreground \
	>"$T/bertd.log" 2>&1 &
BPID=$!
wait_for up || { cat "$T/bertd.log"; fail "bertd did not come up"; exit 1; }
kill -TERM "$BPID"; wait_for gone "$BPID"
python3 -c "import random; r = random.Random($SEED); print(*sorted(r.randint(1, 1900) for _ in range($POINTS)))" >"$T/points"

killed=0; survived=0; recovered=0
for p in $(cat "$T/points"); do
	: >"$T/ev.log"
	LD_PRELOAD="$PRE" BERT_KILL_AFTER_WRITES=$p BERT_KILL_MATCH="$DB" \
		"$BERTD" --config "$STATION" --socket "$SOCK" --db "$DB" --foreground \
		--event-log "$T/ev.log" >"$T/bertd.log" 2>&1 &
	BPID=$!
	if ! wait_for up; then
		# killed while recovering or creating the schema
		gone "$BPID" || { cat "$T/bertd.log"; fail "point $p: bertd did not come up"; continue; }
	else
		"$BERT" station start --site all >/dev/null 2>&1
		"$BERT" station watch >/dev/null 2>&1
	fi
	if gone "$BPID"; then
		killed=$((killed + 1))
	else
		survived=$((survived + 1))
		kill -TERM "$BPID"
	fi
	wait_for gone "$BPID" || fail "point $p: bertd still alive"
	wait "$BPID" 2>/dev/null
	[ -d "/proc/$BPID" ] && fail "point $p: bertd $BPID left a process or thread"
	pgrep -f -- "--socket $SOCK" >/dev/null && fail "point $p: a bertd on $SOCK remains"
	checkdb "$DB" --events "$T/ev.log"

	# restart: interrupted runs aborted with their steps, then a clean round
	"$BERTD" --config "$STATION" --socket "$SOCK" --db "$DB" --foreground -v \
		>"$T/bertd.log" 2>&1 &
	BPID=$!
	wait_for up || { cat "$T/bertd.log"; fail "point $p: restart failed"; continue; }
	n=$(sed -n 's/.* \([0-9][0-9]*\) interrupted run.*/\1/p' "$T/bertd.log" | head -1)
	recovered=$((recovered + ${n:-0}))
	checkdb "$DB" --no-running
	run "$BERT" station start --site all
	status_is 0
	run "$BERT" station watch
	status_is 0
	for s in 1 2 3 4 5 6 7 8; do
		out_has "site $s +idle +last run [0-9]+: complete (pass|marginal)"
	done
	kill -TERM "$BPID"; wait_for gone "$BPID" || fail "point $p: bertd ignored SIGTERM"
	BPID=""
done
checkdb "$DB" --no-running
echo "kill -9 of bertd: $POINTS points, $killed killed, $survived outlived, $recovered interrupted runs recovered; $(cat "$T/check")"
[ "$killed" -gt 0 ] || fail "no point killed bertd"
