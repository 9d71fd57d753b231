#!/bin/sh
# Bytes after a key are refused as malformed: text after the PEM END line,
# and bytes after the DER structure. Exit 3, the message names the file.
. "$top_srcdir/tests/cli/keygen_common.sh"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/k.pem" 2>/dev/null ||
    fail "openssl genpkey"
openssl pkey -in "$T/k.pem" -pubout -out "$T/k.pub" || fail "pubout"
openssl pkey -in "$T/k.pem" -pubout -outform DER -out "$T/k.der" || fail "pubout DER"
keygen_fpr "$T/k.pub" >/dev/null || fail "the clean file is refused"
keygen_fpr "$T/k.der" >/dev/null || fail "the clean DER file is refused"
{ cat "$T/k.pub"; printf 'trailing garbage\n'; } >"$T/trail.pub"
{ cat "$T/k.der"; printf 'X'; } >"$T/trail.der"
expect_refusal 3 "$T/trail.pub" "$SEAL_KEYGEN" -l "$T/trail.pub"
expect_refusal 3 "$T/trail.der" "$SEAL_KEYGEN" -l "$T/trail.der"
