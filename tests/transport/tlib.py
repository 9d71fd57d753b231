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
    tlib.py script ADDR STEP...                    scripted clients (see script)
    tlib.py hostile ADDR SECONDS SILENT SOURCES SLOW FLOODSRC
                                                   an attack (see hostile)
    tlib.py bound-exec HOST PORTFILE CMD...        CMD with a socket listening on
                                                   HOST, any free port, as fd 3
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


def connect_from(spec, source):
    host, port = addr(spec)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.bind((source, 0))
    s.connect((host, port))
    return s


def state(s):
    """'open', or 'closed: REPLY' once the server closed (or reset) it."""
    s.setblocking(False)
    try:
        b = s.recv(4096)
    except BlockingIOError:
        return "open"
    except OSError:
        return "closed: "
    finally:
        s.settimeout(TIMEOUT)
    if b == b"":
        return "closed: "
    s.settimeout(2)
    return "closed: " + (b + read_all(s)).decode("ascii", "replace").strip()


def script(spec, steps):
    """Runs STEPS in order, each 'VERB ARG...', printing one line per check:
      open NAME SRC            connect from the address SRC
      send NAME FILE           send FILE's bytes
      junk NAME N              send N bytes that are no envelope
      trickle NAME FILE N MS   send FILE N bytes at a time, MS apart, until
                               it is all sent or the server closes
      shut NAME                half-close
      reply NAME               print 'NAME: LINE' (the server's answer, read
                               to the end)
      state NAME               print 'NAME: open' or 'NAME: closed: LINE'
      pause MS                 pace the clients (never to wait for the server)
    """
    conns = {}
    for step in steps:
        w = step.split()
        if w[0] == "open":
            conns[w[1]] = connect_from(spec, w[2])
        elif w[0] == "send":
            conns[w[1]].sendall(open(w[2], "rb").read())
        elif w[0] == "junk":
            conns[w[1]].sendall(b"x" * int(w[2]))
        elif w[0] == "trickle":
            data = open(w[2], "rb").read()
            n, ms = int(w[3]), int(w[4])
            try:
                for i in range(0, len(data), n):
                    conns[w[1]].sendall(data[i:i + n])
                    if i + n < len(data):
                        time.sleep(ms / 1000)
            except OSError:
                pass
        elif w[0] == "shut":
            try:
                conns[w[1]].shutdown(socket.SHUT_WR)
            except OSError:
                pass
        elif w[0] == "reply":
            print(f"{w[1]}: " + read_all(conns[w[1]]).decode("ascii", "replace").strip())
        elif w[0] == "state":
            print(f"{w[1]}: " + state(conns[w[1]]))
        elif w[0] == "pause":
            time.sleep(int(w[1]) / 1000)
        else:
            raise SystemExit(f"tlib script: unknown step {step}")
        sys.stdout.flush()
    for s in conns.values():
        s.close()


def hostile(spec, seconds, silent, sources, slow, floodsrc):
    """For SECONDS (or until SIGTERM): SILENT connections that never send a byte, spread over
    SOURCES addresses 127.0.1.x (each reopened when the server closes it);
    SLOW connections from 127.0.2.1 sending one byte a second; and from
    FLOODSRC as many connections as it can open, 100 at a time, each closed
    by the server or reopened. Prints what the server did to them."""
    import selectors
    import signal
    sel = selectors.DefaultSelector()
    end = time.time() + float(seconds)
    stopped = []
    signal.signal(signal.SIGTERM, lambda *a: stopped.append(1))
    stats = {"opened": 0, "closed": 0, "failed": 0}
    want = []  # (kind, source)
    for i in range(int(silent)):
        want.append(("silent", "127.0.1.%d" % (1 + i % int(sources))))
    for i in range(int(slow)):
        want.append(("slow", "127.0.2.1"))
    for i in range(100 if floodsrc != "-" else 0):
        want.append(("flood", floodsrc))
    host, port = addr(spec)

    def opener(slot):
        kind, src = want[slot]
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((src, 0))
            s.connect_ex((host, port))
        except OSError:
            s.close()
            stats["failed"] += 1
            return None
        stats["opened"] += 1
        sel.register(s, selectors.EVENT_READ, slot)
        return s

    socks = [opener(i) for i in range(len(want))]
    next_drip = time.time()
    while time.time() < end and not stopped:
        for key, _ in sel.select(timeout=0.2):
            slot = key.data
            s = key.fileobj
            try:
                b = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if b == b"" or b.startswith(b"ERR"):
                sel.unregister(s)
                s.close()
                stats["closed"] += 1
                reason = b.decode("ascii", "replace").strip() or "(closed)"
                stats[reason] = stats.get(reason, 0) + 1
                socks[slot] = opener(slot)
        for i, s in enumerate(socks):
            if s is None and time.time() < end:
                socks[i] = opener(i)
        if time.time() >= next_drip:
            next_drip = time.time() + 1
            for i, s in enumerate(socks):
                if s is not None and want[i][0] == "slow":
                    try:
                        s.send(b"x")
                    except OSError:
                        pass
    for s in socks:
        if s is not None:
            s.close()
    for k in sorted(stats):
        print(f"{k}: {stats[k]}")


def bound_exec(host, portfile, cmd):
    """Runs CMD (which never returns here) with a socket already listening
    on HOST and a port the kernel picked as its descriptor 3 (HAProxy's
    'bind fd@3'), after writing the port to PORTFILE: no race for a port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((host, 0))
    s.listen(128)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    if s.fileno() != 3:
        os.dup2(s.fileno(), 3)
    os.set_inheritable(3, True)
    os.execvp(cmd[0], cmd)


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
    elif cmd == "script":
        script(argv[2], argv[3:])
    elif cmd == "bound-exec":
        bound_exec(argv[2], argv[3], argv[4:])
    elif cmd == "hostile":
        hostile(*argv[2:8])
    else:
        print(f"tlib: unknown command {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
