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
run "$BERT" fec analyze --ber 1e-4; status_is 0; out_has 'CER +1\.3[0-9]*e-18'
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
