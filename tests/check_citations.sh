#!/bin/sh
# SPDX-License-Identifier: MIT
# A self-contained tree: comments and documents cite the primary sources
# (OIF-CMIS section or page, IEEE 802.3 clause and table, a vendor guide's
# title and section; docs/SOURCES.md), never notes that live outside the
# repository or the tracker. Fails on
#   - a path into ../shared other than ../shared/testdata (the test data the
#     tests read is data, not a citation),
#   - the names of outside notes: CMIS.md, OPTICS-FEC.md, FTDI-MPSSE.md,
#     ANCHORS.md, STYLE.md, UMOCKDEV.md, ARCHITECTURE.md,
#   - an issue number ("issue 9", "issue #9", a bare "(#9)"); another
#     project's report is cited as owner/repo#N or repo#N.
# Prints each hit as FILE:LINE: text and fails.
top=${1:-.}
cd "$top" || exit 2
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard)
else
	files=$(find . -path ./build -prune -o -path ./.git -prune -o -type f -print |
		sed 's|^\./||')
fi
self=tests/check_citations.sh
# fuzz corpora (tests/fuzz/seeds) are data, like the test data
bad=$(printf '%s\n' "$files" | grep -v -x -F "$self" | grep -v '^tests/fuzz/seeds/' | while read -r f; do
	[ -f "$f" ] || continue
	grep -I -n -H -E \
		-e '\.\./shared/([^t]|t[^e]|te[^s]|tes[^t])' \
		-e '(^|[^[:alnum:]_/-])shared/(spec|design)' \
		-e '(^|[^[:alnum:]_-])(CMIS|OPTICS-FEC|FTDI-MPSSE|ANCHORS|STYLE|UMOCKDEV|ARCHITECTURE)\.md' \
		-e '(^|[^[:alnum:]_])[Ii]ssues? ?#?[0-9]+' \
		-e '(^|[ (])#[1-9][0-9]*([^[:alnum:]_]|$)' "$f"
done)
if [ -n "$bad" ]; then
	echo "citations: references outside the tree (cite the source, see docs/SOURCES.md):" >&2
	echo "$bad" >&2
	exit 1
fi
echo "citations: ok"
