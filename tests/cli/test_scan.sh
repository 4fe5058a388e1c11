# bert scan, the mpsse-sim fixture end to end, --stats round trips.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/dev"; : > "$T/dev/i2c-3"; : > "$T/dev/ttyS0"
run "$BERT" scan --json --dev "$T/dev"; status_is 0
echo "$out" > "$T/scan.json"
python3 -c "
import json; d = json.load(open('$T/scan.json'))
assert [b['uri'] for b in d['i2c_dev']] == ['i2c-dev:$T/dev/i2c-3'], d['i2c_dev']
uris = [s['uri'] for s in d['sim']]
assert 'sim:' in uris and 'mpsse-sim:' in uris, uris
assert isinstance(d['ftdi'], list)
" || fail "scan --json"
run "$BERT" scan; status_is 0; out_has 'Emulated fixtures'

# The FTDI path: same identity as sim:, no more round trips than transactions
run "$BERT" info --fixture mpsse-sim: --stats --json; status_is 0
echo "$out" > "$T/m.json"
"$BERT" info --json > "$T/s.json"
python3 -c "
import json
m = json.load(open('$T/m.json')); s = json.load(open('$T/s.json'))
assert m['vendor'] == s['vendor'] and m['applications'] == s['applications']
i = m['i2c']
assert 0 < i['usb_round_trips'] <= i['transactions'], i
" || fail "mpsse-sim identity / round trips"
run "$BERT" dom --fixture mpsse-sim: --bring-up --json; status_is 0
echo "$out" > "$T/d.json"
python3 -c "
import json; d = json.load(open('$T/d.json'))
assert d['module']['power_w'] > 1, d['module']
" || fail "mpsse-sim module power"
run "$BERT" fixture status --fixture mpsse-sim: --json; status_is 0
out_has '"present": true'
run "$BERT" info --fixture "mpsse-sim:?board=nonesuch"; status_is 2; err_has 'no such board'
run "$BERT" info --fixture ftdi://ftdi:232h:NOPE/1; status_is 3; err_has 'ftdi'
run "$BERT" info --fixture ftdi://ftdi:232h/9; status_is 2; err_has 'interface'
exit 0
