#!/bin/sh
# A recipient's private key given as -r, in a -R list or in an unseal -s
# trust directory is refused (exit 4) with a hint naming its .pub, before
# anything in it is decrypted: even with the right passphrase at hand, an
# encrypted one is never opened.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
printf 'secret\n' >"$T/pw"
"$SEAL_KEYGEN" -o "$T/carol" -b 2048 --passphrase-file "$T/pw" >/dev/null || fail "keygen carol"
printf 'x\n' >"$T/msg"

# Unencrypted: refused by its format, the .pub beside it named.
expect_status 4 "$SEAL" -r "$T/bob.key" -s "$T/alice.key" -o "$T/o1" "$T/msg"
cat "$T/err"
grep -q "^seal: error: $T/bob.key: a private key; a public key is needed here" "$T/err" ||
    fail "unencrypted: $(cat "$T/err")"
grep -q "^seal: hint: give the public key instead: $T/bob.pub" "$T/err" || fail "no hint"
[ ! -e "$T/o1" ] || fail "an envelope was written"

# Encrypted, with its passphrase in the passphrase file: still refused.
expect_status 4 "$SEAL" -r "$T/carol.key" -s "$T/alice.key" --passphrase-file "$T/pw" \
    -o "$T/o2" "$T/msg"
grep -q "^seal: error: $T/carol.key: a private key" "$T/err" || fail "encrypted: $(cat "$T/err")"
grep -q "^seal: hint: give the public key instead: $T/carol.pub" "$T/err" || fail "no hint"
# No .pub beside it: the hint says how to make one.
cp "$T/bob.key" "$T/lone.key"
expect_status 4 "$SEAL" -r "$T/lone.key" -s "$T/alice.key" -o "$T/o3" "$T/msg"
grep -q "^seal: hint: .*seal-keygen -y $T/lone.key" "$T/err" || fail "lone: $(cat "$T/err")"

# In a -R list.
printf '%s\n' "$T/bob.pub" "$T/carol.key" >"$T/list"
expect_status 4 "$SEAL" -R "$T/list" -s "$T/alice.key" --passphrase-file "$T/pw" -o "$T/o4" \
    "$T/msg"
grep -q "^seal: error: $T/carol.key: a private key" "$T/err" || fail "-R: $(cat "$T/err")"

# As unseal -s, a file or in a trust directory.
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/m.seal" "$T/msg" || fail "seal"
expect_status 4 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.key" -o "$T/o5" "$T/m.seal"
grep -q "^unseal: error: $T/alice.key: a private key" "$T/err" || fail "-s FILE: $(cat "$T/err")"
grep -q "^unseal: hint: give the public key instead: $T/alice.pub" "$T/err" || fail "no hint"
mkdir "$T/trusted"
cp "$T/alice.key" "$T/trusted/alice.pub"
expect_status 4 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" -o "$T/o6" "$T/m.seal"
grep -q "trusted sender $T/trusted/alice.pub: a private key" "$T/err" || fail "DIR: $(cat "$T/err")"
grep -q "^unseal: hint: " "$T/err" || fail "no hint for the trust directory"
[ ! -e "$T/o6" ] || fail "output written"
echo "ok: private keys are not taken for recipients' or senders' keys"
