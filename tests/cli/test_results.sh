# bert results on a temporary database: import records, list, show, export in
# every format (the JUnit file through a real XML parser), the report
# directory, a 4 x 100G breakout with four lane verdicts, recover, and the
# errors (no such run, bad format, bad record, unknown subcommand).
. "$(dirname "$0")/lib.sh"

DB="$T/r/results.db"
# A DR4 run as bert qualify writes it: lane 3 fails its BER at the budget
# point, lane 2 is marginal, and the vendor string needs escaping.
python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
def m(name, lane, value, unit, low, high, verdict, msg="", marginal=0):
    return {"name": name, "lane": lane, "value": value, "unit": unit, "low": low,
            "high": high, "marginal": marginal, "guard": "marginal",
            "scale": "log10" if "ber" in name else "linear", "uncertainty": None,
            "method": "dom", "verdict": verdict, "message": msg}
def rec(uuid, sn, profile, lpl, steps, verdict, status="complete"):
    return {"kind": "bert.run", "schema": 1, "uuid": uuid, "bert_version": "0.1.0",
            "status": status, "verdict": verdict, "message": "",
            "wall_start": "2025-06-01T10:00:00Z", "wall_end": "2025-06-01T10:06:12Z",
            "station_time_ns": 372500000000,
            "dut": {"vendor": "A&B <Optics> \"Q\"", "pn": "SIM-400G-DR4", "sn": sn,
                    "rev": "A0", "firmware": "1.0"},
            "station": {"name": "lab-1", "site": 1, "fixture": "sim:", "host": "h", "pid": 1},
            "profile": {"name": profile, "hash": "fnv1a64:0123456789abcdef",
                        "lanes": 4, "lanes_per_link": lpl},
            "steps": steps}
tx = [m("tx_power_avg", l, 3.9 if l == 2 else 1.0, "dBm", -2.9, 4.0,
        "marginal" if l == 2 else "pass", "3.9 dBm within 0.3 dBm of max 4 dBm" if l == 2 else "", 0.3)
      for l in range(1, 5)]
ber = [m("pre_fec_ber", l, 3.1e-3 if l == 3 else 2e-6, "", None, 2.4e-4,
         "fail" if l == 3 else "pass", "0.0031 > max 0.00024" if l == 3 else "", 0.3)
       for l in range(1, 5)]
steps = [
    {"name": "identify", "status": "done", "verdict": "pass", "start_ns": 0, "end_ns": 1500000000,
     "message": "", "measurements": [], "points": []},
    {"name": "tx_power", "status": "done", "verdict": "marginal", "start_ns": 1500000000,
     "end_ns": 2000000000, "message": "", "measurements": tx, "points": []},
    {"name": "ber", "status": "done", "verdict": "fail", "start_ns": 2000000000,
     "end_ns": 62000000000, "message": "", "measurements": ber,
     "points": [{"lane": 3, "atten_db": 3.5, "power_dbm": -4.2, "oma_dbm": None,
                 "ber": 3.1e-3, "bits": 10**12, "errors": 3100000000, "t_ns": 2500000000}]},
]
json.dump(rec("11111111-2222-4333-8444-555555555555", "SN-FAIL", "400gbase-dr4", 4, steps, "fail"),
          open(t + "/dr4.json", "w"))
ok = [dict(s) for s in steps[:2]]
json.dump(rec("22222222-2222-4333-8444-555555555555", "SN-OK", "400gbase-dr4", 4, ok, "marginal"),
          open(t + "/ok.json", "w"))
json.dump(rec("33333333-2222-4333-8444-555555555555", "SN-BRK", "100gbase-dr", 1, steps, "fail"),
          open(t + "/brk.json", "w"))
PY
[ $? -eq 0 ] || fail "making the records"

# readers never create a database or its folder
run "$BERT" results list --db "$DB"; status_is 2; err_has "no results database"
for sub in "show 1" "export 1"; do
	run "$BERT" results $sub --db "$DB"; status_is 2; err_has "no results database"
done
run "$BERT" results list --db "$DB" --json; status_is 2
out_has '"error"'; out_has '"code": 2'
[ -e "$T/r" ] && fail "a read-only command created $T/r"
run "$BERT" results import "$T/dr4.json" --db "$DB"; status_is 0; out_has "imported run 1"
# the same record again: a no-op, said so, nothing stored twice
run "$BERT" results import "$T/dr4.json" --db "$DB"; status_is 0
out_has "already stored as run 1; nothing imported"
printf '%s%s' "$out" "$err" | grep -qi "unique\|constraint\|sqlite" && fail "SQLite text shown"
run "$BERT" results import "$T/dr4.json" --db "$DB" --json; status_is 0
out_has '"imported": false'
run "$BERT" results list --db "$DB"; status_is 0; out_has "no runs|SN-FAIL"
run "$BERT" results import "$T/ok.json" --db "$DB" --json; status_is 0; out_has '"id": 2'
run "$BERT" results import "$T/brk.json" --db "$DB" -q; status_is 0

