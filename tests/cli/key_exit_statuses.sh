#!/bin/sh
# Every kind of key file refusal, through every program that reads keys,
# exits as EXIT STATUS in seal(1), unseal(1) and seal-keygen(1) says:
# 3 for a file that is not a key file or is damaged, 4 for a key problem
# (non-RSA, weak, invalid, unsupported or policy-refused encryption, a
# public key where a private one is needed and the reverse).
. "$top_srcdir/tests/cli/seal_common.sh"

data="$top_srcdir/tests/data/keys"
kit="$top_srcdir/tests/sshkit"
keypair alice bob
printf 'correct-horse\n' >"$T/pw"
printf 'x\n' >"$T/msg"
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/env" "$T/msg" || fail "seal"

# A copy at mode 0600 (git keeps no modes; a private key must have it).
get() {
    cp "$1" "$T/k" && chmod 600 "$T/k" || fail "cp $1"
}
# status WANT WHAT CMD...: CMD exits WANT, with one error line naming $T/k.
status() {
    _want=$1
    _what=$2
    shift 2
    _st=0
    "$@" >"$T/out" 2>"$T/err" </dev/null || _st=$?
    [ "$_st" -eq "$_want" ] || fail "$_what: $*: exit $_st, want $_want: $(cat "$T/err")"
    [ "$_want" -eq 0 ] || grep -q "error: .*$T/k" "$T/err" || fail "$_what: $*: $(cat "$T/err")"
}
# As a private key: seal -s, unseal -k, seal-keygen -l and -y.
private() {
    get "$2"
    status "$1" "$2" "$SEAL" -r "$T/bob.pub" -s "$T/k" --passphrase-file "$T/pw" -o "$T/o" \
        "$T/msg"
    rm -f "$T/o"
    status "$1" "$2" "$UNSEAL" -k "$T/k" -s "$T/alice.pub" --passphrase-file "$T/pw" -o "$T/o" \
        "$T/env"
    rm -f "$T/o"
    status "$1" "$2" "$SEAL_KEYGEN" -y "$T/k" --passphrase-file "$T/pw"
    [ "$3" = any ] && status "$1" "$2" "$SEAL_KEYGEN" -l "$T/k" --passphrase-file "$T/pw"
    return 0
}
# As someone else's key: seal -r, unseal -s (and seal-keygen -l, which
# takes a private key too, unless NOL).
public() {
    get "$2"
    status "$1" "$2" "$SEAL" -r "$T/k" -s "$T/alice.key" --passphrase-file "$T/pw" -o "$T/o" \
        "$T/msg"
    rm -f "$T/o"
    status "$1" "$2" "$UNSEAL" -k "$T/bob.key" -s "$T/k" -o "$T/o" "$T/env"
    rm -f "$T/o"
    [ "$3" = nol ] || status "$1" "$2" "$SEAL_KEYGEN" -l "$T/k" --passphrase-file "$T/pw"
    return 0
}

# Not key files, or damaged ones: 3.
printf 'hello\n' >"$T/text"
head -c 300 "$data/rsa3072-pkcs8.pem" >"$T/cut.pem"
sed '2s/./*/' "$data/rsa3072-spki.pem" >"$T/badb64.pem"
private 3 "$T/text" any
private 3 "$T/cut.pem" any
private 3 "$kit/private_checkint_mismatch.key" any
private 3 "$kit/private_bad_padding.key" any
public 3 "$T/text" any
public 3 "$T/badb64.pem" any
public 3 "$kit/pub_truncated_blob.pub" any
public 3 "$kit/pub_overlong_line.pub" any

# Key problems: 4.
for f in ec-p256.pem ec-p256-traditional.pem ed25519.pem rsa1024-pkcs8.pem \
    rsa3072-legacy-enc.pem rsa3072-enc-pbes1.pem rsa3072-enc-sha1.pem; do
    private 4 "$data/$f" any
done
for f in private_encrypted.key private_ed25519.key private_wrong_public_half.key \
    private_wrong_exponent.key; do
    private 4 "$kit/$f" any
done
private 4 "$data/rsa3072-spki.pem" noy # a public key where a private one is needed
private 4 "$kit/pub_plain.pub" noy
# PKCS#8 version 1 (OneAsymmetricKey): valid, not read by seal.
openssl pkey -in "$data/rsa3072-pkcs8.pem" -outform DER -out "$T/v0.der" 2>/dev/null ||
    fail "openssl pkey"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); assert b[4:7]==b"\x02\x01\x00"; b[6]=1; open(sys.argv[2],"wb").write(b)' \
    "$T/v0.der" "$T/v1.der" || fail "v1"
private 4 "$T/v1.der" any
for f in ec-p256-spki.pem ed25519-spki.pem rsa1024-spki.pem rsa3072-even-e-spki.pem \
    rsa3072-huge-e-spki.pem; do
    public 4 "$data/$f" any
done
for f in pub_ed25519.pub pub_ecdsa.pub pub_sk_ed25519.pub pub_certificate.pub \
    pub_huge_modulus.pub pub_small_modulus.pub; do
    public 4 "$kit/$f" any
done
# A private key as someone else's key, encrypted ones too (the passphrase
# file holds the right passphrase: still refused, nothing decrypted).
public 4 "$data/rsa3072-pkcs8.pem" nol
public 4 "$data/rsa3072-enc-pbkdf2.pem" nol
public 4 "$kit/private_plain.key" nol
echo "ok: key refusals exit as the man pages say"
