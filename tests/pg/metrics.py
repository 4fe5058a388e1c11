# SPDX-License-Identifier: MIT
# Scrapes bertd /metrics endpoints and checks the text exposition format:
# every sample belongs to a family with # HELP and # TYPE, names and labels
# are well formed, values are numbers, histogram buckets are cumulative, and
# counters never go down from one scrape to the next.
#
#   metrics.py scrape STATE URL...   scrape each URL once, check, compare with
#                                    STATE (a JSON file of the last values),
#                                    update STATE; print "ok N samples"
#   metrics.py get URL NAME          print the value of sample NAME (no labels)
import json, math, os, re, sys, urllib.request

NAME = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*$')
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')

def fetch(url):
    with urllib.request.urlopen(url, timeout=20) as r:
        ct = r.headers.get("Content-Type", "")
        if not ct.startswith("text/plain") or "version=0.0.4" not in ct:
            raise SystemExit("%s: content type %r" % (url, ct))
        return r.read().decode()

def parse(url, text):
    types, helps, samples = {}, set(), {}
    for ln in text.splitlines():
        if ln.startswith("# HELP "):
            helps.add(ln.split()[2])
            continue
        if ln.startswith("# TYPE "):
            _, _, name, typ = ln.split()
            if not NAME.match(name) or typ not in ("counter", "gauge", "histogram"):
                raise SystemExit("%s: bad TYPE line %r" % (url, ln))
            types[name] = typ
            continue
        if not ln or ln.startswith("#"):
            continue
        m = SAMPLE.match(ln)
        if not m:
            raise SystemExit("%s: bad sample line %r" % (url, ln))
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        fam = re.sub(r'_(bucket|sum|count)$', '', name) if name not in types else name
        if fam not in types or fam not in helps:
            raise SystemExit("%s: %s has no TYPE/HELP" % (url, name))
        lab = {}
        rest = labels[1:-1] if labels else ""
        while rest:
            lm = LABEL.match(rest)
            if not lm:
                raise SystemExit("%s: bad labels in %r" % (url, ln))
            lab[lm.group(1)] = lm.group(2)
            rest = rest[lm.end():]
        v = float(value)
        if math.isnan(v):
            raise SystemExit("%s: NaN in %r" % (url, ln))
        key = name + json.dumps(sorted(lab.items()))
        if key in samples:
            raise SystemExit("%s: duplicate sample %r" % (url, ln))
        samples[key] = (fam, types[fam], name, lab, v)
    # histograms: buckets cumulative, +Inf = _count
    for key, (fam, typ, name, lab, v) in samples.items():
        if typ == "histogram" and name.endswith("_bucket"):
            other = {k: x for k, x in lab.items() if k != "le"}
            cnt = samples.get(fam + "_count" + json.dumps(sorted(other.items())))
            if cnt is None or v > cnt[4]:
                raise SystemExit("%s: bucket %r above its count" % (url, key))
            if lab["le"] == "+Inf" and v != cnt[4]:
                raise SystemExit("%s: +Inf bucket != count for %r" % (url, key))
    return samples

def main():
    if sys.argv[1] == "get":
        s = parse(sys.argv[2], fetch(sys.argv[2]))
        v = s.get(sys.argv[3] + "[]")
        print("absent" if v is None else "%g" % v[4])
        return
    state_path, urls = sys.argv[2], sys.argv[3:]
    old = json.load(open(state_path)) if os.path.exists(state_path) else {}
    new, total = {}, 0
    for url in urls:
        s = parse(url, fetch(url))
        for key, (fam, typ, name, lab, v) in s.items():
            k = url + " " + key
            if (typ == "counter" or typ == "histogram") and k in old and v < old[k]:
                raise SystemExit("%s went down: %g -> %g" % (k, old[k], v))
            new[k] = v
        finished = sum(x[4] for x in s.values() if x[0] == "bertd_runs_finished_total")
        if finished and not any(x[0] == "bertd_step_duration_seconds" for x in s.values()):
            raise SystemExit("%s: runs finished, no step durations" % url)
        for want in ("bertd_runs_started_total", "bertd_runs_finished_total",
                     "bertd_site_state",
                     "bertd_spool_backlog_runs", "bertd_upload_errors_total",
                     "bertd_instrument_lock_wait_seconds_total",
                     "bertd_worker_restarts_total"):
            if not any(x[0] == want for x in s.values()):
                raise SystemExit("%s: no %s" % (url, want))
        total += len(s)
    old.update(new)
    json.dump(old, open(state_path, "w"))
    print("ok %d samples" % total)

main()
