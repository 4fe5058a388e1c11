# The 8-site station in bertd with every instrument served out of process by
# bert-sim serve, once over loopback TCP and once over ptys (serial): 8 sites
# x 4 lanes share the meter opm1 and the switch osw1, and each site has its
# VOA. Every run completes, and the emulators' own counters show exactly one
# connection per instrument for the whole station and no protocol error.
# Real time (bert-sim --speed 100); waits are bounded polls, never timing
# assertions.
. "$(dirname "$0")/lib.sh"

SIM="${BERT_BUILD:-build}/bert-sim"
BERTD="${BERT_BUILD:-build}/bertd"
BENCH="$TOP/fixtures/sim/benches/station-8.ini"
PIDS=""
cleanup() { for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"; }
trap 'cleanup; checks_done' EXIT

# one_station KIND: KIND is tcp or serial, the endpoint the station uses
one_station() {
	kind=$1
	SOCK="$T/$kind.sock"
	timeout 300 "$SIM" serve --bench "$BENCH" --speed 100 --json \
		> "$T/sim-$kind.out" 2> "$T/sim-$kind.err" &
	SIMPID=$!; PIDS="$PIDS $SIMPID"
	wait_for test -s "$T/sim-$kind.out" || { out=""; err=$(cat "$T/sim-$kind.err"); fail "bert-sim did not come up"; }
	python3 - "$T/sim-$kind.out" "$T/station-$kind.ini" "$kind" <<'PY' || fail "station file"
import json, sys
d = json.loads(open(sys.argv[1]).readline())
kind = sys.argv[3]
types = {'voa': 'voa', 'meter': 'meter', 'switch': 'switch'}
out = ['[station]', 'name = live-8-' + kind, '']
for n, ep in sorted(d['endpoints'].items()):
    out += ['[instrument %s]' % n, 'uri = %s' % ep[kind], 'type = %s' % types[ep['type']]]
    out += ['channels = 4'] if n.startswith('voa') else ['channels = 32'] if n.startswith('osw') else []
    out += ['']
assert len(d['fixtures']) == 8, d['fixtures']
for i, f in enumerate(d['fixtures'], 1):
    out += ['[site %d]' % i, 'fixture = %s' % f, 'profile = 400gbase-dr4', 'voa = voa%d' % i,
            'switch = ' + ','.join('osw1:%d' % (4 * (i - 1) + l) for l in range(1, 5)),
            'meter = opm1:1', 'tap_ratio = 0.05', 'patch_loss_db = 0.601',
            'stimulus_er_db = 4.5', '']
open(sys.argv[2], 'w').write('\n'.join(out))
PY
	"$BERTD" --config "$T/station-$kind.ini" --socket "$SOCK" --db "$T/$kind.db" \
		--foreground --max-time 1 >> "$T/bertd-$kind.log" 2>&1 &
	BPID=$!; PIDS="$PIDS $BPID"
	wait_for "$BERT" station status --socket "$SOCK" || { out=""; err=$(cat "$T/bertd-$kind.log"); fail "bertd did not come up"; }
	station_run_all "$T/bertd-$kind.log" "$kind"
	kill -TERM $BPID; wait $BPID
	kill -TERM $SIMPID; wait $SIMPID
	tail -1 "$T/sim-$kind.out" > "$T/counters-$kind.json"
	echo "$kind: $(cat "$T/counters-$kind.json")"
	python3 - "$T/counters-$kind.json" <<'PY' || { out=$(cat "$T/counters-$kind.json"); err=""; fail "$kind: connection or error counters"; }
import json, sys
c = json.load(open(sys.argv[1]))['counters']
assert sorted(c) == sorted(['voa%d' % i for i in range(1, 9)] + ['osw1', 'opm1']), c
for n, v in c.items():
    assert v['connections'] == 1, (n, v)
    assert v['protocol_errors'] == 0, (n, v)
    assert v['refused'] == 0, (n, v)
    assert v['commands'] > 0, (n, v)
PY
}

one_station tcp
one_station serial
