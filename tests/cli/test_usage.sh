# The bert front end: usage, version, unknown command.
. "$(dirname "$0")/lib.sh"
run "$BERT" --version; status_is 0; out_has '^bert [0-9]+\.[0-9]+'
run "$BERT"; status_is 2; err_has 'usage: bert'
run "$BERT" frobnicate; status_is 2; err_has "unknown command 'frobnicate'"
run "$BERT" --help; status_is 0; out_has 'Exit codes'
