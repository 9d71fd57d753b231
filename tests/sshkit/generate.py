#!/usr/bin/env python3
"""Writes the OpenSSH key kit: one file per case, one fault each, and its
expected outcome beside it (NAME.expect), as the envelope testkit does.

    python3 tests/sshkit/generate.py DIR

Run by hand (it calls ssh-keygen, so its keys differ on every run); the
files in tests/sshkit are its output, checked in. run.sh holds seal-keygen
to each .expect. An .expect file says, on its first line, "success"
(exit 0), "malformed" (exit 3) or "key problem" (exit 4); a line
"seal-keygen -l: OUTCOME" makes it another for seal-keygen -l (a list of
keys, refused where one key is wanted); a "detail: TEXT" line names what the
error must say; a success has an "ssh SHA256:..." line per key, in order,
what ssh-keygen -l says for it.
"""
import base64
import os
import struct
import subprocess
import sys
import tempfile

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp()


def keygen(name, *args):
    path = os.path.join(TMP, name)
    subprocess.run(["ssh-keygen", "-q", "-N", "", "-C", name + "@sshkit", "-f", path] + list(args),
                   check=True, stdout=subprocess.DEVNULL)
    with open(path) as f:
        priv = f.read()
    with open(path + ".pub") as f:
        pub = f.read()
    return path, priv, pub


def ssh_fpr(path):
    out = subprocess.run(["ssh-keygen", "-l", "-f", path], check=True, capture_output=True,
                         text=True).stdout.split()
    return out[1]


def string(b):
    return struct.pack(">I", len(b)) + b


def mpint_raw(b):
    return struct.pack(">I", len(b)) + b


