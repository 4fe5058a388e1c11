# Hostile modules (fixtures/sim/modules/README.md, [faults] hostile): a
# module answering every read with seeded random bytes (hostile = 1) or with
# adversarial values (hostile = 2: bad checksums, lane counts 0 and 9..15, an
# application list without terminator, durations 0 and maximum, monitor and
# VDM values at their extremes, page select ignored). bert info, dom, ber,
# qualify and bertd give a clear error or a documented decode: never a
# crash, a sanitizer report, a hang (bounded by timeout) or a PASS.
. "$(dirname "$0")/lib.sh"
MOD="$TOP/fixtures/sim/modules"
BERTD="${BERT_BUILD:-build}/bertd"

hostile() { # MODE SEED -> $T/h-MODE-SEED.ini: dr4-good with hostile keys in its [faults]
	awk -v m="$1" -v s="$2" '
		{ print }
		/^\[faults\]/ { printf "hostile = %s\nhostile_rate = 0.05\nhostile_seed = %s\n", m, s; done = 1 }
		END { if (!done) printf "\n[faults]\nhostile = %s\nhostile_rate = 0.05\nhostile_seed = %s\n", m, s }
	' "$MOD/dr4-good.ini" >"$T/h-$1-$2.ini"
}
sane() { # WHAT: no crash, no sanitizer report, no hang, the module file itself accepted
	[ "$rc" -eq 124 ] && fail "$1: hung (timeout)"
	printf '%s' "$err" | grep -q 'h-[0-9]*-[0-9]*\.ini:[0-9]' &&
		fail "$1: the module file was refused, the module never ran: $err"
	[ "$rc" -gt 3 ] && fail "$1: exit $rc (crash?)"
	printf '%s' "$err" | grep -q 'Sanitizer\|runtime error' && fail "$1: sanitizer report"
	return 0
}
for mode in 1 2; do
	for seed in ${BERT_HOSTILE_SEEDS:-1 2}; do
		hostile $mode $seed
		F="sim:$T/h-$mode-$seed.ini"
		for c in info dom; do
			run timeout 60 "$BERT" $c --fixture "$F" --json
			sane "$c hostile=$mode seed=$seed"
			# a decode is one JSON document; an error one JSON error object
			printf '%s' "$out" | python3 -c "import json,sys; json.load(sys.stdin)" ||
				fail "$c hostile=$mode seed=$seed: not one JSON document"
			[ "$rc" -eq 0 ] || err_has '^bert: '
		done
		run timeout 60 "$BERT" ber --fixture "$F"
		sane "ber hostile=$mode seed=$seed"
		[ "$rc" -eq 0 ] && fail "ber hostile=$mode seed=$seed: exit 0 (a pass)"
		err_has '^bert: '
		run timeout 120 "$BERT" qualify --no-db --fixture "$F" -q
		sane "qualify hostile=$mode seed=$seed"
		[ "$rc" -eq 0 ] && fail "qualify hostile=$mode seed=$seed: exit 0 (a pass)"
		printf '%s' "$out" | grep -q 'VERDICT: \(PASS\|MARGINAL\)' &&
			fail "qualify hostile=$mode seed=$seed: a pass"
	done
done

# --- bertd: four hostile sites beside four good ones ------------------------------
sed -e "s|^module = ../modules/dr4-good.ini|module = $MOD/dr4-good.ini|" \
	"$TOP/fixtures/sim/benches/station-8.ini" >"$T/bench.ini"
for s in 1 2 3 4; do
	hostile $(( (s - 1) % 2 + 1 )) $((s + 10))
	python3 - "$T/bench.ini" $s "$T/h-$(( (s - 1) % 2 + 1 ))-$((s + 10)).ini" <<'PY'
import re, sys
p, site, mod = sys.argv[1], sys.argv[2], sys.argv[3]
t = open(p).read()
t = re.sub(r"(\[site %s\]\nmodule = )[^\n]*" % site, lambda m: m.group(1) + mod, t)
open(p, "w").write(t)
PY
done
sed -e "s|sim:../fixtures/sim/benches/station-8.ini|sim:$T/bench.ini|" \
	"$TOP/stations/station-8.ini" >"$T/station.ini"
SOCK="$T/bertd.sock"
export BERT_STATION_SOCKET="$SOCK"
"$BERTD" --config "$T/station.ini" --socket "$SOCK" --db "$T/results.db" --foreground \
	>"$T/bertd.log" 2>&1 &
BPID=$!
trap 'kill -9 $BPID 2>/dev/null; checks_done' EXIT
i=0; while ! "$BERT" station status >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 400 ] && { cat "$T/bertd.log"; fail "bertd did not come up"; break; }; sleep 0.05
done
run "$BERT" station start --site all
status_is 0
run timeout 300 "$BERT" station watch
sane "bertd watch"
for s in 1 2 3 4; do
	printf '%s' "$out" | grep -Eq "site $s +idle +last run [0-9]+: complete (pass|marginal)" &&
		fail "bertd: hostile site $s passed"
	out_has "site $s +idle +last run [0-9]+: (error|complete fail|aborted)"
done
for s in 5 6 7 8; do
	out_has "site $s +idle +last run [0-9]+: complete (pass|marginal)"
done
kill -0 "$BPID" 2>/dev/null || fail "bertd died"
grep -q 'Sanitizer\|runtime error' "$T/bertd.log" && fail "bertd: sanitizer report"
kill -TERM "$BPID"
i=0; while kill -0 "$BPID" 2>/dev/null && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
python3 "$TOP/tests/faults/check_db.py" "$T/results.db" --no-running || fail "bertd: results database"
