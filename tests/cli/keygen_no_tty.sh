#!/bin/sh
# Without a terminal and without --passphrase-file or --no-passphrase,
# seal-keygen refuses (exit 2, with a hint) instead of writing an
# unencrypted key, and writes nothing.
. "$top_srcdir/tests/cli/keygen_common.sh"

if command -v setsid >/dev/null 2>&1 && setsid -w true </dev/null 2>/dev/null; then
    run() { setsid -w "$@" </dev/null; }
else
    run() { "$@" </dev/null; }
fi
# setsid leaves us without a controlling terminal; if /dev/tty still opens,
# this cannot be tested here.
if run sh -c ': </dev/tty' 2>/dev/null; then
    echo "cannot get rid of the controlling terminal: skipping"
    exit 77
fi
st=0
run "$SEAL_KEYGEN" -o "$T/k" -b 2048 >"$T/out" 2>"$T/err" || st=$?
cat "$T/err"
[ "$st" -eq 2 ] || fail "exit status $st, expected 2"
grep -q "seal-keygen: error: $T/k.key: " "$T/err" || fail "message does not name k.key"
grep -q 'seal-keygen: hint: .*--passphrase-file' "$T/err" || fail "no hint"
[ ! -e "$T/k.key" ] && [ ! -e "$T/k.pub" ] || fail "a key was written"
