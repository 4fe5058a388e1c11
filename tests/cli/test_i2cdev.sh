# SPDX-License-Identifier: MIT
# bert over /dev/i2c-7 for real: fixtures/i2c_linux.c's open(), I2C_FUNCS
# and I2C_RDWR reach an emulated Linux I2C adapter (tests/i2cdev) under
# umockdev's preload library, with the emulated CMIS module and INA226 on
# its bus; the commands wait on the runner's virtual clock (clock shim).
. "$(dirname "$0")/lib.sh"
B=${BERT_BUILD:-build}
RUN="$B/tests/i2cdev_run"
U=i2c-dev:/dev/i2c-7
pre="$B/tests/ft232h_clock_shim.so:libumockdev-preload.so.0"
# the sanitizer build's runtime has to come first in LD_PRELOAD
if ldd "$BERT" 2>/dev/null | grep -q libasan; then
	asan=$(${CC:-cc} -print-file-name=libasan.so)
	[ -e "$asan" ] || { echo "SKIP: i2c-dev under umockdev with SAN: no libasan.so to preload"; exit 0; }
	pre="$asan:$pre"
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
fi
export I2CDEV_PRELOAD="$pre"
if ! "$RUN" @run true >"$T/probe" 2>&1; then
	echo "SKIP: umockdev cannot run here: $(cat "$T/probe")"
	exit 0
fi

# the device's kernel semantics and bert's translation of them
run "$RUN" --stats "$T/st" @run "$B/tests/i2cdev_probe"
status_is 0
out_has "all checks passed on /dev/i2c-7"
grep -q '"addr_nacks": 2, "data_nacks": 2' "$T/st" || fail "probe NACK counts: $(cat "$T/st")"

# scan lists the adapter from the testbed's /dev and sysfs
run "$RUN" @run "$BERT" scan
status_is 0
out_has "/dev/i2c-7 +bert emulated I2C adapter i2c-dev:/dev/i2c-7"

# info reads exactly what the in-process emulation gives
run "$BERT" info --fixture sim:
status_is 0
printf '%s\n' "$out" >"$T/info_sim"
run "$RUN" --stats "$T/st" @run "$BERT" info --fixture $U
status_is 0
printf '%s\n' "$out" | diff "$T/info_sim" - >/dev/null || fail "info over i2c-dev differs from sim:"
grep -q '"opens": 1, "ioctl_rdwr": [1-9]' "$T/st" || fail "info made no I2C_RDWR: $(cat "$T/st")"

# dom --bring-up and ber through I2C_RDWR, in virtual time
run "$RUN" @run "$BERT" dom --bring-up --fixture $U
status_is 0
out_has "^  4 +DPActivated +ConfigSuccess"
run "$RUN" @run "$BERT" ber --max-time 10s --json --fixture $U
status_is 0
out_has '"verdict": "pass"'
[ "$(printf '%s' "$out" | grep -c '"verdict": "pass"')" -ge 4 ] || fail "ber: not 4 lanes passed"

# qualify: the module steps run over i2c-dev; a bare adapter has no VOA,
# meter or power monitor, so the optical steps end in error, saying why
run "$RUN" @run "$BERT" qualify --no-db --fixture $U
status_is 3
out_has "^400gbase-dr4 on BERT-SIM SIM-400G-DR4 SN SIM0000001 .*i2c-dev:/dev/i2c-7"
out_has "^module +pass"
out_has "VERDICT: ERROR"
err_has "done pass: BERT-SIM SIM-400G-DR4 SN SIM0000001"
err_has "done pass: AppSel 1 active on host lanes 0xff"
err_has "no VOA or meter at the site"
err_has "skipped none: the fixture has no power monitor"

# no module in the cage: the address is NACKed (ENXIO), bert retries as
# documented, then names the node and the kernel's error
run "$RUN" --stats "$T/st" @remove @run "$BERT" info --fixture $U
status_is 3
err_has "^bert: .*no module answers at 0x50.*/dev/i2c-7: I2C_RDWR of messages 0\.\.1 \(address 0x50\) failed: No such device or address"
grep -q '"addr_nacks": 26,' "$T/st" || fail "retries: $(cat "$T/st")"
run "$RUN" @remove @run "$BERT" info --json --fixture $U
status_is 3
out_has '"name": "BERT_ERR_NACK"'
# ... and back in, the next command reads it
run "$RUN" @remove @run "$BERT" info -q --fixture $U @insert @run "$BERT" info -q --fixture $U
status_is 0
out_has "SN SIM0000001"

# a node that is not there
run "$RUN" @run "$BERT" info --fixture i2c-dev:/dev/i2c-8
status_is 3
err_has "/dev/i2c-8: No such file or directory"

# a bus with real timing: the module stretches SCL and NACKs its address for
# its internal write cycle after every write (page selects included); the
# CMIS driver retries, resuming at the group that was NACKed (a retry from
# the page select would start the write cycle again and never get through)
cat >"$T/slow.ini" <<'INI'
[module]
vendor_sn = SIMSLOW0001

[faults]
write_cycle_ms = 3
scl_stretch_us = 20
INI
run "$RUN" --module "$T/slow.ini" --stats "$T/st" @run "$BERT" dom --bring-up --fixture $U
status_is 0
out_has "^  4 +DPActivated +ConfigSuccess"
grep -Eq '"addr_nacks": [1-9]' "$T/st" || fail "no write-cycle NACK: $(cat "$T/st")"
grep -Eq '"stretch_ns": [1-9]' "$T/st" || fail "no clock stretching: $(cat "$T/st")"
run "$RUN" --module "$T/slow.ini" @run "$BERT" info --bring-up --stats --fixture $U
status_is 0
out_has "^I2C: [0-9]+ transactions, [1-9][0-9]* retries after NACK"
run "$RUN" --module "$T/slow.ini" @run "$BERT" info --stats --json --fixture $U
status_is 0
out_has '"retries": [0-9]'
# the same module in-process (sim:), where the bus honours stretching too
run "$BERT" info --bring-up --stats --fixture "sim:$T/slow.ini"
status_is 0
out_has "^I2C: [0-9]+ transactions, [1-9][0-9]* retries after NACK"
out_has "SN SIMSLOW0001|SIMSLOW0001"

# seeded round-trip jitter: the same seed, the same station time
run "$RUN" --jitter-seed 7 --stats "$T/j1" @run "$BERT" ber --max-time 10s --fixture $U
status_is 0
j1=$(printf '%s' "$out" | grep "station time")
run "$RUN" --jitter-seed 7 --stats "$T/j2" @run "$BERT" ber --max-time 10s --fixture $U
status_is 0
[ "$(printf '%s' "$out" | grep "station time")" = "$j1" ] || fail "jitter not reproducible"
grep -Eq '"latency_ns": [1-9]' "$T/j1" || fail "no latency charged: $(cat "$T/j1")"
cmp -s "$T/j1" "$T/j2" || fail "jitter stats differ: $(cat "$T/j1") / $(cat "$T/j2")"
