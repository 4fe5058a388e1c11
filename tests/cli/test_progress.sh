# Live progress of long work: bert sweep and bert qualify print each sweep
# point as it lands (lane, attenuation, power, BER, elapsed, ETA) when
# stderr is a terminal (a real pty here), the same on every run (station
# time on the virtual clock), and nothing of it when stderr is not a
# terminal or with -q.
. "$(dirname "$0")/lib.sh"

pty_run() {	# $1: output file for the terminal's bytes; the rest: the command
	python3 - "$@" <<'PY'
import os, pty, subprocess, sys
outf, args = sys.argv[1], sys.argv[2:]
m, s = pty.openpty()
p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
buf = b""
while True:
    try:
        d = os.read(m, 65536)
    except OSError:
        break
    if not d:
        break
    buf += d
p.wait()
open(outf, "wb").write(buf)
sys.exit(p.returncode)
PY
}

pty_run "$T/a.tty" "$BERT" sweep --lanes 1-2 --sweep fixed || fail "sweep on a pty"
pty_run "$T/b.tty" "$BERT" sweep --lanes 1-2 --sweep fixed || fail "sweep on a pty (again)"
out=$(tr -d '\r' < "$T/a.tty"); err=""
out_has "sweep lane 1  point 1/[0-9]+  atten +[0-9.]+ dB  Prx +-?[0-9.]+ dBm  BER [<0-9.e+-]+  elapsed [0-9.]+ s  ETA"
out_has "sweep lane 2  point"
cmp -s "$T/a.tty" "$T/b.tty" || fail "progress differs between two identical runs"
# not a terminal: nothing extra on stderr
run "$BERT" sweep --lanes 1-2 --sweep fixed; status_is 0
printf '%s' "$err" | grep -q "sweep lane" && fail "progress on a stderr that is not a terminal"
# -q on a terminal: nothing either
pty_run "$T/q.tty" "$BERT" sweep --lanes 1 -q || fail "sweep -q on a pty"
grep -q "sweep lane" "$T/q.tty" && fail "progress with -q"
# qualify: the sensitivity step's points live
pty_run "$T/qual.tty" "$BERT" qualify --no-db || fail "qualify on a pty"
out=$(tr -d '\r' < "$T/qual.tty")
out_has "sensitivity"; out_has "sweep lane [1-4]  point [0-9]+/[0-9]+ .* ETA"
run "$BERT" qualify --no-db; status_is 0
printf '%s' "$err" | grep -q "sweep lane" && fail "qualify progress off a terminal"
exit 0
