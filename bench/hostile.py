#!/usr/bin/env python3
"""bench/hostile.py: the clients of bench/hostile.sh.

    hostile.py deliver ADDR CLIENTS FILE...
        sends the envelope FILEs from CLIENTS concurrent connections (one
        connection per envelope, as seal --to), and prints
        "envelopes seconds median_ms p99_ms failed"
    hostile.py attack ADDR SILENT SOURCES SLOW SLOWSOURCES STATUSFILE
        holds SILENT connections that never send a byte, spread over SOURCES
        addresses 127.0.3.x-127.0.4.x, and SLOW ones from SLOWSOURCES other
        addresses sending one byte a second; reopens whatever the listener
        closes; writes "open N" to STATUSFILE each second; runs until
        SIGTERM.
"""
import resource
import selectors
import signal
import socket
import sys
import threading
import time


def deliver(spec, clients, files):
    host, _, port = spec.rpartition(":")
    data = [open(f, "rb").read() for f in files]
    lat, failed = [], []
    lock = threading.Lock()

    def client(k):
        for i in range(k, len(data), clients):
            t0 = time.monotonic()
            try:
                s = socket.create_connection((host, int(port)), timeout=120)
                s.sendall(data[i])
                s.shutdown(socket.SHUT_WR)
                reply = b""
                while True:
                    b = s.recv(256)
                    if not b:
                        break
                    reply += b
                s.close()
            except OSError as e:
                reply = str(e).encode()
            dt = time.monotonic() - t0
            with lock:
                if reply.startswith(b"OK "):
                    lat.append(dt)
                else:
                    failed.append(reply)

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    lat.sort()
    med = lat[len(lat) // 2] * 1000 if lat else 0
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0
    print(f"{len(lat)} {elapsed:.3f} {med:.2f} {p99:.2f} {len(failed)}")


def source(i, base):
    return "127.0.%d.%d" % (base + i // 250, 1 + i % 250)


def attack(spec, silent, sources, slow, slowsources, statusfile):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    host, _, port = spec.rpartition(":")
    want = [source(i % sources, 3) for i in range(silent)]
    want += [source(i % slowsources, 5) for i in range(slow)]
    kinds = ["silent"] * silent + ["slow"] * slow
    sel = selectors.DefaultSelector()
    socks = [None] * len(want)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))

    def opener(i):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.bind((want[i], 0))
            s.connect_ex((host, int(port)))
        except OSError:
            s.close()
            return None
        sel.register(s, selectors.EVENT_READ, i)
        return s

    for i in range(len(want)):
        socks[i] = opener(i)
    next_tick = time.time()
    while not stop:
        for key, _ in sel.select(timeout=0.2):
            s, i = key.fileobj, key.data
            try:
                b = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                b = b""
            if b == b"" or b.startswith(b"ERR"):
                sel.unregister(s)
                s.close()
                socks[i] = None
        for i in range(len(socks)):
            if socks[i] is None and not stop:
                socks[i] = opener(i)
        if time.time() >= next_tick:
            next_tick = time.time() + 1
            for i, s in enumerate(socks):
                if s is not None and kinds[i] == "slow":
                    try:
                        s.send(b"x")
                    except OSError:
                        pass
            with open(statusfile + ".tmp", "w") as f:
                f.write("open %d\n" % sum(1 for s in socks if s is not None))
            import os
            os.replace(statusfile + ".tmp", statusfile)
    for s in socks:
        if s is not None:
            s.close()


def main(argv):
    if argv[1] == "deliver":
        deliver(argv[2], int(argv[3]), argv[4:])
    elif argv[1] == "attack":
        attack(argv[2], *[int(x) for x in argv[3:7]], argv[7])
    else:
        sys.exit("hostile.py: deliver or attack")


if __name__ == "__main__":
    main(sys.argv)
