#!/usr/bin/env python3
"""Helpers for the fleet tests (tests/fleet/*.sh): free ports, raw sends
with a PROXY header from a chosen loopback source address, health probes,
inbox checks, and a bare NATS request (a message not published by seal, a
stream's state). Every socket operation has a timeout."""
import hashlib
import os
import socket
import struct
import sys

TIMEOUT = 20


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proxy_v1(src, dst):
    (sa, sp), (da, dp) = src, dst
    return ("PROXY TCP4 %s %s %d %d\r\n" % (sa, da, sp, dp)).encode()


def proxy_v2(src, dst):
    (sa, sp), (da, dp) = src, dst
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    body = socket.inet_aton(sa) + socket.inet_aton(da) + struct.pack("!HH", sp, dp)
    return sig + b"\x21\x11" + struct.pack("!H", len(body)) + body


def connect(addr, source):
    host, port = addr.rsplit(":", 1)
    s = socket.socket()
    s.settimeout(TIMEOUT)
    if source:
        s.bind((source, 0))
    s.connect((host, int(port)))
    return s


def send(argv):
    """send ADDR FILE [--from SRC] [--v1 CLIENT:PORT | --v2 CLIENT:PORT | --raw TEXT]:
    prints the reply line."""
    addr, path = argv[0], argv[1]
    source, prefix = None, b""
    i = 2
    while i < len(argv):
        opt, val = argv[i], argv[i + 1]
        i += 2
        if opt == "--from":
            source = val
        elif opt in ("--v1", "--v2"):
            ca, cp = val.rsplit(":", 1)
            dh, dp = addr.rsplit(":", 1)
            make = proxy_v1 if opt == "--v1" else proxy_v2
            prefix = make((ca, int(cp)), (dh, int(dp)))
        elif opt == "--raw":
            prefix = val.encode().decode("unicode_escape").encode("latin-1")
    s = connect(addr, source)
    with open(path, "rb") as f:
        data = f.read()
    try:
        s.sendall(prefix + data)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    reply = b""
    try:
        while not reply.endswith(b"\n"):
            b = s.recv(4096)
            if not b:
                break
            reply += b
    except OSError:
        pass
    s.close()
    print(reply.decode("ascii", "replace").strip())


def send_one(addr, path, source=None):
    """The reply line for PATH sent to ADDR, or "NONE"."""
    try:
        s = connect(addr, source)
        with open(path, "rb") as f:
            s.sendall(f.read())
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while not reply.endswith(b"\n"):
            b = s.recv(4096)
            if not b:
                break
            reply += b
        s.close()
        line = reply.decode("ascii", "replace").strip()
        return line.split(" ")[0] + (" " + line.split(" ")[1] if line.startswith("ERR") else "") \
            if line else "NONE"
    except OSError:
        return "NONE"


def load(argv):
    """load FRONT OTHER[,OTHER...] FILE...: sends each FILE through FRONT and
    every fourth one again straight to one of the OTHER listeners; prints
    "FILE RESULT" per send (RESULT: OK, ERR temp, ERR perm or NONE)."""
    front, others, files = argv[0], argv[1].split(","), argv[2:]
    for i, path in enumerate(files):
        print(path, send_one(front, path), flush=True)
        if i % 4 == 0:
            print(path, send_one(others[i % len(others)], path), flush=True)


# A PROXY v2 header with the LOCAL command and no addresses: what HAProxy's
# health checks send (then they reset).
V2_LOCAL = b"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"


def probe(argv):
    """probe ADDR [--from SRC] [--local] [--reset] [--count N]: connect, send
    a v2 LOCAL header (--local), then close (or reset); N times."""
    addr = argv[0]
    source = argv[argv.index("--from") + 1] if "--from" in argv else None
    count = int(argv[argv.index("--count") + 1]) if "--count" in argv else 1
    for _ in range(count):
        s = connect(addr, source)
        if "--local" in argv:
            s.sendall(V2_LOCAL)
        if "--reset" in argv:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()


def check_inbox(argv):
    """check-inbox INBOX MSGDIR [EXPECTED]: every file in new/ is one of
    MSGDIR's files, none twice; EXPECTED: how many must be there."""
    inbox, msgdir = argv[0], argv[1]
    known = {}
    for name in os.listdir(msgdir):
        with open(os.path.join(msgdir, name), "rb") as f:
            known[hashlib.sha256(f.read()).hexdigest()] = name
    seen = {}
    newdir = os.path.join(inbox, "new")
    for name in os.listdir(newdir):
        with open(os.path.join(newdir, name), "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        if h not in known:
            print("check-inbox: %s is none of the messages" % name)
            return 1
        if h in seen:
            print("check-inbox: %s stored twice (%s, %s)" % (known[h], seen[h], name))
            return 1
        seen[h] = name
    if len(argv) > 2 and len(seen) != int(argv[2]):
        print("check-inbox: %d messages in new/, expected %s" % (len(seen), argv[2]))
        return 1
    return 0


def nats_request(url, subject, payload, headers=()):
    """One request over the NATS protocol (no client library): publishes
    PAYLOAD to SUBJECT with HEADERS ("Name: value"; none: a plain PUB) and
    returns the reply's payload (a JetStream PubAck or API answer)."""
    host, port = url.replace("nats://", "").rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=TIMEOUT)
    f = s.makefile("rb")
    if not f.readline().startswith(b"INFO "):
        raise OSError("not a NATS server")
    inbox = "_INBOX.flib%d" % os.getpid()
    body = payload.encode()
    out = b'CONNECT {"verbose":false,"headers":true,"no_responders":true}\r\n'
    out += ("SUB %s 1\r\n" % inbox).encode()
    if headers:
        hdr = ("NATS/1.0\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n").encode()
        out += ("HPUB %s %s %d %d\r\n" % (subject, inbox, len(hdr), len(hdr) + len(body))).encode()
        out += hdr + body + b"\r\n"
    else:
        out += ("PUB %s %s %d\r\n" % (subject, inbox, len(body))).encode() + body + b"\r\n"
    s.sendall(out)
    while True:
        line = f.readline()
        if not line:
            raise OSError("NATS server closed the connection")
        word = line.split()
        if word[0] == b"PING":
            s.sendall(b"PONG\r\n")
        elif word[0] in (b"MSG", b"HMSG"):
            data = f.read(int(word[-1]) + 2)[:-2]
            if word[0] == b"HMSG":
                data = data[int(word[-2]):]
            s.close()
            return data.decode()
        elif word[0] == b"-ERR":
            raise OSError(line.decode().strip())


def nats(argv):
    """nats URL SUBJECT PAYLOAD [HEADER...]: prints the reply, e.g. a
    PubAck ({"stream":...,"seq":N}) or $JS.API.STREAM.INFO.NAME's answer."""
    print(nats_request(argv[0], argv[1], argv[2], argv[3:]))


def main():
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "free-port":
        print(free_port())
    elif cmd == "send":
        send(argv)
    elif cmd == "load":
        load(argv)
    elif cmd == "probe":
        probe(argv)
    elif cmd == "nats":
        nats(argv)
    elif cmd == "check-inbox":
        return check_inbox(argv)
    else:
        print("flib: unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
