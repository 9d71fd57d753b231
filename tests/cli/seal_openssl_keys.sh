#!/bin/sh
# Keys made by OpenSSL work unchanged: plain PKCS#8 and encrypted PKCS#8
# (with --passphrase-file) for the sender and the recipient, SPKI public
# keys; a wrong passphrase is a key problem (4).
. "$top_srcdir/tests/cli/seal_common.sh"

command -v openssl >/dev/null 2>&1 || { echo "no openssl: skip"; exit 77; }
printf 'open sesame\n' >"$T/pw"
printf 'wrong\n' >"$T/bad"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/a.key" 2>/dev/null ||
    fail "genpkey a"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -aes-256-cbc \
    -pass file:"$T/pw" -out "$T/b.key" 2>/dev/null || fail "genpkey b"
grep -q "BEGIN ENCRYPTED PRIVATE KEY" "$T/b.key" || fail "b.key not encrypted"
openssl pkey -in "$T/a.key" -pubout -out "$T/a.pub" || fail "a.pub"
openssl pkey -in "$T/b.key" -passin file:"$T/pw" -pubout -out "$T/b.pub" || fail "b.pub"
chmod 600 "$T/a.key" "$T/b.key"
make_file "$T/msg" 30000

# a (plain) -> b (encrypted)
expect_status 0 "$SEAL" -r "$T/b.pub" -s "$T/a.key" -o "$T/ab.seal" "$T/msg"
expect_status 0 "$UNSEAL" -k "$T/b.key" --passphrase-file "$T/pw" -s "$T/a.pub" \
    -o "$T/ab.out" "$T/ab.seal"
same "$T/msg" "$T/ab.out"
# b (encrypted) -> a (plain)
expect_status 0 "$SEAL" -r "$T/a.pub" -s "$T/b.key" --passphrase-file "$T/pw" \
    -o "$T/ba.seal" "$T/msg"
expect_status 0 "$UNSEAL" -k "$T/a.key" -s "$T/b.pub" -o "$T/ba.out" "$T/ba.seal"
same "$T/msg" "$T/ba.out"
# The verdict shows the fingerprint OpenSSL computes for the sender.
grep -qF "$(openssl_fpr "$T/b.pub")" "$T/err" || fail "verdict: $(cat "$T/err")"
# Wrong passphrase, both sides.
expect_status 4 "$SEAL" -r "$T/a.pub" -s "$T/b.key" --passphrase-file "$T/bad" \
    -o "$T/x.seal" "$T/msg"
[ ! -e "$T/x.seal" ] || fail "envelope written despite a key error"
grep -q "^seal: error: $T/b.key: " "$T/err" || fail "message: $(cat "$T/err")"
expect_status 4 "$UNSEAL" -k "$T/b.key" --passphrase-file "$T/bad" -s "$T/a.pub" \
    -o "$T/x.out" "$T/ab.seal"
[ ! -e "$T/x.out" ] || fail "output written despite a key error"
echo "ok: OpenSSL keys"
