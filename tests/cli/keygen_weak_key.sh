#!/bin/sh
# A 1024-bit RSA key is refused (public and private file): exit 4, the
# message names the file.
. "$top_srcdir/tests/cli/keygen_common.sh"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$T/weak.pem" 2>/dev/null ||
    fail "openssl genpkey 1024"
openssl pkey -in "$T/weak.pem" -pubout -out "$T/weak.pub" || fail "pubout"
expect_refusal 4 "$T/weak.pub" "$SEAL_KEYGEN" -l "$T/weak.pub"
grep -qi 'bit' "$T/refusal.err" || fail "message does not give the key size as the reason"
expect_refusal 4 "$T/weak.pem" "$SEAL_KEYGEN" -l "$T/weak.pem"
grep -qi 'bit' "$T/refusal.err" || fail "message does not give the key size as the reason"
