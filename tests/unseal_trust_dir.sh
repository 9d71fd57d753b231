#!/bin/sh
# -s DIR: any sender whose *.pub is in DIR is accepted and reported by name;
# a sender not in DIR is refused with 6; other files in DIR are ignored.
. "$top_srcdir/tests/seal_common.sh"

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
grep -q "^unseal: good signature from carol (SHA256:" "$T/err" || fail "verdict: $(cat "$T/err")"
fpr=$(openssl_fpr "$T/carol.pub")
grep -qF "($fpr)" "$T/err" || fail "verdict lacks fingerprint $fpr: $(cat "$T/err")"
same "$T/out" "$T/msg"
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted/" -o - "$T/dave.seal"
grep -q "^unseal: good signature from dave-laptop (" "$T/err" || fail "verdict: $(cat "$T/err")"
"$SEAL" -r "$T/bob.pub" -s "$T/outsider.key" -o "$T/outsider.seal" "$T/msg" || fail "seal"
expect_status 6 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" -o - "$T/outsider.seal"
[ ! -s "$T/out" ] || fail "bytes on stdout"
echo "ok: trust directory"
