#!/bin/sh
# An OpenSSL-made 3072-bit encrypted key, exactly as `openssl genpkey
# -aes-256-cbc`, `openssl pkcs8 -topk8 -v2 aes-256-cbc` (PBKDF2-HMAC-SHA256)
# and `openssl pkcs8 -topk8 -scrypt` write it (PEM and DER), opens with the
# passphrase from --passphrase-file and gives OpenSSL's fingerprint.
. "$top_srcdir/tests/cli/keygen_common.sh"

printf 'correct horse battery staple\n' >"$T/pw"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -aes-256-cbc \
    -pass file:"$T/pw" -out "$T/genpkey.pem" 2>/dev/null || fail "openssl genpkey -aes-256-cbc"
grep -q 'BEGIN ENCRYPTED PRIVATE KEY' "$T/genpkey.pem" || fail "genpkey did not encrypt"
openssl pkey -in "$T/genpkey.pem" -passin file:"$T/pw" -out "$T/plain.pem" || fail "decrypt"
openssl pkey -in "$T/plain.pem" -pubout -out "$T/spki.pem" || fail "pubout"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T/plain.pem" -passout file:"$T/pw" \
    -out "$T/pbkdf2.pem" || fail "pkcs8 -v2 aes-256-cbc"
openssl pkcs8 -topk8 -scrypt -in "$T/plain.pem" -passout file:"$T/pw" \
    -out "$T/scrypt.pem" || fail "pkcs8 -scrypt"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$T/plain.pem" -passout file:"$T/pw" \
    -outform DER -out "$T/pbkdf2.der" || fail "pkcs8 DER"
openssl asn1parse -in "$T/pbkdf2.pem" | grep -q hmacWithSHA256 || fail "not PBKDF2-HMAC-SHA256"
openssl asn1parse -in "$T/scrypt.pem" | grep -q ':scrypt' || fail "not scrypt"

want=$(openssl_fpr "$T/spki.pem")
for f in genpkey.pem pbkdf2.pem scrypt.pem pbkdf2.der; do
    got=$(keygen_fpr "$T/$f" --passphrase-file "$T/pw") || fail "$f: seal-keygen -l failed"
    [ "$got" = "$want" ] || fail "$f: fingerprint $got, openssl says $want"
done
echo "ok: 4 encrypted forms give $want"
