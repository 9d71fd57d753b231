#!/bin/sh
# When memory cannot be locked, libgcrypt keeps secrets in ordinary memory
# without a word; the programs say so once on stderr, unless -q.
# Needs root and setpriv to take away CAP_IPC_LOCK under "ulimit -l 0".
. "$top_srcdir/tests/cli/seal_common.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    echo "insecure_memory: needs root and setpriv; skipping"
    exit 77
fi
keypair alice bob
echo hello >"$T/msg"
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"
grep -q 'insecure memory' "$T/err" && fail "warning with lockable memory: $(cat "$T/err")"

unlockable() { setpriv --bounding-set -ipc_lock --inh-caps -ipc_lock sh -c 'ulimit -l 0 && exec "$@"' sh "$@"; }
expect_status 0 unlockable "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/msg.seal"
[ "$(grep -c 'unseal: warning: using insecure memory' "$T/err")" -eq 1 ] ||
    fail "unseal: no single warning: $(cat "$T/err")"
expect_status 0 unlockable "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/msg.seal"
[ -s "$T/err" ] && fail "unseal -q still warns: $(cat "$T/err")"
rm -f "$T/msg2.seal"
expect_status 0 unlockable "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg2.seal" "$T/msg"
grep -q '^seal: warning: using insecure memory$' "$T/err" || fail "seal: no warning: $(cat "$T/err")"
expect_status 0 unlockable "$SEAL_KEYGEN" -l "$T/bob.pub"
grep -q '^seal-keygen: warning: using insecure memory$' "$T/err" || fail "seal-keygen: no warning"
echo "insecure memory warning: ok"
