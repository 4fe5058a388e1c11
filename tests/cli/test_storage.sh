# Storage faults of the results store under `bert qualify`: a full disk (a
# file-size limit, and a small tmpfs when this user may mount one), a
# read-only database, a database locked by another writer past the busy
# timeout, and torn writes (kill -9 in the middle of the Nth write to the
# database at seeded points, tests/faults/kill_shim.c). Every case is a clear
# error or a stored run; never a pass for an incomplete run; PRAGMA
# integrity_check ok after each; every step the run reported finished is
# stored; the next run recovers the killed one and passes.
# BERT_FAULT_POINTS (default 10; `make faults`: 200) kill points, seed
# BERT_FAULT_SEED (default 22).
. "$(dirname "$0")/lib.sh"
MOD="$TOP/fixtures/sim/modules"
SHIM="${BERT_BUILD:-build}/tests/kill_shim.so"
CHECK="$TOP/tests/faults/check_db.py"
POINTS="${BERT_FAULT_POINTS:-10}"
SEED="${BERT_FAULT_SEED:-22}"
[ -e "$SHIM" ] || { fail "no $SHIM (make builds it)"; exit 1; }
# under the sanitizer build the ASan runtime comes first in LD_PRELOAD
PRE="$SHIM"
if ldd "$BERT" | grep -q libasan; then
	PRE="$(ldd "$BERT" | awk '/libasan/ {print $3}'):$SHIM"
fi
checkdb() { python3 "$CHECK" "$@" >"$T/check" 2>&1 || { cat "$T/check"; fail "database check: $*"; }; }

# --- full disk: a file-size limit at several sizes ------------------------------
for lim in 8 100 200; do
	DB="$T/fsize-$lim.db"
	( ulimit -f "$lim"; exec "$BERT" qualify --db "$DB" -q ) >"$T/out" 2>"$T/err"; rc=$?
	out=$(cat "$T/out"); err=$(cat "$T/err")
	case $rc in
	0) out_has '^VERDICT: PASS' ;;
	2|3) err_has '^bert: .*(the disk|cannot open|results not stored)'
	     printf '%s' "$out" | grep -q 'VERDICT: PASS' && fail "limit $lim: PASS printed after a store error" ;;
	*) fail "limit $lim: exit $rc" ;;
	esac
	[ -e "$DB" ] && checkdb "$DB"
	# the limit lifted, the same file takes the next run
	run "$BERT" qualify --db "$DB" -q
	status_is 0
	checkdb "$DB" --no-running
done

# --- full disk: a real ENOSPC on a 128 KiB tmpfs (needs mount rights) -----------
mkdir "$T/small"
if mount -t tmpfs -o size=128k bert-full "$T/small" 2>/dev/null; then
	n=0; errs=0
	while [ $n -lt 40 ] && [ $errs -lt 3 ]; do
		run "$BERT" qualify --db "$T/small/results.db" -q
		case $rc in
		0) out_has '^VERDICT: PASS' ;;
		2|3) errs=$((errs + 1)); err_has '^bert: .*(disk is full|the disk|results not stored)'
		     printf '%s' "$out" | grep -q 'VERDICT: PASS' && fail "tmpfs: PASS after a store error" ;;
		*) fail "tmpfs: exit $rc" ;;
		esac
		n=$((n + 1))
	done
	[ $errs -gt 0 ] || fail "tmpfs never filled in $n runs"
	checkdb "$T/small/results.db"
	for f in "$T/small/results.db"*; do cp "$f" "$T/full${f#$T/small/results}"; done
	umount "$T/small"
	# on a disk with room again, the same file takes the next run
	run "$BERT" qualify --db "$T/full.db" -q
	status_is 0
	checkdb "$T/full.db" --no-running
else
	echo "SKIP: ENOSPC on a small tmpfs: this user cannot mount one (the file-size limit above covers a full disk)"
fi

# --- read-only database --------------------------------------------------------
DB="$T/ro/results.db"
mkdir "$T/ro"
run "$BERT" qualify --db "$DB" -q
status_is 0
sum0=$(cat "$DB"* | md5sum)
chmod 0444 "$DB"; chmod 0555 "$T/ro"
if [ "$(id -u)" = 0 ]; then
	# root writes any file: run as nobody, who may read but not write
	chmod 0755 "$T"
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
else
	AS=""
fi
run $AS "$BERT" qualify --db "$DB" -q
status_is 2
err_has '^bert: results database: .*(cannot be written|read-only|cannot open)'
printf '%s' "$out" | grep -q VERDICT && fail "read-only: a run started"
[ "$(cat "$DB"* | md5sum)" = "$sum0" ] || fail "read-only database changed"
run $AS "$BERT" results list --db "$DB"
status_is 0
out_has 'complete +PASS'
chmod 0755 "$T/ro"; chmod 0644 "$DB"

# --- locked by another writer past the busy timeout (5 s) -----------------------
DB="$T/locked.db"
run "$BERT" qualify --db "$DB" -q
status_is 0
rm -f "$T/locked"
python3 - "$DB" "$T/locked" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE runs SET message = message")
open(sys.argv[2], "w").close()
# held until the test removes the flag (bounded: 60 s)
for _ in range(1200):
	if not os.path.exists(sys.argv[2]):
		break
	time.sleep(0.05)
db.execute("ROLLBACK")
PY
LOCKER=$!
i=0; while [ ! -e "$T/locked" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
run "$BERT" qualify --db "$DB" -q
rm -f "$T/locked"; wait $LOCKER
status_is 3
err_has '^bert: results database: .*busy'
printf '%s' "$out" | grep -q VERDICT && fail "locked: a run started"
checkdb "$DB" --no-running
run "$BERT" qualify --db "$DB" -q
status_is 0
checkdb "$DB" --no-running

# --- torn writes: kill -9 mid-write at seeded points ----------------------------
DB="$T/torn.db"
python3 -c "import random; r = random.Random($SEED); print(*sorted(r.randint(1, 320) for _ in range($POINTS)))" >"$T/points"
killed=0
for p in $(cat "$T/points"); do
	LD_PRELOAD="$PRE" BERT_KILL_MATCH=torn.db BERT_KILL_AFTER_WRITES=$p "$BERT" qualify --db "$DB" >"$T/out" 2>"$T/err"; rc=$?
	out=$(cat "$T/out"); err=$(cat "$T/err")
	# steps announced before the last "[k/9]" have ended and been journaled
	k=$(grep -c '^\[[0-9]*/[0-9]*\]' "$T/err")
	case $rc in
	137) killed=$((killed + 1))
	     if [ "$k" -ge 2 ]; then checkdb "$DB" --min-steps last:$((k - 1)); else checkdb "$DB"; fi ;;
	0) out_has '^VERDICT: PASS'; checkdb "$DB" ;;
	*) fail "point $p: exit $rc" ;;
	esac
done
[ $killed -gt 0 ] || fail "no point killed a run"
run "$BERT" qualify --db "$DB" -q
status_is 0
checkdb "$DB" --no-running
echo "torn writes: $POINTS points, $killed runs killed; $(cat "$T/check")"
