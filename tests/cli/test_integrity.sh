# Measurement integrity (bert qualify, sweep): the good module passes with
# both sweeps and they agree lane by lane (the fixed grid's Rx-power-low
# alarms are stimulus flags, not module alarms); the verdict step reads as
# the run; --out is checked before the module is touched; a floor lane has
# one verdict in bert sweep and bert qualify and reads "error floor
# detected"; the MARGINAL module is a pass with a warning.
. "$(dirname "$0")/lib.sh"
MOD="$TOP/fixtures/sim/modules"

for s in fixed smart; do
	run "$BERT" qualify --no-db --json --sweep $s --fixture "sim:$MOD/dr4-good.ini"
	status_is 0
	cp "$T/out" "$T/$s.json"
done
python3 - "$T/fixed.json" "$T/smart.json" <<'PY' || fail "fixed and smart disagree"
import json, sys
f, s = (json.load(open(p)) for p in sys.argv[1:3])
assert f["verdict"] == s["verdict"] == "pass", (f["verdict"], s["verdict"])
assert [l["verdict"] for l in f["lanes"]] == [l["verdict"] for l in s["lanes"]]
assert f["module_verdict"] == s["module_verdict"] == "pass"
st = {x["name"]: x for x in f["steps"]}
alarms = [m for m in st["verdict"]["measurements"] if m["name"] == "dom_alarms"]
assert alarms and alarms[0]["value"] == 0, alarms
flags = [m for m in st["sensitivity"]["measurements"] if m["name"] == "stimulus_flags"]
assert len(flags) >= 3 and all("rx_power_low_alarm" in m["message"] for m in flags[:1]), flags
assert all(m["verdict"] == "pass" and m["high"] is None for m in flags), flags
PY

# a failing run ends on a verdict step that says fail
run "$BERT" qualify --no-db --fixture "sim:$MOD/dr4-weak-lane3.ini"
status_is 1
err_has 'done fail: run verdict fail'
printf '%s' "$err" | grep -q 'done pass: run verdict fail' && fail "verdict step reads pass"

# outputs before the module: nothing runs
run "$BERT" qualify --no-db --out /proc/x
status_is 2
err_has '/proc/x'
printf '%s' "$err" | grep -q '\[1/' && fail "the run started before --out was checked"

# a floor lane: the same verdict in bert sweep and bert qualify, in words
run "$BERT" sweep --fixture "sim:$MOD/dr4-floor.ini" --lanes 1-4 --json
status_is 0
cp "$T/out" "$T/sweep.json"
run "$BERT" qualify --no-db --json --fixture "sim:$MOD/dr4-floor.ini"
status_is 0
cp "$T/out" "$T/qual.json"
python3 - "$T/sweep.json" "$T/qual.json" <<'PY' || fail "floor verdicts differ"
import json, sys
sw, q = (json.load(open(p)) for p in sys.argv[1:3])
sv = {l["lane"]: l["verdict"] for l in sw["lanes"]}
qv = {l["lane"]: l["verdict"] for l in q["lanes"]}
assert sv == qv and set(sv.values()) == {"marginal"}, (sv, qv)
fl = [m for s in q["steps"] for m in s["measurements"] if m["name"] == "waterfall_floor"]
assert all(m["message"].startswith("error floor detected") for m in fl), fl
PY
run "$BERT" qualify --no-db --fixture "sim:$MOD/dr4-floor.ini"
out_has '^1 +marginal +error floor detected'

# the marginal module: a pass inside the guard band, its numbers shown
run "$BERT" qualify --no-db --fixture "sim:$MOD/dr4-marginal.ini"
status_is 0
out_has '^3 +marginal +rx_sensitivity_oma \(marginal\) -4\.[78]'
out_has 'lane 3: sensitivity -4\.[78][0-9] \+- 0\.[0-9]+ dBm OMA \(limit <= -4\.40\)'
out_has '^VERDICT: MARGINAL'

# bert sweep and bert ber: the fixed grid's flags are recorded, not judged;
# a module hot on its own (case 80 degC, alarm at 75) fails both
run "$BERT" sweep --lanes 1-4 --sweep fixed --json
status_is 0
python3 - "$T/out" <<'PY' || fail "sweep: stimulus flags"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["module_alarms"]["count"] == 0, j["module_alarms"]
assert any("rx_power_low" in f["flags"] for f in j["stimulus_flags"]), j["stimulus_flags"]
PY
sed 's/^temp_c = 45.0/temp_c = 80.0/' "$MOD/dr4-good.ini" > "$T/hot.ini"
run "$BERT" sweep --lanes 1-4 --fixture "sim:$T/hot.ini"
status_is 1
out_has '^module alarms: .*temp_high_alarm'
run "$BERT" ber --fixture "sim:$T/hot.ini" --json
status_is 1
python3 - "$T/out" <<'PY' || fail "ber: own alarm"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["module_alarms"]["count"] == 1 and "temp_high_alarm" in j["module_alarms"]["message"], j
PY
run "$BERT" ber --fixture "sim:$MOD/dr4-good.ini"
status_is 0
out_has '^module alarms: none'
