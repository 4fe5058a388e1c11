#!/bin/sh
# bert qualify on the virtual bench: JSON record, reports, profiles, stations.
. "$(dirname "$0")/lib.sh"
MOD="$TOP/fixtures/sim/modules"

# --json: the whole record, every measurement with limits and verdict
run "$BERT" qualify --no-db --json; status_is 0
printf '%s' "$out" > "$T/rec.json"
python3 - "$T/rec.json" <<'PY' || fail "--json record"
import json, sys
r = json.load(open(sys.argv[1]))
assert r['kind'] == 'bert.run' and r['verdict'] == 'pass', r['verdict']
names = [s['name'] for s in r['steps']]
assert names == ['identify', 'bring_up', 'dom', 'tx_power', 'lane_ber',
                 'sensitivity', 'link_budget', 'module_power', 'verdict'], names
ms = [m for s in r['steps'] for m in s['measurements']]
assert len(ms) > 20
for m in ms:
    for k in ('name', 'lane', 'value', 'unit', 'low', 'high', 'marginal',
              'uncertainty', 'method', 'verdict'):
        assert k in m, (k, m)
ber = [m for m in ms if m['name'] == 'pre_fec_ber']
assert len(ber) == 4 and all(m['high'] == 2.4e-4 for m in ber)
assert all(m['verdict'] == 'pass' for m in ber)
PY
err_has '\[5/9\] lane_ber'
err_has 'lane 3: budget point'

# an error-free lane's figures: no impossible or unconfirmable numbers in
# the record or any report (the RS(544,514) model gives a post-FEC BER and
# FLR near 1e-89 there; the 1e-15 reporting floor stands in for them)
run "$BERT" qualify --no-db --out "$T/good" -q; status_is 0
for f in summary.txt record.json junit.xml measurements.csv report.html; do
	[ -s "$T/good/$f" ] || fail "--out lacks $f"
	# a number below 1e-15 (2.5e-89, 1e-127; not a UUID's "e-4f0a")
	! grep -Eq '[0-9.]e-(1[6-9]|[2-9][0-9]|[0-9]{3})([^0-9a-f]|$)' "$T/good/$f" ||
		fail "$f: $(grep -Eo '.{30}[0-9.]e-(1[6-9]|[2-9][0-9]|[0-9]{3}).{0,10}' "$T/good/$f" | head -1)"
	! grep -Eqiw 'nan|inf' "$T/good/$f" || fail "$f: $(grep -Eiwm1 'nan|inf' "$T/good/$f")"
done
python3 - "$T/good/record.json" "$T/rec.json" <<'PY' || fail "figures at the floor"
import json, sys
for path in sys.argv[1:]:
    ms = [m for s in json.load(open(path))['steps'] for m in s['measurements']]
    low = [m for m in ms if m['name'] in ('post_fec_ber', 'flr')]
    assert len(low) == 8, low
    for m in low:
        assert m['value'] == 1e-15 and m['message'].startswith('< 1e-15'), m
        assert m['verdict'] == 'pass', m
    for m in ms:
        if m['scale'] == 'log10' and m['value'] is not None:
            assert 1e-15 <= m['value'] <= 1, m
PY
grep -q '^0,.*,post_fec_ber,1,1e-15,' "$T/good/measurements.csv" || fail "CSV post_fec_ber"
grep -q 'value &lt; 1e-15 ,' "$T/good/junit.xml" || fail "JUnit: the floor as < 1e-15"
grep -q '<td class="n">&lt; 1e-15</td>' "$T/good/report.html" || fail "HTML: the floor as < 1e-15"
grep -Eq '^  lane_ber +post_fec_ber +1 +< 1e-15 ' "$T/good/summary.txt" ||
	fail "summary.txt: the floor as < 1e-15"

# the marginal module fails, naming the measurement and the lane
run "$BERT" qualify --no-db --fixture "sim:$MOD/dr4-weak-lane3.ini"; status_is 1
out_has '^3 +fail +pre_fec_ber'
out_has 'VERDICT: FAIL'

# --out DIR: the four reports; the JUnit parses as XML
run "$BERT" qualify --no-db --fixture "sim:$MOD/dr4-weak-lane3.ini" --out "$T/rep" -q
status_is 1
for f in summary.txt record.json junit.xml measurements.csv report.html; do
	[ -s "$T/rep/$f" ] || fail "--out lacks $f"
done
python3 - "$T/rep/junit.xml" <<'PY' || fail "junit.xml does not parse"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall('.//testcase')
assert len(cases) > 20, len(cases)
assert any(c.find('failure') is not None for c in cases)
PY

