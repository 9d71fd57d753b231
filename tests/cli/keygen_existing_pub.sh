#!/bin/sh
# An existing NAME.pub is never overwritten: exit 7, the message names it,
# its content is unchanged, and no NAME.key appears. A dangling symbolic link
# as NAME.key counts as existing too.
. "$top_srcdir/tests/cli/keygen_common.sh"

printf 'precious\n' >"$T/k.pub"
cp "$T/k.pub" "$T/orig"
expect_refusal 7 "$T/k.pub" "$SEAL_KEYGEN" -o "$T/k" -b 2048 --no-passphrase
cmp -s "$T/k.pub" "$T/orig" || fail "k.pub was changed"
[ ! -e "$T/k.key" ] || fail "k.key was written"
ln -s "$T/nowhere" "$T/s.key"
expect_refusal 7 "$T/s.key" "$SEAL_KEYGEN" -o "$T/s" -b 2048 --no-passphrase
[ ! -e "$T/nowhere" ] || fail "a key was written through the symbolic link"
