# bert fec analyze and bert prbs check/gen: the JSON contract,
# known answers, and clear errors with exit 2 on bad input.
. "$(dirname "$0")/lib.sh"

run "$BERT" fec analyze --ber 2.4e-4 --json; status_is 0
for k in ber ser cer flr post_fec_ber threshold_ber margin_decades; do
	out_has "\"$k\": "
done
out_has '"cer": 8\.1[0-9]*e-13'
out_has '"flr": 1\.7[0-9]*e-12'
out_has '"margin_decades": 0\.0'
run "$BERT" fec analyze --ber 1e-3; status_is 0; out_has 'CER +0\.000153'
out_has 'margin +0\.62 decades above'
# the reporting floor: the chain's 1.3e-18 CER at 1e-4 (and anything below
# 1e-15) prints as "< 1e-15" and is stored as the floor, named in below_floor
run "$BERT" fec analyze --ber 1e-4; status_is 0; out_has 'CER +< 1e-15'
out_has 'post-FEC BER +< 1e-15'; out_has 'margin +0\.38 decades below'
run "$BERT" fec analyze --ber 1e-4 -q; status_is 0; out_has '^< 1e-15$'
run "$BERT" fec analyze --ber 1e-6 --json; status_is 0
printf '%s' "$out" > "$T/floor.json"
json() { python3 -c "import json,sys; d=json.load(open('$1')); $2"; }
json "$T/floor.json" "assert d['cer'] == d['flr'] == d['post_fec_ber'] == d['reporting_floor'] == 1e-15 and d['below_floor'] == ['cer', 'flr', 'post_fec_ber'], d" || fail "model figures below the floor"
run "$BERT" fec analyze --histogram 1000000,200000,30000,4000,500,60,7,1,0,0,0,0,0,0,0,0,3
status_is 0; out_has 'predicted +CER 1\.17e-14'
printf '%s' "$out" | grep -Eq 'e-(1[6-9]|[2-9][0-9])' && fail "a figure below the 1e-15 floor printed"
run "$BERT" fec analyze --ber 2; status_is 2; err_has "not a bit error ratio"
run "$BERT" fec analyze --ber abc; status_is 2
run "$BERT" fec analyze; status_is 2; err_has "exactly one of"
run "$BERT" fec analyze --histogram 1,2,3; status_is 2; err_has "3 bins, expected 17"
run "$BERT" fec analyze --histogram 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0; status_is 2
run "$BERT" fec analyze --json --histogram 1000000,3000,500,80,10,2,0,0,0,0,0,0,0,0,0,0,0
status_is 0; out_has '"r2": 0\.99'; out_has '"max_bin": 5'; out_has '"bursty": true'
for k in ber ser cer flr post_fec_ber threshold_ber margin_decades; do
	out_has "\"$k\": "
done
# impossible numbers: FLR above 1; a post-FEC BER below what 3 measured
# uncorrectable codewords imply (>= 16 wrong bits each)
run "$BERT" fec analyze --ber 0.3 --json; status_is 0
printf '%s' "$out" > "$T/flr.json"
json "$T/flr.json" "assert 0 <= d['flr'] <= 1 and d['cer'] <= 1, d" || fail "FLR above 1"
run "$BERT" fec analyze --json --histogram 1000000,3000,500,80,10,2,0,0,0,0,0,0,0,0,0,0,3
printf '%s' "$out" > "$T/unc.json"
json "$T/unc.json" "assert d['post_fec_ber'] >= d['cer'] * 16 / 5440 > 0, d" || fail "post-FEC below the uncorrectables"
run "$BERT" fec analyze --histogram 1000000,2000,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0
status_is 0; out_has 'consistent with random errors'

# prbs: a capture with three flipped bits, then bad captures
"$BERT" prbs gen --pattern PRBS31 --bytes 100000 --flip 5000 --flip 60001 --flip 700000 >"$T/cap.bin"
run "$BERT" prbs check --pattern PRBS31 --json "$T/cap.bin"; status_is 0
out_has '"bit_errors": 3,'; out_has '"locked": true'; out_has '"ber_upper": '
run "$BERT" prbs check --pattern prbs31 "$T/cap.bin"; status_is 0; out_has 'bit errors +3'
"$BERT" prbs gen --pattern PRBS13Q --bytes 5000 >"$T/q.bin"
run "$BERT" prbs check --pattern PRBS13Q --json "$T/q.bin"; status_is 0
out_has '"bit_errors": 0,'; out_has '"symbol_errors": 0,'
: >"$T/empty.bin"
run "$BERT" prbs check --pattern PRBS31 "$T/empty.bin"; status_is 2; err_has "empty capture"
head -c 4096 /dev/zero | tr '\0' '\125' >"$T/junk.bin"
run "$BERT" prbs check --pattern PRBS31 "$T/junk.bin"; status_is 2; err_has "no PRBS31 lock"
run "$BERT" prbs check --pattern PRBS99 "$T/cap.bin"; status_is 2; err_has "unknown pattern"
run "$BERT" prbs check --pattern PRBS31 "$T/missing.bin"; status_is 2; err_has "cannot open"
