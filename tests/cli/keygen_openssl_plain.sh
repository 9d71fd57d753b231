#!/bin/sh
# An OpenSSL-made 3072-bit key in every unencrypted format seal reads (PKCS#8,
# PKCS#1 private, SPKI, PKCS#1 public; PEM and DER) gives the fingerprint
# OpenSSL computes.
. "$top_srcdir/tests/cli/keygen_common.sh"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$T/pkcs8.pem" 2>/dev/null ||
    fail "openssl genpkey"
openssl pkey -in "$T/pkcs8.pem" -pubout -out "$T/spki.pem" || fail "openssl pkey -pubout"
openssl rsa -in "$T/pkcs8.pem" -traditional -out "$T/pkcs1.pem" 2>/dev/null || fail "openssl rsa -traditional"
openssl rsa -in "$T/pkcs8.pem" -RSAPublicKey_out -out "$T/pkcs1pub.pem" 2>/dev/null ||
    fail "openssl rsa -RSAPublicKey_out"
openssl pkey -in "$T/pkcs8.pem" -outform DER -out "$T/pkcs8.der" || fail "pkcs8 DER"
openssl pkey -in "$T/pkcs8.pem" -pubout -outform DER -out "$T/spki.der" || fail "spki DER"
openssl rsa -in "$T/pkcs8.pem" -traditional -outform DER -out "$T/pkcs1.der" 2>/dev/null ||
    fail "pkcs1 DER"
openssl rsa -in "$T/pkcs8.pem" -RSAPublicKey_out -outform DER -out "$T/pkcs1pub.der" 2>/dev/null ||
    fail "pkcs1 public DER"
grep -q 'BEGIN RSA PRIVATE KEY' "$T/pkcs1.pem" || fail "openssl did not write PKCS#1"
grep -q 'BEGIN RSA PUBLIC KEY' "$T/pkcs1pub.pem" || fail "openssl did not write PKCS#1 public"

want=$(openssl_fpr "$T/spki.pem")
for f in pkcs8.pem pkcs1.pem spki.pem pkcs1pub.pem pkcs8.der pkcs1.der spki.der pkcs1pub.der; do
    got=$(keygen_fpr "$T/$f") || fail "$f: seal-keygen -l failed"
    [ "$got" = "$want" ] || fail "$f: fingerprint $got, openssl says $want"
    "$SEAL_KEYGEN" -l "$T/$f" | grep -q '^3072 ' || fail "$f: not shown as 3072 bits"
done
echo "ok: 8 formats give $want"
