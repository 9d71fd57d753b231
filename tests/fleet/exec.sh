#!/bin/sh
# unseal runs unseal-nats for --deliver (its publisher) and --drain
# (unseal(1), FLEET): with a socket from systemd (--listen -, LISTEN_FDS)
# the listener keeps the socket and its publisher gets as far as connecting
# to NATS (nothing listens on port 9), whose failure unseal reports; and an
# unseal with no helper beside it, nor installed, exits 2 naming both
# places, for --drain and for --deliver (before it reads a key).
# Skipped (77) when seal is built without NATS.
. "$top_srcdir/tests/fleet/common.sh"
[ "${SEAL_WITH_NATS:-no}" = yes ] || { echo "SKIP: built without NATS"; exit 77; }

# A listening socket as fd 3, LISTEN_PID the pid that execs unseal.
python3 - "$UNSEAL" "$T" >"$T/activated.out" 2>"$T/activated.err" <<'PY'
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
t = sys.argv[2]
os.execv(sys.argv[1], ["unseal", "-k", t + "/bob.key", "-s", t + "/trusted", "--listen", "-",
                       "--deliver", "nats://127.0.0.1:9", "--stream", "S"])
PY
rc=$?
[ "$rc" -ne 0 ] || fail "--listen - --deliver to no NATS server exited 0"
grep -q "nats://127.0.0.1:9" "$T/activated.err" ||
    { cat "$T/activated.err" >&2; fail "the helper did not get as far as NATS with the socket from systemd"; }
if grep -q "systemd" "$T/activated.err"; then
    cat "$T/activated.err" >&2
    fail "the socket from systemd was lost on the way to the helper"
fi

# unseal alone in a directory: no helper beside it.
mkdir "$T/alone"
cp "$UNSEAL" "$T/alone/unseal"
"$T/alone/unseal" --drain nats://127.0.0.1:9 --stream S -d "$T/inbox" 2>"$T/alone.err"
rc=$?
if grep -q "without NATS" "$T/alone.err"; then
    [ "$rc" -eq 2 ] || fail "no helper: exit $rc, not 2"
    grep -qF "no unseal-nats at $T/alone/unseal-nats nor at /" "$T/alone.err" ||
        { cat "$T/alone.err" >&2; fail "no helper: the message does not name both places"; }
    [ ! -e "$T/inbox" ] || fail "no helper: the inbox was created"
    st=0
    "$T/alone/unseal" -k "$T/nokey.key" -s "$T/trusted" --listen 127.0.0.1:0 \
        --deliver nats://127.0.0.1:9 --stream S 2>"$T/alone2.err" || st=$?
    [ "$st" -eq 2 ] || fail "--deliver with no helper: exit $st, not 2: $(cat "$T/alone2.err")"
    grep -qF "no unseal-nats at $T/alone/unseal-nats nor at /" "$T/alone2.err" ||
        fail "--deliver with no helper: $(cat "$T/alone2.err")"
else
    echo "note: an installed unseal-nats answered (seal is installed at this prefix)"
fi
exit 0
