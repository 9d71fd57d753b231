#!/bin/sh
# seal -R LIST takes the recipients' key files from LIST (one per line,
# empty lines and # comments skipped, a final CR dropped) and -r DIR every
# *.pub in DIR; each recipient can unseal; a key named twice is refused; a
# list naming no key is an error.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob carol dave
printf 'to many\n' >"$T/msg"
printf '# team\n\n%s\r\n%s\n' "$T/bob.pub" "$T/carol.pub" >"$T/list"
"$SEAL" -R "$T/list" -r "$T/dave.pub" -s "$T/alice.key" -o "$T/m.seal" "$T/msg" ||
    fail "seal -R"
expect_status 0 "$UNSEAL" --inspect "$T/m.seal"
grep -qx "recipients: 3" "$T/out" || fail "not 3 recipients: $(cat "$T/out")"
for who in bob carol dave; do
    expect_status 0 "$UNSEAL" -q -k "$T/$who.key" -s "$T/alice.pub" -o - "$T/m.seal"
    same "$T/out" "$T/msg"
done

mkdir "$T/team"
cp "$T/bob.pub" "$T/carol.pub" "$T/team/"
echo "not a key" >"$T/team/README"
"$SEAL" -r "$T/team" -s "$T/alice.key" -o "$T/d.seal" "$T/msg" || fail "seal -r DIR"
expect_status 0 "$UNSEAL" --inspect "$T/d.seal"
grep -qx "recipients: 2" "$T/out" || fail "-r DIR: $(cat "$T/out")"
grep -qx "recipient: $(openssl_fpr "$T/carol.pub")" "$T/out" || fail "carol missing"

expect_status 2 "$SEAL" -R "$T/list" -r "$T/team" -s "$T/alice.key" -o "$T/x.seal" "$T/msg"
grep -q "the same key as" "$T/err" || fail "duplicate: $(cat "$T/err")"
printf '# nobody\n\n' >"$T/empty"
expect_status 3 "$SEAL" -R "$T/empty" -s "$T/alice.key" -o "$T/y.seal" "$T/msg"
grep -q "names no key file" "$T/err" || fail "empty list: $(cat "$T/err")"
[ ! -e "$T/x.seal" ] && [ ! -e "$T/y.seal" ] || fail "an envelope was written"
echo "ok: seal -R and -r DIR"
