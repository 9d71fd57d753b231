#!/bin/sh
# Without -b, seal-keygen makes a 3072-bit key.
. "$top_srcdir/tests/cli/keygen_common.sh"

"$SEAL_KEYGEN" -o "$T/k" --no-passphrase >/dev/null || fail "seal-keygen failed"
openssl pkey -pubin -in "$T/k.pub" -text -noout | grep -q '3072 bit' || fail "k.pub is not 3072 bits"
"$SEAL_KEYGEN" -l "$T/k.key" | grep -q '^3072 seal SHA256:' || fail "-l does not say 3072"
echo ok
