#!/bin/sh
# -s DIR: any sender whose *.pub is in DIR is accepted and reported by name;
# a sender not in DIR is refused with 6; other files in DIR are ignored.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair carol dave bob outsider
mkdir "$T/trusted"
cp "$T/carol.pub" "$T/trusted/carol.pub"
cp "$T/dave.pub" "$T/trusted/dave-laptop.pub"
echo "not a key" >"$T/trusted/README"
printf 'hello from a friend\n' >"$T/msg"
for who in carol dave; do
    "$SEAL" -r "$T/bob.pub" -s "$T/$who.key" -o "$T/$who.seal" "$T/msg" || fail "seal $who"
done
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" -o - "$T/carol.seal"
grep -q "^unseal: good signature from carol (seal SHA256:" "$T/err" || fail "verdict: $(cat "$T/err")"
fpr=$(openssl_fpr "$T/carol.pub")
grep -qF "(seal $fpr)" "$T/err" || fail "verdict lacks fingerprint $fpr: $(cat "$T/err")"
same "$T/out" "$T/msg"
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted/" -o - "$T/dave.seal"
grep -q "^unseal: good signature from dave-laptop (" "$T/err" || fail "verdict: $(cat "$T/err")"
"$SEAL" -r "$T/bob.pub" -s "$T/outsider.key" -o "$T/outsider.seal" "$T/msg" || fail "seal"
expect_status 6 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" -o - "$T/outsider.seal"
[ ! -s "$T/out" ] || fail "bytes on stdout"

# Keys are read on demand, in name order: a bad *.pub after the signer's is
# never read; one that must be read to look for the signer is an error
# naming it. A missing -s path is not named twice.
mkdir "$T/broken"
cp "$T/carol.pub" "$T/broken/carol.pub"
echo "not a key" >"$T/broken/typo.pub"
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/broken" -o - "$T/carol.seal"
same "$T/out" "$T/msg"
expect_status 3 "$UNSEAL" -k "$T/bob.key" -s "$T/broken" -o - "$T/outsider.seal"
grep -q "^unseal: error: .*: trusted sender $T/broken/typo.pub: " "$T/err" ||
    fail "bad key not named: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "bytes on stdout"
expect_status 7 "$UNSEAL" -k "$T/bob.key" -s "$T/nowhere" -o - "$T/carol.seal"
[ "$(cat "$T/err")" = "unseal: error: $T/nowhere: No such file or directory" ] ||
    fail "missing -s: $(cat "$T/err")"
mkdir "$T/empty"
expect_status 4 "$UNSEAL" -k "$T/bob.key" -s "$T/empty" -o - "$T/carol.seal"
[ "$(cat "$T/err")" = "unseal: error: $T/empty: directory holds no *.pub files" ] ||
    fail "empty -s dir: $(cat "$T/err")"
echo "ok: trust directory"
