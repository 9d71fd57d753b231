#!/usr/bin/env python3
"""A second implementation of seal(5) TRANSPORT "Chat", version 2.

Written from man/seal.5 alone (and RFC 7748 X25519, RFC 5869 HKDF), not
from seal's C code, on top of seal_ref.py's envelopes, so that the two
chats can check each other. A test oracle, not a tool: blocking sockets,
no terminal handling.

    Session(role, me, trusted, sock)   one chat over a connected socket
      .handshake()                     the HELLOs; .peer_fpr names the peer
      .send_text(bytes) / .send_bye()
      .receive()                       ("TEXT", bytes) or ("BYE", None);
                                       Fault on anything seal(5) rejects

    recover(recording, keys)           what both parties' key files reveal
                                       about a recorded connection
"""
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

import seal_ref

LABEL = b"seal v2 chat\x00"
V1_LABEL = b"seal v1 chat\x00"
HELLO, TEXT, BYE = 1, 2, 3
HELLO_LEN = 13 + 1 + 32 + 32 + 8 + 32
HEAD = 13 + 1 + 8
TAG = 16
TEXT_MAX = 4096
FRAME_MAX = 16384
END = seal_ref.ARMOR_END + b"\n"
INFO_DIALER = b"seal v2 chat dialer\x00"
INFO_LISTENER = b"seal v2 chat listener\x00"
INFO_FRAME = b"seal v2 chat frame\x00"


class Fault(Exception):
    """A frame seal(5) says a receiver MUST reject: RULE is C1..C7."""

    def __init__(self, rule, detail):
        super().__init__("%s: %s" % (rule, detail))
        self.rule = rule


def hkdf_extract(salt, ikm):
    h = HMAC(salt, hashes.SHA256())
    h.update(ikm)
    return h.finalize()


def hkdf_expand(prk, info, n):
    return HKDFExpand(hashes.SHA256(), n, info).derive(prk)


def step(chain):
    """(K_n, CK_n+1) from CK_n."""
    okm = hkdf_expand(chain, INFO_FRAME, 64)
    return okm[:32], okm[32:]


def nonce(seq):
    return b"\x00" * 4 + struct.pack(">Q", seq)


def chains(th, shared):
    """(dialer's chain, listener's chain) from TH and the X25519 secret."""
    if shared == b"\x00" * 32:
        raise Fault("C7", "all-zero X25519 shared secret")
    prk = hkdf_extract(th, shared)
    return hkdf_expand(prk, INFO_DIALER, 32), hkdf_expand(prk, INFO_LISTENER, 32)


def split_frames(data):
    """The frames of one direction of a connection: each from the end of
    the one before through the LF of its END line."""
    frames = []
    while True:
        i = data.find(END)
        while i > 0 and data[i - 1:i] != b"\n":
            i = data.find(END, i + 1)
        if i < 0:
            return frames, data
        frames.append(data[:i + len(END)])
        data = data[i + len(END):]


def open_frame(frame, chain, expected_seq):
    """(type, text, next chain) of one TEXT/BYE frame under CHAIN, or Fault."""
    try:
        b = seal_ref.armor_decode(frame)
    except seal_ref.Refused as e:
        raise Fault("C2", "armor: " + e.detail) from None
    if len(b) < HEAD + TAG or b[:13] != LABEL:
        raise Fault("C2", "not a chat frame")
    typ, seq = b[13], struct.unpack(">Q", b[14:22])[0]
    body = b[HEAD:]
    if typ not in (HELLO, TEXT, BYE) or (typ == BYE and len(body) != TAG) or \
            len(body) - TAG > TEXT_MAX:
        raise Fault("C2", "layout")
    if typ == HELLO:
        raise Fault("C6", "HELLO after the handshake")
    if seq != expected_seq:
        raise Fault("C5", "seq %d, expected %d" % (seq, expected_seq))
    key, nxt = step(chain)
    try:
        text = AESGCM(key).decrypt(nonce(seq), body, b[:HEAD])
    except InvalidTag:
        raise Fault("C1", "tag does not verify") from None
    if b"\n" in text:
        raise Fault("C2", "LF in the text")
    return ("TEXT" if typ == TEXT else "BYE"), text, nxt


def seal_frame(typ, seq, text, chain):
    """(armored frame, next chain)."""
    key, nxt = step(chain)
    head = LABEL + bytes([typ]) + struct.pack(">Q", seq)
    ct = AESGCM(key).encrypt(nonce(seq), text, head)
    return seal_ref.armor_encode(head + ct), nxt


