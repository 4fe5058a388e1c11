# bert sweep and bert budget: a smart and a fixed sweep on the virtual bench
# (table, JSON, CSV of the points, the marginal module's lane 3 failing the
# -4.4 dBm OMA limit), and planned plants that fit and do not, with the
# usage errors (lengths without units, bad counts).
. "$(dirname "$0")/lib.sh"

# -- bert sweep --------------------------------------------------------------
run "$BERT" sweep --lane 2 --csv "$T/pts.csv"
status_is 0
out_has '^smart-qlin sweep, target BER 0.00024'
out_has 'sensitivity -6\.[45][0-9]* dBm OMA .* \+- 0\.9[0-9]+ dB \(k=2\): pass'
out_has 'power cal 0\.090.* ER 0\.476.*ER assumed 4\.50 dB, U 1\.00 dB'

head -1 "$T/pts.csv" | grep -q '^method,lane,atten_db,power_dbm,oma_dbm,ber,bits,errors' ||
	fail "CSV header"
[ "$(grep -c '^smart-qlin,2,' "$T/pts.csv")" -ge 3 ] || fail "CSV points"

run "$BERT" sweep --lanes 1-4 --json
status_is 0
python3 - "$T/out" <<'PY' || fail "sweep JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["method"] == "smart-qlin", j["method"]
assert len(j["lanes"]) == 4
for l in j["lanes"]:
    assert l["ok"] and abs(l["sens_oma_dbm"] + 6.5) < 0.05, l
    b = {c["source"]: c for c in l["uncertainty_budget"]}
    assert 0 < 2 * (b["fit"]["u"] ** 2 + b["power_cal"]["u"] ** 2) ** 0.5 < 0.25, b
    assert "assumed" in b["stimulus_er"]["note"] and abs(b["stimulus_er"]["u"] - 0.476) < 1e-3, b
    u = 2 * sum(c["u"] ** 2 for c in b.values()) ** 0.5
    assert abs(l["uncertainty_db"] - u) < 1e-9 and l["verdict"] == "pass", l
    assert len(l["points"]) >= 3
    assert abs(l["sens_avg_dbm"] - l["sens_oma_dbm"] - 0.212) < 0.01
assert j["station_time_s"] < 6, j["station_time_s"]
PY

run "$BERT" sweep --lane 1 --sweep fixed --json --csv "$T/fixed.csv"
status_is 0
python3 - "$T/out" <<'PY' || fail "fixed sweep JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["method"] == "fixed-0.5dB" and j["dwells"] == 17, j
l = j["lanes"][0]
assert len(l["points"]) == 17 and abs(l["sens_oma_dbm"] + 6.5) < 0.05, l
# error-free, few-error and unlocked points: a BER in 0..1 or null, and a
# reason next to every null
nolock = [p for p in l["points"] if not p["locked"]]
assert len(nolock) >= 2, l["points"]
for p in l["points"]:
    assert p["ber"] is None or 0 <= p["ber"] <= 1, p
    if p["ber"] is None or p["q"] is None:
        assert p["na_reason"], p
for p in nolock:
    assert p["ber"] is None and p["na_reason"].startswith("no lock"), p
PY
! grep -qi 'nan\|inf' "$T/fixed.csv" || fail "fixed sweep CSV: $(grep -i -m1 'nan\|inf' "$T/fixed.csv")"
grep -q '^fixed-0.5dB,1,[0-9.]*,[-0-9.]*,[-0-9.]*,,0,0,,,0,0,' "$T/fixed.csv" ||
	fail "fixed sweep CSV: no empty cells for an unlocked point"

# the same in text: n/a, never nan
run "$BERT" sweep --lane 1 --sweep fixed
status_is 0
! printf '%s' "$out" | grep -qi 'nan\|inf' || fail "fixed sweep text: nan"
out_has ' n/a  *0  *n/a no lock$'
out_has '0\.000e\+00  *0  *n/a too few errors$'

run "$BERT" sweep --fixture "sim:$TOP/fixtures/sim/modules/dr4-weak-lane3.ini" --lane 3
status_is 1
out_has 'sensitivity -3\.[45][0-9]* dBm OMA .*: fail'

