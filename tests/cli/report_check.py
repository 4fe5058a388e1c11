# SPDX-License-Identifier: MIT
"""Checks of the HTML certificate (bert/report/html.c) for
tests/cli/test_report_html.sh, with the Python standard library only.

  report_check.py html REPORT.html RECORD.json
      well-formed (html.parser with balanced tags, and a strict XML parse),
      self-contained (no script, no external reference), every SVG parses on
      its own, the banner names the record's verdict, every measurement of
      the record is a row of the table, every sweep point a plot mark in its
      lane's waterfall and in the overlay.
  report_check.py grid REPORT.html OUT.html OUT.json [VERDICT=REPORT.html ...]
      lays the top of each VERDICT report (an iframe: its banner) and every
      SVG of REPORT at known places on one page, for one Chromium
      screenshot, and writes where each banner and frame is.
  report_check.py frames SHOT.png OUT.json
      in the screenshot, each banner has its verdict's colour and no other
      verdict's; every coloured pixel of each plot is inside its frame, and
      each frame holds coloured pixels (not blank).
"""
import html.parser
import json
import math
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG = '{http://www.w3.org/2000/svg}'
VOID = {'meta', 'br', 'hr', 'img', 'link', 'input', 'col', 'wbr', 'area',
        'base', 'source'}


