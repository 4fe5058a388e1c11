#!/bin/sh
# make demo: bert on the virtual bench (no hardware). Each step is a command a
# lab engineer would type; the fixture is the in-process emulated module.
set -e
B="${BERT_BUILD:-build}"
MOD=fixtures/sim/modules
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$B/bert" info
step "$B/bert" dom --bring-up
step "$B/bert" info --fixture "sim:$MOD/dr4-marginal.ini" --bring-up
step "$B/bert" dom --fixture "sim:$MOD/dr4-marginal.ini" --bring-up
step "$B/bert" fixture status
