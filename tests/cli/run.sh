#!/bin/sh
# Runs the CLI test scripts given as arguments. Each script uses the helpers
# in tests/cli/lib.sh, reports every failed check and exits non-zero if any.
# Prints the plain closing line "N passed, N failed".
pass=0; fail=0
for t in "$@"; do
	[ "$(basename "$t")" = run.sh ] && continue
	if sh "$t" >"${BERT_BUILD:-build}/$(basename "$t").log" 2>&1; then
		pass=$((pass + 1)); echo "PASS: $t"
	else
		fail=$((fail + 1)); echo "FAIL: $t"; grep -A3 "^FAIL: \|failed check" "${BERT_BUILD:-build}/$(basename "$t").log"
	fi
done
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
