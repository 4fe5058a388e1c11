# SPDX-License-Identifier: MIT
# Soak: bertd with the 8-site virtual station runs MODULES modules back to
# back while faults are injected at seeded moments: the adapter unplugged,
# the module pulled out, the site's VOA going silent, answering garbage or
# its port vanishing in the middle of a run (at the start of the lane_ber
# step; restored after the run's verdict), SIGHUP reloads, a
# subscriber that stops reading, clients that reset their connection. The
# daemon is judged: every started run has a final record (runs lost = 0); a
# run without a module fault passes and a run with one ends with verdict
# error (or status error/aborted), never pass or fail (wrongly judged = 0); the daemon's RSS and
# open descriptors stay within a bound. One JSON line on stdout.
# Usage: soak.py BERTD BERT STATION DIR MODULES SEED
import json, os, random, select, signal, socket, sqlite3, struct, subprocess, sys, time

BERTD, BERT, STATION, DIR, MODULES, SEED = sys.argv[1:7]
MODULES, SEED = int(MODULES), int(SEED)
SPEED = os.environ.get("SOAK_SPEED", "20")
# Bounds on the growth from the end of the first 8 runs to the end: RSS
# 16 MiB (SQLite's page caches, 2 MiB per connection, fill as the database
# grows), 4 descriptors. Under AddressSanitizer freed memory waits in its
# quarantine (up to 256 MiB), so RSS is not judged there (SOAK_RSS_BOUND_KB=0).
RSS_BOUND_KB = int(os.environ.get("SOAK_RSS_BOUND_KB", "16384"))
FD_BOUND = 4
P_FAULT = 0.10
rng = random.Random(SEED)
sock_path = os.path.join(DIR, "bertd.sock")
db_path = os.path.join(DIR, "results.db")
t_wall0 = time.monotonic()

log = open(os.path.join(DIR, "bertd.log"), "w")
# --speed 20: station time runs at 20 times wall time, so the steps after
# lane_ber (>= 4 s of station time) leave the fault ~200 ms to land in the run
d = subprocess.Popen([BERTD, "--config", STATION, "--socket", sock_path, "--db", db_path,
                      "--foreground", "--speed", SPEED], stdout=log, stderr=subprocess.STDOUT)

def connect():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    return s

for _ in range(400):
    try:
        c = connect()
        break
    except OSError:
        if d.poll() is not None:
            sys.exit("bertd exited: %s" % open(log.name).read()[-2000:])
        time.sleep(0.05)
else:
    sys.exit("bertd did not come up")

