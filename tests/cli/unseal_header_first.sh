#!/bin/sh
# unseal reads the envelope before it asks for anything: with an encrypted
# key, an envelope for someone else is exit 5 with no passphrase prompt,
# with no terminal at all and at a terminal; --inspect -k alike. The key's
# ID comes from the .pub beside it. An envelope for the key, from a pipe,
# is then opened with the passphrase.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice carol
printf 'sesame\n' >"$T/pw"
"$SEAL_KEYGEN" -o "$T/bob" -b 2048 --passphrase-file "$T/pw" >/dev/null || fail "keygen bob"
printf 'for carol only\n' >"$T/msg"
"$SEAL" -r "$T/carol.pub" -s "$T/alice.key" -o "$T/carol.seal" "$T/msg" || fail "seal"
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/bob.seal" "$T/msg" || fail "seal"

# No terminal: setsid(1) gives the command no controlling terminal.
command -v setsid >/dev/null 2>&1 || { echo "no setsid(1): skip"; exit 77; }
no_tty_exit5() {
    _st=0
    setsid -w "$@" </dev/null >"$T/out" 2>"$T/err" || _st=$?
    cat "$T/err"
    [ "$_st" -eq 5 ] || fail "$*: exit status $_st, expected 5"
    grep -q "not addressed to this key" "$T/err" || fail "no 'not addressed': $(cat "$T/err")"
    if grep -qi "passphrase" "$T/err"; then fail "$*: spoke of a passphrase"; fi
}
no_tty_exit5 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/carol.seal"
no_tty_exit5 "$UNSEAL" --inspect -k "$T/bob.key" "$T/carol.seal"
grep -qx "recipients: 1" "$T/out" || fail "--inspect did not show the public part"

# At a terminal: no prompt either.
if command -v python3 >/dev/null 2>&1; then
    python3 "$top_srcdir/tests/cli/keygen_pty.py" exit=5 hidden="Enter passphrase" \
        -- "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/never" "$T/carol.seal" ||
        fail "a prompt at the terminal"
    [ ! -e "$T/never" ] || fail "output written"
fi

# Addressed to bob, through a pipe (nothing to rewind): the passphrase
# opens it.
cat "$T/bob.seal" | "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" \
    --passphrase-file "$T/pw" -q >"$T/got" 2>"$T/err" || fail "unseal: $(cat "$T/err")"
same "$T/got" "$T/msg"

# A .pub beside the key that is not its public half is caught after the
# passphrase: the stanza found for it was someone else's.
cp "$T/carol.pub" "$T/bob.pub"
expect_status 4 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" --passphrase-file "$T/pw" \
    -o - "$T/carol.seal"
grep -q "not the private key of $T/bob.pub" "$T/err" || fail "mismatch: $(cat "$T/err")"
echo "ok: the header is read before the passphrase is asked for"
