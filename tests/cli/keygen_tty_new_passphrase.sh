#!/bin/sh
# At a terminal, seal-keygen asks for the new passphrase twice with echo
# off, asks again after a mismatch, and encrypts the key with it; the
# passphrase never appears on the terminal.
. "$top_srcdir/tests/cli/keygen_common.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipping"; exit 77; }

python3 "$top_srcdir/tests/cli/keygen_pty.py" \
    expect='Enter new passphrase' echo=off send=first-try \
    expect='again' echo=off send=first-tyop \
    expect='do not match' \
    expect='Enter new passphrase' send=zebra-7 \
    expect='again' send=zebra-7 \
    exit=0 hidden=first-try hidden=zebra-7 \
    -- "$SEAL_KEYGEN" -o "$T/k" -b 2048 || fail "dialogue"
openssl pkey -in "$T/k.key" -passin pass:zebra-7 -noout || fail "key not encrypted with zebra-7"
