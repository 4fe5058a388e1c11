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
