#!/bin/sh
# An existing NAME.key is never overwritten: exit 7, the message names it,
# its content is unchanged, and no NAME.pub appears.
. "$top_srcdir/tests/cli/keygen_common.sh"

printf 'precious\n' >"$T/k.key"
cp "$T/k.key" "$T/orig"
expect_refusal 7 "$T/k.key" "$SEAL_KEYGEN" -o "$T/k" -b 2048 --no-passphrase
cmp -s "$T/k.key" "$T/orig" || fail "k.key was changed"
[ ! -e "$T/k.pub" ] || fail "k.pub was written"
[ "$(ls -A "$T" | grep -c '^\.')" = 0 ] || fail "temporary files left: $(ls -A "$T")"
