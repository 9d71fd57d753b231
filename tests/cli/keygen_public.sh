#!/bin/sh
# seal-keygen -y KEY prints the public key (PEM SubjectPublicKeyInfo) of a
# private key, plain or encrypted, identical to the NAME.pub seal-keygen
# wrote and to what openssl derives; a public key given to -y is refused.
. "$top_srcdir/tests/cli/keygen_common.sh"

"$SEAL_KEYGEN" -o "$T/plain" -b 2048 --no-passphrase >/dev/null || fail "keygen"
"$SEAL_KEYGEN" -y "$T/plain.key" >"$T/plain.out" || fail "-y"
cmp -s "$T/plain.out" "$T/plain.pub" || fail "-y differs from plain.pub"
openssl pkey -in "$T/plain.key" -pubout >"$T/plain.openssl" || fail "openssl"
cmp -s "$T/plain.out" "$T/plain.openssl" || fail "-y differs from openssl's"

printf 'pw-y\n' >"$T/pw"
"$SEAL_KEYGEN" -o "$T/enc" -b 2048 --passphrase-file "$T/pw" >/dev/null || fail "keygen enc"
"$SEAL_KEYGEN" --public "$T/enc.key" --passphrase-file "$T/pw" >"$T/enc.out" || fail "-y enc"
cmp -s "$T/enc.out" "$T/enc.pub" || fail "-y differs from enc.pub"

st=0
"$SEAL_KEYGEN" -y "$T/plain.pub" >"$T/out" 2>"$T/err" || st=$?
[ "$st" -eq 4 ] || fail "-y PUB: exit status $st, expected 4"
grep -q "a public key" "$T/err" || fail "message: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "output for a public key"
st=0
"$SEAL_KEYGEN" -y "$T/plain.key" -l "$T/plain.key" >/dev/null 2>"$T/err" || st=$?
[ "$st" -eq 2 ] || fail "-y with -l: exit status $st"
echo "ok: seal-keygen -y"
