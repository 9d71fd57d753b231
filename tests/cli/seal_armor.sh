#!/bin/sh
# -a writes strict armor (BEGIN/END lines, 64-column base64 lines); unseal
# detects it by itself, also with CRLF line ends; broken armor is refused.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/msg" 50000
expect_status 0 "$SEAL" -a -r "$T/bob.pub" -s "$T/alice.key" "$T/msg"
f=$T/msg.seal
[ "$(head -n 1 "$f")" = "-----BEGIN SEALED MESSAGE-----" ] || fail "no BEGIN line"
[ "$(tail -n 1 "$f")" = "-----END SEALED MESSAGE-----" ] || fail "no END line"
body=$(sed '1d;$d' "$f")
n=$(printf '%s\n' "$body" | wc -l)
long=$(printf '%s\n' "$body" | sed '$d' | awk 'length($0) != 64' | wc -l)
[ "$long" -eq 0 ] || fail "$long body lines are not 64 columns"
printf '%s\n' "$body" | tr -d '\n' | base64 -d >"$T/bin" 2>/dev/null || fail "body is not base64"
[ "$n" -gt 1 ] || fail "body has $n lines"

expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/got" "$f"
same "$T/msg" "$T/got"
sed 's/$/\r/' "$f" >"$T/crlf.seal"
grep -q "$(printf '\r')" "$T/crlf.seal" || fail "sed did not add CR"
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/got.crlf" "$T/crlf.seal"
same "$T/msg" "$T/got.crlf"
# The binary form inside the armor is itself a valid envelope.
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/got.bin" "$T/bin"
same "$T/msg" "$T/got.bin"
# Armor to a pipe works too.
"$SEAL" -a -r "$T/bob.pub" -s "$T/alice.key" <"$T/msg" |
    "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" >"$T/got.pipe" || fail "armor via pipe"
same "$T/msg" "$T/got.pipe"
# Garbage after the END line is refused as malformed (3), with no output.
{ cat "$f"; echo "trailing garbage"; } >"$T/garbage.seal"
expect_status 3 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/garbage.seal"
[ ! -s "$T/out" ] || fail "bytes on stdout"
echo "ok: armor, CRLF armor"
