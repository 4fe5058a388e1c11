# bertd + bert station on the 8-site virtual bench (stations/station-8.ini):
# usage errors; every site started and watched to the end; protocol abuse
# against the running daemon (random bytes, truncated JSON, huge lines, wrong
# types, a client that stops reading), which must keep answering; a start on
# module insertion; SIGHUP reload; SIGTERM ends runs as aborted; kill -9
# mid-run and a restart that marks the interrupted runs aborted with their
# finished steps; the socket (mode 0660 + group) refusing a user outside the
# group (root only: users are created). Waits are bounded polls, never
# timing assertions.
. "$(dirname "$0")/lib.sh"

BERTD="${BERT_BUILD:-build}/bertd"
STATION="$TOP/stations/station-8.ini"
chmod 755 "$T"
SOCK="$T/bertd.sock"
DB="$T/results.db"
export BERT_STATION_SOCKET="$SOCK"
PIDS=""
# users and group of the socket test, named per run: two test runs at once
# (plain and SAN) must not delete each other's
GRP="bst$$"; UOUT="bsto$$"; UIN="bsti$$"
cleanup() {
	for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
	if [ "$(id -u)" = 0 ]; then
		userdel "$UOUT" 2>/dev/null; userdel "$UIN" 2>/dev/null
		groupdel "$GRP" 2>/dev/null
	fi
	rm -rf "$T"
}
trap 'cleanup; checks_done' EXIT

# wait_for CMD...: retries up to ~20 s (bounded; not a timing assertion)
WAIT_TRIES=400
start_bertd() {
	"$BERTD" --config "$STATION" --socket "$SOCK" --db "$DB" --foreground -v "$@" \
		>>"$T/bertd.log" 2>&1 &
	BPID=$!; PIDS="$PIDS $BPID"
	wait_for "$BERT" station status || { cat "$T/bertd.log"; fail "bertd did not come up"; }
}
gone() { ! kill -0 "$1" 2>/dev/null; }

# --- usage ---------------------------------------------------------------------
run "$BERTD"
status_is 2; err_has "config"
run "$BERTD" --config "$STATION" --policy sometimes --foreground
status_is 2; err_has "fifo or rr"
run "$BERTD" --config /nonexistent.ini --foreground
status_is 2
run "$BERT" station status --socket "$T/none.sock"
status_is 3; err_has "bertd at"
run "$BERT" station start
status_is 2; err_has "--site"

# --- 8 sites at once ---------------------------------------------------------------
start_bertd
run "$BERT" station status
status_is 0; out_has "site 8 +idle"
[ "$(printf '%s\n' "$out" | grep -c idle)" -eq 8 ] || fail "8 idle sites expected"
# before any run, the presence poll has read each module's EEPROM serial on
# the site's fixture, which it keeps open (one open per site)
sn_known() {
	[ "$("$BERT" station status | grep -Ec 'idle .*SN SIM0[1-8]00001')" -eq 8 ]
}
wait_for sn_known || fail "idle sites without the module's serial"
run "$BERT" station status
status_is 0; out_has "site 3 +idle .*SN SIM0300001"
run "$BERT" station status --json
status_is 0
[ "$(printf '%s' "$out" | grep -c '"fixture_opens": 1,')" -eq 8 ] || fail "fixture opens per site"
[ "$(printf '%s' "$out" | grep -c '"last"')" -eq 0 ] || fail "a run before the start"
run "$BERT" station start --site all
status_is 0; out_has "started 8 site"
run "$BERT" station watch
status_is 0
for s in 1 2 3 4 5 6 7 8; do
	out_has "site $s +idle +last run [0-9]+: complete (pass|marginal)"
done
out_has "running"
run "$BERT" station start --site 9
status_is 2; err_has "no_site"
run "$BERT" station abort --site 2
status_is 2; err_has "idle"
run "$BERT" station results --json
status_is 0; out_has '"cursor"'
[ "$(printf '%s' "$out" | grep -c '"status": "complete"')" -eq 8 ] || fail "8 runs stored"
run "$BERT" results list --db "$DB"
status_is 0; out_has "station-8/8"

# --- protocol abuse: it must stay up and keep answering ----------------------------
python3 - "$SOCK" <<'PY' || fail "protocol abuse"
import json, os, random, socket, sys, time
path = sys.argv[1]
random.seed(10)
def conn():
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.settimeout(20); return s
def ask(s, line):
    s.sendall(line)
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(65536)
        if not d: raise SystemExit("connection closed after %r" % line[:40])
        buf += d
    for l in buf.splitlines():
        j = json.loads(l)
        if "ok" in j: return j
    raise SystemExit("no reply to %r" % line[:40])
s = conn()
cases = [b'{"cmd":"sta\n', b'\x00\xff\xfe garbage\n', b'[1,2,3]\n', b'{}\n',
         b'{"cmd":"start","site":"3"}\n', b'{"cmd":"start","site":1.5}\n',
         b'{"cmd":"results","since":"yesterday"}\n', b'{"cmd":"abort","site":[1]}\n',
         b'{"cmd":"start","site":1,"profile":"../../etc/shadow"}\n',
         b'{"cmd":"status","cmd":"status"}\n', b'\n', b'{"cmd":"status"} x\n']
for c in cases:
    j = ask(s, c)
    assert j["ok"] is False and j["error"]["code"], (c, j)
