# The CLI contract (README "Exit codes and output"), table-driven: every
# command of bert x {success, usage error, bad file, unwritable output,
# hardware error, --json error, -q}. For each case the exit code is the
# class's; with --json a failure prints exactly one {"error": {code, name,
# message}} object on stdout; stderr never shows BERT_ERR_* names, SQLite
# text, doubled separators or prefixes, and nothing has ANSI escapes (the
# outputs are not terminals). "-" marks a case the command does not have
# (no hardware, no output file), printed as n/a with the reason.
. "$(dirname "$0")/lib.sh"

BERTD="${BERT_BUILD:-build}/bertd"
STATION="$TOP/stations/station-8.ini"
SOCK="$T/bertd.sock"
DB="$T/r.db"
NOSOCK="sim-socket:$T/nothing-listens.sock"
BPID=""
cleanup() { [ -n "$BPID" ] && kill -9 "$BPID" 2>/dev/null; rm -rf "$T"; }
trap 'cleanup; checks_done' EXIT

# inputs the cases use
"$BERT" prbs gen --pattern PRBS7 --bytes 4096 -o "$T/p7.bin" || fail "prbs gen"
"$BERT" dump --format hex > "$T/m.hex" || fail "dump"
"$BERT" qualify --no-db --json > "$T/rec.json" || fail "qualify for a record"
"$BERT" results import "$T/rec.json" --db "$DB" -q > /dev/null || fail "import"
printf 'not json\n' > "$T/bad.json"
printf '[profile]\nname = x\nbogus_key = 1\n' > "$T/bad-profile.ini"
printf '[nonsense]\nx = 1\n' > "$T/bad-station.ini"
printf 'zz zz\n' > "$T/bad.hex"
"$BERTD" --config "$STATION" --socket "$SOCK" --db "$T/d.db" --foreground \
	>"$T/bertd.log" 2>&1 &
BPID=$!
i=0; until "$BERT" station status --socket "$SOCK" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 400 ] && fail "bertd did not come up"; sleep 0.05
done
UNW=/proc/nonexistent/out

# command | success | usage error | bad file | unwritable output | hardware | -q stdout (ERE, whole)
cat > "$T/table" <<TABLE
scan|scan|scan --frob|scan --dev $T/none|-|-|(ftdi://.*|i2c-dev:.*|)
info|info|info --bring-up=x|info --fixture sim:$T/none.ini|-|info --fixture $NOSOCK|BERT-SIM SIM-400G-DR4 SN SIM0000001
dom|dom|dom --watch 0|dom --fixture sim:$T/none.ini|-|dom --fixture $NOSOCK|
dump|dump --format hex|dump --format pdf|dump --fixture sim:$T/none.ini|dump -o $UNW|dump --fixture $NOSOCK|-
fixture|fixture status|fixture wiggle|fixture status --fixture sim:$T/none.ini|-|fixture status --fixture $NOSOCK|present
ber|ber --max-time 5s|ber --lanes 9|ber --fixture sim:$T/none.ini|-|ber --fixture $NOSOCK|VERDICT: PASS
loopback|loopback|loopback --side sideways|loopback --fixture sim:$T/none.ini|-|loopback --fixture $NOSOCK|(host|media).*
vdm|vdm|vdm --frob|vdm --fixture sim:$T/none.ini|-|vdm --fixture $NOSOCK|-
decode|decode $T/m.hex|decode|decode $T/bad.hex|-|-|BERT-SIM SIM-400G-DR4 SN SIM0000001
fec|fec analyze --ber 2.4e-4|fec analyze --ber 2|-|-|-|[0-9.e+-]+
prbs|prbs check --pattern PRBS7 $T/p7.bin|prbs check --pattern PRBS99 $T/p7.bin|prbs check --pattern PRBS7 $T/none.bin|prbs gen --pattern PRBS7 --bytes 8 -o $UNW|-|0 \(< [0-9.e-]+ at 95% confidence\)
instr|instr list --station $STATION|instr frob|instr list --station $T/bad-station.ini|-|instr idn tcp:127.0.0.1:1|(voa[1-8]|osw1|opm1)
qualify|qualify --no-db|qualify --site 0|qualify --station $T/bad-station.ini|qualify --no-db --out $UNW|qualify --no-db --fixture $NOSOCK|VERDICT: PASS
results|results list --db $DB|results frob|results import $T/bad.json --db $DB|results export last --db $DB -o $UNW|-|[0-9]+
sweep|sweep --lanes 1|sweep --lane 0|sweep --station $T/bad-station.ini|sweep --lanes 1 --csv $UNW|sweep --fixture $NOSOCK|VERDICT: PASS
budget|budget --length 500m --connectors 4|budget --length far|budget --profile $T/bad-profile.ini --length 1m|-|-|VERDICT: PASS
station|station status --socket $SOCK|station frob --socket $SOCK|station start --site 1 --profile ../../etc/x --socket $SOCK|-|station status --socket $T/none.sock|([0-9] idle)+
TABLE

hygiene() {	# $1: case name
	case "$err$out" in
	*BERT_ERR_*) [ "$1" = json ] || fail "$1: BERT_ERR_ name for people" ;;
	esac
	printf '%s' "$err" | grep -q 'BERT_ERR_' && fail "$1: BERT_ERR_ name on stderr"
	printf '%s%s' "$out" "$err" | grep -qi 'sqlite\|constraint failed' && fail "$1: SQLite text"
	printf '%s' "$err" | grep -q ': : ' && fail "$1: doubled separator"
	printf '%s' "$err" | grep -Eq '(^|: )([a-z -]+): \2: ' && fail "$1: doubled prefix"
	printf '%s%s' "$out" "$err" | grep -q "$(printf '\033')" && fail "$1: ANSI escape off a terminal"
	return 0
}
json_error_is() {	# $1 expected code: stdout is one JSON error object
	printf '%s' "$out" | python3 -c "
import json, sys
d = json.JSONDecoder(); s = sys.stdin.read().strip()
o, end = d.raw_decode(s)
assert end == len(s), 'more than one JSON value on stdout'
e = o['error']
assert e['code'] == $1, e
assert e['name'].startswith('BERT_ERR_'), e
assert e['message'] and 'BERT_ERR_' not in e['message'], e
" || fail "--json error object (expected code $1)"
}

