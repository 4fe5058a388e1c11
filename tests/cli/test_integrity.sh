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

# no light: lane 2's receiver is dark (module INI rx_dark). Its Rx power is
# n/a with the reason everywhere, never -inf / nan / a sub-floor exponent,
# and the run fails on the lane, not on a number.
DARK="sim:$MOD/dr4-dark-lane2.ini"
BAD='(^|[^a-z])(-?inf|nan)([^a-z]|$)|[0-9]e-(1[6-9]|[2-9][0-9]|[1-9][0-9]{2})'
run "$BERT" dom --fixture "$DARK" --bring-up
status_is 0
out_has '^  2 .* no light '
printf '%s' "$out" | grep -qiE "$BAD" && fail "dom text: $(printf '%s' "$out" | grep -iE "$BAD")"
run "$BERT" dom --fixture "$DARK" --bring-up --json
status_is 0
python3 - "$T/out" <<'PY' || fail "dom --json: no light"
import json, sys
l = json.load(open(sys.argv[1]))["lanes"][1]
assert l["rx_power_dbm"] is None and l["rx_power_mw"] == 0, l
assert l["rx_power_note"].startswith("no light: below the DOM reporting floor"), l
PY
run "$BERT" qualify --no-db --out "$T/dark" --fixture "$DARK"
status_is 1
printf '%s\n' "$out" > "$T/dark/stdout.txt"
printf '%s\n' "$err" > "$T/dark/stderr.txt"
grep -rniE "$BAD" "$T/dark" && fail "qualify --out: inf/nan/sub-floor figure in the output folder"
# the sweep's reason keeps its first part (it was lost to a self-overlapping snprintf)
grep -q 'rx_sensitivity_oma lane 2: n/a dBm  (no lock even with the VOA at 0 dB' \
	"$T/dark/stderr.txt" || fail "sensitivity: the no-lock reason is lost"
grep -q '(; ' "$T/dark/stderr.txt" "$T/dark/stdout.txt" && fail "a reason starts with '; '"
grep -q 'dom_rx_power .* n/a dBm .*(no light: below the DOM reporting floor of 0.1 uW)' \
	"$T/dark/summary.txt" || fail "summary: lane 2 Rx power not n/a with the reason"
grep -q 'value n/a dBm, limits none (no light: below the DOM reporting floor' "$T/dark/junit.xml" ||
	fail "junit: lane 2 Rx power without the reason"
grep -q ',dom_rx_power,2,,dBm,.*,no light: below the DOM reporting floor' "$T/dark/measurements.csv" ||
	fail "csv: lane 2 Rx power not an empty cell with the reason"
python3 - "$T/dark/record.json" <<'PY' || fail "record: no light"
import json, sys
r = json.load(open(sys.argv[1]))
rx = {m["lane"]: m for s in r["steps"] for m in s["measurements"] if m["name"] == "dom_rx_power"}
assert rx[2]["value"] is None and rx[2]["uncertainty"] is None, rx[2]
assert rx[2]["message"].startswith("no light: below the DOM reporting floor of 0.1 uW"), rx[2]
assert all(isinstance(rx[l]["value"], float) for l in (1, 3, 4)), rx
assert r["verdict"] == "fail", r["verdict"]
PY
# judged as a bound: the factory profile's min -6 dBm fails it
run "$BERT" qualify --no-db --json --profile "$TOP/profiles/dr4-factory.ini" --fixture "$DARK"
status_is 1
python3 - "$T/out" <<'PY' || fail "factory: no light vs min"
import json, sys
r = json.load(open(sys.argv[1]))
rx = [m for s in r["steps"] for m in s["measurements"] if m["name"] == "dom_rx_power" and m["lane"] == 2]
assert rx and rx[0]["verdict"] == "fail" and rx[0]["value"] is None, rx
assert "< min -6 dBm" in rx[0]["message"], rx
PY
