# SPDX-License-Identifier: MIT
# Checks a results database after a storage fault: PRAGMA integrity_check is
# ok; every run has a known status; no run reads pass unless it is complete
# with every step of the plan; every run's steps are a contiguous prefix of
# the plan in order (a finished step is never lost in the middle). Options:
#   --no-running       no run may be left "running" (after a recovery)
#   --min-steps RUN:N  run RUN (row id, or "last") holds at least N steps
#   --events FILE      bertd's --event-log: every step it reported ended
#                      ("step_end" after the site's "run" event) is stored
# Prints one line "runs N, steps N, by status {...}" and exits 1 on failure.
import json, sqlite3, sys

PLAN = ["identify", "bring_up", "dom", "tx_power", "lane_ber", "sensitivity",
        "link_budget", "module_power", "verdict"]

def main(argv):
    path, no_running, mins, events = argv[0], False, [], None
    i = 1
    while i < len(argv):
        if argv[i] == "--no-running":
            no_running = True
        elif argv[i] == "--min-steps":
            i += 1
            run, n = argv[i].split(":")
            mins.append((run, int(n)))
        elif argv[i] == "--events":
            i += 1
            events = argv[i]
        i += 1
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    bad = []
    ic = db.execute("PRAGMA integrity_check").fetchall()
    if ic != [("ok",)]:
        bad.append("integrity_check: %r" % ic[:5])
    fk = db.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        bad.append("foreign_key_check: %r" % fk[:5])
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        # the schema never committed (the fault came first): an empty
        # database, which the next open creates afresh
        print("runs 0, steps 0, no schema")
        for b in bad:
            print("FAIL: " + b)
        return 1 if bad or mins else 0
    runs = db.execute("SELECT id, status, verdict, message FROM runs ORDER BY id").fetchall()
    by = {}
    nsteps = 0
    for rid, status, verdict, msg in runs:
        by[status] = by.get(status, 0) + 1
        steps = db.execute("SELECT seq, name, status FROM steps WHERE run_id = ? "
                           "ORDER BY seq", (rid,)).fetchall()
        nsteps += len(steps)
        names = [s[1] for s in steps]
        if names != PLAN[:len(names)]:
            bad.append("run %d: steps %r are not a prefix of the plan" % (rid, names))
        if [s[0] for s in steps] != list(range(len(steps))):
            bad.append("run %d: step numbers %r not contiguous" % (rid, [s[0] for s in steps]))
        if status not in ("running", "complete", "aborted", "error"):
            bad.append("run %d: status %r" % (rid, status))
        if verdict in ("pass", "marginal") and (status != "complete" or len(steps) != len(PLAN)):
            bad.append("run %d: verdict %s with status %s and %d of %d steps (%s)"
                       % (rid, verdict, status, len(steps), len(PLAN), msg))
        if status == "complete" and len(steps) != len(PLAN):
            bad.append("run %d: complete with %d of %d steps" % (rid, len(steps), len(PLAN)))
        if no_running and status == "running":
            bad.append("run %d: left running" % rid)
        if status in ("aborted", "error") and not msg:
            bad.append("run %d: %s without a message" % (rid, status))
    for run, n in mins:
        rid = runs[-1][0] if run == "last" and runs else int(run)
        have = db.execute("SELECT count(*) FROM steps WHERE run_id = ?", (rid,)).fetchone()[0]
        if have < n:
            bad.append("run %d: %d steps stored, %d had finished" % (rid, have, n))
    if events:
        cur, claimed = {}, 0
        with open(events, errors="replace") as f:
            for line in f:
                try:
                    e = json.loads(line)
                except ValueError:
                    continue        # the line the kill cut short
                if e.get("event") == "run":
                    cur[e["site"]] = e["id"]
                elif e.get("event") == "step_end" and e.get("site") in cur:
                    claimed += 1
                    rid = cur[e["site"]]
                    if not db.execute("SELECT 1 FROM steps WHERE run_id = ? AND name = ?",
                                      (rid, e["step"])).fetchone():
                        bad.append("run %d: step %s reported ended, not stored"
                                   % (rid, e["step"]))
    print("runs %d, steps %d, by status %s" % (len(runs), nsteps, dict(sorted(by.items()))))
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0

sys.exit(main(sys.argv[1:]))
