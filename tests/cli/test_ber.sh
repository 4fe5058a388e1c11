# bert ber | loopback | vdm on the virtual bench. Figures come from the
# virtual clock (station time, bits counted), never from wall time.
. "$(dirname "$0")/lib.sh"
MOD="$TOP/fixtures/sim/modules"
json() { python3 -c "import json,sys; d=json.load(open('$1')); $2"; }

# Default bench (good DR4 looped back lane to lane): all four lanes pass
# quickly, with FEC-corrected figures even with no error counted.
run "$BERT" ber --json; status_is 0
echo "$out" > "$T/good.json"
json "$T/good.json" "
L = d['lanes']
assert [l['lane'] for l in L] == [1, 2, 3, 4], L
for l in L:
    for k in ('lane','locked','errors','bits','ber','ber_upper','cl','verdict','post_fec_ber','flr'):
        assert k in l, (k, l)
    assert l['verdict'] == 'pass' and l['locked'], l
    assert l['post_fec_ber'] is not None and l['flr'] is not None, l
    assert l['ber_upper'] < 2.4e-4 and l['cl'] == 0.95
    # early stop: decided at the first update, far before --max-time (120 s)
    assert l['measure_time_s'] <= 2.0, l
    assert 0 < l['bits'] <= 2 * 106.25e9, l
assert d['method'] == 'counters'
assert 0 < d['station_time_s'] < 10, d['station_time_s']
" || fail "ber --json on the default bench"

# The marginal module with 4 dB more loss: lane 3 fails, the others pass;
# the failing lane is decided as quickly as the passing ones.
run "$BERT" ber --fixture "sim:$MOD/dr4-weak-lane3.ini" --attenuation 4 --json; status_is 1
echo "$out" > "$T/marg.json"
json "$T/marg.json" "
v = {l['lane']: l['verdict'] for l in d['lanes']}
assert v == {1: 'pass', 2: 'pass', 3: 'fail', 4: 'pass'}, v
l3 = d['lanes'][2]
assert l3['ber'] > 2.4e-4 and l3['errors'] > 1000, l3
assert l3['measure_time_s'] <= 2.0 and l3['bits'] <= 2 * 106.25e9, l3
assert l3['post_fec_ber'] > 0 and l3['flr'] > 0, l3
assert d['attenuation_db'] == 4
" || fail "marginal module with --attenuation 4"

# Without the extra loss the marginal lane passes (attenuation acts)
run "$BERT" ber --fixture "sim:$MOD/dr4-weak-lane3.ini" --json; status_is 0

# A tighter target at the same confidence runs longer but still decides:
# zero errors need 3.0 / 1e-12 = 3e12 bits, 28 s per lane (docs/SOURCES.md, BER statistics)
run "$BERT" ber --target 1e-12 --lanes 1 --json; status_is 0
echo "$out" > "$T/tight.json"
json "$T/tight.json" "
l = d['lanes'][0]
assert l['verdict'] == 'pass', l
assert 28 <= l['measure_time_s'] <= 31, l
assert l['bits'] >= 2.99e12, l
" || fail "1e-12 target"

# --max-time bounds the run: undecided lanes are marginal (exit 1)
run "$BERT" ber --target 1e-13 --lanes 2 --max-time 5s --json; status_is 1
echo "$out" > "$T/short.json"
json "$T/short.json" "
l = d['lanes'][0]
assert l['verdict'] == 'marginal', l
assert l['measure_time_s'] <= 5.5, l
" || fail "--max-time"

# --min-errors holds the early stop: a clean lane runs to --max-time, then
# the rule decides without it
run "$BERT" ber --lanes 1 --min-errors 5 --max-time 10s --json; status_is 0
echo "$out" > "$T/minerr.json"
json "$T/minerr.json" "
l = d['lanes'][0]
assert l['verdict'] == 'pass' and 9.5 <= l['measure_time_s'] <= 10.5, l
" || fail "--min-errors"

# Refused before anything is written (exit 2, clear message): a pattern the
# checker does not offer, a pattern with no CMIS ID, a lane the module lacks
run "$BERT" ber --pattern SSPRQ; status_is 2; err_has 'checker does not support SSPRQ'
run "$BERT" ber --pattern PRBS7; status_is 2; err_has 'does not support PRBS7'
run "$BERT" ber --pattern PRBS11; status_is 2; err_has 'no CMIS pattern ID'
run "$BERT" ber --lanes 1-6; status_is 2; err_has 'has 4 media lanes'
run "$BERT" ber --cl 1.5; status_is 2
run "$BERT" ber --max-time soon; status_is 2
run "$BERT" ber --help; status_is 0; out_has 'early'

# Text form
run "$BERT" ber --lanes 1-2; status_is 0; out_has 'pass'; out_has 'station time'

# loopback: show, set, refuse a bad mode
run "$BERT" loopback --json; status_is 0
echo "$out" > "$T/lb.json"
json "$T/lb.json" "assert len(d['loopbacks']) == 4, d" || fail "loopback --json"
run "$BERT" loopback --side media --mode output --lanes 1-4 on --json; status_is 0
echo "$out" > "$T/lb2.json"
json "$T/lb2.json" "assert d['lanes_on'] == 15 and d['on'], d" || fail "loopback on"
run "$BERT" loopback --side media --mode sideways on; status_is 2
run "$BERT" loopback --lanes 9 on; status_is 2

# vdm: observables with thresholds, statistics read frozen
run "$BERT" vdm --bring-up --json; status_is 0
echo "$out" > "$T/vdm.json"
json "$T/vdm.json" "
names = {o['name'] for o in d['observables']}
for n in ('pre_fec_ber_cur_media', 'pre_fec_ber_avg_media', 'pre_fec_ber_max_media',
          'errored_frames_cur_media', 'ferc_total_media', 'esnr_media', 'ltp_media',
          'laser_temperature'):
    assert n in names, (n, names)
assert d['frozen'] is True
t = [o for o in d['observables'] if o['name'] == 'laser_temperature'][0]
assert 0 < t['value'] < 100 and 'thresholds' in t, t
" || fail "vdm --json"
run "$BERT" vdm; status_is 0; out_has 'laser_temperature'
exit 0
