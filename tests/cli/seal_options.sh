#!/bin/sh
# Option handling of seal and unseal: --help and --version, and refusals
# (exit status 2, one "error:" line) of missing, repeated and conflicting
# options and of duplicate recipients.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
printf 'x\n' >"$T/msg"
cp "$T/bob.pub" "$T/bob-copy.pub"

for p in "$SEAL" "$UNSEAL"; do
    expect_status 0 "$p" --help
    grep -q "^usage: " "$T/out" || fail "$p --help: no usage"
    expect_status 0 "$p" -V
    grep -qE "^(un)?seal \(seal\) [0-9]" "$T/out" || fail "$p -V: $(cat "$T/out")"
done

# refused WANT_REGEX CMD...: exit status 2 and a message matching the regex.
refused() {
    _re=$1
    shift
    expect_status 2 "$@"
    grep -qE "error: .*$_re" "$T/err" || fail "$*: message: $(cat "$T/err")"
    [ ! -s "$T/out" ] || fail "$*: wrote to stdout"
}

refused "no recipient" "$SEAL" -s "$T/alice.key" "$T/msg"
refused "no sender" "$SEAL" -r "$T/bob.pub" "$T/msg"
refused "-s/--sender given twice" "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" \
    --sender "$T/alice.key" "$T/msg"
refused "-o/--output given twice" "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o a -o b "$T/msg"
refused "same key as $T/bob.pub" "$SEAL" -r "$T/bob.pub" -r "$T/bob-copy.pub" \
    -s "$T/alice.key" "$T/msg"
[ ! -e "$T/msg.seal" ] || fail "envelope written for duplicate recipients"
refused "unknown option" "$SEAL" --frobnicate
refused "needs an argument" "$SEAL" -s "$T/alice.key" -r
refused "too many arguments" "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" "$T/msg" "$T/msg"

refused "no key" "$UNSEAL" -s "$T/alice.pub" "$T/msg.seal"
refused "no sender" "$UNSEAL" -k "$T/bob.key" "$T/msg.seal"
refused "-k/--key given twice" "$UNSEAL" -k "$T/bob.key" -k "$T/bob.key" -s "$T/alice.pub"
refused "--inspect and -o/--output conflict" "$UNSEAL" --inspect -o x "$T/msg.seal"
refused "--json needs --inspect" "$UNSEAL" --json -k "$T/bob.key" -s "$T/alice.pub"
refused "-s/--sender needs -k/--key" "$UNSEAL" --inspect -s "$T/alice.pub" "$T/msg.seal"
echo "ok: options"