class Session:
    """One chat over the connected socket SOCK as ROLE ("dialer" or
    "listener"), with our RSA key ME and TRUSTED ({fingerprint: public
    key}). EPHEMERAL (an X25519PrivateKey) and PUBLIC_OVERRIDE (32 bytes
    sent as our X25519 key) are for tests."""

    def __init__(self, role, me, trusted, sock, ephemeral=None, public_override=None,
                 label=LABEL):
        self.role, self.me, self.trusted, self.sock = role, me, trusted, sock
        self.eph = ephemeral or X25519PrivateKey.generate()
        self.eph_public = public_override or self.eph.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.label = label
        self.mine = os.urandom(32)
        self.buf = b""
        self.transcript = []
        self.send_seq = self.recv_seq = 1
        self.peer_fpr = None

    def _read_frame(self):
        while True:
            frames, rest = split_frames(self.buf)
            if frames:
                self.buf = self.buf[len(frames[0]):]
                return frames[0]
            if len(self.buf) > FRAME_MAX:
                raise Fault("C1", "frame over 16384 bytes")
            if self.buf.startswith(b"ERR ") and b"\n" in self.buf:
                raise ConnectionRefusedError(self.buf.split(b"\n")[0].decode())
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.buf += data

    def _send_hello(self, to):
        plain = self.label + bytes([HELLO]) + to + self.mine + struct.pack(">Q", 0) + \
            self.eph_public
        frame = seal_ref.seal(plain, [self.trusted[self.peer_fpr]], self.me, armor=True)
        self.transcript.append(frame)
        self.sock.sendall(frame)

    def _take_hello(self):
        frame = self._read_frame()
        try:
            plain, fpr, _, _, _ = seal_ref.unseal(frame, self.me, self.trusted)
        except seal_ref.Refused as e:
            raise Fault("C1", "HELLO envelope: %s %s" % (e.rule, e.detail)) from None
        if len(plain) != HELLO_LEN or plain[:13] != LABEL or plain[13] != HELLO:
            raise Fault("C2", "not a version 2 HELLO")
        to, frm, seq, pub = plain[14:46], plain[46:78], plain[78:86], plain[86:118]
        if frm == self.mine:
            raise Fault("C3", "reflected HELLO")
        if to != (self.mine if self.role == "dialer" else b"\x00" * 32):
            raise Fault("C4", "HELLO of another session")
        if seq != b"\x00" * 8:
            raise Fault("C5", "HELLO seq")
        self.peer_fpr, self.peer_nonce, self.peer_public = fpr, frm, pub
        self.transcript.append(frame)

    def handshake(self, peer_fpr=None):
        if self.role == "dialer":
            self.peer_fpr = peer_fpr
            self._send_hello(b"\x00" * 32)
            self._take_hello()
        else:
            self._take_hello()
            self._send_hello(self.peer_nonce)
        th = hashlib.sha256(b"".join(self.transcript)).digest()
        shared = self.eph.exchange(X25519PublicKey.from_public_bytes(self.peer_public)) \
            if self.peer_public != b"\x00" * 32 else b"\x00" * 32
        d, lst = chains(th, shared)
        self.send_chain, self.recv_chain = (d, lst) if self.role == "dialer" else (lst, d)

    def send_text(self, text):
        frame, self.send_chain = seal_frame(TEXT, self.send_seq, text, self.send_chain)
        self.send_seq += 1
        self.sock.sendall(frame)

    def send_bye(self):
        frame, self.send_chain = seal_frame(BYE, self.send_seq, b"", self.send_chain)
        self.send_seq += 1
        self.sock.sendall(frame)

    def receive(self):
        typ, text, self.recv_chain = open_frame(self._read_frame(), self.recv_chain,
                                                self.recv_seq)
        self.recv_seq += 1
        return typ, (text if typ == "TEXT" else None)


def recover(dialer_bytes, listener_bytes, keys, ephemeral=None):
    """What KEYS (RSA private keys: both parties') reveal about a recorded
    connection: {"identities": [sender fingerprints of the HELLOs opened],
    "lines": [texts opened]}. Every frame is tried as an envelope under every
    key; with EPHEMERAL (one party's X25519 private key, which a party erases
    and a thief never has) the chains are derived too."""
    out = {"identities": [], "lines": []}
    d_frames, _ = split_frames(dialer_bytes)
    l_frames, _ = split_frames(listener_bytes)
    trusted = {}
    for k in keys:
        trusted[seal_ref.fingerprint(k.public_key())] = k.public_key()
    hellos = {}
    for side, frames in (("d", d_frames), ("l", l_frames)):
        for f in frames:
            for k in keys:
                try:
                    plain, fpr, _, _, _ = seal_ref.unseal(f, k, trusted)
                except seal_ref.Refused:
                    continue
                if plain[:13] == LABEL and plain[13] == HELLO:
                    out["identities"].append(fpr)
                    hellos[side] = (f, plain[86:118])
                else:
                    out["lines"].append(plain)
    if ephemeral is not None and len(hellos) == 2:
        mine = ephemeral.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)
        other = hellos["l"][1] if hellos["d"][1] == mine else hellos["d"][1]
        th = hashlib.sha256(hellos["d"][0] + hellos["l"][0]).digest()
        d, lst = chains(th, ephemeral.exchange(X25519PublicKey.from_public_bytes(other)))
        for frames, chain in ((d_frames[1:], d), (l_frames[1:], lst)):
            for seq, f in enumerate(frames, 1):
                typ, text, chain = open_frame(f, chain, seq)
                if typ == "TEXT":
                    out["lines"].append(text)
    return out
