#!/bin/sh
# A non-RSA (EC P-256) key is refused, public and private: exit 4, the
# message names the file.
. "$top_srcdir/tests/cli/keygen_common.sh"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.pem" 2>/dev/null ||
    { echo "openssl cannot make EC keys: skipping"; exit 77; }
openssl pkey -in "$T/ec.pem" -pubout -out "$T/ec.pub" || fail "pubout"
expect_refusal 4 "$T/ec.pub" "$SEAL_KEYGEN" -l "$T/ec.pub"
grep -q 'RSA' "$T/refusal.err" || fail "message does not say it is not RSA"
expect_refusal 4 "$T/ec.pem" "$SEAL_KEYGEN" -l "$T/ec.pem"
grep -q 'RSA' "$T/refusal.err" || fail "message does not say it is not RSA"
