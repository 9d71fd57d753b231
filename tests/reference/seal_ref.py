#!/usr/bin/env python3
"""A second implementation of the sealed envelope format, version 1.

Written from man/seal.5 alone (and the specifications it cites: C2SP
chunked encryption, RFC 8017 OAEP and PSS, RFC 4648 base64), not from
seal's C code, so that the two can check each other. It holds whole
envelopes in memory: it is a test oracle, not a tool.

    seal_ref.py seal -r RECIPIENT.pub [-r ...] -s SENDER.key [--armor] IN OUT
    seal_ref.py unseal -k RECIPIENT.key -s SENDER.pub|DIR IN OUT

unseal prints "outcome: CATEGORY (RULE: detail)" on standard error, where
CATEGORY is a testkit .expect outcome (success, header failure, not a
recipient, payload failure, signature failure, untrusted sender, armor
failure), and exits with the status unseal(1) gives: 0, 1 (authentication),
3 (malformed), 5 (not a recipient), 6 (untrusted sender). OUT is written
only on success. "-" is standard input or output.
"""
import base64
import hashlib
import os
import struct
import sys
import time

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

# ---- constants of seal(5) ------------------------------------------------
MAGIC = b"\x89SEAL\r\n\x1a"
VERSION = 1
MAX_RECIPIENTS = 64
K_MIN, K_MAX = 256, 1024           # wrapped key and signature lengths
WRAP_LABEL = b"seal v1 file key"   # 16 bytes, no NUL
STANZA_PLAIN_LEN = 64              # file key || receipt key
CONTEXT_LABEL = b"seal v1 header\x00"
MESSAGE_LABEL = b"seal v1 message\x00"
SIGNATURE_LABEL = b"seal v1 signature\x00"
CHUNK = 16384
TAG = 16
CHUNK_CT = CHUNK + TAG
SALT_LEN, COMMIT_LEN = 24, 32
MAX_CHUNKS = 1 << 38
TRAILER_FIXED = 32 + 8 + 16 + 2    # fingerprint, created, ID, k
ARMOR_BEGIN = b"-----BEGIN SEALED MESSAGE-----"
ARMOR_END = b"-----END SEALED MESSAGE-----"
ARMOR_LINE = 64
WHITESPACE = b" \t\r\n"            # seal(5): exactly these four
# Cobblestone-256 = C2SP chunked encryption with HKDF-Expand-SHA-512 and
# AEAD_AES_256_GCM: key (32) || base nonce (12) || commitment (32).
C2SP_INFO = b"c2sp.org/chunked-encryption@v1+AEAD_AES_256_GCM\x00"


class Refused(Exception):
    """A decoder MUST reject: RULE is R1..R16, CATEGORY the testkit outcome."""

    def __init__(self, rule, detail):
        super().__init__(detail)
        self.rule = rule
        self.detail = detail

    CATEGORY = {"R1": "header failure", "R2": "header failure", "R3": "header failure",
                "R4": "header failure", "R5": "header failure", "R6": "header failure",
                "R7": "not a recipient", "R8": "header failure", "R9": "header failure",
                "R10": "payload failure", "R11": "payload failure",
                "R12": "payload failure", "R13": "signature failure",
                "R14": "untrusted sender", "R15": "signature failure",
                "R16": "armor failure"}
    # unseal(1)'s statuses: 1 authentication failed (truncated, modified,
    # forged), 3 malformed, 5 not a recipient, 6 untrusted sender.
    STATUS = {"R1": 3, "R2": 3, "R3": 3, "R4": 3, "R5": 3, "R6": 1, "R7": 5, "R8": 1,
              "R9": 1, "R10": 1, "R11": 1, "R12": 1, "R13": 1, "R14": 6, "R15": 1,
              "R16": 3}

    @property
    def category(self):
        return self.CATEGORY[self.rule]

    @property
    def status(self):
        return self.STATUS[self.rule]


# ---- keys -------------------------------------------------------------------
def fingerprint(public_key):
    """SHA-256 of the DER SubjectPublicKeyInfo."""
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).digest()


def fingerprint_text(fpr):
    return "SHA256:" + base64.b64encode(fpr).decode().rstrip("=")


def modulus_len(key):
    return (key.key_size + 7) // 8


