# bert decode: real module images (text and JSON), round trip through the
# hex form, bad files exit 2 with a message naming the file.
. "$(dirname "$0")/lib.sh"
R="$TOP/../shared/testdata/cmis-real"

run "$BERT" decode; status_is 2; err_has 'usage: bert decode'
run "$BERT" decode --help; status_is 0; out_has 'ethtool -m DEV hex on'
run "$BERT" decode "$T/missing.bin"; status_is 2; err_has 'missing.bin: No such file'
: >"$T/empty.bin"
run "$BERT" decode "$T/empty.bin"; status_is 2; err_has 'empty.bin: empty'
head -c 200 /dev/urandom >"$T/short.bin"
run "$BERT" decode "$T/short.bin"; status_is 2; err_has 'short.bin: 200 bytes'
printf 'hello, world\n' >"$T/text.txt"
run "$BERT" decode "$T/text.txt"; status_is 2; err_has "text.txt: line 1, column 1: 'hello,'"
head -c 256 /dev/zero >"$T/zero.bin"
run "$BERT" decode "$T/zero.bin"; status_is 2; err_has 'all 256 bytes are zero'

if [ ! -d "$R" ]; then
	echo "skip: $R absent"
	exit 0
fi

run "$BERT" decode "$R/arista_qsfpdd_400g_xdr4.bin"; status_is 0
out_has '^Identifier +: QSFP-DD \(0x18\)'
out_has '^Vendor +: Arista Networks$'
out_has '^Part number +: QDD-400G-XDR4$'
out_has '400GAUI-8 C2M \(Annex 120E\) \[11\] +400GBASE-DR4 \(Cl 124\) \[1c\] +8/4'
out_has '^Checksums +: 00h valid, 01h valid, 02h valid'
[ -z "$err" ] || fail "unexpected stderr"

run "$BERT" decode -v "$R/juniper_osfp_800g_dr8.bin"; status_is 0
out_has '^Wavelength +: 1311.00 nm'
out_has '^  8 +DPActivated +ConfigSuccess'
out_has '^Tx bias limits'

run "$BERT" decode --json "$R/arista_osfp_2x400g_xdr4.bin"; status_is 0
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("identifier", "identifier_code", "cmis_revision", "vendor", "media_type",
          "applications", "module_state", "checksums"):
    assert k in d, k
for k in ("name", "oui", "pn", "rev", "sn", "date_code"):
    assert k in d["vendor"], k
assert d["identifier"] == "OSFP" and d["identifier_code"] == 25
assert d["cmis_revision"] == "5.0" and d["module_state"] == "ModuleReady"
assert d["vendor"]["pn"] == "FB-P800G-2XDR4-1" and d["vendor"]["oui"] == "00-1c-73"
a = d["applications"][0]
assert [a[k] for k in ("appsel", "host_id", "media_id", "host_lanes", "media_lanes")] == [1, 0x50, 0x1c, 4, 4], a
assert a["host"].startswith("400GAUI-4-L") and a["media"].startswith("400GBASE-DR4")
assert d["checksums"] == {"page00h": True, "page01h": True, "page02h": True}
assert len(d["dom"]["lanes"]) == 8 and d["dom"]["module"]["power_w"] is None
' || fail "JSON contract"

# A flat-memory DAC: pages 01h/02h null.
run "$BERT" decode --json "$R/mellanox_qsfpdd_dac_mcp1660.bin"; status_is 0
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["memory_model"] == "flat" and d["checksums"]["page01h"] is None
assert d["vendor"]["name"] == "Mellanox" and len(d["applications"]) == 8
' || fail "flat JSON"

# The corrupted page: decoded, marked, warned, exit 0; -q silences the warning.
run "$BERT" decode "$R/fboss_synth_cmis_200g_fr4_bad_checksum.bin"; status_is 0
err_has 'warning: .*bad_checksum.bin: page 00h checksum is invalid'
out_has '^Checksums +: 00h INVALID'
run "$BERT" decode --json -q "$R/fboss_synth_cmis_200g_fr4_bad_checksum.bin"; status_is 0
[ -z "$err" ] || fail "-q left stderr"
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["checksums"]["page00h"] is False and d["vendor"]["name"] == "FACETEST"
' || fail "bad checksum JSON"

# Every image decodes, in both forms; the hex form (ethtool layout) gives
# the same JSON as the binary.
for f in "$R"/*.bin; do
	run "$BERT" decode --json -q "$f"; status_is 0
	printf '%s\n' "$out" >"$T/a.json"
	od -An -v -tx1 -w16 "$f" | awk '{ printf "0x%04x:\t\t%s \n", (NR-1)*16, substr($0, 2) }' >"$T/x.hex"
	run "$BERT" decode --json -q "$T/x.hex"; status_is 0
	printf '%s\n' "$out" | cmp -s - "$T/a.json" || fail "hex and bin differ for $f"
done
