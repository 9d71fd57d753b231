#!/bin/sh
# unseal --fetch against a listener that breaks the line rules (seal(5)
# TRANSPORT "Outbox fetch"; unseal(1) EXIT STATUS): a line over the line
# cap, with or without its LF, and a line with a NUL byte are malformed
# (exit 3), not a connection that ended (8). A stand-in listener on port 0
# reads the request and answers with the bad line.
. "$top_srcdir/tests/transport/common.sh"
command -v python3 >/dev/null 2>&1 || exit 77

# bad_listener CASE: serves one fetch with CASE's answer; writes its port
# to $T/CASE.port. Sets BPID.
bad_listener() {
    python3 - "$1" "$T/$1.port" >"$T/$1.log" 2>&1 <<'PY' &
import os, socket, sys
case, portfile = sys.argv[1], sys.argv[2]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
s.settimeout(30)
c, _ = s.accept()
c.settimeout(30)
req = b""
while b"-----END SEALED MESSAGE-----\n" not in req:
    b = c.recv(65536)
    if not b:
        sys.exit("no request")
    req += b
answer = {
    "long": b"ENVELOPE " + b"1" * 300 + b"\n",
    "long-open": b"E" * 4096,  # no LF, the connection stays open
    "nul": b"END 0\0 " + b"A" * 43 + b"\n",
}[case]
c.sendall(answer)
try:
    c.recv(1)  # until the client closes
except OSError:
    pass
c.close()
PY
    BPID=$!
    PIDS="$PIDS $BPID"
    wait_file "$T/$1.port" || fail "the stand-in listener did not start: $(cat "$T/$1.log")"
}

for c in long long-open nul; do
    bad_listener "$c"
    st=0
    "$UNSEAL" --from "127.0.0.1:$(cat "$T/$c.port")" --fetch -k "$T/alice.key" -s "$T/bob.pub" \
        -d "$T/ain" --idle-timeout 20s 2>"$T/$c.err" || st=$?
    wait "$BPID" 2>/dev/null
    [ "$st" -eq 3 ] || fail "$c: exit $st, expected 3: $(cat "$T/$c.err")"
    case $c in
    nul) want="a NUL byte in a line" ;;
    *) want="a line over the line cap" ;;
    esac
    grep -q "$want" "$T/$c.err" || fail "$c: $(cat "$T/$c.err")"
done
exit 0
