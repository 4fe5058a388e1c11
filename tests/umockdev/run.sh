#!/bin/sh
# Runs the libserialport-under-umockdev test: LD_PRELOAD = the TIOCM* shim,
# then umockdev's preload library (the shim must answer first). Under the
# sanitizer build the ASan runtime has to come first in LD_PRELOAD; when that
# does not work here the test is skipped with a message, not failed.
shim=$1; bin=$2
umock=libumockdev-preload.so.0
if [ "${SAN:-0}" = 1 ]; then
	asan=$(${CC:-cc} -print-file-name=libasan.so)
	if [ ! -e "$asan" ]; then
		echo "SKIP: umockdev serial test under SAN: no libasan.so to preload"
		exit 0
	fi
	LD_PRELOAD="$asan:$shim:$umock" timeout 120 "$bin"; rc=$?
	if [ $rc -eq 77 ] || [ $rc -eq 124 ]; then
		echo "SKIP: umockdev serial test under SAN (LD_PRELOAD with ASan: rc $rc)"
		exit 0
	fi
	exit $rc
fi
LD_PRELOAD="$shim:$umock" timeout 120 "$bin"
