#!/bin/sh
# SPDX-License-Identifier: MIT
# The layering rule of HACKING.md ("Layers"): emulators are reached only
# through the seams, so no file includes an emulator header (fixtures/sim/*.h,
# instruments/sim/*.h) except
#   - the emulators themselves (*/sim/),
#   - the code that maps a sim: URI to an emulator: fixtures/fixture_sim.c,
#     fixtures/fixture_mpsse_sim.c, instruments/scpi_sim.c, and the emulated
#     I2C adapter behind the sim: fixture (fixtures/i2c_sim.[ch]),
#   - bert-sim (cli/bert-sim*.c), the program that serves the emulators,
#   - tests/, which drive emulators directly (fault knobs, counters).
# Prints each offending include as FILE:LINE and fails.
top=${1:-.}
cd "$top" || exit 2
bad=$(grep -rn --include='*.c' --include='*.h' \
	-E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(fixtures|instruments)/sim/' \
	bert cli fixtures instruments 2>/dev/null |
	grep -v -E '^(fixtures/sim/|instruments/sim/|fixtures/fixture_sim\.c:|fixtures/fixture_mpsse_sim\.c:|instruments/scpi_sim\.c:|fixtures/i2c_sim\.[ch]:|cli/bert-sim[^/]*\.c:)')
if [ -n "$bad" ]; then
	echo "include rule: emulator headers outside the URI mappers and */sim:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "include rule: ok"