# 100gbase-dr: four independent links, only link 3 fails
run "$BERT" qualify --no-db --profile 100gbase-dr --fixture "sim:$MOD/dr4-weak-lane3.ini"
status_is 1
out_has '^link 1 +pass'
out_has '^link 2 +pass'
out_has '^link 3 +fail'
out_has '^link 4 +pass'

# a malformed profile: file:line, exit 2
printf '[profile]\nname = x\n[application]\nlanes = four\n' > "$T/bad.ini"
run "$BERT" qualify --no-db --profile "$T/bad.ini"; status_is 2
err_has 'bad.ini:4:'

# one file states each limit once: a key twice, or a section twice, is an
# error naming both lines (a key after an include overrides the included file)
printf '[profile]\ninclude = %s\nname = dup\n[limit rx_sensitivity_oma]\nmax = -4.4\nmax = -7.0\n' "$TOP/profiles/400gbase-dr4.ini" > "$T/dupkey.ini"
run "$BERT" qualify --no-db --profile "$T/dupkey.ini" --json; status_is 2
out_has '"error"'; out_has "dupkey.ini:6: duplicate key 'max' in \\[limit rx_sensitivity_oma\\] \\(first at line 5\\)"
printf '[profile]\nname = dup\n[limit tx_oma]\nmin = -0.8\n[limit tx_oma]\nmin = -7\n' > "$T/dupsec.ini"
run "$BERT" qualify --no-db --profile "$T/dupsec.ini"; status_is 2
err_has 'dupsec.ini:5: section \[limit tx_oma\] appears twice \(first at line 3\)'

# a station with a bad [site]: file:line, exit 2
printf '[instrument voa1]\nuri = sim:voa1\ntype = voa\nchannels = 4\n[site 1]\nfixture = sim:\nvoa = voa1:9\n' \
	> "$T/station.ini"
run "$BERT" qualify --no-db --station "$T/station.ini"; status_is 2
err_has 'station.ini:7:'

# a good station file runs like the default one
cat > "$T/st.ini" <<INI
[station]
name = test-line
[instrument voa1]
uri = sim:voa1
type = voa
channels = 4
[instrument osw1]
uri = sim:osw1
type = switch
channels = 4
[instrument opm1]
uri = sim:opm1
type = meter
[site 1]
fixture = sim:$MOD/dr4-good.ini
voa = voa1
switch = osw1
meter = opm1:1
tap_ratio = 0.05
patch_loss_db = 0.601
stimulus_er_db = 4.5
INI
run "$BERT" qualify --db "$T/r.db" --station "$T/st.ini"; status_is 0
out_has 'station test-line, site 1'
run "$BERT" results list --db "$T/r.db"; status_is 0
out_has 'complete +PASS'

# a module of another media type is refused at identify: exit 2
printf '[profile]\ninclude = %s\nname = mmf\n[application]\nmedia_type = mmf\n' "$TOP/profiles/400gbase-dr4.ini" > "$T/mmf.ini"
run "$BERT" qualify --no-db --profile "$T/mmf.ini"; status_is 2
err_has 'media type'

# --stop-on-fail skips the steps after the failing one
run "$BERT" qualify --no-db --stop-on-fail --fixture "sim:$MOD/dr4-weak-lane3.ini" --json
status_is 1
printf '%s' "$out" | python3 -c "
import json, sys
r = json.load(sys.stdin)
st = {s['name']: s['status'] for s in r['steps']}
assert st['module_power'] == 'skipped' and st['verdict'] == 'done', st
" || fail "--stop-on-fail"

# Ctrl-C: held after a step, SIGINT -> aborted run in the DB, exit 3
"$BERT" qualify --db "$T/a.db" --hold-after dom >"$T/aout" 2>"$T/aerr" &
pid=$!
n=0
while ! grep -q 'holding after step dom' "$T/aerr" 2>/dev/null; do
	kill -0 $pid 2>/dev/null || fail "qualify ended before holding"
	n=$((n + 1)); [ $n -lt 100000 ] || fail "never held"
done
kill -INT $pid
wait $pid; rc=$?
[ "$rc" -eq 3 ] || { out=$(cat "$T/aout"); err=$(cat "$T/aerr"); fail "Ctrl-C exit $rc"; }
grep -q 'transmitters disabled' "$T/aerr" || fail "no safe-state note"
run "$BERT" results list --db "$T/a.db"; status_is 0
out_has 'aborted'

# usage
run "$BERT" qualify --site 0; status_is 2
run "$BERT" qualify --no-db --db x; status_is 2
exit 0
