# The station path end to end on stations/station-8.ini: the one station
# file is read by bert qualify, bert sweep, bert instr list and bertd alike;
# `bert station watch --json --follow` delivers every event of a full 8-site
# run in order (compared with the daemon's own --event-log); `watch` without
# --follow ends when all sites are idle, with --follow it waits for an
# insertion; status shows presence and each module's serial. Waits are
# bounded polls, never timing assertions.
. "$(dirname "$0")/lib.sh"

BERTD="${BERT_BUILD:-build}/bertd"
STATION="$TOP/stations/station-8.ini"
SOCK="$T/bertd.sock"
DB="$T/results.db"
EVLOG="$T/events.log"
export BERT_STATION_SOCKET="$SOCK"
PIDS=""
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap 'cleanup; checks_done' EXIT
gone() { ! kill -0 "$1" 2>/dev/null; }

# --- one station file for every program ------------------------------------
run "$BERT" instr list --station "$STATION"; status_is 0
out_has "instruments in .*station-8.ini"; out_has "voa8 +voa +sim:voa8"
run "$BERT" qualify --station "$STATION" --site 2 --db "$T/q.db" --json; status_is 0
echo "$out" > "$T/q.json"
python3 - "$T/q.json" <<'PY' || fail "qualify on station-8 site 2"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["station"]["name"] == "station-8" and r["station"]["site"] == 2, r["station"]
assert r["verdict"] in ("pass", "marginal"), r["verdict"]
PY
run "$BERT" sweep --station "$STATION" --site 3 --lanes 1 --json; status_is 0
out_has '"margin_db"'
# a mistake in a section one program does not use is still an error in it
sed 's/^arbitration = fifo/arbitration = sometimes/' "$STATION" > "$T/bad.ini"
for cmd in "qualify --station $T/bad.ini --site 1" "sweep --station $T/bad.ini" \
	   "instr list --station $T/bad.ini"; do
	run "$BERT" $cmd; status_is 2; err_has "bad.ini:[0-9]+: \[bertd\]: arbitration"
done
run "$BERTD" --config "$T/bad.ini" --foreground --socket "$T/x.sock"; status_is 2
err_has "bad.ini:[0-9]+: \[bertd\]: arbitration"
printf '[nonsense]\nx = 1\n' >> "$T/bad2.ini"; cat "$STATION" >> "$T/bad2.ini"
run "$BERT" instr list --station "$T/bad2.ini"; status_is 2; err_has "unknown section \[nonsense\]"

# --- the daemon with its event log; a watcher subscribed before the run -------
"$BERTD" --config "$STATION" --socket "$SOCK" --db "$DB" --foreground -v \
	--event-log "$EVLOG" >>"$T/bertd.log" 2>&1 &
BPID=$!; PIDS="$PIDS $BPID"
wait_for "$BERT" station status || { cat "$T/bertd.log"; fail "bertd did not come up"; }

# watch without --follow: every site idle, nothing started -> ends at once, 0
run "$BERT" station watch --json; status_is 0

subs=$(grep -c " subscribed" "$T/bertd.log")
"$BERT" station watch --json --follow >"$T/watch.out" 2>"$T/watch.err" &
WPID=$!; PIDS="$PIDS $WPID"
wait_for sh -c "[ \$(grep -c ' subscribed' '$T/bertd.log') -gt $subs ]" || fail "watch did not subscribe"
run "$BERT" station start --site all; status_is 0; out_has "started 8 site"
all_done() {
	"$BERT" station status --json | python3 -c "
import json, sys
s = json.load(sys.stdin)['sites']
sys.exit(0 if all(x['state'] == 'idle' and 'last' in x for x in s) else 1)"
}
wait_for all_done || fail "the 8 runs did not end"
# the watcher got the last event (site 8 idle is the last a run emits)
n_idle() { [ "$(grep -c '"event":"site".*"state":"idle"\|"state":"idle".*"event":"site"' "$T/watch.out")" -ge 8 ]; }
wait_for n_idle || fail "watch --follow missed the ends of the runs"
gone "$WPID" && fail "watch --follow ended by itself"
kill -TERM "$WPID"; wait_for gone "$WPID" || fail "watch ignored SIGTERM"
wait "$WPID"; [ $? -eq 0 ] || fail "watch --follow exit status after SIGTERM"

python3 - "$EVLOG" "$T/watch.out" <<'PY' || fail "events lost or out of order"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
def first_run(evs):
    return next(i for i, e in enumerate(evs) if e["event"] == "site" and e["state"] == "running")
log = log[first_run(log):]
got = got[first_run(got):]
assert len(got) == len(log), (len(got), len(log))
for i, (a, b) in enumerate(zip(got, log)):
    assert a == b, (i, a, b)
kinds = {}
for e in log:
    kinds[e["event"]] = kinds.get(e["event"], 0) + 1
for k in ("site", "run", "step", "lane", "point", "measurement", "step_end", "verdict"):
    assert kinds.get(k, 0) > 0, (k, kinds)
assert kinds["verdict"] == 8, kinds
assert sorted({e["site"] for e in log}) == list(range(1, 9))
print(len(log), "events", kinds)
PY

