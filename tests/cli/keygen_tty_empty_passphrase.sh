#!/bin/sh
# At a terminal, an empty new passphrase brings a warning that the key will
# be stored UNENCRYPTED and a [y/N] question: "n" asks again, "y" writes an
# unencrypted key.
. "$top_srcdir/tests/cli/keygen_common.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipping"; exit 77; }

python3 "$top_srcdir/tests/cli/keygen_pty.py" \
    expect='Enter new passphrase' send= \
    expect='UNENCRYPTED' expect='[y/N]' send=n \
    expect='Enter new passphrase' send= \
    expect='[y/N]' send=y \
    exit=0 \
    -- "$SEAL_KEYGEN" -o "$T/k" -b 2048 || fail "dialogue"
head -n 1 "$T/k.key" | grep -qx -- '-----BEGIN PRIVATE KEY-----' || fail "key is not unencrypted PKCS#8"
