#!/usr/bin/env python3
"""seal --chat against the reference chat (chat_ref.py), on 127.0.0.1.

    chat_check.py SCENARIO DIR     (DIR: a private temporary directory)

Scenarios:
  refdials   the reference dials a listening seal --chat; lines both ways,
             the reference says goodbye first
  sealdials  seal --chat --to dials the reference; seal's end of input ends it
  recorded   a relay records a whole seal-to-seal session; with both
             parties' .key files the reference recovers the two identities
             of the HELLOs and not one line; a session between seal and the
             reference, recorded alike, gives its lines back when the
             reference's ephemeral key is added (so the recovery works)
  replaysession  a recorded dialer side replayed whole into a new listener:
             the old HELLO verifies, the first old line does not (C1)
  lowpoint   the reference answers (and calls) with low-order X25519 keys:
             seal ends the session, status 12 (seal(5) C7)
  version1   the reference dials with a version 1 HELLO: seal refuses it
             naming the version and goes on waiting
Exit 0 if the scenario held, 1 otherwise.
"""
import os
import signal
import socket
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "cli"))
import chat_ref  # noqa: E402
import seal_ref  # noqa: E402
from chat import Party, dialer, fail, keys, listener  # noqa: E402

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402

TIMEOUT = 30
LOW_ORDER = [
    b"\x00" * 32,
    b"\x01" + b"\x00" * 31,
    bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
]


def ref_keys(k, me, peer):
    priv = seal_ref.load_private(k(me, "key"))
    pub = seal_ref.load_public(k(peer, "pub"))
    return priv, {seal_ref.fingerprint(pub): pub}, seal_ref.fingerprint(pub)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def ref_listen():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(TIMEOUT)
    return srv, srv.getsockname()[1]


def scenario_refdials(d):
    k = keys(d, "alice", "bob")
    bob = listener(k, "bob", k("alice", "pub"))
    me, trusted, fpr = ref_keys(k, "alice", "bob")
    s = chat_ref.Session("dialer", me, trusted, connect(bob.port))
    s.handshake(fpr)
    bob.expect("err", b"chatting with alice", [])
    s.send_text(b"hi from the reference")
    bob.expect("out", b"alice: hi from the reference\n", [])
    bob.send(b"hi reference\n")
    if s.receive() != ("TEXT", b"hi reference"):
        fail("the reference did not read seal's line", bob)
    s.send_text(b"caf\xc3\xa9 \x1b[31m")
    bob.expect("out", b"alice: caf\xc3\xa9 \\x1b[31m\n", [])
    s.send_bye()
    if s.receive() != ("BYE", None):
        fail("no goodbye from seal", bob)
    bob.exits(0)


def scenario_sealdials(d):
    k = keys(d, "alice", "bob")
    srv, port = ref_listen()
    alice = dialer(k, "alice", "bob", port)
    me, trusted, _ = ref_keys(k, "bob", "alice")
    conn, _ = srv.accept()
    conn.settimeout(TIMEOUT)
    s = chat_ref.Session("listener", me, trusted, conn)
    s.handshake()
    if s.peer_fpr != seal_ref.fingerprint(trusted[s.peer_fpr]):
        fail("the reference did not learn the dialer", alice)
    alice.expect("err", b"chatting with bob", [])
    alice.send(b"one\ntwo\n")
    got = [s.receive(), s.receive()]
    if got != [("TEXT", b"one"), ("TEXT", b"two")]:
        fail("the reference read %r" % got, alice)
    s.send_text(b"from the reference")
    alice.expect("out", b"bob: from the reference\n", [])
    alice.close_stdin()
    if s.receive() != ("BYE", None):
        fail("no goodbye from seal", alice)
    s.send_bye()
    alice.exits(0)


class Relay:
    """Forwards one connection to TARGET and records both directions."""

    def __init__(self, target):
        self.srv, self.port = ref_listen()
        self.target = target
        self.rec = {"d": b"", "l": b""}
        self.done = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        a, _ = self.srv.accept()
        b = socket.create_connection(("127.0.0.1", self.target))
        t = threading.Thread(target=self._pipe, args=(a, b, "d"), daemon=True)
        t.start()
        self._pipe(b, a, "l")
        t.join(TIMEOUT)
        self.done.set()

    def _pipe(self, src, dst, side):
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
            self.rec[side] += data
            try:
                dst.sendall(data)
            except OSError:
                pass


SECRETS = [b"the launch code is 4711", b"meet at the old mill", b"bring the ledger"]