run "$BERT" sweep --fixture "sim:$TOP/fixtures/sim/modules/dr4-floor.ini" --lane 1 --json
status_is 0
python3 - "$T/out" <<'PY' || fail "floor JSON"
import json, sys
l = json.load(open(sys.argv[1]))["lanes"][0]
assert l["floor"] is True and "floor" in l["note"], l
PY

run "$BERT" sweep --sweep sideways
status_is 2
err_has "--sweep: 'sideways' is not smart or fixed"
run "$BERT" sweep --lane 9
status_is 2

# -- bert qualify: the sensitivity and link_budget steps ------------------------
run "$BERT" qualify --no-db --json
status_is 0
python3 - "$T/out" <<'PY' || fail "qualify JSON (good)"
import json, sys
j = json.load(open(sys.argv[1]))
names = [s["name"] for s in j["steps"]]
i = names.index("lane_ber")
assert names[i + 1:i + 3] == ["sensitivity", "link_budget"], names
st = {s["name"]: s for s in j["steps"]}
sens = [m for m in st["sensitivity"]["measurements"] if m["name"] == "rx_sensitivity_oma"]
marg = [m for m in st["link_budget"]["measurements"] if m["name"] == "link_margin"]
assert sorted(m["lane"] for m in sens) == [1, 2, 3, 4], sens
assert sorted(m["lane"] for m in marg) == [1, 2, 3, 4], marg
for m in sens:
    assert abs(m["value"] + 6.5) < 0.05 and m["verdict"] == "pass", m
    assert m["high"] == -4.4 and m["method"] == "smart-qlin", m
    b = {c["source"]: c for c in m["uncertainty_budget"]}
    assert sorted(b) == ["fit", "power_cal", "stimulus_er"], b
    assert "assumed" in b["stimulus_er"]["note"], b
    assert abs(m["uncertainty"] - 2 * sum(c["u"] ** 2 for c in b.values()) ** 0.5) < 1e-9, m
for m in marg:
    assert m["verdict"] == "pass" and m["low"] == 0 and 3.5 < m["value"] < 5, m
pts = st["sensitivity"]["points"]
assert len(pts) >= 12 and all(p["oma_dbm"] is not None for p in pts), pts
assert "smart-qlin" in st["sensitivity"]["message"]
PY

run "$BERT" qualify --no-db --json --sweep fixed --fixture "sim:$TOP/fixtures/sim/modules/dr4-weak-lane3.ini"
status_is 1
python3 - "$T/out" <<'PY' || fail "qualify JSON (marginal, fixed)"
import json, sys
j = json.load(open(sys.argv[1]))
st = {s["name"]: s for s in j["steps"]}
sens = {m["lane"]: m for m in st["sensitivity"]["measurements"] if m["name"] == "rx_sensitivity_oma"}
assert sens[3]["verdict"] == "fail" and abs(sens[3]["value"] + 3.5) < 0.05, sens[3]
assert sens[3]["method"] == "fixed-0.5dB"
assert all(sens[l]["verdict"] == "pass" for l in (1, 2, 4)), sens
assert len(st["sensitivity"]["points"]) == 4 * 17
assert j["verdict"] == "fail"
PY

# a 2 dB required margin (the factory rule) on top of the IEEE profile: the
# marginal lane 3 leaves about 1.3 dB and fails on margin as well
cat >"$T/margin2.ini" <<EOF2
[profile]
include = $TOP/profiles/400gbase-dr4.ini
name = dr4-margin2
[limit link_margin]
min = 2
EOF2
run "$BERT" qualify --no-db --json --profile "$T/margin2.ini" \
	--fixture "sim:$TOP/fixtures/sim/modules/dr4-weak-lane3.ini"
status_is 1
python3 - "$T/out" <<'PY' || fail "qualify JSON (2 dB margin)"
import json, sys
j = json.load(open(sys.argv[1]))
st = {s["name"]: s for s in j["steps"]}
marg = {m["lane"]: m for m in st["link_budget"]["measurements"] if m["name"] == "link_margin"}
assert marg[3]["verdict"] == "fail" and marg[3]["low"] == 2 and 0.5 < marg[3]["value"] < 2, marg[3]
assert all(marg[l]["verdict"] == "pass" for l in (1, 2, 4)), marg
PY

