#!/bin/sh
# What unseal --fetch exits with when the listener misbehaves (unseal(1)
# OUTBOX, EXIT STATUS): an envelope announced over the client's --max-size
# and a line that breaks the protocol are malformed input from the peer
# (exit 3, nothing read or stored); only a well-formed END line whose mac
# does not verify is a failed proof (exit 10).
. "$top_srcdir/tests/transport/common.sh"
command -v python3 >/dev/null 2>&1 || exit 77

# A real listener with one envelope of about 1 KiB for alice, fetched with a
# --max-size under it: refused by its announced size, left in the outbox.
mkdir -p "$T/outbox/alice"
head -c 1000 /dev/zero >"$T/big.msg"
"$SEAL" -r "$T/alice.pub" -s "$T/bob.key" -o "$T/outbox/alice/big.seal" "$T/big.msg" || fail "queue"
listen l1 127.0.0.1:0 --outbox "$T/outbox"
st=0
"$UNSEAL" --from "127.0.0.1:$LPORT" --fetch -k "$T/alice.key" -s "$T/bob.pub" -d "$T/ain" \
    --max-size 512 2>"$T/big.err" || st=$?
[ "$st" -eq 3 ] || fail "envelope over --max-size: exit $st, expected 3: $(cat "$T/big.err")"
grep -q "over --max-size" "$T/big.err" || fail "no reason: $(cat "$T/big.err")"
[ "$(count outbox/alice)" -eq 1 ] || fail "the refused envelope left the outbox"
[ -z "$(find "$T/ain/new" "$T/ain/tmp" -type f 2>/dev/null)" ] || fail "stored: $(find "$T/ain" -type f)"

# A stand-in listener that reads the request and answers with one line.
fake() { # LINE: prints unseal's exit status
    python3 - "$1" "$T" <<'PY'
import os, socket, subprocess, sys
line, T = sys.argv[1].encode() + b"\n", sys.argv[2]
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
p = subprocess.Popen([os.environ["UNSEAL"], "--from", "127.0.0.1:%d" % s.getsockname()[1],
                      "--fetch", "-k", T + "/alice.key", "-s", T + "/bob.pub", "-d", T + "/fin",
                      "--idle-timeout", "10s"], stderr=open(T + "/fake.err", "w"))
s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
req = b""
while b"-----END SEALED MESSAGE-----\n" not in req:
    b = c.recv(65536)
    if not b: break
    req += b
c.sendall(line)
print(p.wait(timeout=20))
c.close()
PY
}
st=$(fake "HELLO there") || fail "stand-in listener"
[ "$st" -eq 3 ] || fail "an unexpected line: exit $st, expected 3: $(cat "$T/fake.err")"
grep -q "something unexpected" "$T/fake.err" || fail "$(cat "$T/fake.err")"
st=$(fake "END 1x AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") || fail "stand-in listener"
[ "$st" -eq 3 ] || fail "a malformed END: exit $st, expected 3: $(cat "$T/fake.err")"
st=$(fake "END 0 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") || fail "stand-in listener"
[ "$st" -eq 10 ] || fail "an END whose mac is wrong: exit $st, expected 10: $(cat "$T/fake.err")"
grep -q "does not verify" "$T/fake.err" || fail "$(cat "$T/fake.err")"
