# SPDX-License-Identifier: MIT
# bertd's web API with curl (cli/bertd.md "Web page and API"): every
# endpoint, the page's static files, path traversal, bad JSON, oversized
# bodies and headers, the loopback Host/Origin/CSRF checks, the token
# (missing, wrong, right, in the event stream's query), and 100 event
# streams that never read while another client is served.
. "$(dirname "$0")/lib.sh"

BERTD="${BERT_BUILD:-build}/bertd"
STATION="$TOP/stations/station-8.ini"
PIDS=""
cleanup() { for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"; }
trap 'cleanup; checks_done' EXIT
export BERT_STATION_SOCKET="$T/bertd.sock"
command -v curl >/dev/null || { echo "SKIP: curl is not installed (.ci/deps)"; [ "${CI:-}" = true ] && fail "curl missing"; exit 0; }

# starts bertd with $@ and sets $port
up() {
	"$BERTD" --socket "$T/bertd.sock" --db "$T/r.db" --foreground -v "$@" >"$T/bertd.log" 2>&1 &
	PIDS="$PIDS $!"; pid=$!
	i=0
	until grep -q "socket $T/bertd.sock" "$T/bertd.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 400 ] && { cat "$T/bertd.log"; fail "bertd did not come up"; return 1; }
		kill -0 $pid 2>/dev/null || { cat "$T/bertd.log"; fail "bertd exited"; return 1; }
		sleep 0.05
	done
	port=$(sed -n 's/.*http: listening on .* (port \([0-9]*\)).*/\1/p' "$T/bertd.log")
	base="http://127.0.0.1:$port"
}
# SIGTERM: exit 0 (a sanitizer report would make it fail)
down() {
	kill -TERM $pid; wait $pid; st=$?; PIDS=""
	[ $st -eq 0 ] || { tail -40 "$T/bertd.log"; fail "bertd exited with $st"; }
}
# req [curl args]: $code, $out (body)
req() {
	code=$(curl -s --path-as-is -o "$T/body" -w '%{http_code}' --max-time 20 "$@")
	out=$(cat "$T/body")
}
code_is() { [ "$code" = "$1" ] || fail "$2: HTTP $code, expected $1"; }
json_is() { printf '%s' "$out" | jq -e "$1" >/dev/null 2>&1 || fail "$2: reply lacks $1"; }
J='Content-Type: application/json'

# ---- loopback, no token: Host, Origin and CSRF -------------------------------
up --config "$STATION" --http :0 --speed 5 || exit 1
grep -q "http: listening on :0 (port" "$T/bertd.log" || fail "':0' not taken"
req "$base/"; code_is 200 page; out_has '<script src="/app.js"'
req "$base/app.js"; code_is 200 js; out_has 'textContent'
req "$base/app.css"; code_is 200 css
for p in /../../etc/passwd /%2e%2e/%2e%2e/etc/passwd /app.js/../../etc/passwd \
	/api/../../etc/passwd /index.html /app.js%00 /etc/passwd; do
	req "$base$p"; code_is 404 "traversal $p"
	case "$out" in *root:*) fail "$p served a file" ;; esac
