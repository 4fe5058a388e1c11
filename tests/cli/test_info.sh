# bert info | dom | dump against the emulated module; dump -> decode round trip.
. "$(dirname "$0")/lib.sh"
MOD="$TOP/fixtures/sim/modules"
json() { python3 -c "import json,sys; d=json.load(open('$1')); $2"; }

run "$BERT" info --json; status_is 0
echo "$out" > "$T/info.json"
json "$T/info.json" "
assert d['identifier'] == 'QSFP-DD', d['identifier']
assert d['identifier_code'] == 0x18
assert d['applications'][0]['media'].startswith('400GBASE-DR4'), d['applications'][0]
assert d['checksums'] == {'page00h': True, 'page01h': True, 'page02h': True}, d['checksums']
assert d['module_state'] == 'ModuleLowPwr', d['module_state']
" || fail "info --json contract"

run "$BERT" info; status_is 0; out_has 'QSFP-DD'; out_has '400GBASE-DR4'

# dump -> decode gives the same vendor and applications
"$BERT" dump --format bin > "$T/x.bin" || fail "dump bin"
run "$BERT" decode "$T/x.bin" --json; status_is 0
echo "$out" > "$T/dec.json"
python3 -c "
import json
a = json.load(open('$T/info.json')); b = json.load(open('$T/dec.json'))
assert a['vendor'] == b['vendor'], (a['vendor'], b['vendor'])
assert a['applications'] == b['applications']
" || fail "dump/decode round trip (bin)"
"$BERT" dump --format hex > "$T/x.hex" || fail "dump hex"
run "$BERT" decode "$T/x.hex" --json; status_is 0
echo "$out" > "$T/dech.json"
python3 -c "
import json
a = json.load(open('$T/dec.json')); b = json.load(open('$T/dech.json'))
assert a['vendor'] == b['vendor'] and a['applications'] == b['applications']
" || fail "dump/decode round trip (hex)"

# dom after bring-up: Tx on, power measured, station time reported
run "$BERT" dom --bring-up --json; status_is 0
echo "$out" > "$T/dom.json"
json "$T/dom.json" "
assert d['module']['power_w'] > 0, d['module']
assert len(d['lanes']) >= 4
assert all(l['tx_power_mw'] > 0 for l in d['lanes'][:4]), d['lanes']
assert d['station_time_s'] > 0
" || fail "dom --json after bring-up"
run "$BERT" dom --watch 1 --count 3 --json; status_is 0

# --stats adds the I2C figures
run "$BERT" info --stats --json; status_is 0
echo "$out" > "$T/st.json"
json "$T/st.json" "assert d['i2c']['transactions'] > 0 and 'bus_time_us' in d['i2c']" \
	|| fail "info --stats"

# another module, and bad input
run "$BERT" info --fixture "sim:$MOD/dr1-100g.ini" --json; status_is 0
run "$BERT" info --fixture bogus:thing; status_is 2; err_has 'unknown scheme'
run "$BERT" info --fixture sim:/nonexistent.ini; status_is 2; err_has 'cannot open'
run "$BERT" info --bring-up=9; status_is 2
run "$BERT" dump --format pdf; status_is 2; err_has 'not hex or bin'

# a module stuck in ModulePwrUp: a timeout naming the state and the bound
run "$BERT" info --fixture "sim:$MOD/faults-stuck.ini" --bring-up; status_is 3
err_has 'stuck in ModulePwrUp'; err_has 'MaxDurationModulePwrUp'
# a module that NACKs while busy still comes up (retries), and ModuleFault is named
run "$BERT" dom --fixture "sim:$MOD/faults-busy.ini" --bring-up --json; status_is 0
printf '[faults]\nfault_cause = 4\nfault_after_ms = 0\n' > "$T/fault0.ini"
run "$BERT" info --fixture "sim:$T/fault0.ini" --bring-up; status_is 3
err_has 'ModuleFault \(fault cause 4\)'
# a bad module file names file:line
printf '[module]\nvendor_nam = X\n' > "$T/bad.ini"
run "$BERT" info --fixture "sim:$T/bad.ini"; status_is 2; err_has 'bad.ini:2: unknown key'
# fixture lines
run "$BERT" fixture status --json; status_is 0; out_has '"present": true'
run "$BERT" fixture lpmode on; status_is 0; out_has 'LPMode: +high'
run "$BERT" fixture reset; status_is 0
# the module's SoftwareReset: the host runs its reset state and the module
# Resetting and MgmtInit; one that stays silent past the host's 7 s times out
run "$BERT" fixture reset --software -vv; status_is 0
err_has 'cmis: enter reset on software-reset'; err_has 'sim-module: Resetting -> MgmtInit'
err_has 'sim-module: MgmtInit -> ModuleLowPwr'; err_has 'cmis: enter idle on done'
printf '[timing]\nt_reset_ms = 8000\n' > "$T/slowreset.ini"
run "$BERT" fixture reset --software --fixture "sim:$T/slowreset.ini"; status_is 3
err_has 'not readable \(NACK\) after 70[0-9][0-9] ms \(bound 7000 ms: host wait for a software reset'
run "$BERT" fixture status --software; status_is 2; err_has '\-\-software goes with reset'
run "$BERT" fixture lpmode maybe; status_is 2

# dom: the module's thresholds beside the monitors; a module in low power
# reads 'no light' on the first read and on every --watch read alike
run "$BERT" dom; status_is 0
out_has '^Temperature +: [0-9.]+ C +\(warning [-0-9.]+\.\.[0-9.]+, alarm [-0-9.]+\.\.[0-9.]+ C\)'
out_has '^  warning thresholds +[0-9.]+\.\.[0-9.]+ +-?[0-9.]+\.\.[0-9.]+ +-?[0-9.]+\.\.[0-9.]+'
out_has '^  alarm thresholds'
out_has '^  1 +DPDeactivated .* no light +no light'
printf '%s' "$out" | grep -q 'inf' && fail "dom shows inf"
run "$BERT" dom --watch 1 --count 3; status_is 0
[ "$(printf '%s\n' "$out" | grep -c '^  1 .*no light *no light')" -eq 3 ] || fail "no-light reading differs between reads"
printf '%s' "$out" | grep -q 'inf' && fail "dom --watch shows inf"
run "$BERT" dom --json; status_is 0
echo "$out" > "$T/dom0.json"
json "$T/dom0.json" "
assert all(l['rx_power_dbm'] is None and l['rx_power_mw'] == 0 for l in d['lanes']), d['lanes']
assert d['thresholds']['rx_power_mw'], d['thresholds']
" || fail "dom --json no-light / thresholds"
