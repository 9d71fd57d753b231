#!/bin/sh
# After refusing an envelope over --max-size ("ERR perm too big"), the
# listener drops what the client still sends so that the client can read the
# refusal, but for at most 2 s AND at most 1 MiB (unseal(1) RESOURCE LIMITS):
# a client that sends 600 KiB too much still reads the line; one that never
# stops is cut off (a reset) after at most the bound plus what the socket
# buffers hold, not after whatever it could push in 2 s (hundreds of MiB on
# loopback). Counted in bytes, no timing thresholds.
. "$top_srcdir/tests/transport/common.sh"
command -v python3 >/dev/null 2>&1 || exit 77

listen l1 127.0.0.1:0 --max-size 4K --idle-timeout 20
head -c 20000 /dev/urandom >"$T/big"
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/big.seal" "$T/big" || fail "seal"

python3 - "$LPORT" "$T/big.seal" <<'PY' || fail "the bytes bound"
import socket, sys
port, path = int(sys.argv[1]), sys.argv[2]
head = open(path, "rb").read()

def rmem_max():
    try:
        return int(open("/proc/sys/net/ipv4/tcp_rmem").read().split()[2])
    except (OSError, IndexError, ValueError):
        return 64 << 20

# Over the cap by 600 KiB, then a half-close: the refusal arrives.
s = socket.create_connection(("127.0.0.1", port), timeout=20)
try:
    s.sendall(head + bytes(600 << 10))
    s.shutdown(socket.SHUT_WR)
except OSError as e:
    sys.exit("600 KiB over the cap: cut off while sending (%s)" % e)
reply = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    reply += b
s.close()
if reply != b"ERR perm too big: this listener takes at most 4096 bytes\n":
    sys.exit("600 KiB over the cap: got %r" % reply[:80])

# A client that never stops: count what it got out before the reset.
SNDBUF = 256 << 10
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)
s.settimeout(30)
s.connect(("127.0.0.1", port))
sndbuf = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
bound = 4096 + (1 << 20) + rmem_max() + sndbuf + (8 << 20)
chunk, sent, err = bytes(64 << 10), 0, None
try:
    s.sendall(head)
    sent = len(head)
    while sent < 4 * bound:
        sent += s.send(chunk)
except socket.timeout:
    sys.exit("the listener stopped reading but did not close (%d bytes sent)" % sent)
except OSError as e:
    err = e
s.close()
if err is None or sent > bound:
    sys.exit("the listener took %d bytes after the refusal, bound %d" % (sent, bound))
print("cut off after %d bytes (bound %d): %s" % (sent, bound, err))
PY
wait_log l1 "refused .*too big" || fail "no refusal logged"
