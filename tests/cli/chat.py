#!/usr/bin/env python3
"""End-to-end tests of seal --chat (seal(1) CHAT, seal(5) TRANSPORT "Chat")
on 127.0.0.1, each bounded in time. Run by tests/cli/chat_*.sh:

    chat.py SCENARIO DIR      (DIR: a private temporary directory)

Scenarios: pipes, eof, drop, interrupt, untrusted, directory, longline,
pty, replay, reorder, oldsession, reflect, otherdir. A small man-in-the-middle proxy
(Proxy) forwards frames (armored envelopes, one per END line) and can
replay, reorder, or inject recorded ones. Exit 0 if the scenario held, 1
otherwise (with the programs' transcripts).
"""
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import threading
import time

SEAL = os.environ["SEAL"]
KEYGEN = os.environ["SEAL_KEYGEN"]
END = b"-----END SEALED MESSAGE-----\n"
TIMEOUT = 30


def fail(msg, *procs):
    sys.stderr.write("FAIL: %s\n" % msg)
    for p in procs:
        p.dump()
        p.kill()
    sys.exit(1)



class Party:
    """One seal --chat process with pipes (or, with tty=True, a terminal)."""

    def __init__(self, name, args, tty=False):
        self.name = name
        self.out = b""
        self.err = b""
        self.lock = threading.Lock()
        cmd = [SEAL, "--chat"] + args
        if tty:
            self.pid, self.fd = pty.fork()
            if self.pid == 0:
                try:
                    os.execv(cmd[0], cmd)
                finally:
                    os._exit(127)
            self.proc = None
            self.status = None
            threading.Thread(target=self._pump_pty, daemon=True).start()
        else:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE)
            threading.Thread(target=self._pump, args=(self.proc.stdout, "out"),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(self.proc.stderr, "err"),
                             daemon=True).start()

    def _pump(self, f, which):
        while True:
            b = f.read1(4096) if hasattr(f, "read1") else f.read(1)
            if not b:
                return
            with self.lock:
                setattr(self, which, getattr(self, which) + b)

    def _pump_pty(self):
        while True:
            try:
                b = os.read(self.fd, 4096)
            except OSError:
                return
            if not b:
                return
            with self.lock:
                self.out += b
                self.err += b

    def send(self, data):
        if self.proc:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        else:
            os.write(self.fd, data)

    def close_stdin(self):
        self.proc.stdin.close()

    def expect(self, which, text, others=()):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            with self.lock:
                if text in getattr(self, which):
                    return
            time.sleep(0.02)
        fail("%s: %r never appeared on std%s" % (self.name, text, which), self, *others)

    def wait(self, others=()):
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            if self.proc:
                st = self.proc.poll()
                if st is not None:
                    time.sleep(0.05)  # let the pumps finish
                    return st
            else:
                pid, st = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    time.sleep(0.05)
                    self.status = os.waitstatus_to_exitcode(st)
                    return self.status
            time.sleep(0.02)
        fail("%s did not end in time" % self.name, self, *others)

    def exits(self, want, others=()):
        st = self.wait(others)
        if st != want:
            fail("%s exited %s, expected %s" % (self.name, st, want), self, *others)

    def kill(self, sig=signal.SIGKILL):
        try:
            if self.proc:
                self.proc.send_signal(sig)
            else:
                os.kill(self.pid, sig)
        except (ProcessLookupError, OSError):
            pass

    def dump(self):
        sys.stderr.write("--- %s stdout ---\n%s\n--- %s stderr ---\n%s\n" % (
            self.name, self.out.decode("utf-8", "replace"), self.name,
            self.err.decode("utf-8", "replace")))


class Proxy:
    """Listens on a port, connects to TARGET, forwards both ways frame by
    frame. TAMPER(direction, index, frame) returns the list of frames to
    send instead (direction "a>b" from the dialer)."""

    def __init__(self, target, tamper):
        self.target = target
        self.tamper = tamper
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.frames = {"a>b": [], "b>a": []}
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.sock.settimeout(TIMEOUT)
        try:
            a, _ = self.sock.accept()
        except OSError:
            return
        b = socket.create_connection(("127.0.0.1", self.target))
        self.ends = (a, b)
        threading.Thread(target=self._pipe, args=(a, b, "a>b", a), daemon=True).start()
        self._pipe(b, a, "b>a", a)

    def _pipe(self, src, dst, direction, a):
        buf = b""
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            buf += data
            while END in buf:
                i = buf.index(END) + len(END)
                frame, buf = buf[:i], buf[i:]
                idx = len(self.frames[direction])
                self.frames[direction].append(frame)
                for f in self.tamper(direction, idx, frame):
                    target = dst if not f.startswith(b"@back:") else src
                    try:
                        target.sendall(f[6:] if f.startswith(b"@back:") else f)
                    except OSError:
                        pass


