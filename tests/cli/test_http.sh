# SPDX-License-Identifier: MIT
# bertd's HTTP server without a central database: /metrics served in the
# Prometheus text format and parsed, unknown paths 404, other methods 405,
# a bearer token enforced when configured (401 without it), a non-loopback
# address refused without a token, bad addresses and short tokens refused.
. "$(dirname "$0")/lib.sh"

BERTD="${BERT_BUILD:-build}/bertd"
STATION="$TOP/stations/station-8.ini"
PIDS=""
cleanup() { for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"; }
trap 'cleanup; checks_done' EXIT
WAIT_TRIES=400
export BERT_STATION_SOCKET="$T/bertd.sock"

# refused before anything starts
run "$BERTD" --config "$STATION" --socket "$T/x.sock" --db "$T/r.db" --foreground --http 0.0.0.0:0
status_is 2; err_has "not a loopback address.*http_token_file"
run "$BERTD" --config "$STATION" --socket "$T/x.sock" --db "$T/r.db" --foreground --http localhost
status_is 2; err_has "not \[HOST\]:PORT"
sed -e '/^\[bertd\]$/a http_token_file = '"$T/token" -e "s|^fixture = sim:|fixture = sim:$TOP/stations/|" \
	"$STATION" >"$T/tok.ini"
echo short >"$T/token"
run "$BERTD" --config "$T/tok.ini" --socket "$T/x.sock" --db "$T/r.db" --foreground --http 127.0.0.1:0
status_is 2; err_has "shorter than 16"

# token required
echo "tok-0123456789abcdef" >"$T/token"
"$BERTD" --config "$T/tok.ini" --socket "$T/bertd.sock" --db "$T/r.db" --foreground \
	--http 127.0.0.1:0 -v >"$T/bertd.log" 2>&1 &
PIDS="$PIDS $!"
wait_for "$BERT" station status || { cat "$T/bertd.log"; fail "bertd did not come up"; }
port=$(sed -n 's/.*http: listening on .* (port \([0-9]*\)).*/\1/p' "$T/bertd.log")
[ -n "$port" ] || fail "no port in the log"
"$BERT" station start --site 1 >/dev/null || fail "start"
"$BERT" station watch >/dev/null || fail "watch"
# site 2 with its adapter unplugged: the run ends in a station error and the
# worker starts afresh (a worker restart)
"$BERT" station sim --site 2 --unplugged 1 >/dev/null || fail "unplug"
"$BERT" station start --site 2 >/dev/null || fail "start 2"
"$BERT" station watch >/dev/null || fail "watch 2"
python3 - "$port" "$TOP/tests/pg/metrics.py" "$T" <<'PY' || fail "http checks"
import subprocess, sys, urllib.request, urllib.error
port, metrics, t = sys.argv[1], sys.argv[2], sys.argv[3]
base = "http://127.0.0.1:%s" % port
def status(path, method="GET", token=None, data=None):
    req = urllib.request.Request(base + path, method=method, data=data)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
tok = open(t + "/token").read().strip()
assert status("/metrics")[0] == 401
assert status("/metrics", token="tok-0123456789abcdeX")[0] == 401
assert status("/metrics", token=tok[:-1])[0] == 401
code, body = status("/metrics", token=tok)
assert code == 200, code
assert 'bertd_runs_finished_total{site="1",status="complete"' in body, body[:400]
assert "bertd_spool_backlog_runs" not in body      # no central database here
assert "bertd_instrument_lock_grants_total{instrument=\"opm1\"}" in body
assert 'bertd_worker_restarts_total{site="2"} 1\n' in body, body
assert 'bertd_worker_restarts_total{site="1"} 0\n' in body
assert 'bertd_runs_finished_total{site="2",status="error",verdict="error"} 1\n' in body
assert 'bertd_runs_started_total{site="2"} 1\n' in body
assert status("/nope", token=tok)[0] == 404
assert status("/metrics", method="POST", token=tok, data=b"x=1")[0] == 405
assert status("/metrics", method="DELETE", token=tok)[0] == 405
PY
kill -TERM $PIDS; wait
