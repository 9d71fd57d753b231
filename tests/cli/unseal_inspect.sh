#!/bin/sh
# --inspect without a key shows the version and the recipients' fingerprints
# (as OpenSSL computes them) and nothing of the plaintext; with -k and -s it
# also shows the sender, the creation time, the envelope ID and a good
# signature; --json gives the same as one JSON object.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob carol
printf 'THE-SECRET-PLAINTEXT-%s\n' 12345 >"$T/msg"
before=$(date -u +%s)
"$SEAL" -r "$T/bob.pub" -r "$T/carol.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg" ||
    fail "seal"

expect_status 0 "$UNSEAL" --inspect "$T/msg.seal"
cat "$T/out"
grep -qx "version: 1" "$T/out" || fail "no version line"
grep -qx "armored: no" "$T/out" || fail "no armored line"
grep -qx "recipients: 2" "$T/out" || fail "no recipient count"
grep -qx "recipient: $(openssl_fpr "$T/bob.pub")" "$T/out" || fail "bob's fingerprint missing"
grep -qx "recipient: $(openssl_fpr "$T/carol.pub")" "$T/out" || fail "carol's fingerprint missing"
grep -qx "envelope-bytes: $(wc -c <"$T/msg.seal" | tr -d ' ')" "$T/out" || fail "size"
grep -qx "decrypted: no" "$T/out" || fail "claims decryption"
grep -q "SECRET" "$T/out" && fail "plaintext in the inspect output"
grep -q "$(openssl_fpr "$T/alice.pub")" "$T/out" && fail "sender visible without a key"
grep -q "SECRET" "$T/msg.seal" && fail "plaintext in the envelope"

# From stdin, armored.
"$SEAL" -a -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.asc" "$T/msg" || fail "seal -a"
expect_status 0 "$UNSEAL" --inspect <"$T/msg.asc"
grep -qx "armored: yes" "$T/out" || fail "armor not reported"

expect_status 0 "$UNSEAL" --inspect -k "$T/bob.key" -s "$T/alice.pub" "$T/msg.seal"
cat "$T/out"
grep -qx "decrypted: yes" "$T/out" || fail "not decrypted"
grep -qx "plaintext-bytes: $(wc -c <"$T/msg" | tr -d ' ')" "$T/out" || fail "plaintext size"
grep -qx "sender: $(openssl_fpr "$T/alice.pub")" "$T/out" || fail "sender fingerprint"
grep -qx "sender-name: alice" "$T/out" || fail "sender name"
grep -qx "signature: good" "$T/out" || fail "signature status"
grep -qE "^envelope-id: [0-9a-f]{32}$" "$T/out" || fail "envelope id"
created=$(sed -n 's/^created: //p' "$T/out")
echo "$created" | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' ||
    fail "created: $created"
grep -q "SECRET" "$T/out" && fail "plaintext in the inspect output"

# Signed by someone else than -s says: reported as untrusted, exit 6.
expect_status 6 "$UNSEAL" --inspect -k "$T/bob.key" -s "$T/carol.pub" "$T/msg.seal"
grep -qx "signature: untrusted" "$T/out" || fail "untrusted not reported"
# Without -s the signature cannot be checked, which is no error.
expect_status 0 "$UNSEAL" --inspect -k "$T/bob.key" "$T/msg.seal"
grep -qx "signature: unchecked" "$T/out" || fail "unchecked not reported"

if command -v python3 >/dev/null 2>&1; then
    expect_status 0 "$UNSEAL" --inspect --json -k "$T/bob.key" -s "$T/alice.pub" "$T/msg.seal"
    python3 - "$T/out" "$(openssl_fpr "$T/bob.pub")" "$(openssl_fpr "$T/alice.pub")" \
        "$before" <<'PY' || fail "JSON output: $(cat "$T/out")"
import json, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, "not one line"
j = json.loads(text)
assert j["version"] == 1 and j["armored"] is False
assert sys.argv[2] in j["recipients"] and len(j["recipients"]) == 2
assert j["decrypted"] is True and j["signature"] == "good"
assert j["sender"] == sys.argv[3] and j["sender_name"] == "alice"
assert j["plaintext_bytes"] == 27
assert abs(j["created_unix"] - int(sys.argv[4])) < 600
assert len(j["envelope_id"]) == 32
PY
    expect_status 0 "$UNSEAL" --inspect --json "$T/msg.seal"
    python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["decrypted"] is False and "sender" not in j' \
        "$T/out" || fail "JSON without key: $(cat "$T/out")"
fi
# Not an envelope at all: malformed (3).
expect_status 3 "$UNSEAL" --inspect "$T/msg"
# Sizes anyone can check: an envelope cut so short that no signature fits
# is refused even without a key: authentication failure (1).
size=$(wc -c <"$T/msg.seal")
head -c $((size - 60)) "$T/msg.seal" >"$T/cut.seal"
expect_status 1 "$UNSEAL" --inspect "$T/cut.seal"
grep -q "truncated\|too short" "$T/err" || fail "cut envelope: $(cat "$T/err")"
echo "ok: inspect"
