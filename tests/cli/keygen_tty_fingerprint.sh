#!/bin/sh
# seal-keygen -l on an encrypted key at a terminal asks for its passphrase
# (echo off) and prints the fingerprint.
. "$top_srcdir/tests/cli/keygen_common.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipping"; exit 77; }

printf 'tty-pass\n' >"$T/pw"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc \
    -pass file:"$T/pw" -out "$T/k.pem" 2>/dev/null || fail "openssl genpkey"
openssl pkey -in "$T/k.pem" -passin file:"$T/pw" -pubout -out "$T/k.pub" || fail "pubout"
want=$(openssl_fpr "$T/k.pub")
python3 "$top_srcdir/tests/cli/keygen_pty.py" \
    expect="Enter passphrase for $T/k.pem" echo=off send=tty-pass \
    expect="$want" exit=0 hidden=tty-pass \
    -- "$SEAL_KEYGEN" -l "$T/k.pem" || fail "dialogue"
