# The usbtmc: transport for real: bert's libusb code against a USBTMC/USB488
# instrument emulated at the usbdevfs ioctl level under umockdev
# (tests/usbdev/usbtmc_host), with the SCPI emulator of the PM100D behind it
# served by bert-sim serve. The device counts what the host did (claims,
# messages, transfers, aborts, clears, protocol errors) and the tests assert
# the counts: exactly one claim, zero protocol errors where bert drives it.
. "$(dirname "$0")/lib.sh"

SIM="${BERT_BUILD:-build}/bert-sim"
HOST="${BERT_BUILD:-build}/tests/usbtmc_host"
CLIENT="${BERT_BUILD:-build}/tests/usbtmc_client"
BENCH="$TOP/tests/usbdev/usbtmc-bench.ini"
SIMPID=""
cleanup() { [ -n "$SIMPID" ] && kill -9 "$SIMPID" 2>/dev/null; rm -rf "$T"; }
trap 'cleanup; checks_done' EXIT

if ! [ -x "$HOST" ] || ! [ -x "$CLIENT" ]; then
	echo "SKIP: $HOST / $CLIENT not built (make check builds them)"; exit 0
fi
# The child runs under umockdev's preload library (behind bert's ASan
# runtime in a sanitizer build).
usbdev_preload "$BERT"

timeout 600 "$SIM" serve --bench "$BENCH" --speed 100 --json --station "$T/station.ini" \
	> "$T/sim.out" 2> "$T/sim.err" &
SIMPID=$!
wait_for test -s "$T/sim.out" || { out=""; err=$(cat "$T/sim.err"); fail "bert-sim did not come up"; exit 1; }
PORT=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['endpoints']['opm1']['tcp'].rsplit(':', 1)[1])" "$T/sim.out")

# counter FILE NAME: one counter of the device's JSON line
counter() { sed -n "s/.*\"$2\":\([a-z0-9]*\).*/\1/p" "$1"; }
# counters_are FILE NAME=VALUE...: every one checked, in one pass
counters_are() {
	f=$1; shift
	bad=$(python3 - "$f" "$@" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).readline())
for kv in sys.argv[2:]:
    k, v = kv.split('=', 1)
    got = str(d.get(k)).lower()
    if got != v.lower():
        print('%s = %s, expected %s' % (k, got, v))
PY
)
	[ -z "$bad" ] || { out=$(cat "$f"); err=""; fail "$f: $bad"; }
}
usb() {	# usb NAME [HOST OPTIONS] -- CMD...: runs CMD with the instrument plugged in
	name=$1; shift
	run timeout 120 "$HOST" --backend "127.0.0.1:$PORT" --counters "$T/$name.json" "$@"
}

# bert instr idn over USB: one open, one claim, one message each way
usb idn -- "$BERT" instr idn usbtmc:1313:8078; status_is 0
out_has '^vendor: +THORLABS'; out_has '^model: +PM100D'; out_has 'driver: +thorlabs-pm100d'
counters_are "$T/idn.json" opens=1 claims=1 claims_refused=0 releases=1 messages=1 \
	in_requests=1 in_transfers=1 protocol_errors=0 bad_ioctls=0 stalls=0

# the same with the serial number in the URI, in JSON
usb idn-json -- "$BERT" instr idn --json usbtmc:0x1313:0x8078:P0012345; status_is 0
out_has '"model": *"PM100D"'
counters_are "$T/idn-json.json" claims=1 protocol_errors=0

# replies split over several Bulk-IN transfers (16 payload bytes each, EOM
# on the last): one REQUEST_DEV_DEP_MSG_IN per transfer
usb multi --max-in 16 -- "$BERT" instr idn usbtmc:1313:8078; status_is 0
out_has '^serial: +SIM'
counters_are "$T/multi.json" claims=1 protocol_errors=0 in_transfers=3 in_requests=3

# packets of 16 bytes and transfers that end on a packet boundary: each
# ends with a zero-length packet
usb zlp --max-in 20 --wmax 16 -- "$BERT" instr idn usbtmc:1313:8078; status_is 0
out_has '^model: +PM100D'
counters_are "$T/zlp.json" claims=1 protocol_errors=0 in_transfers=3 zero_length=3

# a serial number that is not there, a device that is not there: exit 3
usb noserial -- "$BERT" instr idn usbtmc:1313:8078:NOPE; status_is 3
err_has 'usbtmc 1313:8078:NOPE: no such USBTMC device'
usb nodev -- "$BERT" instr idn usbtmc:0957:3718; status_is 3
err_has 'usbtmc 0957:3718: no such USBTMC device'

