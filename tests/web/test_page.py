#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# The operator page in a real headless Chromium (Debian's chromium,
# chromium-driver, python3-selenium): bertd runs the 8-site virtual
# station; the page is driven as an operator would (a scanned serial +
# Enter, Start, Abort with its confirm, a reload mid-run, a daemon
# restart) and its screenshots are checked (non-blank tiles, verdict
# colours). Wall time from the daemon's verdict event (read on the control
# socket) to the page showing it is measured and printed, never asserted.
# Usage: test_page.py BERTD BERT STATION_INI TMPDIR SHOTDIR
import json, os, signal, socket, struct, subprocess, sys, threading, time, urllib.request, zlib

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

bertd, bert, station, tmp, shots = sys.argv[1:6]
sock = os.path.join(tmp, "bertd.sock")
env = dict(os.environ, BERT_STATION_SOCKET=sock)

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p

port = free_port()
base = "http://127.0.0.1:%d/" % port
log = open(os.path.join(tmp, "bertd.log"), "ab")

def start_daemon():
    p = subprocess.Popen([bertd, "--config", station, "--socket", sock, "--db",
                          os.path.join(tmp, "r.db"), "--foreground", "-v",
                          "--http", "127.0.0.1:%d" % port], stdout=log, stderr=log)
    for _ in range(400):
        if os.path.exists(sock):
            try:
                c = socket.socket(socket.AF_UNIX)
                c.connect(sock)
                c.close()
                return p
            except OSError:
                pass
        if p.poll() is not None:
            sys.exit("bertd exited: %s" % open(log.name).read()[-2000:])
        time.sleep(0.05)
    sys.exit("bertd did not come up")

# the daemon's verdict events, with the wall time they arrived
verdict_at = {}
def subscriber():
    c = socket.socket(socket.AF_UNIX)
    c.connect(sock)
    c.sendall(b'{"cmd":"subscribe"}\n')
    buf = b""
    while True:
        d = c.recv(65536)
        if not d:
            return
        buf += d
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            ev = json.loads(line)
            if ev.get("event") == "verdict":
                verdict_at[ev["site"]] = time.time() * 1000

def station_cli(*args):
    subprocess.run([bert, "station"] + list(args), env=env, check=True,
                   stdout=subprocess.DEVNULL)

# ---- PNG checks (no imaging library needed) --------------------------------
def png_pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and not inter, (depth, ctype, inter)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows

def region_colours(shot, rect, dpr):
    w, h, bpp, rows = shot
    x0, y0 = int(rect["x"] * dpr), int(rect["y"] * dpr)
    x1, y1 = min(w, int((rect["x"] + rect["width"]) * dpr)), min(h, int((rect["y"] + rect["height"]) * dpr))
    seen = {}
    for y in range(y0, y1, 2):
        r = rows[y]
        for x in range(x0, x1, 2):
            px = tuple(r[x * bpp:x * bpp + 3])
            seen[px] = seen.get(px, 0) + 1
    return seen

def has_colour(seen, rgb, tol=12, min_px=50):
    return sum(n for px, n in seen.items()
               if all(abs(px[i] - rgb[i]) <= tol for i in range(3))) >= min_px

VERDICT_RGB = {"pass": (0x13, 0x8a, 0x36), "fail": (0xc6, 0x28, 0x28),
               "marginal": (0xd9, 0x82, 0x00), "error": (0x6a, 0x1b, 0x9a),
               "aborted": (0x61, 0x61, 0x61)}

