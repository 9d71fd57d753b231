#!/usr/bin/env python3
"""Helpers for the transport tests (tests/transport/*.sh): loopback clients
and fake peers that nc cannot be, and the inbox check. Every socket has a
timeout, so no helper can hang a test.

    tlib.py free-port
    tlib.py send ADDR FILE [--cut N] [--pause S]   send, half-close, print reply
    tlib.py check-inbox INBOX MSGDIR [--expect N] [--allow-tmp]
                                                   new/ holds each message once
    tlib.py proxy PORT TARGET MODE                 one connection, reply altered
    tlib.py hold ADDR N SECONDS                    N silent connections
    tlib.py flood ADDR N                           N connections at once
"""
import hashlib
import os
import socket
import sys
import threading
import time

TIMEOUT = 30


def addr(spec):
    host, _, port = spec.rpartition(":")
    host = host.strip("[]")
    return host, int(port)


def connect(spec):
    host, port = addr(spec)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.connect((host, port))
    return s


def read_all(s):
    out = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            out += b
    except (ConnectionResetError, socket.timeout):
        pass
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def send(spec, path, cut=None, pause=0.0):
    data = open(path, "rb").read()
    if cut is not None:
        data = data[:cut]
    s = connect(spec)
    try:
        half = len(data) // 2 if pause else len(data)
        s.sendall(data[:half])
        if pause:
            time.sleep(pause)
            s.sendall(data[half:])
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the server refused and closed early: its answer may be there
    sys.stdout.write(read_all(s).decode("ascii", "replace"))
    s.close()


def check_inbox(inbox, msgdir, expect=None, allow_tmp=False):
    want = {}
    for name in os.listdir(msgdir):
        with open(os.path.join(msgdir, name), "rb") as f:
            want[hashlib.sha256(f.read()).hexdigest()] = name
    seen = {}
    ok = True
    for sub in ("new", "cur"):
        d = os.path.join(inbox, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                h = hashlib.sha256(f.read()).hexdigest()
            if h not in want:
                print(f"check-inbox: {sub}/{name} is no message sent (partial or altered)")
                ok = False
            elif h in seen:
                print(f"check-inbox: {want[h]} stored twice: {seen[h]} and {name}")
                ok = False
            seen[h] = name
    tmp = os.listdir(os.path.join(inbox, "tmp"))
    if tmp and not allow_tmp:
        print(f"check-inbox: tmp/ not empty: {tmp}")
        ok = False
    if expect is not None and len(seen) != expect:
        print(f"check-inbox: {len(seen)} messages stored, expected {expect}")
        ok = False
    print(f"check-inbox: {len(seen)} messages, each once")
    return ok


def proxy(port, target, mode):
    """Relays one connection to TARGET, then answers the client with the
    target's reply changed as MODE says: flip (one receipt character),
    truncate, replay:LINE (another envelope's OK line), drop (nothing),
    err (ERR perm)."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", int(port)))
    ls.listen(1)
    ls.settimeout(TIMEOUT)
    print("ready", ls.getsockname()[1], flush=True)
    c, _ = ls.accept()
    c.settimeout(TIMEOUT)
    data = read_all(c)
    t = connect(target)
    t.sendall(data)
    t.shutdown(socket.SHUT_WR)
    reply = read_all(t)
    t.close()
    if mode == "flip":
        i = len(reply) - 5
        reply = reply[:i] + (b"B" if reply[i:i + 1] != b"B" else b"C") + reply[i + 1:]
    elif mode == "truncate":
        reply = reply[:3 + 32 + 1 + 20] + b"\n"
    elif mode.startswith("replay:"):
        reply = open(mode[7:], "rb").read()
    elif mode == "drop":
        reply = b""
    elif mode == "err":
        reply = b"ERR perm not for this server\n"
    try:
        c.sendall(reply)
    except OSError:
        pass
    c.close()


def hold(spec, n, seconds):
    """N connections that send nothing; prints how many the server closed
    (with its answer) within SECONDS."""
    socks = [connect(spec) for _ in range(int(n))]
    closed = 0
    end = time.time() + float(seconds)
    for s in socks:
        s.settimeout(max(0.1, end - time.time()))
        try:
            if s.recv(4096) is not None:
                closed += 1
        except (socket.timeout, OSError):
            pass
    for s in socks:
        s.close()
    print(closed)


def flood(spec, n):
    """N connections at once: a third send garbage, a third connect and
    close, a third stay silent. Prints how many got an answer or were closed."""
    n = int(n)
    results = [0] * n

    def one(i):
        try:
            s = connect(spec)
            if i % 3 == 0:
                s.sendall(os.urandom(3000))
                s.shutdown(socket.SHUT_WR)
            elif i % 3 == 1:
                s.close()
                results[i] = 1
                return
            read_all(s)
            results[i] = 1
            s.close()
        except OSError:
            results[i] = 1  # refused or reset: shed
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT + 5)
    print(sum(results))


def main(argv):
    cmd = argv[1]
    if cmd == "free-port":
        free_port()
    elif cmd == "send":
        cut = pause = None
        rest = argv[4:]
        while rest:
            if rest[0] == "--cut":
                cut = int(rest[1])
            elif rest[0] == "--pause":
                pause = float(rest[1])
            rest = rest[2:]
        send(argv[2], argv[3], cut, pause or 0.0)
    elif cmd == "check-inbox":
        expect, allow_tmp, rest = None, False, argv[4:]
        while rest:
            if rest[0] == "--expect":
                expect = int(rest[1])
                rest = rest[1:]
            elif rest[0] == "--allow-tmp":
                allow_tmp = True
            rest = rest[1:]
        return 0 if check_inbox(argv[2], argv[3], expect, allow_tmp) else 1
    elif cmd == "proxy":
        proxy(argv[2], argv[3], argv[4])
    elif cmd == "hold":
        hold(argv[2], argv[3], argv[4])
    elif cmd == "flood":
        flood(argv[2], argv[3])
    else:
        print(f"tlib: unknown command {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