run "$BERT" qualify --no-db --sweep nope
status_is 2
err_has "--sweep: 'nope' is not smart or fixed"

# -- bert budget --------------------------------------------------------------
run "$BERT" budget --profile 400gbase-dr4 --length 500m --connectors 4
status_is 0
out_has 'insertion loss 2\.25 dB'
out_has 'margin 1\.25 dB'
out_has '^FITS$'

# inside the product budget, above the IEEE channel IL (3.00 dB): the
# profile's channel_il_verdict (fail) decides, and says so
run "$BERT" budget --profile 400gbase-dr4 --length 0.5km --connectors 6 --splices 2 --json
status_is 1
python3 - "$T/out" <<'PY' || fail "budget JSON"
import json, sys
j = json.load(open(sys.argv[1]))
assert abs(j["insertion_loss_db"] - 3.45) < 1e-9, j
assert abs(j["margin_db"] - 0.05) < 1e-9 and j["fits"] is True, j
assert j["ieee_il_ok"] is False and j["verdict"] == "fail", j
PY
run "$BERT" budget --length 500m --connectors 6
status_is 1
out_has 'exceeds the IEEE channel IL max 3\.00 dB by 0\.25 dB'
out_has '^DOES NOT FIT$'
printf '[profile]\ninclude = %s/profiles/400gbase-dr4.ini\nname = il-marginal\n[link]\nchannel_il_verdict = marginal\n' \
	"$TOP" > "$T/ilm.ini"
run "$BERT" budget --profile "$T/ilm.ini" --length 500m --connectors 6
status_is 0
out_has '^MARGINAL$'
printf '[profile]\ninclude = %s/profiles/400gbase-dr4.ini\nname = il-bad\n[link]\nchannel_il_verdict = maybe\n' \
	"$TOP" > "$T/ilb.ini"
run "$BERT" budget --profile "$T/ilb.ini" --length 500m
status_is 2
err_has "ilb.ini:5:.*channel_il_verdict: 'maybe'"

run "$BERT" budget --length 500m --connectors 7 --json
status_is 1
python3 - "$T/out" <<'PY' || fail "budget JSON, no fit"
import json, sys
j = json.load(open(sys.argv[1]))
assert abs(j["margin_db"] + 0.25) < 1e-9 and j["fits"] is False, j
PY

run "$BERT" budget --profile dr4-factory --length 500m --connectors 4
status_is 1
out_has 'required 2\.00 dB'
out_has '^DOES NOT FIT$'

run "$BERT" budget --length 600m --connectors 2
status_is 1
out_has "exceeds the profile's reach 500 m"

run "$BERT" budget --length 200m --connectors 2 --fiber-loss 0.4 --connector-loss 0.75 --json
status_is 0
python3 - "$T/out" <<'PY' || fail "budget overrides"
import json, sys
j = json.load(open(sys.argv[1]))
assert abs(j["insertion_loss_db"] - (0.2 * 0.4 + 1.5)) < 1e-9, j
PY

run "$BERT" budget --length 500 --connectors 4
status_is 2
err_has "--length: '500' is not a length with its unit"
run "$BERT" budget --length 5furlongs
status_is 2
run "$BERT" budget --length -1m
status_is 2
run "$BERT" budget --connectors 4
status_is 2
err_has "--length is required"
run "$BERT" budget --length 500m --connectors many
status_is 2
run "$BERT" budget --length 500m --profile no-such-profile
status_is 2
# each lane's limit and margin, as qualify gives them
run "$BERT" sweep --lanes 1-2
status_is 0
out_has "^ limit <= -?[0-9.]+ dBm OMA \(rx_sensitivity_oma\), margin \+[0-9.]+ dB"
out_has "^VERDICT: PASS"
run "$BERT" sweep --lanes 1-2 --json
status_is 0
printf '%s' "$out" | python3 -c "
import json, sys
d = json.load(sys.stdin)
for l in d['lanes']:
    assert l['limit']['measurement'] == 'rx_sensitivity_oma', l['limit']
    assert abs(l['limit']['high_dbm'] - l['sens_oma_dbm'] - l['margin_db']) < 1e-9, l
assert d['verdict'] == 'pass', d['verdict']
" || fail "sweep --json limit and margin"
echo ok
