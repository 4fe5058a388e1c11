#!/bin/sh
# bert results report on a virtual factory day: a population of modules
# drawn from a seeded distribution of receiver sensitivities (some beyond
# the limit, retested once), at two stations and two lots, imported into a
# station store as the records a real run of the virtual bench writes; the
# yield and pareto of the report are the ones the population implies.
. "$(dirname "$0")/lib.sh"
DB="$T/factory.db"

"$BERT" qualify --no-db --out "$T/tpl" -q >/dev/null 2>&1 || fail "template run"
python3 - "$T/tpl/record.json" "$T/day" "$T/expect.json" <<'PY' || fail "generator"
import copy, json, os, random, sys
tpl = json.load(open(sys.argv[1]))
out, expect_path = sys.argv[2], sys.argv[3]
os.makedirs(out)
rng = random.Random(18)
LIMIT = -4.4
runs, n = [], 0
first, final = {}, {}
fails = 0
for i in range(30):
    sn = 'FAB%05d' % i
    station = 'line-%s' % 'AB'[i % 2]
    lot = "L%d" % (1 + i // 15)
    tries = 1
    while True:
        sens = [rng.gauss(-5.6, 0.8) for _ in range(4)]
        ok = all(s <= LIMIT for s in sens)
        r = copy.deepcopy(tpl)
        r['uuid'] = '%08x-0000-4000-8000-%012x' % (i, n)
        r['dut']['sn'] = sn
        r['station']['name'] = station
        r['trace']['lot'] = lot
        r['wall_start'] = '2026-03-02T%02d:%02d:00Z' % (6 + n // 6, (n % 6) * 10)
        r['wall_end'] = r['wall_start']
        for s in r['steps']:
            for m in s['measurements']:
                if m['name'] == 'rx_sensitivity_oma':
                    m['value'] = sens[m['lane'] - 1]
                    m['verdict'] = 'pass' if m['value'] <= LIMIT else 'fail'
                    m['message'] = '' if m['verdict'] == 'pass' else 'beyond the limit'
            s['verdict'] = 'fail' if any(m['verdict'] == 'fail' for m in s['measurements']) \
                else s['verdict']
        r['verdict'] = 'pass' if ok else 'fail'
        json.dump(r, open('%s/%03d.json' % (out, n), 'w'))
        key = (station, sn)
        first.setdefault(sn, ok)
        final[sn] = ok
        fails += not ok
        n += 1
        if ok or tries == 2:
            break
        tries += 1
expect = {'runs': n, 'modules': len(first),
          'first_pass': sum(first.values()), 'final_pass': sum(final.values()),
          'failed_runs': fails}
json.dump(expect, open(expect_path, 'w'))
PY
for f in "$T"/day/*.json; do
	"$BERT" results import "$f" --db "$DB" -q >/dev/null || fail "import $f"
done

run "$BERT" results report --db "$DB" --format json; status_is 0
printf '%s' "$out" >"$T/report.json"
python3 - "$T/report.json" "$T/expect.json" <<'PY' || fail "the report is not the population's"
import json, sys
rep, exp = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert rep['runs'] == exp['runs'], (rep['runs'], exp)
day = rep['yield']['day']
assert len(day) == 1 and day[0]['name'] == '2026-03-02', day
d = day[0]
assert d['modules'] == exp['modules'], (d, exp)
assert d['first_pass'] == exp['first_pass'] and d['final_pass'] == exp['final_pass'], (d, exp)
assert exp['first_pass'] < exp['final_pass'] < exp['modules'], exp   # retests pass and fail
lo, hi = d['first_pass_yield']['ci95']
assert lo < d['first_pass_yield']['value'] < hi, d
st = {g['name']: g for g in rep['yield']['station']}
assert set(st) == {'line-A', 'line-B'} and sum(g['modules'] for g in st.values()) == exp['modules']
assert {g['name'] for g in rep['yield']['lot']} == {'L1', 'L2'}
par = rep['pareto']
assert par[0]['measurement'] == 'rx_sensitivity_oma' and par[0]['failed_runs'] == exp['failed_runs'], par
assert len(rep['rx_sensitivity_oma']['values']) == 4 * exp['modules']
assert rep['rx_sensitivity_oma']['limit_high'] == -4.4
PY
# filters: one lot, one station; --until before the day: nothing
run "$BERT" results report --db "$DB" --lot L1 --station line-A; status_is 0
[ "$(printf '%s' "$out" | jq '.yield.lot | length')" = 1 ] || fail "--lot"
[ "$(printf '%s' "$out" | jq -r '.yield.station[0].name')" = line-A ] || fail "--station"
run "$BERT" results report --db "$DB" --until 2026-03-01; status_is 0
[ "$(printf '%s' "$out" | jq '.runs')" = 0 ] || fail "--until"
# csv and html
run "$BERT" results report --db "$DB" --format csv; status_is 0
out_has '^view,group,runs,modules,first_pass,final_pass'
out_has '^pareto,rx_sensitivity_oma,'
run "$BERT" results report --db "$DB" --format html -o "$T/fleet.html"; status_is 0
python3 - "$T/fleet.html" <<'PY' || fail "fleet.html does not parse"
import re, sys, xml.etree.ElementTree as ET
t = open(sys.argv[1]).read()
root = ET.fromstring(re.sub(r'^<!DOCTYPE html>', '', t))
bars = [e for e in root.iter('{http://www.w3.org/2000/svg}rect') if e.get('class') == 'bar']
assert len(bars) > 3, len(bars)
PY
# errors
run "$BERT" results report --db "$DB" --format pdf; status_is 2
err_has "not html, json or csv"
run "$BERT" results report --db "$DB" --since yesterday; status_is 2
err_has "--since: 'yesterday'"
run "$BERT" results report --db "$T/none.db"; status_is 2
run "$BERT" results report --db "$DB" -o /proc/nonexistent/x; status_is 2