class Balanced(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append('line %d: </%s> closes %s' % (
                self.getpos()[0], tag, self.stack[-1] if self.stack else 'nothing'))
            return
        self.stack.pop()


def fail(msg):
    print('report_check: ' + msg)
    sys.exit(1)


def report_num(v, log):
    """The C report_num() formatting, for matching table cells."""
    if v is None:
        return 'n/a'
    if isinstance(v, str):
        return v
    if log:
        return '%.2e' % v
    if v != 0 and abs(v) < 0.01:
        return '%.3g' % v
    return '%.2f' % v


def check_html(path, rec_path):
    text = open(path, encoding='utf-8').read()
    rec = json.load(open(rec_path))
    p = Balanced()
    p.feed(text)
    p.close()
    if p.errors or p.stack:
        fail('%s: unbalanced: %s %s' % (path, p.errors[:3], p.stack[:3]))
    if re.search(r'<script', text, re.I):
        fail('%s: has a script element' % path)
    if re.search(r'''(src|href)\s*=\s*["'](https?:)?//''', text, re.I) or \
            re.search(r'url\((?!#)', text):
        fail('%s: refers to an outside resource' % path)
    try:
        root = ET.fromstring(re.sub(r'^<!DOCTYPE html>', '', text))
    except ET.ParseError as e:
        fail('%s: not well-formed: %s' % (path, e))
    # every SVG on its own
    svgs = re.findall(r'<svg .*?</svg>', text, re.S)
    if len(svgs) < 2:
        fail('%s: %d plots' % (path, len(svgs)))
    for s in svgs:
        try:
            e = ET.fromstring(s)
        except ET.ParseError as e:
            fail('%s: an SVG does not parse: %s: %s' % (path, e, s[:80]))
        # no impossible number drawn: every tick label and note is finite
        for t in e.iter(SVG + 'text'):
            if re.search(r'\b(-?inf|nan)\b', ''.join(t.itertext()), re.I):
                fail('%s: plot %s shows %r' % (path, e.get('id'), ''.join(t.itertext())))
        for a in ('x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'width', 'height'):
            for el in e.iter():
                v = el.get(a)
                if v is not None and not math.isfinite(float(v)):
                    fail('%s: plot %s: %s="%s"' % (path, e.get('id'), a, v))
    # the banner
    ban = [e for e in root.iter() if e.get('id') == 'verdict']
    if len(ban) != 1:
        fail('no verdict banner')
    if ban[0].get('data-verdict') != rec['verdict'] or \
            'v-' + rec['verdict'] not in ban[0].get('class', ''):
        fail('banner %s, record %s' % (ban[0].attrib, rec['verdict']))
    # every measurement a row, with its value as the text report prints it
    rows = {}
    for tr in root.iter('tr'):
        if tr.get('class') == 'm':
            key = (tr.get('data-step'), tr.get('data-name'), int(tr.get('data-lane')))
            cells = [''.join(td.itertext()) for td in tr.findall('td')]
            rows.setdefault(key, []).append(cells)
    n = 0
    for s in rec['steps']:
        for m in s['measurements']:
            key = (s['name'], m['name'], m['lane'])
            if not rows.get(key):
                fail('measurement %s not in the table' % (key,))
            cells = rows[key].pop(0)
            want = report_num(m['value'], m['scale'] == 'log10')
            if cells[3] != want:
                fail('%s: value cell %r, record %r' % (key, cells[3], want))
            n += 1
    if any(rows.values()):
        fail('table rows without a measurement: %s' % [k for k, v in rows.items() if v])
    # every sweep point a mark, in its lane's plot and in the overlay
    plots = {e.get('id'): e for e in root.iter(SVG + 'svg')}
    npts = 0
    for s in rec['steps']:
        for pt in s.get('points', []):
            npts += 1
            x = pt['oma_dbm'] if pt['oma_dbm'] is not None else pt['power_dbm']
            y = pt['ber'] if pt['errors'] else 3.0 / pt['bits']
            for pid in ('wf-lane-%d' % pt['lane'], 'wf-all'):
                if pid not in plots:
                    fail('no plot %s' % pid)
                found = False
                for g in plots[pid].iter(SVG + 'g'):
                    if g.get('data-series') != 'lane %d' % pt['lane']:
                        continue
                    for mk in g.iter():
                        if mk.get('class') != 'mark':
                            continue
                        mx, my = float(mk.get('data-x')), float(mk.get('data-y'))
                        if abs(mx - x) < 1e-4 * max(1, abs(x)) and \
                                abs(math.log10(my) - math.log10(y)) < 1e-4:
                            found = True
                if not found:
                    fail('point lane %d x %g BER %g: no mark in %s' % (pt['lane'], x, y, pid))
    print('report_check: %s: %d measurements, %d sweep points, %d plots ok' % (
        path, n, npts, len(svgs)))


# the banner colours of bert/report/html.c (.v-pass ...)
BANNER = {'pass': '1b7a2e', 'marginal': 'b36b00', 'fail': 'c0141b', 'error': '6a1b9a'}


def grid(path, out_html, out_json, banners):
    text = open(path, encoding='utf-8').read()
    svgs = re.findall(r'<svg .*?</svg>', text, re.S)
    y = 0
    layout = []
    parts = ['<!DOCTYPE html><html><head><meta charset="utf-8"/><style>'
             'body{margin:0;background:#fff}div{position:absolute;left:0}'
             'iframe{border:0}'
             '</style></head><body>']
    bl = []
    for b in banners:
        verdict, url = b.split('=', 1)
        parts.append('<div style="top:%dpx"><iframe src="file://%s" width="700" '
                     'height="200" scrolling="no"></iframe></div>' % (y, url))
        bl.append({'verdict': verdict, 'top': y, 'height': 200})
        y += 220
    for s in svgs:
        e = ET.fromstring(s)
        w, h = float(e.get('width')), float(e.get('height'))
        fr = [r for r in e.iter(SVG + 'rect') if r.get('class') == 'frame'][0]
        fx, fy = float(fr.get('x')), float(fr.get('y'))
        layout.append({'id': e.get('id'), 'top': y, 'width': w, 'height': h,
                       'frame': [fx, fy + y, fx + float(fr.get('width')),
                                 fy + y + float(fr.get('height'))]})
        parts.append('<div style="top:%dpx">%s</div>' % (y, s))
        y += int(h) + 20
    parts.append('</body></html>')
    open(out_html, 'w', encoding='utf-8').write(''.join(parts))
    json.dump({'height': y, 'plots': layout, 'banners': bl}, open(out_json, 'w'))
    print('%d' % y)


def png_read(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        fail('%s: not a PNG' % path)
    pos, idat, w = 8, b'', 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype, _, _, lace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or lace:
                fail('%s: PNG type %d depth %d not handled' % (path, ctype, depth))
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for r in range(h):
        f = raw[r * (stride + 1)]
        line = bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def coloured(px):
    """A pixel of a plot colour: saturated, not the grey of grid and text."""
    r, g, b = px
    return max(r, g, b) - min(r, g, b) > 60


def frames(shot, layout_path):
    w, h, bpp, rows = png_read(shot)
    layout = json.load(open(layout_path))
    for b in layout['banners']:
        count = {}
        for y in range(b['top'], b['top'] + b['height']):
            row = rows[y]
            for x in range(0, min(w, 700)):
                k = row[x * bpp:x * bpp + 3].hex()
                count[k] = count.get(k, 0) + 1
        for v, c in BANNER.items():
            n = count.get(c, 0)
            if v == b['verdict'] and n < 20000:
                fail('%s banner: %d pixels of #%s' % (v, n, c))
            if v != b['verdict'] and n > 0:
                fail('%s banner: %d pixels of the %s colour' % (b['verdict'], n, v))
        print('report_check: the %s banner is #%s (%d pixels)' % (
            b['verdict'], BANNER[b['verdict']], count.get(BANNER[b['verdict']])))
    tol = 4     # a marker's radius and a line's half width over the frame
    for p in layout['plots']:
        x0, y0, x1, y1 = p['frame']
        inside = outside = 0
        for y in range(int(p['top']), min(h, int(p['top'] + p['height']))):
            row = rows[y]
            for x in range(0, min(w, int(p['width']))):
                px = row[x * bpp:x * bpp + 3]
                if not coloured(px):
                    continue
                if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol:
                    inside += 1
                else:
                    outside += 1
        if outside:
            fail('%s: %d coloured pixels outside the frame' % (p['id'], outside))
        if inside < 50:
            fail('%s: blank (%d coloured pixels)' % (p['id'], inside))
    print('report_check: %d plots inside their frames, none blank' % len(layout['plots']))


if __name__ == '__main__':
    cmd = sys.argv[1]
    if cmd == 'html':
        check_html(sys.argv[2], sys.argv[3])
    elif cmd == 'grid':
        grid(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif cmd == 'frames':
        frames(sys.argv[2], sys.argv[3])
    else:
        fail('unknown command ' + cmd)