def proc_figures():
    rss = 0
    with open("/proc/%d/status" % d.pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return rss, len(os.listdir("/proc/%d/fd" % d.pid))

buf = b""
next_id = [1]
def send(obj):
    obj["id"] = next_id[0]
    next_id[0] += 1
    c.sendall((json.dumps(obj) + "\n").encode())

send({"cmd": "subscribe"})
started = 0
runs = {}          # id -> {"site", "fault", "status", "verdict"}
cur = {}           # site -> run id
faulted = {}       # site -> kind of the active fault
faults = {"adapter_unplug": 0, "module_vanish": 0, "voa_silent": 0, "voa_garbage": 0,
          "voa_unplugged": 0, "sighup": 0, "stalled_subscriber": 0, "connection_reset": 0}
# Faults of the site's own VOA (voaN of station-8, used by no other site,
# so the fault belongs to this run): it stops answering, its next reply is
# garbage, or its port vanishes; cleared after the run's verdict.
VOA_FAULTS = {"voa_silent": "silent", "voa_garbage": "garbage", "voa_unplugged": "unplugged"}
starts_refused = 0
checks = {}        # status request id -> (site, run id)
late = [0]         # faults that came after their run had ended
starts_busy = [0]
station_ns = 0
stalled = []
fig0 = None
idle = set()

def start(site):
    global started
    send({"cmd": "start", "site": site})
    started += 1

for s in range(1, 9):
    start(s)
done_modules = 0
deadline = time.monotonic() + max(600, MODULES * 2)
while True:
    if done_modules >= MODULES and len(idle) == 8 and not faulted:
        break
    if time.monotonic() > deadline:
        print("soak: deadline passed", file=sys.stderr)
        break
    if d.poll() is not None:
        print("soak: bertd died (%s)" % d.returncode, file=sys.stderr)
        break
    r, _, _ = select.select([c], [], [], 1.0)
    if not r:
        continue
    data = c.recv(1 << 20)
    if not data:
        print("soak: connection closed by bertd", file=sys.stderr)
        break
    buf += data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        j = json.loads(line)
        if "ok" in j:
            chk = checks.pop(j.get("id"), None)
            if chk and j["ok"]:
                # the status read right after the fault: the site still
                # runs that run, so the fault hit it; otherwise the run had
                # ended and the fault belongs to no run
                site_st = j["sites"][chk[0] - 1]["state"]
                if site_st != "running":
                    runs[chk[1]]["late"] = True
                    late[0] += 1
            elif not j["ok"] and j.get("error", {}).get("code") == "busy":
                # re-inserting the module started the run itself (the
                # site's auto_start): it is counted by its "run" event
                starts_busy[0] += 1
            elif not j["ok"]:
                starts_refused += 1
                print("soak: refused: %s" % line[:200], file=sys.stderr)
            continue
        ev, site = j.get("event"), j.get("site")
        station_ns = max(station_ns, j.get("station_ns", 0))
        if ev == "run":
            cur[site] = j["id"]
            runs[j["id"]] = {"site": site, "fault": None, "late": False,
                             "status": None, "verdict": None}
            idle.discard(site)
        elif ev == "step" and j.get("step") == "lane_ber" and site in cur:
            if rng.random() < P_FAULT:
                kind = rng.choice(["adapter_unplug", "module_vanish"] + sorted(VOA_FAULTS))
                if kind == "adapter_unplug":
                    send({"cmd": "sim", "site": site, "unplugged": True})
                elif kind == "module_vanish":
                    send({"cmd": "sim", "site": site, "present": False})
                else:
                    send({"cmd": "sim", "site": site, "instrument": "voa%d" % site,
                          "fault": VOA_FAULTS[kind]})
                faults[kind] += 1
                faulted[site] = kind
                runs[cur[site]]["fault"] = kind
                checks[next_id[0]] = (site, cur[site])
                send({"cmd": "status"})
        elif ev == "verdict":
            rid = j.get("id")
            if rid in runs:
                runs[rid]["status"], runs[rid]["verdict"] = j["status"], j["verdict"]
            done_modules += 1
            kind = faulted.pop(site, None)
            if kind == "adapter_unplug":
                send({"cmd": "sim", "site": site, "unplugged": False})
            elif kind == "module_vanish":
                send({"cmd": "sim", "site": site, "present": True})
            elif kind in VOA_FAULTS:
                send({"cmd": "sim", "site": site, "instrument": "voa%d" % site,
                      "fault": "none"})
            if fig0 is None and done_modules >= 8:
                fig0 = proc_figures()
            # the other faults, at seeded moments between runs
            x = rng.random()
            if x < 0.02:
                os.kill(d.pid, signal.SIGHUP)
                faults["sighup"] += 1
            elif x < 0.03:
                s2 = connect()
                s2.sendall(b'{"cmd":"subscribe"}\n')
                s2.setblocking(False)
                stalled.append(s2)
                faults["stalled_subscriber"] += 1
                if len(stalled) > 2:
                    stalled.pop(0).close()
            elif x < 0.05:
                s3 = connect()
                s3.sendall(b'{"cmd":"status"')
                s3.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s3.close()
                faults["connection_reset"] += 1
        elif ev == "site" and j.get("state") == "idle":
            if done_modules + (8 - len(idle) - 1) < MODULES and site not in faulted:
                start(site)
            else:
                idle.add(site)
fig1 = proc_figures() if d.poll() is None else (None, None)
for s2 in stalled:
    s2.close()
c.close()
d.send_signal(signal.SIGTERM)
try:
    d.wait(60)
except subprocess.TimeoutExpired:
    d.kill()
    d.wait()

db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
stored = {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, status, verdict FROM runs")}
integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
by_status, lost, wrong = {}, 0, []
after_access = [0]
for rid, r in runs.items():
    st = stored.get(rid)
    if not st or st[0] == "running":
        lost += 1
        continue
    status, verdict = st
    key = "%s %s" % (status, verdict)
    by_status[key] = by_status.get(key, 0) + 1
    # Every module is good: a fail is always a wrong judgement. A run with
    # no fault must pass. A run whose module was pulled (adapter unplugged,
    # VOA silent, garbled or gone) must end with verdict error -- unless the fault landed
    # after the run's last module access (the client cannot see that
    # moment exactly: the record's final write, the end of the step
    # events): such a run passes, counted apart as fault_after_last_access.
    if verdict == "fail":
        wrong.append((rid, r["fault"], status, verdict))
    elif r["fault"]:
        if verdict in ("pass", "marginal"):
            after_access[0] += 1
        elif verdict != "error" and status not in ("error", "aborted"):
            wrong.append((rid, r["fault"], status, verdict))
    elif not (status == "complete" and verdict in ("pass", "marginal")):
        wrong.append((rid, None, status, verdict))
out = {
    "soak": "bertd station-8", "seed": SEED, "modules_run": len(runs),
    "starts_sent": started, "starts_refused": starts_refused,
    "starts_busy_auto_started": starts_busy[0],
    "runs_by_final_status": dict(sorted(by_status.items())),
    "faults_injected": faults, "faults_seen_after_run_state_idle": late[0],
    "fault_runs_passed_fault_after_last_access": after_access[0], "runs_lost": lost, "wrongly_judged": len(wrong),
    "daemon_rss_kb": {"start": fig0[0] if fig0 else None, "end": fig1[0],
                      "bound_growth": RSS_BOUND_KB or None,
                      **({} if RSS_BOUND_KB else
                         {"bound_reason": "not judged under AddressSanitizer (quarantine)"})},
    "daemon_fds": {"start": fig0[1] if fig0 else None, "end": fig1[1],
                   "bound_growth": FD_BOUND},
    "integrity_check": integrity, "daemon_exit": d.returncode,
    "station_time_s": round(station_ns / 1e9, 1),
    "wall_time_s": round(time.monotonic() - t_wall0, 1),
}
print(json.dumps(out))
ok = (lost == 0 and not wrong and starts_refused == 0 and integrity == "ok" and len(runs) >= MODULES and
      fig0 and fig1[0] is not None and
      (not RSS_BOUND_KB or fig1[0] - fig0[0] <= RSS_BOUND_KB) and
      fig1[1] - fig0[1] <= FD_BOUND and d.returncode == 0)
if wrong:
    print("wrongly judged (first 10): %r" % wrong[:10], file=sys.stderr)
sys.exit(0 if ok else 1)