run "$BERT" results list --db "$DB"; status_is 0
out_has "^ +ID +STARTED"
out_has "1  2025-06-01T10:00:00Z  complete  FAIL +400gbase-dr4 +SN-FAIL +lab-1/1 +3 +372.5 s"
out_has "2  .*MARGINAL +400gbase-dr4 +SN-OK"
run "$BERT" results list --db "$DB" --json --sn SN-OK; status_is 0
echo "$out" > "$T/list.json"
python3 -c "
import json; d = json.load(open('$T/list.json'))
assert [r['id'] for r in d] == [2], d
assert d[0]['verdict'] == 'marginal' and d[0]['steps'] == 2, d
" || fail "list --json --sn"
run "$BERT" results list --db "$DB" --json --since 2025-06-01 --limit 2; status_is 0
out_has '"id": 3'
run "$BERT" results list --db "$DB" --json --after 2; status_is 0
echo "$out" > "$T/after.json"
python3 -c "import json; assert [r['id'] for r in json.load(open('$T/after.json'))] == [3]" \
	|| fail "list --after"
run "$BERT" results list --db "$DB" --since 1d; status_is 0; out_has "no runs"

run "$BERT" results show 1 --db "$DB"; status_is 0
out_has "^Verdict: FAIL"
out_has "^3 +FAIL"
out_has "^2 +MARGINAL"
out_has "pre_fec_ber +lane 3 +ber"
run "$BERT" results show 1111 --db "$DB" --json; status_is 0
out_has '"verdict": "fail"'

# the breakout: four independent lane verdicts and four links
run "$BERT" results show last --db "$DB" --json; status_is 0
echo "$out" > "$T/brk-out.json"
python3 -c "
import json; d = json.load(open('$T/brk-out.json'))
assert d['profile']['name'] == '100gbase-dr'
assert [l['verdict'] for l in d['lanes']] == ['pass', 'marginal', 'fail', 'pass'], d['lanes']
assert [(l['link'], l['lanes'], l['verdict']) for l in d['links']] == \
	[(1, [1], 'pass'), (2, [2], 'marginal'), (3, [3], 'fail'), (4, [4], 'pass')], d['links']
" || fail "breakout lane verdicts"
run "$BERT" results show last --db "$DB"; status_is 0
out_has "^link +verdict +lanes"
out_has "^3 +FAIL +3$"

# exports
run "$BERT" results export 1 --db "$DB" --format junit -o "$T/junit.xml"; status_is 0
python3 - "$T/junit.xml" <<'PY' || fail "JUnit does not parse"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == 'testsuites', root.tag
cases = root.findall('./testsuite/testcase')
assert len(cases) == 9, len(cases)          # 8 measurements + identify
fails = [c.get('name') for c in cases if c.find('failure') is not None]
assert fails == ['pre_fec_ber lane 3'], fails
assert root.get('failures') == '1' and root.get('tests') == '9'
props = {p.get('name'): p.get('value') for p in root.find('./testsuite/properties')}
assert props['dut.vendor'] == 'A&B <Optics> "Q"', props['dut.vendor']
assert props['dut.sn'] == 'SN-FAIL'
PY
run "$BERT" results export 1 --db "$DB" --format csv; status_is 0
out_has "^run_id,uuid,sn,profile,step,name,lane,value,unit"
out_has "^1,11111111-2222-4333-8444-555555555555,SN-FAIL,400gbase-dr4,ber,pre_fec_ber,3,0.0031,"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 9 ] || fail "CSV rows"
run "$BERT" results export 1 --db "$DB"; status_is 0
echo "$out" > "$T/exp.json"
python3 -c "
import json
a = json.load(open('$T/exp.json')); b = json.load(open('$T/dr4.json'))
assert a['uuid'] == b['uuid'] and a['id'] == 1
for sa, sb in zip(a['steps'], b['steps']):
    assert [m['value'] for m in sa['measurements']] == [m['value'] for m in sb['measurements']]
    assert sa['points'] == sb['points'], (sa['points'], sb['points'])
" || fail "JSON export"
run "$BERT" results export 1 --db "$DB" --out "$T/rep"; status_is 0
for f in summary.txt record.json junit.xml measurements.csv report.html; do
	[ -s "$T/rep/$f" ] || fail "--out lacks $f"
done
grep -q "^Verdict: FAIL" "$T/rep/summary.txt" || fail "summary.txt"

run "$BERT" results recover --db "$DB"; status_is 0; out_has "0 runs marked aborted"

# errors
run "$BERT" results show 99 --db "$DB"; status_is 2; err_has "no run '99'"
run "$BERT" results show --db "$DB"; status_is 2; err_has "expects one RUN"
run "$BERT" results export 1 --db "$DB" --format xml; status_is 2; err_has "not json, csv"
run "$BERT" results export 1 --db "$DB" --out "$T/x" --format csv; status_is 2
run "$BERT" results list --db "$DB" --format csv; status_is 2; err_has "--format belongs to show and export"
run "$BERT" results list --db "$DB" --since yesterday; status_is 2; err_has "--since"
run "$BERT" results frobnicate --db "$DB"; status_is 2; err_has "unknown subcommand"
echo '{"kind": "bert.run", "schema": 7}' > "$T/new.json"
run "$BERT" results import "$T/new.json" --db "$DB"; status_is 2; err_has "schema 7 is newer"
echo '{"kind": ' > "$T/trunc.json"
run "$BERT" results import "$T/trunc.json" --db "$DB"; status_is 2; err_has "trunc.json:"
run "$BERT" results list --db /proc/nonesuch/results.db; status_is 2
run "$BERT" results import "$T/dr4.json" --db /proc/nonesuch/results.db; status_is 2
run "$BERT" results --help; status_is 0; out_has "usage: bert results list"
exit 0
