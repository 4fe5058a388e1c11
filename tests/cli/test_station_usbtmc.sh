# The 8-site station in bertd with its shared meter on USBTMC: bert-sim
# serve serves the station-8 bench (its meter a PM100D here), the VOAs and
# the switch over TCP, and the meter reaches bertd through the USBTMC
# instrument emulated under umockdev (tests/usbdev/usbtmc_host) in front of
# bert-sim's PM100D. 8 sites x 4 lanes share that one meter: the device
# counts exactly one claim and zero protocol errors, and bert-sim one
# connection per instrument. Real time (bert-sim --speed 100); waits are
# bounded polls, never timing assertions.
. "$(dirname "$0")/lib.sh"

SIM="${BERT_BUILD:-build}/bert-sim"
BERTD="${BERT_BUILD:-build}/bertd"
HOST="${BERT_BUILD:-build}/tests/usbtmc_host"
PIDS=""
cleanup() { for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"; }
trap 'cleanup; checks_done' EXIT

if ! [ -x "$HOST" ]; then
	echo "SKIP: $HOST not built (make check builds it)"; exit 0
fi
usbdev_preload "$BERTD"

# the station-8 bench with a PM100D as its meter
sed -e "s|^module = \.\./modules/|module = $TOP/fixtures/sim/modules/|" \
	-e '/^\[instrument opm1\]/,/^$/ s|^model = .*|model = thorlabs-pm100d|' \
	"$TOP/fixtures/sim/benches/station-8.ini" > "$T/bench.ini"
grep -q 'model = thorlabs-pm100d' "$T/bench.ini" || fail "bench without opm1"

SOCK="$T/usb.sock"
timeout 600 "$SIM" serve --bench "$T/bench.ini" --speed 100 --json \
	> "$T/sim.out" 2> "$T/sim.err" &
SIMPID=$!; PIDS="$PIDS $SIMPID"
wait_for test -s "$T/sim.out" || { out=""; err=$(cat "$T/sim.err"); fail "bert-sim did not come up"; exit 1; }
python3 - "$T/sim.out" "$T/station.ini" "$T/opm1.port" <<'PY' || fail "station file"
import json, sys
d = json.loads(open(sys.argv[1]).readline())
types = {'voa': 'voa', 'meter': 'meter', 'switch': 'switch'}
out = ['[station]', 'name = live-8-usbtmc', '']
for n, ep in sorted(d['endpoints'].items()):
    uri = 'usbtmc:1313:8078' if n == 'opm1' else ep['tcp']
    out += ['[instrument %s]' % n, 'uri = %s' % uri, 'type = %s' % types[ep['type']]]
    out += ['channels = 4'] if n.startswith('voa') else ['channels = 32'] if n.startswith('osw') else []
    out += ['']
open(sys.argv[3], 'w').write(d['endpoints']['opm1']['tcp'].rsplit(':', 1)[1])
assert len(d['fixtures']) == 8, d['fixtures']
for i, f in enumerate(d['fixtures'], 1):
    out += ['[site %d]' % i, 'fixture = %s' % f, 'profile = 400gbase-dr4', 'voa = voa%d' % i,
            'switch = ' + ','.join('osw1:%d' % (4 * (i - 1) + l) for l in range(1, 5)),
            'meter = opm1:1', 'tap_ratio = 0.05', 'patch_loss_db = 0.601',
            'stimulus_er_db = 4.5', '']
open(sys.argv[2], 'w').write('\n'.join(out))
PY
timeout 300 "$HOST" --backend "127.0.0.1:$(cat "$T/opm1.port")" --counters "$T/usb.json" -- \
	"$BERTD" --config "$T/station.ini" --socket "$SOCK" --db "$T/usb.db" \
	--foreground --max-time 1 >> "$T/bertd.log" 2>&1 &
BPID=$!; PIDS="$PIDS $BPID"
wait_for "$BERT" station status --socket "$SOCK" || { out=""; err=$(cat "$T/bertd.log"); fail "bertd did not come up"; exit 1; }
station_run_all "$T/bertd.log"
# SIGTERM goes through timeout and usbtmc_host to bertd; the host writes
# the device's counters once bertd has ended
kill -TERM $BPID; wait $BPID
kill -TERM $SIMPID; wait $SIMPID
tail -1 "$T/sim.out" > "$T/sim-counters.json"
echo "usbtmc: $(cat "$T/usb.json")"
echo "bert-sim: $(cat "$T/sim-counters.json")"
python3 - "$T/usb.json" "$T/sim-counters.json" <<'PY' || { out=$(cat "$T/usb.json" "$T/sim-counters.json"); err=""; fail "connection or error counters"; }
import json, sys
u = json.loads(open(sys.argv[1]).readline())
assert u['opens'] == 1 and u['claims'] == 1 and u['claims_refused'] == 0, u
assert u['protocol_errors'] == 0 and u['bad_ioctls'] == 0 and u['stalls'] == 0, u
assert u['aborts_in'] == 0 and u['in_transfers'] >= 32, u
c = json.load(open(sys.argv[2]))['counters']
assert sorted(c) == sorted(['voa%d' % i for i in range(1, 9)] + ['osw1', 'opm1']), c
for n, v in c.items():
    assert v['connections'] == 1, (n, v)
    assert v['protocol_errors'] == 0 and v['refused'] == 0, (n, v)
    assert v['commands'] > 0, (n, v)
PY