def load_private(path):
    with open(path, "rb") as f:
        data = f.read()
    loader = serialization.load_pem_private_key if b"-----BEGIN" in data \
        else serialization.load_der_private_key
    key = loader(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(path + ": not an RSA key")
    return key


def load_public(path):
    with open(path, "rb") as f:
        data = f.read()
    if b"PRIVATE KEY" in data:
        return load_private(path).public_key()
    loader = serialization.load_pem_public_key if b"-----BEGIN" in data \
        else serialization.load_der_public_key
    key = loader(data)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError(path + ": not an RSA key")
    return key


def load_trusted(path):
    """One public key file, or a directory whose *.pub files are trusted."""
    paths = [path]
    if os.path.isdir(path):
        paths = sorted(os.path.join(path, n) for n in os.listdir(path) if n.endswith(".pub"))
    keys = {}
    for p in paths:
        k = load_public(p)
        keys[fingerprint(k)] = k
    return keys


OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(),
                    label=WRAP_LABEL)
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


# ---- the pieces of the format ---------------------------------------------
def u16(v):
    return struct.pack(">H", v)


def u64(v):
    return struct.pack(">Q", v)


def cobblestone(file_key, salt, header):
    """(AESGCM, base nonce, commitment) for FILE_KEY, SALT and the header."""
    context = CONTEXT_LABEL + header
    okm = HKDFExpand(hashes.SHA512(), 32 + 12 + 32, C2SP_INFO + salt + context).derive(file_key)
    return AESGCM(okm[:32]), okm[32:44], okm[44:]


def chunk_nonce(base, index):
    """The base nonce XOR the chunk index as a 96-bit big-endian integer."""
    return (int.from_bytes(base, "big") ^ index).to_bytes(12, "big")


def message_digest(msg):
    """D = SHA-256("seal v1 message" 00 || h_0 .. h_(m-1) || u64 length)."""
    d = hashlib.sha256(MESSAGE_LABEL)
    for off in range(0, len(msg), CHUNK):
        d.update(hashlib.sha256(msg[off:off + CHUNK]).digest())
    d.update(u64(len(msg)))
    return d.digest()


def signed_digest(header_hash, sender_fpr, created, envelope_id, d):
    """S, the 32-byte value RSA-PSS signs as its message hash."""
    return hashlib.sha256(SIGNATURE_LABEL + header_hash + sender_fpr + u64(created)
                          + envelope_id + d).digest()


# ---- armor ------------------------------------------------------------------
def armor_encode(data):
    b64 = base64.b64encode(data)
    lines = [b64[i:i + ARMOR_LINE] for i in range(0, len(b64), ARMOR_LINE)]
    return b"\n".join([ARMOR_BEGIN] + lines + [ARMOR_END]) + b"\n"


def looks_armored(data):
    return data.lstrip(WHITESPACE).startswith(ARMOR_BEGIN)


def armor_decode(text):
    """The binary envelope inside armored TEXT, or Refused R16."""
    body = text.lstrip(WHITESPACE)
    # Lines end in LF or CRLF; the END line may also end at end of input.
    lines = body.split(b"\n")
    for i, line in enumerate(lines[:-1]):
        if line.endswith(b"\r"):
            lines[i] = line[:-1]
    if lines[0] != ARMOR_BEGIN:
        raise Refused("R16", "text after BEGIN on its line")
    try:
        end = lines.index(ARMOR_END, 1)
    except ValueError:
        raise Refused("R16", "missing END line") from None
    after = b"\n".join(lines[end + 1:])
    if after.strip(WHITESPACE):
        raise Refused("R16", "text after the END line")
    body_lines = lines[1:end]
    if not body_lines:
        raise Refused("R16", "no base64 lines")
    for i, line in enumerate(body_lines):
        if not line:
            raise Refused("R16", "blank line in the body")
        last = i == len(body_lines) - 1
        if not last and len(line) != ARMOR_LINE:
            raise Refused("R16", "body line of %d characters" % len(line))
        if last and (len(line) > ARMOR_LINE or len(line) % 4):
            raise Refused("R16", "last line of %d characters" % len(line))
    b64 = b"".join(body_lines)
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    core = b64.rstrip(b"=")
    if len(b64) - len(core) > 2 or any(c not in alphabet for c in core):
        raise Refused("R16", "character outside base64 or misplaced padding")
    data = base64.b64decode(b64)
    # One encoding per envelope: non-zero unused bits re-encode differently.
    if base64.b64encode(data) != b64:
        raise Refused("R16", "non-canonical base64 (unused bits)")
    return data


