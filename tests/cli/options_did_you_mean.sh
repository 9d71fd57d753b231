#!/bin/sh
# A mistyped long option is answered with the option meant ("did you mean
# --recipient?"), in all three programs; a word far from every option gets
# no guess.
. "$top_srcdir/tests/cli/seal_common.sh"

# guess WANT PROGRAM ARG...: usage error (2) with the hint "did you mean WANT?".
guess() {
    _meant=$1
    shift
    expect_status 2 "$@"
    grep -q "^[a-z-]*: error: unknown option" "$T/err" || fail "$*: $(cat "$T/err")"
    grep -qx "[a-z-]*: hint: did you mean $_meant?" "$T/err" || fail "$*: no guess: $(cat "$T/err")"
}

guess --recipient "$SEAL" --recipent x.pub
guess --recipient "$SEAL" --reciepient=x.pub
guess --armor "$SEAL" --amor
guess --retry-for "$SEAL" --retry-fro 5
guess --sender "$UNSEAL" --sendr x.pub
guess --inspect "$UNSEAL" --inpsect
guess --max-connections "$UNSEAL" --max-conections 5
guess --fingerprint "$SEAL_KEYGEN" --fingreprint x.pub
guess --no-passphrase "$SEAL_KEYGEN" --no-pasphrase

expect_status 2 "$SEAL" --completely-unrelated
grep -q "did you mean" "$T/err" && fail "a guess for a word far from every option: $(cat "$T/err")"
echo "ok: did you mean"