def keys(d, *names):
    for n in names:
        if not os.path.exists(os.path.join(d, n + ".key")):
            subprocess.run([KEYGEN, "-o", os.path.join(d, n), "-b", "2048",
                            "--no-passphrase"], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    return lambda n, ext: os.path.join(d, n + "." + ext)


def listener(k, me, peer, tty=False):
    """Listens on a port the kernel picks (0); sets p.port from its note."""
    p = Party(me, ["--listen", "127.0.0.1:0", "-s", k(me, "key"), "-r", peer, "--wait", "30s"],
              tty)
    p.expect("err", b"waiting on 127.0.0.1:")
    with p.lock:
        text = p.err.decode("utf-8", "replace")
    p.port = int(text.split("waiting on 127.0.0.1:")[1].split()[0])
    return p


def dialer(k, me, peer, port, tty=False):
    return Party(me, ["--to", "127.0.0.1:%d" % port, "-s", k(me, "key"), "-r", k(peer, "pub"),
                      "--wait", "30s"], tty)


def pair(d, tamper=None):
    k = keys(d, "alice", "bob")
    bob = listener(k, "bob", k("alice", "pub"))
    port = bob.port
    if tamper:
        proxy = Proxy(port, tamper)
        port = proxy.port
    alice = dialer(k, "alice", "bob", port)
    return k, alice, bob


def talk(alice, bob):
    alice.expect("err", b"chatting with bob", [bob])
    bob.expect("err", b"chatting with alice", [alice])
    alice.send(b"hi bob\n")
    bob.expect("out", b"alice: hi bob\n", [alice])
    bob.send(b"hello alice\n")
    alice.expect("out", b"bob: hello alice\n", [bob])


def scenario_pipes(d):
    k, alice, bob = pair(d)
    talk(alice, bob)
    # A peer cannot move the cursor or fake a line from the other speaker.
    alice.send(b"\x1b[2K\rbob: I owe you \xe2\x80\xae money\x07\n")
    bob.expect("out", b"alice: \\x1b[2K\\x0dbob: I owe you \\xe2\\x80\\xae money\\x07\n",
               [alice])
    alice.send(b"back\\slash caf\xc3\xa9\n")
    bob.expect("out", b"alice: back\\\\slash caf\xc3\xa9\n", [alice])
    alice.send(b"exit\n")
    alice.exits(0, [bob])
    bob.exits(0, [alice])
    bob.expect("err", b"alice said goodbye", [alice])
    alice.expect("err", b"bob said goodbye", [bob])
    if b"\x1b" in bob.out:
        fail("an escape character reached the terminal", alice, bob)


def scenario_eof(d):
    k, alice, bob = pair(d)
    talk(alice, bob)
    bob.send(b"last words")  # no LF: still a line at the end of input
    bob.close_stdin()
    alice.expect("out", b"bob: last words\n", [bob])
    bob.exits(0, [alice])
    alice.exits(0, [bob])
    alice.expect("err", b"bob said goodbye", [bob])


def scenario_drop(d):
    k, alice, bob = pair(d)
    talk(alice, bob)
    alice.kill()
    bob.exits(8, [alice])
    bob.expect("err", b"dropped without a goodbye from alice", [alice])


def scenario_interrupt(d):
    k, alice, bob = pair(d)
    talk(alice, bob)
    alice.kill(signal.SIGINT)
    alice.exits(130, [bob])
    bob.exits(0, [alice])
    bob.expect("err", b"alice said goodbye", [alice])


def scenario_untrusted(d):
    k = keys(d, "alice", "bob", "eve")
    bob = listener(k, "bob", k("alice", "pub"))
    port = bob.port
    eve = dialer(k, "eve", "bob", port)
    eve.exits(9, [bob])
    eve.expect("err", b"ERR perm not a chat peer", [bob])
    bob.expect("err", b"refused a connection from 127.0.0.1", [eve])
    # Nothing of it reached the screen; bob still waits for alice.
    if bob.out:
        fail("the untrusted peer's frame was shown", bob)
    alice = dialer(k, "alice", "bob", port)
    talk(alice, bob)
    alice.send(b"exit\n")
    alice.exits(0, [bob])
    bob.exits(0, [alice])
    # A dialer that does not trust the listener's key ends at its HELLO.
    bob = listener(k, "bob", k("alice", "pub"))
    alice = dialer(k, "alice", "eve", bob.port)  # alice thinks she calls eve
    alice.wait([bob])
    bob.expect("err", b"refused a connection", [alice])
    bob.kill(signal.SIGINT)
    bob.exits(130, [alice])


def scenario_directory(d):
    k = keys(d, "alice", "bob", "carol")
    os.makedirs(os.path.join(d, "friends"), exist_ok=True)
    for n in ("alice", "carol"):
        dst = os.path.join(d, "friends", n + ".pub")
        if not os.path.exists(dst):
            with open(k(n, "pub"), "rb") as f, open(dst, "wb") as g:
                g.write(f.read())
    bob = listener(k, "bob", os.path.join(d, "friends"))
    carol = dialer(k, "carol", "bob", bob.port)
    bob.expect("err", b"chatting with carol", [carol])
    carol.send(b"it is carol\n")
    bob.expect("out", b"carol: it is carol\n", [carol])
    bob.send(b"hi carol\n")
    carol.expect("out", b"bob: hi carol\n", [bob])
    carol.close_stdin()
    carol.exits(0, [bob])
    bob.exits(0, [carol])


def scenario_longline(d):
    k, alice, bob = pair(d)
    talk(alice, bob)
    alice.send(b"x" * 5000 + b"\n" + b"short\n")
    alice.expect("err", b"longer than 4096 bytes was not sent", [bob])
    bob.expect("out", b"alice: short\n", [alice])
    if b"xxxx" in bob.out:
        fail("the long line was sent", alice, bob)
    alice.send(b"x" * 4096 + b"\n")
    bob.expect("out", b"alice: " + b"x" * 4096 + b"\n", [alice])
    alice.close_stdin()
    alice.exits(0, [bob])
    bob.exits(0, [alice])


def scenario_pty(d):
    k = keys(d, "alice", "bob")
    bob = listener(k, "bob", k("alice", "pub"), tty=True)
    alice = dialer(k, "alice", "bob", bob.port)
    bob.expect("out", b"chatting with alice", [alice])
    alice.send(b"hi terminal\n")
    bob.expect("out", b"alice: hi terminal", [alice])
    bob.send(b"typed on a terminal\r")
    alice.expect("out", b"bob: typed on a terminal\n", [bob])
    bob.send(b"\x04")  # Ctrl-D: end of input
    bob.exits(0, [alice])
    alice.exits(0, [bob])


def mitm(d, tamper, victim_status=12, victim="bob"):
    k, alice, bob = pair(d, tamper)
    alice.expect("err", b"chatting with bob", [bob])
    alice.send(b"one\n")
    alice.send(b"two\n")
    alice.send(b"three\n")
    v, other = (bob, alice) if victim == "bob" else (alice, bob)
    v.exits(victim_status, [other])
    other.kill()
    return v


def scenario_replay(d):
    # Frame 2 (alice's "one", seq 1) is sent twice.
    bob = mitm(d, lambda dr, i, f: [f, f] if dr == "a>b" and i == 1 else [f])
    bob.expect("err", b"replayed frame", [])
    if bob.out.count(b"alice: one\n") != 1:
        fail("the replayed line was shown twice", bob)


def scenario_reorder(d):
    held = []

    def tamper(dr, i, f):
        if dr == "a>b" and i == 1:
            held.append(f)
            return []
        if dr == "a>b" and i == 2:
            return [f] + held
        return [f]

    bob = mitm(d, tamper)
    bob.expect("err", b"dropped or reordered frame", [])
    if b"alice: two" in bob.out:
        fail("a reordered line was shown", bob)


def scenario_oldsession(d):
    # Record a whole session, then replay its frame into a new one.
    proxy_frames = []

    def record(dr, i, f):
        if dr == "a>b":
            proxy_frames.append(f)
        return [f]

    k, alice, bob = pair(d, record)
    talk(alice, bob)
    alice.send(b"exit\n")
    alice.exits(0, [bob])
    bob.exits(0, [alice])
    old = proxy_frames[1]  # "hi bob", seq 1 of the old session

    def inject(dr, i, f):
        if dr == "a>b" and i == 1:
            return [old]
        return [f]

    bob = mitm(d, inject)
    bob.expect("err", b"does not verify under the peer's key chain", [])
    if b"alice: hi bob" in bob.out:
        fail("an old session's line was shown", bob)


def scenario_reflect(d):
    # Alice's first line goes back to alice instead of to bob.
    alice = mitm(d, lambda dr, i, f: [b"@back:" + f] if dr == "a>b" and i == 1 else [f],
                 victim="alice")
    alice.expect("err", b"a frame that does not verify", [])


def scenario_otherdir(d):
    # Bob's first line (sealed under the listener's chain, seq 1) is handed
    # to bob in place of alice's first (the dialer's chain, seq 1): the
    # seq is right, the chain is the other direction's.
    held = []

    def tamper(dr, i, f):
        if dr == "b>a" and i == 1:
            held.append(f)
            return [f]
        if dr == "a>b" and i == 1:
            return held[:1] or [f]
        return [f]

    k, alice, bob = pair(d, tamper)
    alice.expect("err", b"chatting with bob", [bob])
    bob.expect("err", b"chatting with alice", [alice])
    bob.send(b"from bob\n")
    alice.expect("out", b"bob: from bob\n", [bob])
    alice.send(b"from alice\n")
    bob.exits(12, [alice])
    bob.expect("err", b"does not verify under the peer's key chain", [alice])
    if b"from" in bob.out:
        fail("a frame of the other direction was shown", bob)
    alice.kill()


def main():
    scenario, d = sys.argv[1], sys.argv[2]
    globals()["scenario_" + scenario](d)
    print("ok: chat %s" % scenario)


if __name__ == "__main__":
    main()
