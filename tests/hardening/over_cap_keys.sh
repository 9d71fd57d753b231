#!/bin/sh
# Valid key files whose parameters exceed the reading caps are a key
# problem, exit 4 (issue 8; they were exit 3, "not a key file"): scrypt
# N > 2^20, p > 16, PBKDF2 > 10^7 iterations, a modulus over 8192 bits.
# The files are built here (DER, then PEM); the caps are checked before
# any key derivation, so the ciphertext inside does not matter.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v python3 >/dev/null || exit 77
python3 - "$T" <<'PY' || exit 99
import base64, sys
out = sys.argv[1]

def tlv(tag, body):
    n = len(body)
    if n < 128:
        ln = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        ln = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + ln + body

def integer(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")
    return tlv(0x02, b)

seq = lambda *a: tlv(0x30, b"".join(a))
oid = lambda hexs: tlv(0x06, bytes.fromhex(hexs))
octets = lambda b: tlv(0x04, b)
PBES2 = "2a864886f70d01050d"
PBKDF2 = "2a864886f70d01050c"
HMAC_SHA256 = "2a864886f70d0209"
SCRYPT = "2b06010401da47040b"
AES256CBC = "6086480165030401" + "2a"

def pem(label, der, name):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    with open(out + "/" + name, "w") as f:
        f.write("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label))

def epki(kdf, name):
    alg = seq(oid(PBES2), seq(kdf, seq(oid(AES256CBC), octets(b"\x00" * 16))))
    pem("ENCRYPTED PRIVATE KEY", seq(alg, octets(b"\x00" * 1232)), name)

salt = octets(b"saltsaltsaltsalt")
epki(seq(oid(SCRYPT), seq(salt, integer(1 << 21), integer(8), integer(1))), "scrypt_n.key")
epki(seq(oid(SCRYPT), seq(salt, integer(1 << 10), integer(8), integer(17))), "scrypt_p.key")
epki(seq(oid(PBKDF2), seq(salt, integer(10 ** 7 + 1), seq(oid(HMAC_SHA256), b"\x05\x00"))),
     "pbkdf2.key")
n = (1 << 8199) | (1 << 8198) | 1
rsa_pub = seq(integer(n), integer(65537))
spki = seq(seq(oid("2a864886f70d010101"), b"\x05\x00"), tlv(0x03, b"\x00" + rsa_pub))
pem("PUBLIC KEY", spki, "rsa8200.pub")
PY
echo pass >"$T/pw"
keypair alice bob
echo hello >"$T/msg"
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"
for k in scrypt_n scrypt_p pbkdf2; do
    chmod 600 "$T/$k.key"
    expect_status 4 "$SEAL_KEYGEN" -l "$T/$k.key" --passphrase-file "$T/pw"
    expect_status 4 "$UNSEAL" -k "$T/$k.key" --passphrase-file "$T/pw" -s "$T/alice.pub" \
        -o - "$T/msg.seal"
done
expect_status 4 "$SEAL_KEYGEN" -l "$T/rsa8200.pub"
grep -q '8200 bits' "$T/err" || fail "the modulus size is not named: $(cat "$T/err")"
expect_status 4 "$SEAL" -r "$T/rsa8200.pub" -s "$T/alice.key" -o - "$T/msg"
expect_status 4 "$UNSEAL" -k "$T/bob.key" -s "$T/rsa8200.pub" -o - "$T/msg.seal"
echo "over-cap keys: exit 4"
