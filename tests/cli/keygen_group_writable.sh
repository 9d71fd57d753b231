#!/bin/sh
# A private key file writable by its group (chmod 620) is refused: exit 4,
# the message names the file.
. "$top_srcdir/tests/cli/keygen_common.sh"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/k.pem" 2>/dev/null ||
    fail "openssl genpkey"
keygen_fpr "$T/k.pem" >/dev/null || fail "mode 600 refused"
chmod 620 "$T/k.pem"
expect_refusal 4 "$T/k.pem" "$SEAL_KEYGEN" -l "$T/k.pem"
