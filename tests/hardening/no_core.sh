#!/bin/sh
# No core dumps: every program sets RLIMIT_CORE to 0 and
# PR_SET_DUMPABLE to 0 at start. Checked on a running unseal (blocked on a
# FIFO): /proc/PID/limits shows a core size of 0 even when the shell allowed
# more, and, run as another user, its /proc/PID files belong to root, which
# is how Linux marks a process that is not dumpable.
. "$top_srcdir/tests/cli/seal_common.sh"
keypair alice bob
chmod 755 "$T"
chmod 644 "$T/bob.key" "$T/alice.pub"

check() { # check PID LABEL: its core size limit is 0 (waits for exec)
    i=0
    while ! grep -q '^Max core file size *0 *0 ' "/proc/$1/limits" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 100 ] || fail "$2: core size not 0: $(grep 'core' "/proc/$1/limits" 2>&1)"
        sleep 0.1
    done
}

mkfifo "$T/fifo.a" || exit 99
# unseal blocks in open(2) of its input until the FIFO is opened here.
(ulimit -c unlimited 2>/dev/null || ulimit -c 1000000 2>/dev/null
    exec "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/o" "$T/fifo.a") >/dev/null 2>&1 &
pid=$!
check "$pid" "unseal"
: >"$T/fifo.a" # opens and closes the FIFO: unseal reads nothing and fails
wait "$pid" 2>/dev/null

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
    cp "$T/bob.key" "$T/nobody.key" && chown nobody "$T/nobody.key" && chmod 600 "$T/nobody.key"
    mkfifo "$T/fifo.b" && chmod 666 "$T/fifo.b"
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$UNSEAL" -k "$T/nobody.key" -s "$T/alice.pub" -o - "$T/fifo.b" >/dev/null 2>&1 &
    pid=$!
    check "$pid" "unseal as nobody"
    owner=$(stat -c %u "/proc/$pid/status")
    : >"$T/fifo.b"
    wait "$pid" 2>/dev/null
    [ "$owner" -eq 0 ] || fail "unseal as nobody is dumpable (/proc/PID owned by uid $owner)"
fi
echo "no core dumps: ok"
