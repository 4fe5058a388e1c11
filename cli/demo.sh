#!/bin/sh
# make demo: the main job on the virtual bench.
set -e
B="${BERT_BUILD:-build}"
"$B/bert" --version
