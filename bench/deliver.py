#!/usr/bin/env python3
"""bench/deliver.py ADDR CLIENTS FILE...: sends the envelope FILEs to a
listener from CLIENTS concurrent connections (each client takes every
CLIENTS-th file, one connection per envelope, as seal --to does), and prints
"envelopes seconds" once every one was acknowledged with OK."""
import socket
import sys
import threading
import time


def main():
    host, _, port = sys.argv[1].rpartition(":")
    clients = int(sys.argv[2])
    files = sys.argv[3:]
    data = [open(f, "rb").read() for f in files]
    failed = []

    def client(k):
        for i in range(k, len(data), clients):
            s = socket.create_connection((host.strip("[]"), int(port)), timeout=60)
            s.sendall(data[i])
            s.shutdown(socket.SHUT_WR)
            reply = b""
            while True:
                b = s.recv(256)
                if not b:
                    break
                reply += b
            s.close()
            if not reply.startswith(b"OK "):
                failed.append((files[i], reply))

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if failed:
        print(f"deliver.py: {len(failed)} not acknowledged, e.g. {failed[0]}", file=sys.stderr)
        return 1
    print(len(data), f"{elapsed:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
