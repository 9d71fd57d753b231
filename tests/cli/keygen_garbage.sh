#!/bin/sh
# A file of random bytes, and a text file that is not a key, are refused
# as malformed: exit 3, the message names the file.
. "$top_srcdir/tests/cli/keygen_common.sh"

openssl rand -out "$T/random.bin" 1200 || fail "openssl rand"
printf 'hello, this is not a key\n' >"$T/text.pem"
expect_refusal 3 "$T/random.bin" "$SEAL_KEYGEN" -l "$T/random.bin"
expect_refusal 3 "$T/text.pem" "$SEAL_KEYGEN" -l "$T/text.pem"
