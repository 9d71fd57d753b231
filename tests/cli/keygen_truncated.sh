#!/bin/sh
# A PEM public key cut short (END line missing) and a DER key missing its
# last bytes are refused as malformed: exit 3, the message names the file.
. "$top_srcdir/tests/cli/keygen_common.sh"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/k.pem" 2>/dev/null ||
    fail "openssl genpkey"
openssl pkey -in "$T/k.pem" -pubout -out "$T/k.pub" || fail "pubout"
openssl pkey -in "$T/k.pem" -pubout -outform DER -out "$T/k.der" || fail "pubout DER"
keygen_fpr "$T/k.pub" >/dev/null || fail "the whole file is refused"
lines=$(wc -l <"$T/k.pub")
head -n $((lines - 2)) "$T/k.pub" >"$T/cut.pub"
size=$(wc -c <"$T/k.der")
head -c $((size - 7)) "$T/k.der" >"$T/cut.der"
expect_refusal 3 "$T/cut.pub" "$SEAL_KEYGEN" -l "$T/cut.pub"
expect_refusal 3 "$T/cut.der" "$SEAL_KEYGEN" -l "$T/cut.der"
