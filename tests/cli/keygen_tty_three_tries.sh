#!/bin/sh
# At a terminal a wrong passphrase may be retyped: three tries in all, as
# ssh and gpg give, then the key is refused (exit 4). With
# --passphrase-file there is one try.
. "$top_srcdir/tests/cli/keygen_common.sh"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipping"; exit 77; }

printf 'tty-pass\n' >"$T/pw"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes-256-cbc \
    -pass file:"$T/pw" -out "$T/k.pem" 2>/dev/null || fail "openssl genpkey"
openssl pkey -in "$T/k.pem" -passin file:"$T/pw" -pubout -out "$T/k.pub" || fail "pubout"
want=$(openssl_fpr "$T/k.pub")
PTY="python3 $top_srcdir/tests/cli/keygen_pty.py"

# Two typos, then the right one.
$PTY expect="Enter passphrase for $T/k.pem" send=typo-one \
    expect="Wrong passphrase; try again." expect="Enter passphrase for $T/k.pem" send=typo-two \
    expect="Wrong passphrase; try again." expect="Enter passphrase for $T/k.pem" send=tty-pass \
    expect="$want" exit=0 hidden=tty-pass \
    -- "$SEAL_KEYGEN" -l "$T/k.pem" || fail "two typos then the passphrase"

# Three wrong: refused, and no fourth prompt.
$PTY expect="Enter passphrase for $T/k.pem" send=bad1 \
    expect="Enter passphrase for $T/k.pem" send=bad2 \
    expect="Enter passphrase for $T/k.pem" send=bad3 \
    expect="wrong passphrase" exit=4 \
    -- "$SEAL_KEYGEN" -l "$T/k.pem" || fail "three wrong passphrases"
echo "ok: three tries at a terminal"
