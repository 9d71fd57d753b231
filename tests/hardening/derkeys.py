#!/usr/bin/env python3
"""Key files built byte by byte, for the caps tests and bench/bounds.sh.

  derkeys.py fake-pubs DIR COUNT BITS PREFIX
      COUNT SubjectPublicKeyInfo PEM files DIR/PREFIXnnnn.pub, each an RSA
      public key with a random odd modulus of BITS bits (top bit set) and
      e = 65537: to a decoder, indistinguishable from a real key.
  derkeys.py epki FILE scrypt N R P | pbkdf2 ITERATIONS
      an encrypted PKCS#8 (PBES2, AES-256-CBC) key file with those KDF
      parameters, whose ciphertext is zeros (not a key: the derivation runs,
      then the decryption fails).
"""
import base64
import os
import sys


def tlv(tag, body):
    n = len(body)
    if n < 128:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body


def integer(v):
    return tlv(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big"))


def seq(*parts):
    return tlv(0x30, b"".join(parts))


def oid(hexs):
    return tlv(0x06, bytes.fromhex(hexs))


def pem(path, label, der):
    b64 = base64.b64encode(der).decode()
    lines = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    with open(path, "w") as f:
        f.write("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, lines, label))


def fake_pubs(d, count, bits, prefix):
    os.makedirs(d, exist_ok=True)
    alg = seq(oid("2a864886f70d010101"), b"\x05\x00")
    for i in range(count):
        n = int.from_bytes(os.urandom(bits // 8), "big") | (1 << (bits - 1)) | 1
        spki = seq(alg, tlv(0x03, b"\x00" + seq(integer(n), integer(65537))))
        pem(os.path.join(d, "%s%04d.pub" % (prefix, i)), "PUBLIC KEY", spki)


def epki(path, kind, params):
    salt = tlv(0x04, b"derkeys salt 16!")
    if kind == "scrypt":
        n, r, p = params
        kdf = seq(oid("2b06010401da47040b"), seq(salt, integer(n), integer(r), integer(p)))
    else:
        kdf = seq(oid("2a864886f70d01050c"),
                  seq(salt, integer(params[0]), seq(oid("2a864886f70d0209"), b"\x05\x00")))
    alg = seq(oid("2a864886f70d01050d"),
              seq(kdf, seq(oid("60864801650304012a"), tlv(0x04, b"\x00" * 16))))
    pem(path, "ENCRYPTED PRIVATE KEY", seq(alg, tlv(0x04, b"\x00" * 1232)))
    os.chmod(path, 0o600)


def main(argv):
    if len(argv) == 5 and argv[0] == "fake-pubs":
        fake_pubs(argv[1], int(argv[2]), int(argv[3]), argv[4])
    elif len(argv) == 6 and argv[0] == "epki" and argv[2] == "scrypt":
        epki(argv[1], "scrypt", [int(x) for x in argv[3:]])
    elif len(argv) == 4 and argv[0] == "epki" and argv[2] == "pbkdf2":
        epki(argv[1], "pbkdf2", [int(argv[3])])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