# status: presence and the module's serial per site, distinct per site
run "$BERT" station status --json; status_is 0
echo "$out" > "$T/st.json"
python3 - "$T/st.json" <<'PY' || fail "presence / serial in status"
import json, sys
s = json.load(open(sys.argv[1]))["sites"]
assert all(x["present"] is True for x in s), s
sns = [x["module_serial"] for x in s]
assert all(sns), sns
assert len(set(sns)) == 8, sns
PY
run "$BERT" station status; status_is 0; out_has "site 1 +idle +last run .* SN "
run "$BERT" results list --db "$DB" --json; status_is 0
echo "$out" > "$T/runs.json"
python3 -c "
import json
r = json.load(open('$T/runs.json')); r = r['runs'] if isinstance(r, dict) else r
sns = [x['sn'] for x in r]
assert len(set(sns)) == len(sns) == 8, sns
" || fail "8 modules stored as distinct serials"

# --- watch --follow waits for an insertion --------------------------------------
subs=$(grep -c " subscribed" "$T/bertd.log")
"$BERT" station watch --json --follow >"$T/w2.out" 2>"$T/w2.err" &
WPID=$!; PIDS="$PIDS $WPID"
wait_for sh -c "[ \$(grep -c ' subscribed' '$T/bertd.log') -gt $subs ]" || fail "watch did not subscribe"
run "$BERT" station sim --site 3 --present 0; status_is 0
wait_for sh -c "$BERT station status --json | grep -q '\"present\": false'" || fail "removal not seen"
run "$BERT" station status; status_is 0; out_has "site 3 +idle .*empty"
run "$BERT" station sim --site 3 --present 1; status_is 0
got_verdict() { grep -q '"event":"verdict"' "$T/w2.out"; }
wait_for got_verdict || fail "watch --follow did not see the run on insertion"
grep -q '"site":3' "$T/w2.out" || fail "insertion run not at site 3"
python3 - "$T/w2.out" <<'PY' || fail "presence events before the insertion's run"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pres = [i for i, e in enumerate(ev) if e["event"] == "presence" and e["site"] == 3]
assert len(pres) == 2, [e for e in ev if e["event"] == "presence"]
assert ev[pres[0]]["present"] is False and ev[pres[1]]["present"] is True
run = next(i for i, e in enumerate(ev) if e["event"] == "site" and e["state"] == "running")
assert pres[1] < run, (pres, run)
PY
kill -TERM "$WPID"; wait_for gone "$WPID"
# a new insertion is a new module: a serial not seen before
run "$BERT" station status --json; status_is 0
echo "$out" > "$T/st2.json"
python3 - "$T/st.json" "$T/st2.json" <<'PY' || fail "re-inserted module serial"
import json, sys
a = json.load(open(sys.argv[1]))["sites"]; b = json.load(open(sys.argv[2]))["sites"]
assert b[2]["module_serial"] and b[2]["module_serial"] != a[2]["module_serial"], (a[2], b[2])
assert b[2]["module_serial"] not in [x["module_serial"] for x in a]
PY

# --- an operator-entered serial that is not the module's ------------------------
sn5=$(python3 -c "import json; print(json.load(open('$T/st2.json'))['sites'][4]['module_serial'])")
run "$BERT" station start --site 5 --serial WRONG-SN; status_is 0
site5_done() {
	"$BERT" station status --json | python3 -c "
import json, sys
s = json.load(sys.stdin)['sites'][4]
sys.exit(0 if s['state'] == 'idle' and s['runs'] >= 2 else 1)"
}
wait_for site5_done || fail "site 5 run did not end"
run "$BERT" results show last --db "$DB" --json; status_is 0
echo "$out" > "$T/r5.json"
python3 - "$T/r5.json" "$sn5" <<'PY' || fail "operator serial kept beside the module's"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["dut"]["sn"] == sys.argv[2], (r["dut"], sys.argv[2])
assert r["dut"]["operator_serial"] == "WRONG-SN", r["dut"]
m = [m for s in r["steps"] for m in s["measurements"] if m["name"] == "serial_match"]
assert len(m) == 1 and m[0]["value"] == 0 and m[0]["verdict"] == "fail", m
assert r["verdict"] == "fail", r["verdict"]
PY

kill -TERM "$BPID"; wait_for gone "$BPID" || fail "bertd ignored SIGTERM"

# --- bert-sim serve --station: the README's real-time example in two commands --
SIM="${BERT_BUILD:-build}/bert-sim"
"$SIM" serve --station "$T/served.ini" --speed 1000 --json >"$T/sim.out" 2>"$T/sim.err" &
SPID=$!; PIDS="$PIDS $SPID"
wait_for test -s "$T/served.ini" || { err=$(cat "$T/sim.err"); fail "no station file"; }
grep -q '"station"' "$T/sim.out" || fail "serve --json does not name the station file"
run "$BERT" qualify --station "$T/served.ini" --site 1 --no-db --json; status_is 0
echo "$out" > "$T/served.json"
python3 - "$T/served.json" <<'PY' || fail "qualify against bert-sim serve"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["station"]["name"] == "bert-sim", r["station"]
assert r["station"]["fixture"].startswith("sim-socket:"), r["station"]
errs = [m for s in r["steps"] for m in s["measurements"] if m["verdict"] == "error"]
assert not errs, errs[:3]
sens = [m for s in r["steps"] for m in s["measurements"] if m["name"] == "rx_sensitivity_oma"]
assert len(sens) == 4 and all(m["value"] is not None for m in sens), sens
PY
kill -TERM "$SPID"; wait_for gone "$SPID" || fail "bert-sim ignored SIGTERM"
[ -e "$T/served.ini" ] && fail "the station file of a stopped bert-sim was left behind"
run "$SIM" serve --station /proc/nonexistent/x.ini; status_is 2; err_has "cannot create"
exit 0
