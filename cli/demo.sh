#!/bin/sh
# make demo: the main job on the virtual bench (no hardware). `bert qualify`
# runs the 400GBASE-DR4 profile on three modules: a good one (PASS), one whose
# lane 3 receiver sits inside the guard band of the sensitivity limit
# (MARGINAL, a pass with a warning) and one whose lane 3 receiver is outside
# the limit (FAIL). Each run prints the numbers that decided it: per lane the
# sensitivity with its uncertainty and the limit, the link margin, and the
# failing or marginal measurements. The fixture is the in-process emulated
# module, the station the default virtual bench (VOA, switch and meter
# emulators), the clock virtual.
B="${BERT_BUILD:-build}"
MOD=fixtures/sim/modules
OUT="$B/demo"
DB="$B/demo/results.db"
rm -rf "$OUT"
mkdir -p "$OUT"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

# Progress (step, lane) goes to stderr: kept in $OUT/*.log here.
qualify() {
	step "$B/bert" qualify --profile 400gbase-dr4 --fixture "sim:$MOD/$1.ini" \
		--db "$DB" --out "$OUT/$2" "2>$OUT/$2.log"
	"$B/bert" qualify --profile 400gbase-dr4 --fixture "sim:$MOD/$1.ini" \
		--db "$DB" --out "$OUT/$2" 2>"$OUT/$2.log"
}
qualify dr4-good good; good=$?
qualify dr4-marginal marginal; marginal=$?
qualify dr4-weak-lane3 fail; fail=$?
step "$B/bert" results list --db "$DB"
"$B/bert" results list --db "$DB"

printf '\n\033[1mgood DR4:\033[0m exit %s (0 = pass)   \033[1mmarginal DR4:\033[0m exit %s (0 = a pass with a warning)   \033[1mweak lane 3:\033[0m exit %s (1 = fail)\n' \
	"$good" "$marginal" "$fail"
printf 'reports: %s/{good,marginal,fail} (report.html, summary.txt, record.json, junit.xml, measurements.csv)\n' \
	"$OUT"
# the certificate of each run, and the numbers that decided it
for r in good marginal fail; do
	printf '\n\033[1m%s:\033[0m %s/%s/report.html (open it in a browser)\n' "$r" "$OUT" "$r"
	sed -n '/^Verdict:/p; /^Failed:/,/^$/p; /^Marginal:/,/^$/p' "$OUT/$r/summary.txt"
	grep -E '^  sensitivity +rx_sensitivity_oma|^  link_budget +link_margin' "$OUT/$r/summary.txt"
done
printf 'database: %s (bert results show last --db %s)\n' "$DB" "$DB"
# the three verdicts, as the reports state them
verdict() { sed -n '1s/^Verdict: //p' "$OUT/$1/summary.txt"; }
[ "$good" -eq 0 ] && [ "$marginal" -eq 0 ] && [ "$fail" -eq 1 ] &&
	[ "$(verdict good)" = PASS ] && [ "$(verdict marginal)" = MARGINAL ] &&
	[ "$(verdict fail)" = FAIL ]
