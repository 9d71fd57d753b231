#!/bin/sh
# Usage errors exit 2 with a message naming the options: duplicates,
# conflicts, sizes other than 2048/3072/4096, nothing to do, stray arguments.
. "$top_srcdir/tests/cli/keygen_common.sh"

usage_error() {
    _needle=$1
    shift
    _st=0
    "$SEAL_KEYGEN" "$@" >/dev/null 2>"$T/err" || _st=$?
    [ "$_st" -eq 2 ] || fail "$*: exit status $_st, expected 2"
    grep -qF -- "$_needle" "$T/err" || fail "$*: message lacks '$_needle': $(cat "$T/err")"
}
usage_error '-b/--bits given twice' -o "$T/k" -b 2048 --bits 4096 --no-passphrase
usage_error '--passphrase-file and --no-passphrase' -o "$T/k" --passphrase-file "$T/pw" --no-passphrase
usage_error '-o/--output and -l/--fingerprint' -o "$T/k" -l "$T/k.pub"
usage_error "not '1024'" -o "$T/k" -b 1024 --no-passphrase
usage_error "not '2048x'" -o "$T/k" -b 2048x --no-passphrase
usage_error 'nothing to do' --no-passphrase
usage_error "unexpected argument 'extra'" -o "$T/k" --no-passphrase extra
usage_error 'unknown option --frobnicate' --frobnicate
usage_error 'needs an argument' -o
usage_error 'cannot both read standard input' -l - --passphrase-file -
[ ! -e "$T/k.key" ] && [ ! -e "$T/k.pub" ] || fail "a key was written"
