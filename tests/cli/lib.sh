# Helpers for CLI tests (sourced). After `run CMD...`, $out, $err and $rc hold
# stdout, stderr and the exit status.
set -u
BERT="${BERT_BUILD:-build}/bert"
TOP="${BERT_TOP:-.}"
T=$(mktemp -d)
# A failed check is recorded and the script goes on, so one run reports every
# failing case of the file. The count lives in a file beside $T (a check that
# fails inside a subshell counts too); checks_done, run at exit, reports it
# and makes the script exit 1. Scripts with their own exit trap end it with
# `checks_done`.
FAILS=$(mktemp)
checks_done() {
	n=$(wc -l <"$FAILS"); rm -rf "$T" "$FAILS"
	[ "$n" -eq 0 ] || { echo "$n failed check(s)"; exit 1; }
}
trap checks_done EXIT

run() {
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	out=$(cat "$T/out"); err=$(cat "$T/err")
}
fail() {
	echo "FAIL: $*"; echo "--- stdout"; echo "${out-}"; echo "--- stderr"; echo "${err-}"
	echo "$*" >>"$FAILS"
	return 1
}
status_is() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"; }
out_has() { printf '%s' "$out" | grep -Eq -- "$1" || fail "stdout lacks /$1/"; }
err_has() { printf '%s' "$err" | grep -Eq -- "$1" || fail "stderr lacks /$1/"; }

# wait_for CMD...: runs CMD every 50 ms until it succeeds, at most
# $WAIT_TRIES times (600: ~30 s); 1 when it never did. For daemons and
# servers in real time: a bounded poll, never a timing assertion.
WAIT_TRIES=600
wait_for() {
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt "$WAIT_TRIES" ] && return 1; sleep 0.05
	done
}
# station_all_done: every site of the bertd at $SOCK idle with a finished run.
station_all_done() {
	"$BERT" station status --socket "$SOCK" --json > "$T/st.json" 2>/dev/null || return 1
	python3 -c "
import json, sys
d = json.load(open('$T/st.json'))
sys.exit(0 if all(s['state'] == 'idle' and s['runs'] >= 1 for s in d['sites']) else 1)"
}
# usbdev_preload PROG: exports USBDEV_PRELOAD, umockdev's preload library for
# the programs usbtmc_host runs, behind PROG's ASan runtime when PROG is a
# sanitizer build (that runtime has to come first in LD_PRELOAD).
usbdev_preload() {
	USBDEV_PRELOAD=libumockdev-preload.so.0
	asan=$(ldd "$1" 2>/dev/null | sed -n 's/.*libasan[^ ]* => \([^ ]*\).*/\1/p')
	[ -n "$asan" ] && USBDEV_PRELOAD="$asan:$USBDEV_PRELOAD"
	export USBDEV_PRELOAD
}
# station_run_all LOG [WHAT]: starts every site of the bertd at $SOCK
# (8), waits (bounded, ~2 min) until each has finished a run, and checks
# each run completed with pass or marginal; LOG is bertd's log, WHAT names
# the case in the messages.
station_run_all() {
	log=$1; what=${2:+$2: }
	run "$BERT" station start --socket "$SOCK" --site all; status_is 0; out_has 'started 8'
	i=0
	while ! station_all_done; do
		i=$((i + 1)); [ $i -gt 1200 ] && { out=$(cat "$T/st.json"); err=$(tail -30 "$log"); fail "${what}the runs did not finish"; return 1; }
		sleep 0.1
	done
	python3 - "$T/st.json" <<'PY' || { out=$(cat "$T/st.json"); err=$(tail -30 "$log"); fail "${what}a site did not pass"; }
import json, sys
d = json.load(open(sys.argv[1]))
for s in d['sites']:
    assert s['last']['status'] == 'complete', s
    assert s['last']['verdict'] in ('pass', 'marginal'), s
PY
}
