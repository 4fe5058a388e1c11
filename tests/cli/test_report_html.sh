#!/bin/sh
# The HTML certificate and its PDF: a good, a marginal and a failing run on
# the virtual bench, parsed (tests/cli/report_check.py) and rendered by
# headless Chromium to PNG and PDF (pages rendered by poppler's pdftoppm).
. "$(dirname "$0")/lib.sh"
MOD="$TOP/fixtures/sim/modules"
CHECK="$TOP/tests/cli/report_check.py"
DB="$T/results.db"

for m in good:dr4-good marginal:dr4-marginal fail:dr4-weak-lane3; do
	name=${m%%:*}
	"$BERT" qualify --db "$DB" --fixture "sim:$MOD/${m#*:}.ini" --out "$T/$name" -q \
		>/dev/null 2>"$T/$name.err"
	[ -s "$T/$name/report.html" ] || { err=$(cat "$T/$name.err"); fail "$name: no report.html"; }
	run python3 "$CHECK" html "$T/$name/report.html" "$T/$name/record.json"
	status_is 0
done
out=$(grep -c 'data-verdict="marginal"' "$T/marginal/report.html")
[ "$out" = 1 ] || fail "the marginal run's banner"
# the untested limits of the profile are listed with a reason
grep -q '<tr class="untested"><td>tx_tdecq</td>' "$T/fail/report.html" ||
	fail "tx_tdecq not listed as untested"

# export from the store: the same certificate, and show --format html
run "$BERT" results export 3 --db "$DB" --format html -o "$T/exp.html"; status_is 0
run python3 "$CHECK" html "$T/exp.html" "$T/fail/record.json"; status_is 0
run "$BERT" results show 1 --db "$DB" --format html; status_is 0
out_has '^<!DOCTYPE html>'
out_has 'data-verdict="pass"'
run "$BERT" results show 1 --db "$DB" --format csv; status_is 2
err_has 'show: --format is text, json or html'
run "$BERT" results export 1 --db "$DB" --format pdf; status_is 2
err_has 'needs -o FILE.pdf'
# no Chromium: says which package to install, exit 2, nothing written
run env PATH=/nonexistent BERT_CHROMIUM= "$BERT" results export 1 --db "$DB" \
	--format pdf -o "$T/none.pdf"
status_is 2
err_has "install the Debian package 'chromium'"
[ ! -e "$T/none.pdf" ] || fail "a PDF without Chromium"

# strings from the module are escaped: a vendor name that is markup
sed 's/^vendor = .*/vendor = <script>x<\/b>/' "$MOD/dr4-good.ini" >"$T/evil.ini"
"$BERT" qualify --no-db --fixture "sim:$T/evil.ini" --out "$T/evil" -q >/dev/null 2>&1
run python3 "$CHECK" html "$T/evil/report.html" "$T/evil/record.json"; status_is 0
grep -q '&lt;script&gt;x&lt;/b&gt;' "$T/evil/report.html" || fail "vendor not escaped"

# traceability: the operator's options, the station's location and the
# instruments' calibration dates (station file), their *IDN? answers
sed -e "s|sim:\.\./fixtures|sim:$TOP/fixtures|" -e 's/^name = station-8$/&\nlocation = Penang <line 2>/' \
	-e '/^\[instrument opm1\]/a calibrated = 2026-01-31' "$TOP/stations/station-8.ini" >"$T/st.ini"
"$BERT" qualify --no-db --station "$T/st.ini" --site 2 --operator 'J. Doe' --work-order WO-4711 \
	--lot L-23 --out "$T/trace" -q >/dev/null 2>"$T/trace.err"
run python3 "$CHECK" html "$T/trace/report.html" "$T/trace/record.json"; status_is 0
for want in '<td>operator</td><td>J. Doe</td>' '<td>work order</td><td>WO-4711</td>' \
	'<td>lot</td><td>L-23</td>' '<td>site of the station</td><td>Penang &lt;line 2&gt;</td>' \
	'<td>opm1</td><td>[^<]*8163B[^<]*</td><td>2026-01-31</td>' \
	'<td>date code</td><td>250101</td>'; do
	grep -q "$want" "$T/trace/report.html" || fail "report.html lacks $want"
done
run "$BERT" qualify --no-db --lot "$(printf 'a\tb')"; status_is 2
err_has 'lot: .* is not 1-63 printable characters'
sed 's/^calibrated = .*/calibrated = 31.01.2026/' "$T/st.ini" >"$T/bad.ini"
run "$BERT" qualify --no-db --station "$T/bad.ini"; status_is 2
err_has 'bad.ini:[0-9]+.*calibrated: .31.01.2026. is not a date YYYY-MM-DD'

# Rendered by headless Chromium.
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ] || ! command -v pdftoppm >/dev/null; then
	if [ "${CI:-}" = true ]; then
		fail "chromium and poppler-utils are required (.ci/deps installs them)"
	else
		echo "SKIP: Chromium rendering: chromium or pdftoppm (poppler-utils) not installed"
	fi
	exit 0
fi
sandbox=""
[ "$(id -u)" -ne 0 ] || sandbox=--no-sandbox
shot() {	# URL PNG WIDTH HEIGHT
	"$CHROMIUM" --headless $sandbox --disable-gpu --no-first-run --hide-scrollbars \
		--user-data-dir="$T/chromium" --window-size="$3,$4" --screenshot="$2" "$1" \
		>"$T/chromium.log" 2>&1 || { err=$(cat "$T/chromium.log"); fail "chromium $1"; }
}
# One screenshot: the top of the good and the failing report (the verdict
# banner in its colour, bert/report/html.c .v-pass / .v-fail) and every plot
# of the failing run, each inside its frame and not blank.
h=$(python3 "$CHECK" grid "$T/fail/report.html" "$T/grid.html" "$T/grid.json" \
	"pass=$T/good/report.html" "fail=$T/fail/report.html")
shot "file://$T/grid.html" "$T/grid.png" 700 "$h"
run python3 "$CHECK" frames "$T/grid.png" "$T/grid.json"; status_is 0
out_has 'the pass banner is #1b7a2e'
out_has 'the fail banner is #c0141b'

# the PDF: each section on a page of its own, pages not blank
run "$BERT" results export 3 --db "$DB" --format pdf -o "$T/fail.pdf"; status_is 0
head -c 5 "$T/fail.pdf" | grep -q '%PDF-' || fail "not a PDF"
pdftoppm -r 20 "$T/fail.pdf" "$T/page"
pages=$(ls "$T"/page-*.ppm | wc -l)
# summary, waterfalls (+ points), the per-lane charts, the table of 74
# measurements over at least two pages, the untested limits and the steps
[ "$pages" -ge 6 ] && [ "$pages" -le 12 ] || fail "the PDF has $pages pages"
for p in "$T"/page-*.ppm; do
	# a blank page is all white: P6 header, then only 0xff bytes
	if [ "$(tail -c +20 "$p" | tr -d '\377' | wc -c)" -lt 100 ]; then
		fail "blank PDF page $p"
	fi
done
if command -v pdftotext >/dev/null; then
	n=1
	while [ "$n" -le "$pages" ]; do
		pdftotext -f "$n" -l "$n" "$T/fail.pdf" - | grep -v '^$' | head -1 >>"$T/tops"
		n=$((n + 1))
	done
	for s in 'BER waterfalls' 'Per lane against the limits' 'Every measurement'; do
		grep -qx "$s" "$T/tops" || fail "section '$s' does not start a page"
	done
fi
