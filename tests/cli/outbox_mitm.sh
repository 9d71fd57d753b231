#!/bin/sh
# A man in the middle of unseal --fetch (seal(5) TRANSPORT "Outbox fetch"):
# it drops the first ENVELOPE frame, answers the listener "ERR perm" in the
# client's name (that line is not authenticated) and forwards the genuine
# END line. The client must not call the list complete (exit 10, not 0);
# the listener keeps the dropped envelope queued, and a later honest fetch
# delivers it.
. "$top_srcdir/tests/transport/common.sh"
command -v python3 >/dev/null 2>&1 || exit 77

mkdir -p "$T/outbox/alice" "$T/msgs"
for i in 1 2; do
    printf 'message %s for alice\n' "$i" >"$T/msgs/m$i"
    "$SEAL" -r "$T/alice.pub" -s "$T/bob.key" -o "$T/outbox/alice/m$i.seal" "$T/msgs/m$i" ||
        fail "queue m$i"
done
listen l1 127.0.0.1:0 --outbox "$T/outbox"
P=$LPORT

# The relay listens on port 0 and writes its port to $T/relay.port.
python3 - "$P" "$T/relay.port" >"$T/relay.log" 2>&1 <<'PY' &
import socket, sys, threading
port, portfile = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
import os
os.rename(portfile + ".tmp", portfile)
s.settimeout(30)
c, _ = s.accept()
u = socket.create_connection(("127.0.0.1", port), timeout=30)
c.settimeout(30)
def up():  # client -> listener, as is
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            u.sendall(b)
    except OSError:
        pass
    try:
        u.shutdown(socket.SHUT_WR)
    except OSError:
        pass
threading.Thread(target=up, daemon=True).start()
buf, dropped = b"", False
def need(n):
    global buf
    while len(buf) < n:
        b = u.recv(65536)
        if not b:
            raise EOFError
        buf += b
try:
    while True:
        while b"\n" not in buf:
            b = u.recv(65536)
            if not b:
                raise EOFError
            buf += b
        line, buf = buf.split(b"\n", 1)
        if line.startswith(b"ENVELOPE "):
            n = int(line[9:])
            need(n)
            frame, buf = buf[:n], buf[n:]
            if not dropped:
                dropped = True
                u.sendall(b"ERR perm authentication failed\n")  # forged, as the client
                print("dropped a frame of %d bytes" % n, flush=True)
                continue
            c.sendall(line + b"\n" + frame)
        else:
            c.sendall(line + b"\n")
            if line.startswith(b"END "):
                print("forwarded " + line[:6].decode(), flush=True)
                break
except EOFError:
    pass
c.close()
PY
RPID=$!
PIDS="$PIDS $RPID"
wait_file "$T/relay.port" || fail "the relay did not start: $(cat "$T/relay.log")"
R=$(cat "$T/relay.port")

st=0
"$UNSEAL" --from "127.0.0.1:$R" --fetch -k "$T/alice.key" -s "$T/bob.pub" -d "$T/ain" \
    2>"$T/mitm.err" || st=$?
wait "$RPID" 2>/dev/null
grep -q "dropped a frame" "$T/relay.log" || fail "the relay dropped nothing: $(cat "$T/relay.log")"
grep -q "forwarded END 2" "$T/relay.log" || fail "the relay did not forward END 2: $(cat "$T/relay.log")"
[ "$st" -ne 0 ] || fail "a fetch missing an envelope exited 0: $(cat "$T/mitm.err")"
[ "$st" -eq 10 ] || fail "a fetch missing an envelope exited $st, not 10: $(cat "$T/mitm.err")"
grep -q "the END line counts 2 envelopes, 1 arrived: the list is not proven complete" "$T/mitm.err" ||
    fail "no clear refusal: $(cat "$T/mitm.err")"
# The forged ERR kept the dropped envelope queued: not lost.
[ "$(count outbox/alice)" -eq 1 ] || fail "queued after the attack: $(ls "$T/outbox/alice")"
[ "$(count outbox/alice/sent)" -eq 1 ] || fail "sent after the attack: $(count outbox/alice/sent)"

# An honest fetch delivers it.
"$UNSEAL" --from "127.0.0.1:$P" --fetch -k "$T/alice.key" -s "$T/bob.pub" -d "$T/ain" \
    2>"$T/honest.err" || fail "the honest fetch: $(cat "$T/honest.err")"
grep -q "1 new, 0 already stored" "$T/honest.err" || fail "honest fetch: $(cat "$T/honest.err")"
for i in 1 2; do
    [ "$(grep -lx "message $i for alice" "$T"/ain/new/* | wc -l)" -eq 1 ] ||
        fail "m$i is not in the inbox once"
done
[ "$(count outbox/alice)" -eq 0 ] || fail "still queued: $(ls "$T/outbox/alice")"
exit 0