def scenario_recorded(d):
    k = keys(d, "alice", "bob")
    both = [seal_ref.load_private(k("alice", "key")), seal_ref.load_private(k("bob", "key"))]
    fprs = sorted(seal_ref.fingerprint(x.public_key()) for x in both)
    # 1. seal to seal, through the relay.
    bob = listener(k, "bob", k("alice", "pub"))
    relay = Relay(bob.port)
    alice = dialer(k, "alice", "bob", relay.port)
    alice.expect("err", b"chatting with bob", [bob])
    alice.send(SECRETS[0] + b"\n")
    bob.expect("out", b"alice: " + SECRETS[0], [alice])
    bob.send(SECRETS[1] + b"\n")
    alice.expect("out", b"bob: " + SECRETS[1], [bob])
    alice.send(SECRETS[2] + b"\nexit\n")
    alice.exits(0, [bob])
    bob.exits(0, [alice])
    relay.done.wait(TIMEOUT)
    got = chat_ref.recover(relay.rec["d"], relay.rec["l"], both)
    if sorted(got["identities"]) != fprs:
        fail("the HELLOs' identities were not recovered: %r" % got["identities"])
    if got["lines"]:
        fail("both key files recovered lines of a recorded chat: %r" % got["lines"])
    for secret in SECRETS:
        if secret in relay.rec["d"] + relay.rec["l"]:
            fail("a line crossed the wire in the clear")
    frames = chat_ref.split_frames(relay.rec["d"])[0] + chat_ref.split_frames(relay.rec["l"])[0]
    if len(frames) != 2 + 3 + 2:  # 2 HELLOs, 2 + 1 TEXTs, 2 BYEs
        fail("recorded %d frames, expected 7" % len(frames))
    # 2. seal to the reference, whose ephemeral key the test keeps: the
    # same recovery then reads every line, so (1) is not a blind decoder.
    bob = listener(k, "bob", k("alice", "pub"))
    relay = Relay(bob.port)
    me, trusted, fpr = ref_keys(k, "alice", "bob")
    eph = X25519PrivateKey.generate()
    s = chat_ref.Session("dialer", me, trusted, connect(relay.port), ephemeral=eph)
    s.handshake(fpr)
    s.send_text(SECRETS[0])
    bob.expect("out", b"alice: " + SECRETS[0], [])
    bob.send(SECRETS[1] + b"\n")
    s.receive()
    s.send_bye()
    s.receive()
    bob.exits(0)
    relay.done.wait(TIMEOUT)
    if chat_ref.recover(relay.rec["d"], relay.rec["l"], both)["lines"]:
        fail("key files alone recovered lines (control)")
    got = chat_ref.recover(relay.rec["d"], relay.rec["l"], both, ephemeral=eph)
    if sorted(got["lines"]) != sorted(SECRETS[:2]):
        fail("with the ephemeral key the recovery read %r" % got["lines"])


def scenario_replaysession(d):
    """A recorded dialer side replayed whole into a new listener: its HELLO
    still verifies (it is a signed envelope), but the new session's keys
    come from the listener's fresh ephemeral key, so the first old line
    fails C1 and nothing is shown."""
    k = keys(d, "alice", "bob")
    bob = listener(k, "bob", k("alice", "pub"))
    relay = Relay(bob.port)
    alice = dialer(k, "alice", "bob", relay.port)
    alice.expect("err", b"chatting with bob", [bob])
    alice.send(SECRETS[0] + b"\nexit\n")
    alice.exits(0, [bob])
    bob.exits(0, [alice])
    relay.done.wait(TIMEOUT)
    bob = listener(k, "bob", k("alice", "pub"))
    sock = connect(bob.port)
    sock.sendall(relay.rec["d"])
    bob.exits(12)
    bob.expect("err", b"does not verify under the peer's key chain", [])
    if SECRETS[0] in bob.out:
        fail("a replayed line was shown", bob)
    sock.close()


def scenario_lowpoint(d):
    k = keys(d, "alice", "bob")
    for point in LOW_ORDER:
        # seal dials; the reference answers with a low-order key.
        srv, port = ref_listen()
        alice = dialer(k, "alice", "bob", port)
        me, trusted, _ = ref_keys(k, "bob", "alice")
        conn, _ = srv.accept()
        conn.settimeout(TIMEOUT)
        s = chat_ref.Session("listener", me, trusted, conn, public_override=point)
        try:
            s.handshake()
        except chat_ref.Fault:
            pass  # the reference refuses its own point too
        alice.exits(12)
        alice.expect("err", b"low-order X25519 key", [])
        if b"chatting with" in alice.err:
            fail("the session opened on a low-order key", alice)
        conn.close()
        srv.close()
    # The reference dials a listening seal with a low-order key.
    bob = listener(k, "bob", k("alice", "pub"))
    me, trusted, fpr = ref_keys(k, "alice", "bob")
    s = chat_ref.Session("dialer", me, trusted, connect(bob.port), public_override=LOW_ORDER[2])
    try:
        s.handshake(fpr)
    except chat_ref.Fault:
        pass
    bob.exits(12)
    bob.expect("err", b"low-order X25519 key", [])


def scenario_version1(d):
    k = keys(d, "alice", "bob")
    bob = listener(k, "bob", k("alice", "pub"))
    me, trusted, fpr = ref_keys(k, "alice", "bob")
    sock = connect(bob.port)
    # A version 1 HELLO: "seal v1 chat" 00, type 1, to 00*32, from, seq 0.
    plain = chat_ref.V1_LABEL + b"\x01" + b"\x00" * 32 + os.urandom(32) + b"\x00" * 8
    sock.sendall(seal_ref.seal(plain, [trusted[fpr]], me, armor=True))
    answer = b""
    while not answer.endswith(b"\n"):
        data = sock.recv(4096)
        if not data:
            break
        answer += data
    want = b"ERR perm seal chat version 1 is not accepted; this peer speaks version 2\n"
    if answer != want:
        fail("a version 1 HELLO was answered %r" % answer, bob)
    bob.expect("err", b"seal chat version 1", [])
    # bob still waits for a version 2 peer.
    alice = dialer(k, "alice", "bob", bob.port)
    alice.expect("err", b"chatting with bob", [bob])
    alice.close_stdin()
    alice.exits(0, [bob])
    bob.exits(0, [alice])


def main():
    scenario, d = sys.argv[1], sys.argv[2]
    globals()["scenario_" + scenario](d)
    print("ok: reference chat %s" % scenario)


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, lambda *_: (print("FAIL: timed out"), os._exit(1)))
    signal.alarm(120)
    main()
