#!/usr/bin/env python3
"""bench/chat.py SEAL DIR LINES ROUNDS: one seal --chat pair on 127.0.0.1
(bob listens, alice dials; keys DIR/alice.*, DIR/bob.*), measured after the
handshake:

  lines/s     LINES lines of 64 bytes written at once into alice's standard
              input, from the first written to the last shown by bob
  cpu/line    both processes' CPU time (user + system) over that stretch,
              per line
  latency     ROUNDS times: one line written, the time until bob shows it
              (median and 90th percentile)

Prints one line: "lines_per_s cpu_us_per_line latency_ms_median latency_ms_p90".
"""
import os
import subprocess
import sys
import threading
import time

HZ = os.sysconf("SC_CLK_TCK")
TIMEOUT = 600


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


class Out:
    """Counts the lines a process writes to standard output."""

    def __init__(self, f):
        self.lines = 0
        self.err = b""
        self.cond = threading.Condition()
        threading.Thread(target=self._pump, args=(f,), daemon=True).start()

    def _pump(self, f):
        while True:
            b = f.read1(65536)
            if not b:
                return
            with self.cond:
                self.lines += b.count(b"\n")
                self.cond.notify_all()

    def wait(self, n):
        deadline = time.time() + TIMEOUT
        with self.cond:
            while self.lines < n:
                if not self.cond.wait(deadline - time.time()):
                    raise SystemExit("bench/chat.py: only %d of %d lines arrived" % (self.lines, n))


def wait_text(path, text):
    deadline = time.time() + 60
    while time.time() < deadline:
        with open(path, "rb") as f:
            data = f.read()
        if text in data:
            return data
        time.sleep(0.01)
    raise SystemExit("bench/chat.py: %r never appeared in %s" % (text, path))


def main():
    seal, d, n, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    k = lambda who, ext: os.path.join(d, "%s.%s" % (who, ext))  # noqa: E731
    with open(os.path.join(d, "bob.err"), "wb") as be, open(os.path.join(d, "alice.err"), "wb") as ae:
        bob = subprocess.Popen([seal, "--chat", "--listen", "127.0.0.1:0", "-s", k("bob", "key"),
                                "-r", k("alice", "pub"), "--wait", "600s"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=be)
        err = wait_text(os.path.join(d, "bob.err"), b"waiting on 127.0.0.1:")
        port = int(err.split(b"waiting on 127.0.0.1:")[1].split()[0])
        alice = subprocess.Popen([seal, "--chat", "--to", "127.0.0.1:%d" % port, "-s",
                                  k("alice", "key"), "-r", k("bob", "pub"), "--wait", "600s"],
                                 stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=ae)
        out = Out(bob.stdout)
        wait_text(os.path.join(d, "bob.err"), b"chatting with alice")
        wait_text(os.path.join(d, "alice.err"), b"chatting with bob")
        line = b"x" * 63 + b"\n"
        # Latency first, one line at a time.
        lat = []
        for i in range(rounds):
            t = time.perf_counter()
            alice.stdin.write(line)
            alice.stdin.flush()
            out.wait(i + 1)
            lat.append(time.perf_counter() - t)
        # Throughput.
        c0 = cpu_ticks(alice.pid) + cpu_ticks(bob.pid)
        t0 = time.perf_counter()
        writer = threading.Thread(target=lambda: (alice.stdin.write(line * n), alice.stdin.flush()))
        writer.start()
        out.wait(rounds + n)
        t1 = time.perf_counter()
        c1 = cpu_ticks(alice.pid) + cpu_ticks(bob.pid)
        writer.join()
        alice.stdin.close()
        bob.stdin.close()
        for p in (alice, bob):
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
    lat.sort()
    print("%.1f %.1f %.3f %.3f" % (n / (t1 - t0), (c1 - c0) / HZ / n * 1e6,
                                   lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.9)] * 1e3))


if __name__ == "__main__":
    main()
