# The soak (tests/soak/soak.py; `make soak` runs 10 000 modules) in short:
# 48 modules through bertd's 8 sites with seeded faults; runs lost 0,
# wrongly judged 0, RSS and descriptors within bounds.
. "$(dirname "$0")/lib.sh"
# under ASan the daemon's RSS holds the quarantine: not judged (soak.py)
if ldd "${BERT_BUILD:-build}/bertd" | grep -q libasan; then
	export SOAK_RSS_BOUND_KB=0
fi
run python3 "$TOP/tests/soak/soak.py" "${BERT_BUILD:-build}/bertd" "$BERT" \
	"$TOP/stations/station-8.ini" "$T" "${BERT_SOAK_MODULES:-48}" "${BERT_SOAK_SEED:-22}"
status_is 0
out_has '"runs_lost": 0'
out_has '"wrongly_judged": 0'
echo "$out"
