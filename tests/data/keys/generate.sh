#!/bin/sh
# Regenerates the OpenSSL-made test keys in this directory (they are checked
# in; tests never run this). Needs openssl 3. Run from this directory.
set -eu
PASS=correct-horse

gen() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$1" -out "$2" 2>/dev/null; }

for bits in 2048 3072 4096; do
    gen "$bits" "rsa$bits-pkcs8.pem"
    openssl pkey -in "rsa$bits-pkcs8.pem" -pubout -out "rsa$bits-spki.pem"
done

k=rsa3072-pkcs8.pem
openssl pkey -in $k -outform DER -out rsa3072-pkcs8.der
openssl rsa -in $k -traditional -out rsa3072-pkcs1.pem 2>/dev/null
openssl rsa -in $k -traditional -outform DER -out rsa3072-pkcs1.der 2>/dev/null
openssl pkey -in $k -pubout -outform DER -out rsa3072-spki.der
openssl rsa -in $k -RSAPublicKey_out -out rsa3072-pkcs1pub.pem 2>/dev/null
openssl rsa -in $k -RSAPublicKey_out -outform DER -out rsa3072-pkcs1pub.der 2>/dev/null
# Encrypted PKCS#8, the three ways OpenSSL writes it.
openssl pkcs8 -topk8 -in $k -v2 aes-256-cbc -passout pass:$PASS -out rsa3072-enc-pbkdf2.pem
openssl pkcs8 -topk8 -in $k -scrypt -passout pass:$PASS -out rsa3072-enc-scrypt.pem
openssl pkcs8 -topk8 -in $k -scrypt -passout pass:$PASS -outform DER -out rsa3072-enc-scrypt.der
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -aes-256-cbc -pass pass:$PASS \
    -out rsa3072b-enc-genpkey.pem 2>/dev/null
# Refused: legacy PEM encryption, other PRFs, PBES1. (AES-128-CBC, the
# default of openssl pkcs8 and ssh-keygen -m PKCS8, is read.)
openssl rsa -in $k -traditional -aes256 -passout pass:$PASS -out rsa3072-legacy-enc.pem 2>/dev/null
openssl pkcs8 -topk8 -in $k -v2 aes-128-cbc -passout pass:$PASS -out rsa3072-enc-aes128.pem
openssl pkcs8 -topk8 -in $k -v2 aes-256-cbc -v2prf hmacWithSHA1 -passout pass:$PASS \
    -out rsa3072-enc-sha1.pem
openssl pkcs8 -topk8 -in $k -v1 PBE-SHA1-3DES -passout pass:$PASS -out rsa3072-enc-pbes1.pem
# Weak, odd and foreign keys.
gen 1024 rsa1024-pkcs8.pem
openssl pkey -in rsa1024-pkcs8.pem -pubout -out rsa1024-spki.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 \
    -out rsa2048-e3.pem 2>/dev/null
openssl pkey -in rsa2048-e3.pem -pubout -out rsa2048-e3-spki.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-p256.pem
openssl pkey -in ec-p256.pem -pubout -out ec-p256-spki.pem
openssl ec -in ec-p256.pem -out ec-p256-traditional.pem 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed25519.pem
openssl pkey -in ed25519.pem -pubout -out ed25519-spki.pem

# Public keys with a bad exponent, crafted from the 3072-bit modulus:
# e = 65538 (even) and e = 2^64 + 1 (absurd).
mod=$(openssl rsa -in $k -noout -modulus 2>/dev/null | sed 's/^Modulus=//')
craft() {
    printf 'asn1=SEQUENCE:pk\n[pk]\nn=INTEGER:0x%s\ne=INTEGER:%s\n' "$mod" "$1" > craft.cnf
    openssl asn1parse -genconf craft.cnf -out craft.der >/dev/null
    openssl rsa -RSAPublicKey_in -inform DER -in craft.der -pubout -out "$2" 2>/dev/null
    rm -f craft.cnf craft.der
}
craft 65538 rsa3072-even-e-spki.pem
craft 0x010000000000000001 rsa3072-huge-e-spki.pem

# Expected fingerprints: SHA-256 of the DER SubjectPublicKeyInfo, unpadded.
: > fingerprints.txt
for f in rsa2048-pkcs8.pem rsa3072-pkcs8.pem rsa3072b-enc-genpkey.pem rsa4096-pkcs8.pem \
         rsa2048-e3.pem; do
    fp=$(openssl pkey -in "$f" -passin pass:$PASS -pubout -outform DER |
         openssl dgst -sha256 -binary | openssl base64 -A | tr -d =)
    echo "$f SHA256:$fp" >> fingerprints.txt
done
