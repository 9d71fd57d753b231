#!/bin/sh
# seal-keygen --no-passphrase writes an unencrypted PKCS#8 key (0600) and an
# SPKI public key that OpenSSL reads; both give the same public key, and the
# printed fingerprint is OpenSSL's.
. "$top_srcdir/tests/cli/keygen_common.sh"

umask 022 # the key must be 0600 whatever the umask
"$SEAL_KEYGEN" -o "$T/k" -b 2048 --no-passphrase >"$T/out" || fail "seal-keygen failed"
[ "$(mode_of "$T/k.key")" = "-rw-------" ] || fail "k.key mode is $(mode_of "$T/k.key")"
[ "$(mode_of "$T/k.pub")" = "-rw-r--r--" ] || fail "k.pub mode is $(mode_of "$T/k.pub")"
head -n 1 "$T/k.key" | grep -qx -- '-----BEGIN PRIVATE KEY-----' || fail "k.key is not PKCS#8 PEM"
head -n 1 "$T/k.pub" | grep -qx -- '-----BEGIN PUBLIC KEY-----' || fail "k.pub is not SPKI PEM"
openssl pkey -in "$T/k.key" -check -noout >/dev/null || fail "openssl pkey -check rejects k.key"
openssl pkey -in "$T/k.key" -text -noout | grep -q '2048 bit' || fail "not 2048 bits"
openssl pkey -in "$T/k.key" -pubout -outform DER -out "$T/from_key.der" || fail "openssl reads k.key"
openssl pkey -pubin -in "$T/k.pub" -outform DER -out "$T/from_pub.der" || fail "openssl reads k.pub"
cmp -s "$T/from_key.der" "$T/from_pub.der" || fail "k.key and k.pub hold different public keys"

want=$(openssl_fpr "$T/k.pub")
grep -q "^$T/k.pub: seal $want ssh SHA256:[A-Za-z0-9+/]\{43\}\$" "$T/out" || fail "printed $(cat "$T/out"), openssl says $want"
[ "$(keygen_fpr "$T/k.key")" = "$want" ] || fail "-l k.key differs"
[ "$(keygen_fpr "$T/k.pub")" = "$want" ] || fail "-l k.pub differs"
echo ok