n=0; na=0
while IFS='|' read -r cmd ok usage badfile unwritable hw quiet; do
	# success: 0, clean stderr
	run "$BERT" $ok; status_is 0; hygiene "$cmd ok"
	run "$BERT" $ok --json; status_is 0
	printf '%s' "$out" | python3 -c "import json,sys; json.load(sys.stdin)" ||
		fail "$cmd --json: stdout is not JSON"
	n=$((n + 2))
	# -q: the verdict line, the value asked for, or nothing
	run "$BERT" $ok -q; status_is 0; hygiene "$cmd -q"
	if [ "$quiet" = "-" ]; then
		: # output is the data itself (dump, vdm rows)
	elif [ -z "$quiet" ]; then
		[ -z "$out" ] || fail "$cmd -q: expected no output"
	else
		printf '%s\n' "$out" | grep -Evq "^($quiet)\$" && fail "$cmd -q: /$quiet/ expected"
	fi
	n=$((n + 1))
	for c in "usage:2:$usage" "badfile:2:$badfile" "unwritable:2:$unwritable" "hardware:3:$hw"; do
		kind=${c%%:*}; rest=${c#*:}; code=${rest%%:*}; args=${rest#*:}
		if [ "$args" = "-" ]; then
			case $kind in
			unwritable) echo "n/a: $cmd unwritable: no output file; stdout on a full disk below" ;;
			*) echo "n/a: $cmd $kind: the command has no such input" ;;
			esac
			na=$((na + 1)); continue
		fi
		run "$BERT" $args; status_is "$code"; hygiene "$cmd $kind"
		[ -n "$err" ] || fail "$cmd $kind: no message on stderr"
		run "$BERT" $args --json; status_is "$code"; json_error_is "$code"
		n=$((n + 2))
	done
	# every command writes its output or fails: stdout on a full disk
	"$BERT" $ok >/dev/full 2>"$T/err"; rc=$?; err=$(cat "$T/err"); out=""
	status_is 2; err_has "writing the (output|image)"
	n=$((n + 1))
done < "$T/table"
[ "$(grep -c . "$T/table")" -eq 17 ] || fail "the table lost a command"
# a refused option is named, on stderr and in the JSON error
run "$BERT" sweep --frobnicate --json; status_is 2
out_has '"message": "option .--frobnicate. is unknown'; err_has "option '--frobnicate'"
# an unknown command, too
run "$BERT" frobnicate --json; status_is 2; json_error_is 2
# every command of bert --help is in the table
"$BERT" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 {print $1}' > "$T/cmds"
while read -r c; do grep -q "^$c|" "$T/table" || fail "command $c missing from the table"; done < "$T/cmds"
echo "$n contract checks, $na n/a"
kill -TERM "$BPID"; BPID=""
exit 0
