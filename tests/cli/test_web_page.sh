# SPDX-License-Identifier: MIT
# The operator page in a real headless browser (tests/web/test_page.py):
# bertd on the 8-site virtual station, with site 5's module named
# "<script>alert(1)" / "<svg onload=a()>" (16 bytes, the CMIS vendor name
# and part number fields) and site 7's module marginal. Screenshots go to
# $BERT_BUILD/web-shots/.
. "$(dirname "$0")/lib.sh"

BERTD="${BERT_BUILD:-build}/bertd"
SHOTS="${BERT_BUILD:-build}/web-shots"
for c in /usr/bin/chromium /usr/bin/chromedriver; do
	[ -x $c ] || { echo "SKIP: $c is not installed (.ci/deps)"; [ "${CI:-}" = true ] && fail "$c missing"; exit 0; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || {
	echo "SKIP: python3-selenium is not installed (.ci/deps)"; [ "${CI:-}" = true ] && fail "selenium missing"; exit 0; }
mkdir -p "$SHOTS"

TOPA=$(cd "$TOP" && pwd)
M="$TOPA/fixtures/sim/modules"
sed -e 's|^vendor = .*|vendor = <script>alert(1)|' -e 's|^vendor_pn = .*|vendor_pn = <svg onload=a()>|' \
	"$M/dr4-good.ini" >"$T/evil.ini"
sed -e "s|^module = \.\./modules/|module = $M/|" \
	-e '/^\[site 5\]$/{n;s|^module = .*|module = '"$T"'/evil.ini|}' \
	-e '/^\[site 7\]$/{n;s|^module = .*|module = '"$M"'/dr4-marginal.ini|}' \
	"$TOPA/fixtures/sim/benches/station-8.ini" >"$T/bench.ini"
sed -e "s|^fixture = sim:.*?site=|fixture = sim:$T/bench.ini?site=|" \
	-e 's|^speed = .*|speed = 2|' "$TOP/stations/station-8.ini" >"$T/station.ini"
grep -q "evil.ini" "$T/bench.ini" || fail "bench not rewritten"
/usr/bin/python3 "$TOP/tests/web/test_page.py" "$BERTD" "$BERT" "$T/station.ini" "$T" "$SHOTS" \
	>"$T/out" 2>&1 || { cat "$T/out"; tail -30 "$T/bertd.log"; fail "browser test"; }
cat "$T/out"