def mpint(n):
    if n == 0:
        return mpint_raw(b"")
    b = n.to_bytes((n.bit_length() + 8) // 8, "big")  # room for the sign bit
    if len(b) > 1 and b[0] == 0 and not b[1] & 0x80:
        b = b[1:]
    return mpint_raw(b)


def rsa_blob(e, n, typ=b"ssh-rsa", extra=b""):
    return string(typ) + mpint(e) + mpint(n) + extra


def line(blob, typ="ssh-rsa", comment="sshkit"):
    return "%s %s %s\n" % (typ, base64.b64encode(blob).decode(), comment)


def read_string(b, off):
    n = struct.unpack(">I", b[off:off + 4])[0]
    return b[off + 4:off + 4 + n], off + 4 + n


def parse_private(text):
    """The openssh-key-v1 fields of an unencrypted key file."""
    body = "".join(text.strip().splitlines()[1:-1])
    raw = base64.b64decode(body)
    magic = b"openssh-key-v1\0"
    assert raw.startswith(magic)
    off = len(magic)
    cipher, off = read_string(raw, off)
    kdf, off = read_string(raw, off)
    kdfopt, off = read_string(raw, off)
    nkeys = struct.unpack(">I", raw[off:off + 4])[0]
    off += 4
    pub, off = read_string(raw, off)
    sec, off = read_string(raw, off)
    # the private section
    check1, check2 = struct.unpack(">II", sec[:8])
    o = 8
    fields = []
    typ, o = read_string(sec, o)
    for _ in range(6):  # n e d iqmp p q
        v, o = read_string(sec, o)
        fields.append(int.from_bytes(v, "big"))
    comment, o = read_string(sec, o)
    return dict(cipher=cipher, kdf=kdf, kdfopt=kdfopt, nkeys=nkeys, pub=pub, check1=check1,
                check2=check2, type=typ, fields=fields, comment=comment, pad=sec[o:])


def build_private(k, pad=None, check2=None, nkeys=None, pub=None, fields=None, extra=b"",
                  cipher=None, kdf=None, sec_extra=b"", magic=b"openssh-key-v1\0", comment=None):
    f = fields if fields is not None else k["fields"]
    sec = struct.pack(">II", k["check1"], k["check1"] if check2 is None else check2)
    sec += string(k["type"]) + b"".join(mpint(v) for v in f)
    sec += string(k["comment"] if comment is None else comment)
    if pad is None:
        pad = bytes(range(1, (8 - len(sec) % 8) % 8 + 1))
    sec += pad + sec_extra
    raw = magic + string(cipher if cipher is not None else k["cipher"])
    raw += string(kdf if kdf is not None else k["kdf"]) + string(k["kdfopt"])
    raw += struct.pack(">I", k["nkeys"] if nkeys is None else nkeys)
    raw += string(pub if pub is not None else k["pub"]) + string(sec) + extra
    b64 = base64.b64encode(raw).decode()
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    return ("-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) +
            "\n-----END OPENSSH PRIVATE KEY-----\n")


def write(name, ext, data, outcome, detail=None, fpr=None, keygen_outcome=None):
    with open(os.path.join(OUT, name + ext), "w") as f:
        f.write(data)
    with open(os.path.join(OUT, name + ".expect"), "w") as f:
        f.write(outcome + "\n")
        if keygen_outcome:
            f.write("seal-keygen -l: " + keygen_outcome + "\n")
        if detail:
            f.write("detail: " + detail + "\n")
        for one in [fpr] if isinstance(fpr, str) else fpr or []:
            f.write("ssh " + one + "\n")


def main():
    path, priv, pub = keygen("rsa", "-t", "rsa", "-b", "2048")
    fpr = ssh_fpr(path + ".pub")
    k = parse_private(priv)
    n, e = k["fields"][0], k["fields"][1]
    other_path, other_priv, other_pub = keygen("other", "-t", "rsa", "-b", "2048")
    other = parse_private(other_priv)
    _, _, ed_pub = keygen("ed", "-t", "ed25519")
    ed_path = os.path.join(TMP, "ed")
    with open(ed_path) as f:
        ed_priv = f.read()
    _, _, ec_pub = keygen("ec", "-t", "ecdsa")
    enc_path = os.path.join(TMP, "enc")
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "sshkit pass", "-f",
                    enc_path], check=True, stdout=subprocess.DEVNULL)
    with open(enc_path) as f:
        enc_priv = f.read()
    blob = base64.b64decode(pub.split()[1])

    # Successes.
    write("pub_plain", ".pub", pub, "success", fpr=fpr)
    write("pub_options", ".pub",
          'from="10.0.0.1,192.168.0.0/16",command="echo \\"hi there\\"",no-pty ' + pub,
          "success", fpr=fpr)
    write("pub_comments", ".pub", "# alice's key\n\n   \n" + pub.rstrip("\n") + "\r\n# end\n",
          "success", fpr=fpr)
    write("pub_no_comment", ".pub", "ssh-rsa " + pub.split()[1] + "\n", "success", fpr=fpr)
    write("private_plain", ".key", priv, "success", fpr=fpr)

    # Public key lines, one fault each.
    write("pub_ed25519", ".pub", ed_pub, "key problem", "ssh-ed25519 key: seal uses RSA keys only")
    write("pub_ecdsa", ".pub", ec_pub, "key problem", "ecdsa-sha2-nistp256 key")
    sk = string(b"sk-ssh-ed25519@openssh.com") + string(b"\x11" * 32) + string(b"ssh:")
    write("pub_sk_ed25519", ".pub", line(sk, "sk-ssh-ed25519@openssh.com"), "key problem",
          "sk-ssh-ed25519@openssh.com key")
    write("pub_certificate", ".pub", line(blob, "ssh-rsa-cert-v01@openssh.com"), "key problem",
          "OpenSSH certificate")
    b64 = pub.split()[1]
    write("pub_truncated_base64", ".pub", "ssh-rsa " + b64[:len(b64) // 2] + "\n", "malformed")
    write("pub_truncated_blob", ".pub", line(blob[:-20]), "malformed", "cut short")
    write("pub_overlong_line", ".pub", pub.rstrip("\n") + " " + "x" * 16384 + "\n", "malformed",
          "longer than 16384 bytes")
    write("pub_bad_base64_character", ".pub", "ssh-rsa " + b64[:10] + "*" + b64[11:] + "\n",
          "malformed", "base64")
    write("pub_type_mismatch", ".pub", line(rsa_blob(e, n, b"ssh-dss")), "malformed",
          "the line says ssh-rsa")
    write("pub_trailing_data", ".pub", line(rsa_blob(e, n, extra=b"\0")), "malformed",
          "trailing data")
    neg = string(b"ssh-rsa") + mpint(e) + mpint_raw(n.to_bytes(256, "big"))
    write("pub_negative_modulus", ".pub", line(neg), "malformed", "modulus is negative")
    nonmin = string(b"ssh-rsa") + mpint_raw(b"\0\0\x01\0\x01") + mpint(n)
    write("pub_nonminimal_exponent", ".pub", line(nonmin), "malformed", "not minimally encoded")
    write("pub_huge_exponent", ".pub", line(rsa_blob(2**64 + 1, n)), "key problem")
    write("pub_even_exponent", ".pub", line(rsa_blob(65536, n)), "key problem")
    huge_n = (1 << 16383) | int.from_bytes(os.urandom(2048), "big") | 1
    write("pub_huge_modulus", ".pub", line(rsa_blob(e, huge_n)), "key problem", "too large")
    giant = string(b"ssh-rsa") + mpint(e) + mpint_raw(b"\x01" * 2049)
    write("pub_oversized_integer", ".pub", line(giant), "malformed", "longer than 2048 bytes")
    small_n = (1 << 1023) | int.from_bytes(os.urandom(128), "big") | 1
    write("pub_small_modulus", ".pub", line(rsa_blob(e, small_n)), "key problem")
    # A list of keys, refused where one key is wanted, shown key by key by
    # seal-keygen -l as by ssh-keygen -lf.
    write("pub_two_keys", ".pub", pub + other_pub, "malformed", "more than one OpenSSH key",
          [fpr, ssh_fpr(other_path + ".pub")], "success")
    bogus_len = string(b"ssh-rsa") + struct.pack(">I", 0xFFFFFFF0) + b"\x01\x00\x01"
    write("pub_string_length_huge", ".pub", line(bogus_len), "malformed", "longer than")
    write("pub_unterminated_quote", ".pub", 'command="echo ' + pub, "malformed",
          "not a key file")

    # Private keys, one fault each.
    write("private_encrypted", ".key", enc_priv, "key problem", "encrypted (KDF bcrypt")
    write("private_ed25519", ".key", ed_priv, "key problem", "ssh-ed25519 key")
    write("private_checkint_mismatch", ".key", build_private(k, check2=k["check1"] ^ 1),
          "malformed", "check integers differ")
    # A comment that leaves room for 3 bytes of padding, the third wrong.
    comment = k["comment"]
    while len(build_private(k, comment=comment)) and \
            (8 - (8 + len(string(k["type"]) + b"".join(mpint(v) for v in k["fields"])) +
                  len(string(comment))) % 8) % 8 != 3:
        comment += b"x"
    write("private_bad_padding", ".key", build_private(k, comment=comment, pad=b"\x01\x02\x04"),
          "malformed", "padding")
    write("private_wrong_public_half", ".key", build_private(k, pub=other["pub"]),
          "key problem", "not the one of the public key")
    write("private_two_keys", ".key", build_private(k, nkeys=2), "malformed", "holds 2 keys")
    write("private_bad_magic", ".key", build_private(k, magic=b"openssh-key-v2\0"), "malformed",
          "magic")
    write("private_cipher_without_kdf", ".key", build_private(k, cipher=b"aes256-ctr"),
          "malformed", "cipher aes256-ctr with KDF none")
    write("private_trailing_data", ".key", build_private(k, extra=b"\0"), "malformed",
          "trailing data after the key")
    write("private_section_not_blocks", ".key", build_private(k, sec_extra=b"\x09"), "malformed",
          "multiple of 8")
    bad_d = list(k["fields"])
    bad_d[2] ^= 2
    write("private_wrong_exponent", ".key", build_private(k, fields=bad_d), "key problem")
    bad_q = list(k["fields"])
    bad_q[3] ^= 2  # iqmp
    write("private_wrong_coefficient", ".key", build_private(k, fields=bad_q), "key problem")


main()
