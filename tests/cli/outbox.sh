#!/bin/sh
# The outbox (unseal(1) OUTBOX, seal(5) TRANSPORT "Outbox fetch"): three
# envelopes queued for alice, a client that dies after storing the second
# (before its receipt), a fetch again: each stored once, all three in sent/;
# a replayed fetch request, a request for another client's outbox and one
# from an untrusted key all get "ERR perm request refused" and nothing else.
. "$top_srcdir/tests/transport/common.sh"
command -v python3 >/dev/null 2>&1 || exit 77

mkdir -p "$T/outbox/alice" "$T/outbox/carol" "$T/msgs"
for i in 1 2 3; do
    printf 'message %s for alice\n' "$i" >"$T/msgs/m$i"
    "$SEAL" -r "$T/alice.pub" -s "$T/bob.key" -o "$T/outbox/alice/m$i.seal" "$T/msgs/m$i" ||
        fail "queue m$i"
done
printf 'for carol\n' >"$T/carol.msg"
"$SEAL" -r "$T/carol.pub" -s "$T/bob.key" -o "$T/outbox/carol/c1.seal" "$T/carol.msg" || fail "queue c1"
listen l1 127.0.0.1:0 --outbox "$T/outbox"
P=$LPORT

fetch() { # KEY INBOX [OPTION...]
    _k=$1
    _ib=$2
    shift 2
    "$UNSEAL" --from "127.0.0.1:$P" --fetch -k "$T/$_k.key" -s "$T/bob.pub" -d "$T/$_ib" "$@"
}
nnew() { find "$T/$1/new" -type f | wc -l | tr -d ' '; }

# Killed after storing the second envelope, before answering for it.
st=0
UNSEAL=$UNSEAL_FAULTS SEAL_TEST_KILL_AT=fetch-ack:2 fetch alice ain 2>"$T/f1.err" || st=$?
[ "$st" -eq 137 ] || fail "the first fetch exited $st, not killed: $(cat "$T/f1.err")"
[ "$(nnew ain)" -eq 2 ] || fail "after the kill: $(nnew ain) in new/, expected 2"
[ "$(count outbox/alice/sent)" -eq 1 ] || fail "after the kill: $(count outbox/alice/sent) in sent/"
[ "$(count outbox/alice)" -eq 2 ] || fail "after the kill: $(count outbox/alice) still queued"

# Again: the rest arrives, nothing is stored twice, all three are sent.
fetch alice ain 2>"$T/f2.err" || fail "second fetch: $(cat "$T/f2.err")"
grep -q "1 new, 1 already stored" "$T/f2.err" || fail "second fetch: $(cat "$T/f2.err")"
[ "$(nnew ain)" -eq 3 ] || fail "$(nnew ain) in new/, expected 3"
[ "$(count outbox/alice/sent)" -eq 3 ] || fail "$(count outbox/alice/sent) in sent/, expected 3"
[ "$(count outbox/alice)" -eq 0 ] || fail "still queued: $(ls "$T/outbox/alice")"
for i in 1 2 3; do
    grep -lqx "message $i for alice" "$T"/ain/new/* || fail "m$i not in the inbox"
    [ "$(grep -lx "message $i for alice" "$T"/ain/new/* | wc -l)" -eq 1 ] || fail "m$i twice"
done
wait_log l1 "fetched by alice from .*m3.seal.*moved to sent/" || fail "no log line for m3"
# Nothing waiting: an empty, verified list.
fetch alice ain 2>"$T/f3.err" || fail "empty fetch: $(cat "$T/f3.err")"
grep -q "0 new, 0 already stored" "$T/f3.err" || fail "empty fetch: $(cat "$T/f3.err")"

# Another client's outbox: carol asks for alice's; mallory (untrusted) asks.
st=0
fetch carol cin --name alice 2>"$T/f4.err" || st=$?
[ "$st" -eq 9 ] || fail "carol for alice's outbox: exit $st: $(cat "$T/f4.err")"
grep -q "ERR perm request refused" "$T/f4.err" || fail "carol: $(cat "$T/f4.err")"
wait_log l1 "carol asked for the outbox of another client" || fail "no log of why"
st=0
fetch mallory min 2>"$T/f5.err" || st=$?
[ "$st" -eq 9 ] || fail "mallory: exit $st"
grep -q "ERR perm request refused" "$T/f5.err" || fail "mallory: $(cat "$T/f5.err")"
[ "$(count outbox/carol)" -eq 1 ] || fail "carol's envelope moved"

# A replayed request: the bytes of a real one (recorded by a stand-in
# listener), sent twice to the real one.
python3 - "$P" "$T" <<'PY' || fail "replayed request"
import os, socket, subprocess, sys, threading
port, T = int(sys.argv[1]), sys.argv[2]
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
fake = s.getsockname()[1]
p = subprocess.Popen([os.environ["UNSEAL"], "--from", "127.0.0.1:%d" % fake, "--fetch",
                      "-k", T + "/carol.key", "-s", T + "/bob.pub", "-d", T + "/rin",
                      "--idle-timeout", "2s"], stderr=subprocess.DEVNULL)
s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
req = b""
while b"-----END SEALED MESSAGE-----\n" not in req:
    b = c.recv(65536)
    if not b: break
    req += b
c.close(); p.wait(timeout=20)
def ask():
    k = socket.create_connection(("127.0.0.1", port), timeout=20)
    k.sendall(req)
    out = b""
    while True:
        b = k.recv(65536)
        if not b: break
        out += b
        if out.startswith(b"ENVELOPE"):
            break
    k.close()
    return out
first, second = ask(), ask()
if not first.startswith(b"ENVELOPE"):
    sys.exit("the original request was not served: %r" % first[:60])
if second != b"ERR perm request refused\n":
    sys.exit("the replay got %r" % second[:60])
PY
wait_log l1 "a replayed request" || fail "no log line for the replay"
[ "$(count outbox/carol)" -eq 1 ] || fail "the replay moved carol's envelope"