done
req -H 'Host: evil.example' "$base/api/status"; code_is 403 "foreign Host"
json_is '.error.code == "forbidden"' "foreign Host"
req -H 'Host: evil.example' "$base/"; code_is 403 "foreign Host, page"
req "$base/api/status"; code_is 200 status
json_is '.ok and .cmd == "status" and (.sites | length) == 8 and .sites[2].site == 3' status
json_is '.sites[0] | has("module_pn") and has("module_vendor")' "status module fields"
req -X POST -H "$J" "$base/api/status"; code_is 405 "POST status"
req "$base/api/start"; code_is 405 "GET start"
req "$base/api/nope"; code_is 404 "unknown endpoint"; json_is '.error.code == "unknown_cmd"' nope
req "$base/api/status?x=1"; code_is 400 "status with an argument"
req "$base/api/results"; code_is 200 results; json_is '.ok and (.cursor | type) == "number" and (.runs | type) == "array"' results
req "$base/api/results?since=abc"; code_is 400 "since=abc"; json_is '.error.code == "bad_request"' since
req "$base/api/results?limit=-1"; code_is 400 "limit=-1"
req "$base/api/results?bogus=1"; code_is 400 "bogus argument"
req "$base/api/results?since=1&since=2"; code_is 400 "since twice"
req "$base/api/results?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9"; code_is 400 "nine arguments"
req "$base/api/session"; code_is 200 session; json_is '.auth == "loopback" and (.csrf | test("^[0-9a-f]{32}$"))' session
csrf=$(printf '%s' "$out" | jq -r .csrf)
O="Origin: http://127.0.0.1:$port"
X="X-CSRF-Token: $csrf"
req -X POST -H "$J" -d '{"site":1}' "$base/api/start"; code_is 403 "POST without Origin"
req -X POST -H "$J" -H 'Origin: http://evil.example' -H "$X" -d '{"site":1}' "$base/api/start"
code_is 403 "POST from another origin"
req -X POST -H "$J" -H "$O" -d '{"site":1}' "$base/api/start"; code_is 403 "POST without CSRF"
json_is '.error.message | test("CSRF")' "csrf message"
# the real token with its last digit changed (never equal to it)
case "$csrf" in *0) wrong="${csrf%?}1" ;; *) wrong="${csrf%?}0" ;; esac
req -X POST -H "$J" -H "$O" -H "X-CSRF-Token: $wrong" -d '{"site":1}' "$base/api/start"
code_is 403 "POST with a wrong CSRF token"
req -X POST -H 'Content-Type: text/plain' -H "$O" -H "$X" -d '{"site":1}' "$base/api/start"
code_is 400 "text/plain body"; json_is '.error.message | test("Content-Type")' "text/plain"
req -X POST -H "$O" -H "$X" -d '{"site":1}' "$base/api/start"; code_is 400 "form body"
P() { req -X POST -H "$J" -H "$O" -H "$X" "$@"; }
P -d '{"site":1' "$base/api/start"; code_is 400 "bad JSON"
json_is '.error.code == "parse" and (.error.message | test("byte [0-9]+"))' "bad JSON"
P -d '[1]' "$base/api/start"; code_is 400 "array body"
P -d '{"site":1,"site":2}' "$base/api/start"; code_is 400 "duplicate key"
P -d '{"cmd":"reload"}' "$base/api/start"; code_is 400 "cmd in the body"
P -d '{"site":1,"bogus":1}' "$base/api/start"; code_is 400 "unknown key"; json_is '.error.code == "bad_request"' unknown
P -d '{"site":99}' "$base/api/start"; code_is 400 "site out of range"
P -d '{"site":9}' "$base/api/start"; code_is 404 "no such site"; json_is '.error.code == "no_site"' site9
P -d '{"site":1,"profile":"../../etc/passwd"}' "$base/api/start"; code_is 400 "profile path"
P -d '{"site":1,"serial":"<script>x</script>"}' "$base/api/start"; code_is 400 "serial too long"
P -d '{"site":1,"profile":"no-such-profile"}' "$base/api/start"; code_is 400 "unknown profile"
json_is '.error.code == "config"' profile
head -c 10000 /dev/zero | tr '\0' ' ' >"$T/big"
P --data-binary "@$T/big" "$base/api/start"; code_is 413 "oversized body"; json_is '.error.code == "too_long"' big
req -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$base/api/status"
case "$code" in 4??) ;; *) fail "20 kB header: HTTP $code, expected 4xx" ;; esac
P -d '{"site":2}' "$base/api/abort"; code_is 409 "abort idle"; json_is '.error.code == "idle"' idle

# events: a reading stream sees a run from start to verdict
curl -s -N --max-time 30 "$base/api/events" >"$T/ev" 2>/dev/null &
evpid=$!
i=0; until grep -q 'bertd events' "$T/ev" 2>/dev/null; do i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.05; done
P -d '{"site":1,"id":"w1"}' "$base/api/start"; code_is 200 start
json_is '.ok and .started == 1 and .id == "w1"' start
P -d '{"site":1}' "$base/api/start"; code_is 409 "start running"; json_is '.error.code == "busy"' busy
P -d '{"site":4}' "$base/api/start"; code_is 200 "start 4"
P -d '{"site":4}' "$base/api/abort"; code_is 200 "abort 4"
"$BERT" station watch >/dev/null || fail "watch"
i=0; until [ "$(grep -c '"event":"verdict"' "$T/ev")" -ge 2 ]; do i=$((i + 1)); [ $i -gt 200 ] && break; sleep 0.05; done
kill $evpid 2>/dev/null; wait $evpid 2>/dev/null
grep -q '^data: {"event":"run","site":1' "$T/ev" || fail "no run event on the stream"
grep -q '^data: {"event":"verdict","site":1.*"status":"complete"' "$T/ev" || fail "no verdict of site 1 on the stream"
grep -q '^data: {"event":"verdict","site":4.*"status":"aborted"' "$T/ev" || fail "site 4 not aborted on the stream"
req "$base/api/results"; json_is '[.runs[] | select(.site == 1 and .status == "complete")] | length == 1' "results after"
rid=$(printf '%s' "$out" | jq '[.runs[] | select(.site == 1)][0].id')
req "$base/api/report?id=$rid"; code_is 200 report; out_has 'SIM0100001'
req "$base/api/report?id=9999"; code_is 404 "report of no run"; json_is '.error.code == "not_found"' "no run"
req "$base/api/report?id=x"; code_is 400 "report id=x"
req "$base/api/report"; code_is 400 "report without id"
req "$base/api/report?id=1&id=2"; code_is 400 "report id twice"

