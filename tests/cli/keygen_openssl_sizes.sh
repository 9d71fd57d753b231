#!/bin/sh
# OpenSSL-made 2048- and 4096-bit keys give OpenSSL's fingerprint and size.
. "$top_srcdir/tests/cli/keygen_common.sh"

for bits in 2048 4096; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits -out "$T/k$bits.pem" 2>/dev/null ||
        fail "openssl genpkey $bits"
    openssl pkey -in "$T/k$bits.pem" -pubout -out "$T/k$bits.pub" || fail "pubout $bits"
    want=$(openssl_fpr "$T/k$bits.pub")
    for f in "k$bits.pem" "k$bits.pub"; do
        out=$("$SEAL_KEYGEN" -l "$T/$f") || fail "$f: seal-keygen -l failed"
        case $out in
        "$bits seal $want ssh SHA256:"*" $T/$f (RSA)") ;;
        *) fail "$f: printed '$out', want '$bits seal $want ssh SHA256:... $T/$f (RSA)'" ;;
        esac
    done
done
echo ok
