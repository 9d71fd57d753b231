#!/bin/sh
# Valid key files whose parameters exceed the reading caps are a key
# problem, exit 4 (they were exit 3, "not a key file"): scrypt
# N > 2^20, p > 16, PBKDF2 > 10^7 iterations, a modulus over 8192 bits.
# The caps are checked before any key derivation, so the ciphertext inside
# does not matter.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v python3 >/dev/null || exit 77
# The files are built by tests/hardening/derkeys.py.
dk() { python3 "$top_srcdir/tests/hardening/derkeys.py" "$@" || exit 99; }
dk epki "$T/scrypt_n.key" scrypt $((1 << 21)) 8 1
dk epki "$T/scrypt_p.key" scrypt $((1 << 10)) 8 17
dk epki "$T/pbkdf2.key" pbkdf2 10000001
dk fake-pubs "$T/big" 1 8200 rsa
mv "$T/big/rsa0000.pub" "$T/rsa8200.pub"
echo pass >"$T/pw"
keypair alice bob
echo hello >"$T/msg"
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"
for k in scrypt_n scrypt_p pbkdf2; do
    chmod 600 "$T/$k.key"
    expect_status 4 "$SEAL_KEYGEN" -l "$T/$k.key" --passphrase-file "$T/pw"
    expect_status 4 "$UNSEAL" -k "$T/$k.key" --passphrase-file "$T/pw" -s "$T/alice.pub" \
        -o - "$T/msg.seal"
done
expect_status 4 "$SEAL_KEYGEN" -l "$T/rsa8200.pub"
grep -q '8200 bits' "$T/err" || fail "the modulus size is not named: $(cat "$T/err")"
expect_status 4 "$SEAL" -r "$T/rsa8200.pub" -s "$T/alice.key" -o - "$T/msg"
expect_status 4 "$UNSEAL" -k "$T/bob.key" -s "$T/rsa8200.pub" -o - "$T/msg.seal"
echo "over-cap keys: exit 4"
