#!/bin/sh
# --passphrase-file uses the first line without its "\r\n"; a file whose
# first line is empty is refused (exit 4, naming the passphrase file) and no
# key is written.
. "$top_srcdir/tests/cli/keygen_common.sh"

printf 's3cret\r\nsecond line\n' >"$T/pw"
"$SEAL_KEYGEN" -o "$T/k" -b 2048 --passphrase-file "$T/pw" >/dev/null || fail "seal-keygen failed"
openssl pkey -in "$T/k.key" -passin pass:s3cret -noout || fail "the passphrase is not 's3cret'"

printf '\nsecond line\n' >"$T/empty"
st=0
"$SEAL_KEYGEN" -o "$T/e" -b 2048 --passphrase-file "$T/empty" 2>"$T/err" || st=$?
cat "$T/err"
[ "$st" -eq 4 ] || fail "empty first line: exit status $st, expected 4"
grep -qF "$T/empty" "$T/err" || fail "message does not name the passphrase file"
[ ! -e "$T/e.key" ] && [ ! -e "$T/e.pub" ] || fail "a key was written"
