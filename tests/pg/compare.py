# SPDX-License-Identifier: MIT
# Compares a station store with the central database, through bert itself:
# the same runs (by UUID), each exactly once, in the station's order, and
# every run identical (run row, steps, measurements, sweep points: the whole
# exported record, ids aside).
#
#   compare.py BERT STATION LOCAL_DB CENTRAL_URI   prints "STATION: N runs identical"
import json, subprocess, sys

bert, station, local, central = sys.argv[1:5]

def run(*args):
    p = subprocess.run([bert] + list(args), capture_output=True, text=True)
    if p.returncode:
        raise SystemExit("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return json.loads(p.stdout)

loc = run("results", "list", "--db", local, "--station", station, "--json")
cen = run("results", "list", "--db", central, "--station", station, "--json")
# newest first: the station's order is its row ids ascending, the central
# database's is the order the runs first arrived
lu = [r["uuid"] for r in sorted(loc, key=lambda r: r["id"])]
cu = [r["uuid"] for r in sorted(cen, key=lambda r: r["id"])]
if len(set(cu)) != len(cu):
    raise SystemExit("%s: a run is in the central database twice" % station)
missing = set(lu) - set(cu)
extra = set(cu) - set(lu)
if missing or extra:
    raise SystemExit("%s: %d runs missing centrally, %d extra" % (station, len(missing),
                                                                len(extra)))
if lu != cu:
    raise SystemExit("%s: runs arrived out of order" % station)
if any(r["status"] == "running" for r in loc):
    raise SystemExit("%s: a run is still running" % station)

def strip(rec):
    rec.pop("id", None)
    return rec

for u in lu:
    a = strip(run("results", "export", u, "--db", local, "--format", "json"))
    b = strip(run("results", "export", u, "--db", central, "--format", "json"))
    if a != b:
        for k in a:
            if a.get(k) != b.get(k):
                raise SystemExit("%s: run %s differs in %s" % (station, u, k))
        raise SystemExit("%s: run %s differs" % (station, u))
print("%s: %d runs identical" % (station, len(lu)))