# ---- sealing ----------------------------------------------------------------
def seal(msg, recipients, sender, armor=False, created=None):
    """The envelope of MSG for RECIPIENTS (public keys), signed by SENDER."""
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValueError("1 to 64 recipients")
    fprs = [fingerprint(r) for r in recipients]
    if len(set(fprs)) != len(fprs):
        raise ValueError("duplicate recipient")
    file_key = os.urandom(32)
    header = MAGIC + bytes([VERSION]) + u16(len(recipients))
    for r, fpr in zip(recipients, fprs):
        receipt_key = os.urandom(32)
        wrapped = r.encrypt(file_key + receipt_key, OAEP)
        header += fpr + u16(len(wrapped)) + wrapped
    salt = os.urandom(SALT_LEN)
    aead, base, commitment = cobblestone(file_key, salt, header)
    head = header + salt + commitment
    sender_fpr = fingerprint(sender.public_key())
    created = int(time.time()) if created is None else created
    envelope_id = os.urandom(16)
    s = signed_digest(hashlib.sha256(head).digest(), sender_fpr, created, envelope_id,
                      message_digest(msg))
    sig = sender.sign(s, PSS, Prehashed(hashes.SHA256()))
    inner = msg + sender_fpr + u64(created) + envelope_id + sig + u16(len(sig))
    out = [head]
    n_full = len(inner) // CHUNK  # the final chunk is the short (maybe empty) rest
    for i in range(n_full + 1):
        out.append(aead.encrypt(chunk_nonce(base, i), inner[i * CHUNK:(i + 1) * CHUNK], None))
    env = b"".join(out)
    return armor_encode(env) if armor else env


# ---- unsealing ----------------------------------------------------------------
class Input:
    """Reads the binary envelope front to back; end of input inside a field is
    R6 (the header, salt and commitment are all that is read this way)."""

    def __init__(self, data):
        self.data, self.off = data, 0

    def take(self, n, what):
        if len(self.data) - self.off < n:
            raise Refused("R6", "input ends inside the " + what)
        v = self.data[self.off:self.off + n]
        self.off += n
        return v


def parse_header(inp):
    """Steps 1 (R1-R6): the stanzas as (fingerprint, wrapped) and the header."""
    data = inp.data
    if len(data) < len(MAGIC):
        # A proper prefix of the magic is a truncated header; anything else,
        # including empty input, is not an envelope.
        if data and MAGIC.startswith(data):
            raise Refused("R6", "input ends inside the magic")
        raise Refused("R1", "not an envelope")
    if data[:len(MAGIC)] != MAGIC:
        raise Refused("R1", "not an envelope")
    inp.take(len(MAGIC), "magic")
    version = inp.take(1, "version")[0]
    if version != VERSION:
        raise Refused("R2", "version %d" % version)
    n = struct.unpack(">H", inp.take(2, "recipient count"))[0]
    if not 1 <= n <= MAX_RECIPIENTS:
        raise Refused("R3", "recipient count %d" % n)
    stanzas = []
    for _ in range(n):
        fpr = inp.take(32, "fingerprint")
        w = struct.unpack(">H", inp.take(2, "wrapped length"))[0]
        if not K_MIN <= w <= K_MAX:
            raise Refused("R4", "wrapped length %d" % w)
        wrapped = inp.take(w, "wrapped key")
        # Rules apply in reading order (seal(5) DECODING): a duplicate is R5
        # as soon as its stanza is complete, whatever follows it.
        if any(f == fpr for f, _ in stanzas):
            raise Refused("R5", "duplicate recipient")
        stanzas.append((fpr, wrapped))
    return stanzas, data[:inp.off]


