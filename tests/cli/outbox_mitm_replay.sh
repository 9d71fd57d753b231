#!/bin/sh
# A man in the middle of unseal --fetch that replays (seal(5) TRANSPORT
# "Outbox fetch"): it records the ENVELOPE frame of one fetch; on a later
# fetch it drops the new frame, answers the listener "ERR perm" in the
# client's name and puts the recorded frame in its place, so that the
# counts agree. The END mac names the envelopes the listener sent, so the
# client must not call the list complete (exit 10, not 0); the withheld
# envelope stays queued and a later honest fetch stores it.
. "$top_srcdir/tests/transport/common.sh"
command -v python3 >/dev/null 2>&1 || exit 77

mkdir -p "$T/outbox/alice" "$T/msgs"
for i in 1 2; do
    printf 'message %s for alice\n' "$i" >"$T/msgs/m$i"
done
"$SEAL" -r "$T/alice.pub" -s "$T/bob.key" -o "$T/outbox/alice/m1.seal" "$T/msgs/m1" ||
    fail "queue m1"
listen l1 127.0.0.1:0 --outbox "$T/outbox"
P=$LPORT

# The relay listens on port 0, writes its port to $T/relay.port and serves
# two connections: the first as is (recording the frame), the second with
# the recorded frame in place of the new one. It mutes the client once the
# listener starts answering (all of the request has then gone up), so that
# the client's reply to the replayed frame never reaches the listener.
python3 - "$P" "$T/relay.port" >"$T/relay.log" 2>&1 <<'PY' &
import os, socket, sys, threading
port, portfile = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
s.settimeout(30)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
recorded = None
for round in ("record", "replay"):
    c, _ = s.accept()
    c.settimeout(30)
    u = socket.create_connection(("127.0.0.1", port), timeout=30)
    muted = threading.Event()
    def up(c=c, u=u, muted=muted):  # client -> listener
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                if not muted.is_set():
                    u.sendall(b)
        except OSError:
            pass
    threading.Thread(target=up, daemon=True).start()
    buf = b""
    def more():
        global buf
        b = u.recv(65536)
        if not b:
            raise EOFError
        buf += b
    try:
        while True:
            while b"\n" not in buf:
                more()
            line, buf = buf.split(b"\n", 1)
            if round == "replay":
                muted.set()
            if line.startswith(b"ENVELOPE "):
                n = int(line[9:])
                while len(buf) < n:
                    more()
                frame, buf = buf[:n], buf[n:]
                if round == "record":
                    recorded = line + b"\n" + frame
                    print("recorded a frame of %d bytes" % n, flush=True)
                    c.sendall(recorded)
                    continue
                u.sendall(b"ERR perm authentication failed\n")  # forged, as the client
                c.sendall(recorded)
                print("replaced a frame of %d bytes" % n, flush=True)
                continue
            c.sendall(line + b"\n")
            if line.startswith(b"END "):
                print("%s: forwarded %s" % (round, line[:6].decode()), flush=True)
                break
    except EOFError:
        pass
    c.close()
    u.close()
PY
RPID=$!
PIDS="$PIDS $RPID"
wait_file "$T/relay.port" || fail "the relay did not start: $(cat "$T/relay.log")"
R=$(cat "$T/relay.port")

# The first fetch through the relay is honest: m1 arrives and is recorded.
"$UNSEAL" --from "127.0.0.1:$R" --fetch -k "$T/alice.key" -s "$T/bob.pub" -d "$T/ain" \
    2>"$T/first.err" || fail "the first fetch: $(cat "$T/first.err")"
grep -q "1 new, 0 already stored" "$T/first.err" || fail "first fetch: $(cat "$T/first.err")"
grep -q "recorded a frame" "$T/relay.log" || fail "the relay recorded nothing"
[ "$(count outbox/alice/sent)" -eq 1 ] || fail "m1 was not moved to sent/"

# m2 is queued; the relay replaces it with the recorded m1.
"$SEAL" -r "$T/alice.pub" -s "$T/bob.key" -o "$T/outbox/alice/m2.seal" "$T/msgs/m2" ||
    fail "queue m2"
st=0
"$UNSEAL" --from "127.0.0.1:$R" --fetch -k "$T/alice.key" -s "$T/bob.pub" -d "$T/ain" \
    2>"$T/mitm.err" || st=$?
wait "$RPID" 2>/dev/null
grep -q "replaced a frame" "$T/relay.log" || fail "the relay replaced nothing: $(cat "$T/relay.log")"
grep -q "replay: forwarded END 1" "$T/relay.log" ||
    fail "the relay did not forward END 1: $(cat "$T/relay.log")"
[ "$st" -ne 0 ] || fail "a fetch with a replayed envelope exited 0: $(cat "$T/mitm.err")"
[ "$st" -eq 10 ] || fail "a fetch with a replayed envelope exited $st, not 10: $(cat "$T/mitm.err")"
grep -q "does not verify over the 1 envelope that arrived: the list is not proven complete" \
    "$T/mitm.err" || fail "no clear refusal: $(cat "$T/mitm.err")"
grep -q "message 2 for alice" "$T"/ain/new/* && fail "m2 arrived through the relay"
# The forged ERR kept m2 queued: not lost.
[ "$(count outbox/alice)" -eq 1 ] || fail "queued after the attack: $(ls "$T/outbox/alice")"
[ -f "$T/outbox/alice/m2.seal" ] || fail "m2 is not queued after the attack"
[ "$(count outbox/alice/sent)" -eq 1 ] || fail "sent after the attack: $(count outbox/alice/sent)"

# An honest fetch stores it.
"$UNSEAL" --from "127.0.0.1:$P" --fetch -k "$T/alice.key" -s "$T/bob.pub" -d "$T/ain" \
    2>"$T/honest.err" || fail "the honest fetch: $(cat "$T/honest.err")"
grep -q "1 new, 0 already stored" "$T/honest.err" || fail "honest fetch: $(cat "$T/honest.err")"
for i in 1 2; do
    [ "$(grep -lx "message $i for alice" "$T"/ain/new/* | wc -l)" -eq 1 ] ||
        fail "m$i is not in the inbox once"
done
[ "$(count outbox/alice)" -eq 0 ] || fail "still queued: $(ls "$T/outbox/alice")"
exit 0
