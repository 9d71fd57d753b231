#!/bin/sh
# Ctrl-C at a passphrase prompt (echo off) ends seal-keygen by SIGINT, with
# the terminal's echo restored and no key file written.
. "$top_srcdir/tests/cli/keygen_common.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipping"; exit 77; }

python3 "$top_srcdir/tests/cli/keygen_pty.py" \
    expect='Enter new passphrase' echo=off intr killed=INT echo=on \
    -- "$SEAL_KEYGEN" -o "$T/k" -b 2048 || fail "dialogue"
[ ! -e "$T/k.key" ] && [ ! -e "$T/k.pub" ] || fail "a key was written"