def check_shot(drv, name, verdicts=()):
    path = os.path.join(shots, name + ".png")
    drv.save_screenshot(path)
    shot = png_pixels(path)
    dpr = drv.execute_script("return window.devicePixelRatio")
    for t in drv.find_elements(By.CSS_SELECTOR, ".tile"):
        seen = region_colours(shot, t.rect, dpr)
        assert len(seen) > 8, "%s: tile %s is blank" % (name, t.get_attribute("id"))
    for site, v in verdicts:
        el = drv.find_element(By.CSS_SELECTOR, "#site-%d .verdict" % site)
        seen = region_colours(shot, el.rect, dpr)
        assert has_colour(seen, VERDICT_RGB[v]), "%s: site %d lacks the %s colour" % (name, site, v)
    print("screenshot %s: %d tiles non-blank%s" % (name, len(drv.find_elements(By.CSS_SELECTOR, ".tile")),
          ", colours " + " ".join("%d=%s" % sv for sv in verdicts) if verdicts else ""))

# ---- the run -------------------------------------------------------------------
daemon = start_daemon()
threading.Thread(target=subscriber, daemon=True).start()
opts = webdriver.ChromeOptions()
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
          "--window-size=1500,1000", "--force-device-scale-factor=1"):
    opts.add_argument(a)
