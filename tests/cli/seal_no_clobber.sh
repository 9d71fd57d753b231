#!/bin/sh
# Default output names (FILE -> FILE.seal -> FILE) never replace an existing
# file: exit status 7 and the file is untouched; -f replaces it. A name
# without .seal needs -o.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
printf 'new message\n' >"$T/msg"
printf 'precious old envelope\n' >"$T/msg.seal"
expect_status 7 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" "$T/msg"
[ "$(cat "$T/msg.seal")" = "precious old envelope" ] || fail "seal replaced msg.seal"
grep -q "^seal: error: $T/msg.seal: already exists" "$T/err" || fail "message: $(cat "$T/err")"
grep -q "^seal: hint: .*-f" "$T/err" || fail "no hint: $(cat "$T/err")"
# The same with -o.
expect_status 7 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"
[ "$(cat "$T/msg.seal")" = "precious old envelope" ] || fail "seal -o replaced msg.seal"
expect_status 0 "$SEAL" -f -r "$T/bob.pub" -s "$T/alice.key" "$T/msg"
[ "$(cat "$T/msg.seal")" != "precious old envelope" ] || fail "seal -f did not replace it"

# unseal msg.seal would write msg, which exists.
printf 'precious old plaintext\n' >"$T/msg"
expect_status 7 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" "$T/msg.seal"
[ "$(cat "$T/msg")" = "precious old plaintext" ] || fail "unseal replaced msg"
grep -q "^unseal: error: $T/msg: already exists" "$T/err" || fail "message: $(cat "$T/err")"
expect_status 0 "$UNSEAL" -f -k "$T/bob.key" -s "$T/alice.pub" "$T/msg.seal"
[ "$(cat "$T/msg")" = "new message" ] || fail "unseal -f did not replace msg"
# The plaintext file is private.
[ "$(ls -ln "$T/msg" | cut -c1-10)" = "-rw-------" ] || fail "mode $(ls -ln "$T/msg")"

# No .seal suffix and no -o: refused with a hint, nothing written.
cp "$T/msg.seal" "$T/envelope.bin"
expect_status 2 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" "$T/envelope.bin"
grep -q "^unseal: hint: use -o" "$T/err" || fail "no hint: $(cat "$T/err")"
no_temp_files "$T"
echo "ok: no clobbering"