for _ in range(200):
    b = bytes(random.randrange(256) for _ in range(random.randrange(1, 300)))
    j = ask(s, b.replace(b"\n", b" ") + b"\n")
    assert j["ok"] is False, j
# a huge line: one too_long error, the connection stays usable
j = ask(s, b"{" + b" " * 200000 + b"}\n")
assert j["error"]["code"] == "too_long", j
j = ask(s, b'{"cmd":"status","id":7}\n')
assert j["ok"] and j["id"] == 7 and len(j["sites"]) == 8, j
# a slow reader: subscribes, floods requests, never reads; the daemon drops
# it and keeps serving others
slow = conn()
slow.sendall(b'{"cmd":"subscribe"}\n')
slow.setblocking(False)
sent = 0
try:
    for _ in range(100000):
        sent += slow.send(b'{"cmd":"status"}\n' * 64)
except (BlockingIOError, BrokenPipeError, ConnectionResetError):
    pass
other = conn()
j = ask(other, b'{"cmd":"status"}\n')
assert j["ok"], j
# the slow one is gone (closed by the daemon) within a bounded wait
deadline = time.time() + 20
dropped = False
slow.setblocking(True); slow.settimeout(1)
while time.time() < deadline and not dropped:
    try:
        d = slow.recv(1 << 20)
        if not d: dropped = True
    except socket.timeout:
        pass
    except (ConnectionResetError, BrokenPipeError):
        dropped = True
assert dropped, "slow reader not dropped"
j = ask(other, b'{"cmd":"status"}\n')
assert j["ok"], j
PY
run "$BERT" station status
status_is 0

# --- insertion starts a run (auto_start) ------------------------------------------
runs_of() { "$BERT" station status --json | python3 -c "import json,sys; print(json.load(sys.stdin)['sites'][$1-1]['runs'])"; }
before=$(runs_of 3)
run "$BERT" station sim --site 3 --present 0
status_is 0
wait_for sh -c "$BERT station status --json | grep -q '\"present\": false'" || fail "removal not seen"
run "$BERT" station sim --site 3 --present 1
status_is 0
wait_for sh -c "[ \$($BERT station status --json | python3 -c \"import json,sys; print(json.load(sys.stdin)['sites'][2]['runs'])\") -gt $before ]" ||
	fail "insertion did not start site 3"
run "$BERT" station watch --json
status_is 0

# --- SIGHUP reload, then SIGTERM ends the daemon -----------------------------------
kill -HUP "$BPID"
run "$BERT" station status
status_is 0
kill -TERM "$BPID"
wait_for gone "$BPID" || fail "bertd ignored SIGTERM"
[ -e "$SOCK" ] && fail "socket left behind"

# --- kill -9 mid-run, restart: interrupted runs aborted, finished steps kept ------
# Real-time speed: a run takes about 10 s of wall time, so the poll below sees
# it running on a loaded machine too (at 5x a run could end between two polls).
start_bertd --speed 1
run "$BERT" station start --site all
status_is 0
# wait until some run has journaled a few steps (the DB is polled)
steps_running() {
	"$BERT" results list --db "$DB" --json 2>/dev/null | python3 -c "
import json, sys
r = json.load(sys.stdin); r = r['runs'] if isinstance(r, dict) else r
sys.exit(0 if any(x['status'] == 'running' and x['steps'] >= 3 for x in r) else 1)"
}
wait_for steps_running || fail "no run journaled steps"
kill -9 "$BPID"
wait_for gone "$BPID"
start_bertd
grep -Eq "[1-9][0-9]* interrupted run" "$T/bertd.log" || fail "restart recovered nothing"
run "$BERT" results list --db "$DB" --json
status_is 0
python3 - "$T/out" <<'PY' || fail "recovered runs"
import json, sys
r = json.load(open(sys.argv[1])); r = r["runs"] if isinstance(r, dict) else r
ab = [x for x in r if x["status"] == "aborted"]
assert ab, "no aborted run"
assert any(x["steps"] >= 3 for x in ab), [(x["id"], x["steps"]) for x in ab]
assert not [x for x in r if x["status"] == "running"], "runs left running"
PY
kill -TERM "$BPID"; wait_for gone "$BPID"

# SIGTERM mid-run: runs end aborted, stored
start_bertd --speed 5
run "$BERT" station start --site 1
status_is 0
kill -TERM "$BPID"
wait_for gone "$BPID" || fail "bertd ignored SIGTERM"
run "$BERT" results show last --db "$DB"
out_has "aborted|complete"

# --- the socket refuses a user outside its group -----------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: socket permission test needs root (creates users)"
	exit 0
fi
groupadd -f "$GRP"
id "$UOUT" >/dev/null 2>&1 || useradd -M -s /bin/sh "$UOUT"
id "$UIN" >/dev/null 2>&1 || useradd -M -s /bin/sh -G "$GRP" "$UIN"
start_bertd --group "$GRP" --mode 0660
ls -l "$SOCK" | grep -q "^srw-rw---- .* $GRP " || fail "socket mode/group: $(ls -l "$SOCK")"
run runuser -u "$UOUT" -- "$BERT" station status --socket "$SOCK"
status_is 3; err_has "Permission denied"
run runuser -u "$UIN" -- "$BERT" station status --socket "$SOCK"
status_is 0; out_has "site 1"
kill -TERM "$BPID"; wait_for gone "$BPID"
exit 0
