#!/bin/sh
# SPDX-License-Identifier: MIT
# The layering of HACKING.md ("Layers"), as a table: each folder may
# include headers of itself and of the folders listed for it, which come
# before it in the dependency order (README "Layout", HACKING.md). A new
# folder must be added here, or its includes fail the check.
#
#   bert/core     the floor: errors, logging, clock, units, INI
#   bert/signal   PRBS, FEC, statistics                         core
#   fixtures      the path to the module (cmis/, sim/ within)   core signal
#   instruments   SCPI transports, front ends, models, sim/     core fixtures(*)
#   bert/qual     profiles, engine, steps, sweep, sites         core signal fixtures instruments
#   bert/store    the results stores                            core qual
#   bert/report   renderers of records                          core qual
#   bert/daemon   the station daemon's core                     core qual store fixtures instruments
#   cli           the programs                                  everything
#
# (*) only the emulators' wiring to the optical plant, which the emulator
#     include rule (check_includes.sh) confines to */sim and the sim: mapper.
# Prints each offending include as FILE:LINE and fails.
top=${1:-.}
cd "$top" || exit 2

allowed() {	# folder -> allowed include roots (besides itself)
	case "$1" in
	bert/core) echo "bert/core" ;;
	bert/signal) echo "bert/core bert/signal" ;;
	fixtures) echo "bert/core bert/signal fixtures" ;;
	instruments) echo "bert/core fixtures instruments" ;;
	bert/qual) echo "bert/core bert/signal fixtures instruments bert/qual" ;;
	bert/store) echo "bert/core bert/qual bert/store" ;;
	bert/report) echo "bert/core bert/qual bert/report" ;;
	bert/daemon) echo "bert/core bert/qual bert/store fixtures instruments bert/daemon" ;;
	cli) echo "bert fixtures instruments cli" ;;
	*) echo "?" ;;
	esac
}

room() {	# file -> its folder in the table
	case "$1" in
	bert/*) echo "$1" | cut -d/ -f1-2 ;;
	*) echo "$1" | cut -d/ -f1 ;;
	esac
}

bad=""
for f in $(find bert fixtures instruments cli -name '*.[ch]' | sort); do
	r=$(room "$f")
	ok=$(allowed "$r")
	if [ "$ok" = "?" ]; then
		bad="$bad
$f: folder $r is not in the layer table (tests/check_layers.sh)"
		continue
	fi
	grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*/' "$f" |
	while IFS= read -r line; do
		inc=$(echo "$line" | sed -E 's/^[0-9]+:[^"]*"([^"]*)".*/\1/')
		n=${line%%:*}
		pass=no
		for a in $ok; do
			case "$inc" in "$a"/*) pass=yes ;; esac
		done
		[ $pass = yes ] || echo "$f:$n: $r may not include $inc"
	done > "${TMPDIR:-/tmp}/layers.$$"
	if [ -s "${TMPDIR:-/tmp}/layers.$$" ]; then
		bad="$bad
$(cat "${TMPDIR:-/tmp}/layers.$$")"
	fi
	rm -f "${TMPDIR:-/tmp}/layers.$$"
done
if [ -n "$bad" ]; then
	echo "layer rule: includes against the dependency order:$bad" >&2
	exit 1
fi
echo "layer rule: ok"