# a lost reply: the query times out, the transport aborts the Bulk-IN
# transfer (INITIATE_ABORT_BULK_IN, CHECK_ABORT_BULK_IN_STATUS) and clears
# the device (INITIATE_CLEAR, CHECK_CLEAR_STATUS, clear halt); the next
# query answers
usb timeout --hold-reply 1 -- "$CLIENT" timeout usbtmc:1313:8078; status_is 0
out_has 'ok: first \*IDN\? times out'; out_has 'ok: the next \*IDN\? answers: THORLABS'
counters_are "$T/timeout.json" claims=1 aborts_in=1 discarded=1 protocol_errors=0
[ "$(counter "$T/timeout.json" clears)" -ge 2 ] || fail "no INITIATE_CLEAR after the timeout"

# the device halts Bulk-OUT on a transfer it refuses: that query fails as
# a protocol error, the transport clears the halt, the next one answers
usb stall --stall-out 1 -- "$CLIENT" stall usbtmc:1313:8078; status_is 0
out_has 'ok: the refused'; out_has 'ok: the next \*IDN\? answers: THORLABS'
counters_are "$T/stall.json" claims=1 stalls=1 clear_halts=2 protocol_errors=0

# unplugged between the request and the reply: a clear error naming the
# instrument, exit 3, and in JSON one error object
usb unplug --unplug-at 2 -- "$BERT" instr raw usbtmc:1313:8078 '*IDN?' '*IDN?'; status_is 3
out_has '^THORLABS,PM100D'
err_has "^bert: .*usbtmc:1313:8078.*(No such device|disconnected)"
counters_are "$T/unplug.json" unplugged=true claims=1
usb unplug-json --unplug-at 1 -- "$BERT" instr raw --json usbtmc:1313:8078 '*IDN?'; status_is 3
printf '%s' "$out" | python3 -c "import json,sys; d=json.load(sys.stdin); assert 'usbtmc:1313:8078' in json.dumps(d), d" \
	|| fail "--json: no single error object naming the instrument"

# a host that breaks the rules: the device refuses and counts (a second
# claim, a bad bTagInverse halting Bulk-OUT, a stalled wLength, bTag 1 in
# READ_STATUS_BYTE), answers GET_CAPABILITIES and READ_STATUS_BYTE, and
# aborts a Bulk-OUT transfer cut short (INITIATE_ABORT_BULK_OUT)
usb probe -- "$CLIENT" probe 1313 8078; status_is 0
printf '%s' "$out" | grep -q '^FAIL' && fail "probe"
out_has 'ok: interrupt-IN notification 82 1'
counters_are "$T/probe.json" claims=1 claims_refused=1 bad_btag=1 protocol_errors=3 aborts_out=2 \
	clear_halts=2
[ "$(counter "$T/probe.json" status_bytes)" -ge 1 ] || fail "no READ_STATUS_BYTE counted"

# bert qualify with its meter on USBTMC (the rest of the station on the
# serial and TCP endpoints of the same bert-sim): passes, one claim, no
# protocol error on USB
sed "/^\[instrument opm1\]/,/^\$/ s|^uri = .*|uri = usbtmc:1313:8078|" "$T/station.ini" > "$T/usb.ini"
grep -q 'uri = usbtmc:1313:8078' "$T/usb.ini" || fail "station file without opm1"
usb qualify -- "$BERT" qualify --no-db --station "$T/usb.ini" --site 1; status_is 0
out_has 'VERDICT: PASS'
counters_are "$T/qualify.json" opens=1 claims=1 claims_refused=0 protocol_errors=0 \
	bad_ioctls=0 stalls=0 aborts_in=0
[ "$(counter "$T/qualify.json" in_transfers)" -ge 4 ] || fail "qualify: the meter was not read over USB"
echo "qualify over USBTMC: $(cat "$T/qualify.json")"

# the SCPI emulator behind USB: one connection (usbtmc_host's) for each of
# the 12 runs above, and not one protocol error
kill -TERM "$SIMPID"; wait "$SIMPID"; SIMPID=""
tail -1 "$T/sim.out" > "$T/sim-counters.json"
echo "bert-sim: $(cat "$T/sim-counters.json")"
python3 - "$T/sim-counters.json" <<'PY' || { out=$(cat "$T/sim-counters.json"); err=""; fail "bert-sim counters"; }
import json, sys
d = json.loads(open(sys.argv[1]).readline())
c = d['counters']['opm1']
assert c['connections'] == 12, c
assert c['protocol_errors'] == 0 and c['refused'] == 0, c
PY