opts.binary_location = "/usr/bin/chromium"
opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
wait = WebDriverWait(drv, 30, poll_frequency=0.05)
t0 = time.time()
try:
    drv.get(base)
    wait.until(lambda d: d.execute_script("return document.body.dataset.conn") == "up")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".tile")) == 8)
    assert drv.find_element(By.ID, "conn").text == "connected"
    st = lambda n: drv.find_element(By.ID, "site-%d" % n).get_attribute("data-state")
    q = lambda n, sel: drv.find_element(By.CSS_SELECTOR, "#site-%d %s" % (n, sel))
    # the text as the page set it (.text applies the CSS upper-casing)
    tc = lambda n, sel: q(n, sel).get_attribute("textContent")
    wait.until(lambda d: st(1) == "present")
    check_shot(drv, "idle")

    # site 3: a scanned serial (keystrokes + Enter), then Start
    q(3, ".serial").send_keys("ABC123" + Keys.ENTER)
    assert "ABC123" in q(3, ".msg").text
    q(3, ".start").click()
    wait.until(lambda d: st(3) == "running")
    wait.until(lambda d: "step" in q(3, ".step").text)
    first = q(3, ".step").text
    wait.until(lambda d: q(3, ".step").text != first and st(3) == "running")
    print("site 3 progresses: '%s' -> '%s'" % (first, q(3, ".step").text))
    # reload mid-run: the state is intact
    before = q(3, ".step").text
    drv.refresh()
    wait.until(lambda d: d.execute_script("return document.body.dataset.conn") == "up")
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".tile")) == 8)
    assert st(3) == "running" and not tc(3, ".verdict"), (st(3), tc(3, ".verdict"))
    after = q(3, ".step").text
    assert after.startswith("step ") and int(after.split()[1].split("/")[0]) >= \
        int(before.split()[1].split("/")[0]), (before, after)
    print("after a reload site 3 is still running: '%s' (was '%s')" % (after, before))
    # the other sites: an unplugged adapter (error), a hostile vendor name
    station_cli("sim", "--site", "2", "--unplugged", "1")
    # abort from the page (with its confirm), as soon as site 4 runs
    q(4, ".start").click()
    wait.until(lambda d: st(4) == "running")
    q(4, ".abort").click()
    WebDriverWait(drv, 10).until(lambda d: d.switch_to.alert).accept()
    wait.until(lambda d: q(4, ".msg").text)
    print("abort from the page: '%s'" % q(4, ".msg").text)
    # the reply ("aborting"), or already the verdict's message
    assert q(4, ".msg").text == "aborting" or q(4, ".msg").text.startswith("aborted"), \
        q(4, ".msg").text
    for n in (1, 2, 5, 6, 7, 8):
        q(n, ".start").click()
    wait.until(lambda d: st(8) == "running")
    check_shot(drv, "running")
    # verdicts
    wait.until(lambda d: tc(3, ".verdict") == "fail")
    assert q(3, ".verdict").get_attribute("data-verdict") == "fail"
    wait.until(lambda d: tc(4, ".verdict") == "aborted")
    wait.until(lambda d: all(tc(n, ".verdict") for n in range(1, 9)))
    shown = drv.execute_script("return window.bertVerdictShown || {}")
    for n in sorted(verdict_at):
        if str(n) in shown:
            print("site %d: verdict shown %+.0f ms (wall) after the daemon sent it on the socket "
                  "(one host clock; < 0: the page had it first)" %
                  (n, shown[str(n)] - verdict_at[n]))
    got = {n: tc(n, ".verdict") for n in range(1, 9)}
    print("verdicts:", got)
    assert got[2] == "error" and got[4] == "aborted" and got[3] == "fail", got
    assert got[1] == "pass" and got[7] in ("marginal", "fail"), got
    # the hostile module: its vendor name and PN are text, nothing ran
    wait.until(lambda d: tc(5, ".vendor") != "")
    assert tc(5, ".vendor") == "<script>alert(1)", tc(5, ".vendor")
    assert tc(5, ".pn") == "<svg onload=a()>", tc(5, ".pn")
    assert not drv.find_elements(By.CSS_SELECTOR, "#sites script, #sites svg")
    assert not drv.execute_script("return window.pwned === 1")
    try:
        drv.switch_to.alert
        raise AssertionError("an alert opened")
    except NoAlertPresentException:
        pass
    # recent runs and today's yield
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs tbody tr")) >= 8)
    y1 = drv.find_element(By.ID, "yield-1").text.split()
    assert y1[:3] == ["1", "1", "1"] and y1[3] == "100", y1
    assert drv.find_element(By.ID, "yield-3").text.split()[:3] == ["3", "0", "1"]
    assert drv.find_element(By.ID, "yield-4").text.split() == ["4", "0", "0", "n/a"]
    assert drv.find_element(By.ID, "yield-7").text.split()[:3] == ["7", "1", "1"]
    # each stored run links its report
    link = drv.find_element(By.CSS_SELECTOR, "#runs tbody tr a")
    href = link.get_attribute("href")
    with urllib.request.urlopen(href, timeout=10) as f:
        rep = f.read().decode()
    assert f.status == 200 and "SIM0" in rep, rep[:300]
    print("report link %s: %d bytes of text" % (href.replace(base, "/"), len(rep)))
    check_shot(drv, "mixed", [(1, "pass"), (3, "fail"), (2, "error"), (4, "aborted")] +
               ([(7, got[7])] if got[7] in VERDICT_RGB else []))

    # until here the page logged no error (after, the restart refuses its
    # connections, which Chromium logs)
    logs = [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
    for e in logs:
        print("browser console:", e.get("message"))
    assert not logs, "the page logged errors"

    # restart the daemon: the page says disconnected, then reconnects
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(30) == 0, "bertd exited with %d" % daemon.returncode
    wait.until(lambda d: d.execute_script("return document.body.dataset.conn") == "down")
    assert drv.find_element(By.ID, "conn").text == "disconnected"
    daemon = start_daemon()
    wait.until(lambda d: d.execute_script("return document.body.dataset.conn") == "up")
    # and works: a start from the page runs
    q(6, ".start").click()
    wait.until(lambda d: tc(6, ".verdict") == "pass")
    print("reconnected after the restart; site 6 ran again: pass")
    print("browser test: %.1f s wall" % (time.time() - t0))
except BaseException:
    # what the page showed when it failed
    for t in drv.find_elements(By.CSS_SELECTOR, ".tile"):
        print("%s [%s]: %s" % (t.get_attribute("id"), t.get_attribute("data-state"),
                              t.text.replace("\n", " | ")))
    drv.save_screenshot(os.path.join(shots, "failed.png"))
    raise
finally:
    drv.quit()
    daemon.send_signal(signal.SIGTERM)
    rc = daemon.wait(30)
assert rc == 0, "bertd exited with %d (SIGTERM)" % rc
