# Helpers for CLI tests (sourced). After `run CMD...`, $out, $err and $rc hold
# stdout, stderr and the exit status.
set -u
BERT="${BERT_BUILD:-build}/bert"
TOP="${BERT_TOP:-.}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

run() {
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	out=$(cat "$T/out"); err=$(cat "$T/err")
}
fail() { echo "FAIL: $*"; echo "--- stdout"; echo "$out"; echo "--- stderr"; echo "$err"; exit 1; }
status_is() { [ "$rc" -eq "$1" ] || fail "exit status $rc, expected $1"; }
out_has() { printf '%s' "$out" | grep -Eq -- "$1" || fail "stdout lacks /$1/"; }
err_has() { printf '%s' "$err" | grep -Eq -- "$1" || fail "stderr lacks /$1/"; }
