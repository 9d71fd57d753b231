#!/bin/sh
# A wrong passphrase is refused: exit 4, the message names the key file.
. "$top_srcdir/tests/cli/keygen_common.sh"

printf 'right\n' >"$T/pw"
printf 'wrong\n' >"$T/wrong"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc \
    -pass file:"$T/pw" -out "$T/k.pem" 2>/dev/null || fail "openssl genpkey"
keygen_fpr "$T/k.pem" --passphrase-file "$T/pw" >/dev/null || fail "right passphrase refused"
expect_refusal 4 "$T/k.pem" "$SEAL_KEYGEN" -l "$T/k.pem" --passphrase-file "$T/wrong"
grep -qi 'passphrase' "$T/refusal.err" || fail "message does not blame the passphrase"