# 100 event streams that never read (tiny receive buffers) while a run goes
# on: the daemon keeps serving a reading client
python3 - "$port" "$base" "$csrf" <<'PY' || fail "stalled streams"
import json, socket, subprocess, sys, time, urllib.request
port, base, csrf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks, refused = [], 0
for i in range(100):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    socks.append(s)
def call(path, body=None):
    h = {"Content-Type": "application/json", "Origin": "http://127.0.0.1:%d" % port,
         "X-CSRF-Token": csrf}
    r = urllib.request.Request(base + path, data=body, headers=h if body else {})
    try:
        with urllib.request.urlopen(r, timeout=10) as f:
            return json.loads(f.read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read())
assert call("/api/start", b'{"site":"all"}')["started"] == 8
done = False
for _ in range(400):
    st = call("/api/status")
    assert st["ok"], st
    if all(s["state"] == "idle" for s in st["sites"]) and all(s.get("last") for s in st["sites"]):
        done = True
        break
    time.sleep(0.05)
assert done, "runs did not end while 100 streams stalled"
# at most BERTD_HTTP_STREAMS streams: the rest got 503
busy = 0
for s in socks:
    s.settimeout(0.5)
    try:
        head = s.recv(64)
    except socket.timeout:
        head = b""
    busy += head.startswith(b"HTTP/1.1 503")
    s.close()
print("stalled streams: %d refused with 503 of 100" % busy)
assert busy >= 100 - 64, busy
PY
kill -0 $pid || fail "bertd died under the stalled streams"
req "$base/api/status"; code_is 200 "status after the stalled streams"
# the same port twice is refused
run "$BERTD" --config "$STATION" --socket "$T/y.sock" --db "$T/y.db" --foreground --http "127.0.0.1:$port"
status_is 3; err_has "cannot listen"
down

# ---- a token: loopback and elsewhere -----------------------------------------
echo "tok-0123456789abcdef" >"$T/token"
sed -e '/^\[bertd\]$/a http_token_file = '"$T/token" -e "s|^fixture = sim:|fixture = sim:$TOP/stations/|" \
	"$STATION" >"$T/tok.ini"
up --config "$T/tok.ini" --http 127.0.0.1:0 || exit 1
grep -q "needs the access token" "$T/bertd.log" || fail "no token notice at start"
A="Authorization: Bearer tok-0123456789abcdef"
req "$base/"; code_is 200 "page without the token (it holds no data)"
req "$base/api/status"; code_is 401 "no token"; json_is '.error.code == "unauthorized"' "no token"
req -H "Authorization: Bearer tok-0123456789abcdeX" "$base/api/status"; code_is 401 "wrong token"
req -H "Authorization: tok-0123456789abcdef" "$base/api/status"; code_is 401 "not Bearer"
req -H "$A" "$base/api/status"; code_is 200 "right token"
req "$base/api/status?token=tok-0123456789abcdef"; code_is 401 "token in the query of status"
req -H "$A" "$base/api/session"; json_is '.auth == "token"' "session with token"
req --max-time 1 "$base/api/events?token=tok-0123456789abcdef"
grep -q 'bertd events' "$T/body" || fail "events with ?token="
req --max-time 1 "$base/api/events?token=nope"; code_is 401 "events with a wrong token"
req "$base/api/report?id=1"; code_is 401 "report without the token"
req -X POST -H "$J" -H "$A" -d '{"site":2}' "$base/api/start"; code_is 200 "POST with the token"
req -X POST -H "$J" -d '{"site":3}' "$base/api/start"; code_is 401 "POST without the token"
req -H 'Host: evil.example' -H "$A" "$base/api/status"; code_is 200 "token: any Host"
"$BERT" station watch >/dev/null || fail "watch"
down
up --config "$T/tok.ini" --http 0.0.0.0:0 || exit 1
grep -q "http: 0.0.0.0:0: every /api/ and /metrics request needs the access token" "$T/bertd.log" \
	|| fail "non-loopback: no token notice"
req "$base/api/status"; code_is 401 "non-loopback without the token"
down