def unseal(data, recipient, trusted):
    """(message, sender fingerprint, created, envelope ID, receipt key) if
    DATA verifies for RECIPIENT (a private key) and TRUSTED ({fpr: public
    key}); Refused otherwise. Follows seal(5) DECODING step by step."""
    if looks_armored(data):                        # step 0
        data = armor_decode(data)
    inp = Input(data)
    stanzas, header = parse_header(inp)            # step 1
    mine = fingerprint(recipient.public_key())     # step 2
    wrapped = [w for f, w in stanzas if f == mine]
    if not wrapped:
        raise Refused("R7", "not addressed to this key")
    try:
        if len(wrapped[0]) != modulus_len(recipient):
            raise ValueError
        keys = recipient.decrypt(wrapped[0], OAEP)
        if len(keys) != STANZA_PLAIN_LEN:
            raise ValueError
    except ValueError:
        raise Refused("R8", "cannot unwrap the file key") from None
    file_key, receipt_key = keys[:32], keys[32:]
    salt = inp.take(SALT_LEN, "salt")              # step 3
    commitment = inp.take(COMMIT_LEN, "commitment")
    aead, base, expected = cobblestone(file_key, salt, header)
    if commitment != expected:
        raise Refused("R9", "key commitment mismatch")
    head = data[:inp.off]
    chunks = data[inp.off:]                        # step 4
    inner = []
    index = 0
    off = 0
    while True:
        ct = chunks[off:off + CHUNK_CT]
        off += len(ct)
        final = len(ct) < CHUNK_CT
        if index >= MAX_CHUNKS:
            raise Refused("R12", "too many chunks")
        if final and len(ct) < TAG:
            raise Refused("R11", "no final chunk")
        try:
            inner.append(aead.decrypt(chunk_nonce(base, index), ct, None))
        except InvalidTag:
            raise Refused("R10", "chunk %d fails authentication" % index) from None
        index += 1
        if final:
            break
    inner = b"".join(inner)
    if len(inner) < 2:                             # step 5
        raise Refused("R13", "no signature block")
    k = struct.unpack(">H", inner[-2:])[0]
    if not K_MIN <= k <= K_MAX or len(inner) < TRAILER_FIXED + k:
        raise Refused("R13", "malformed signature block")
    tlen = TRAILER_FIXED + k
    msg, trailer = inner[:-tlen], inner[-tlen:]
    sender_fpr = trailer[:32]
    created = struct.unpack(">Q", trailer[32:40])[0]
    envelope_id = trailer[40:56]
    sig = trailer[56:56 + k]
    sender = trusted.get(sender_fpr)
    if sender is None:
        raise Refused("R14", "signed by unknown key " + fingerprint_text(sender_fpr))
    s = signed_digest(hashlib.sha256(head).digest(), sender_fpr, created, envelope_id,
                      message_digest(msg))
    try:
        if k != modulus_len(sender):
            raise InvalidSignature
        sender.verify(sig, s, PSS, Prehashed(hashes.SHA256()))
    except InvalidSignature:
        raise Refused("R15", "bad signature") from None
    return msg, sender_fpr, created, envelope_id, receipt_key


# ---- command line -----------------------------------------------------------------
def read_in(path):
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as f:
        return f.read()


def write_out(path, data):
    if path == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    usage = __doc__.split("\n\n")[1]
    if not argv or argv[0] not in ("seal", "unseal"):
        sys.stderr.write(usage + "\n")
        return 2
    verb, args = argv[0], argv[1:]
    opts = {"-r": [], "-s": None, "-k": None, "--armor": False}
    files = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--armor":
            opts[a] = True
        elif a in ("-r", "-s", "-k") and i + 1 < len(args):
            i += 1
            if a == "-r":
                opts[a].append(args[i])
            else:
                opts[a] = args[i]
        else:
            files.append(a)
        i += 1
    if len(files) != 2:
        sys.stderr.write(usage + "\n")
        return 2
    if verb == "seal":
        if not opts["-r"] or not opts["-s"]:
            sys.stderr.write(usage + "\n")
            return 2
        env = seal(read_in(files[0]), [load_public(p) for p in opts["-r"]],
                   load_private(opts["-s"]), armor=opts["--armor"])
        write_out(files[1], env)
        return 0
    if not opts["-k"] or not opts["-s"]:
        sys.stderr.write(usage + "\n")
        return 2
    try:
        msg, sender_fpr, _, _, _ = unseal(read_in(files[0]), load_private(opts["-k"]),
                                          load_trusted(opts["-s"]))
    except Refused as r:
        sys.stderr.write("outcome: %s (%s: %s)\n" % (r.category, r.rule, r.detail))
        return r.status
    write_out(files[1], msg)
    sys.stderr.write("outcome: success (signed by %s)\n" % fingerprint_text(sender_fpr))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
