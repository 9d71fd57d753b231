#!/bin/sh
# seal-keygen --passphrase-file writes an encrypted PKCS#8 key (PBES2 with
# scrypt, r=8 and at least the work of N=2^17, p=1, and AES-256-CBC) that OpenSSL opens with that
# passphrase (and not with another) and that holds the public key in NAME.pub.
. "$top_srcdir/tests/cli/keygen_common.sh"

printf 'open sesame\n' >"$T/pw"
printf 'open sesame!\n' >"$T/wrong"
"$SEAL_KEYGEN" -o "$T/k" -b 2048 --passphrase-file "$T/pw" >"$T/out" || fail "seal-keygen failed"
[ "$(mode_of "$T/k.key")" = "-rw-------" ] || fail "k.key mode is $(mode_of "$T/k.key")"
head -n 1 "$T/k.key" | grep -qx -- '-----BEGIN ENCRYPTED PRIVATE KEY-----' || fail "not encrypted PKCS#8"
openssl asn1parse -in "$T/k.key" >"$T/asn1" || fail "openssl asn1parse"
grep -q ':PBES2' "$T/asn1" || fail "not PBES2"
grep -q ':scrypt' "$T/asn1" || fail "not scrypt"
grep -q ':aes-256-cbc' "$T/asn1" || fail "not AES-256-CBC"
# The scrypt parameters: salt, N, r, p follow the scrypt OID as INTEGERs.
n=$(sed -n '/:scrypt/,$p' "$T/asn1" | grep 'INTEGER' | sed -n 1p | sed 's/.*://')
r=$(sed -n '/:scrypt/,$p' "$T/asn1" | grep 'INTEGER' | sed -n 2p | sed 's/.*://')
p=$(sed -n '/:scrypt/,$p' "$T/asn1" | grep 'INTEGER' | sed -n 3p | sed 's/.*://')
[ "$((0x$r))" = 8 ] || fail "scrypt r = 0x$r, not 8"
[ "$((0x$n * 0x$p >= 131072))" = 1 ] || fail "scrypt N*p = 0x$n * 0x$p < 2^17"

if openssl pkey -in "$T/k.key" -passin file:"$T/wrong" -noout 2>/dev/null; then
    fail "openssl opened the key with the wrong passphrase"
fi
openssl pkey -in "$T/k.key" -passin file:"$T/pw" -pubout -outform DER -out "$T/from_key.der" ||
    fail "openssl cannot open k.key with its passphrase"
openssl pkey -pubin -in "$T/k.pub" -outform DER -out "$T/from_pub.der" || fail "openssl reads k.pub"
cmp -s "$T/from_key.der" "$T/from_pub.der" || fail "k.key and k.pub hold different public keys"
want=$(openssl_fpr "$T/k.pub")
grep -q "^$T/k.pub: seal $want ssh SHA256:[A-Za-z0-9+/]\{43\}\$" "$T/out" || fail "printed $(cat "$T/out"), openssl says $want"
[ "$(keygen_fpr "$T/k.key" --passphrase-file "$T/pw")" = "$want" ] || fail "-l k.key differs"
echo ok
