#!/bin/sh
# An envelope sealed for three recipients opens with each of their keys, and
# not with a fourth key.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair sender r1 r2 r3 other
make_file "$T/msg" 40000
expect_status 0 "$SEAL" -r "$T/r1.pub" -r "$T/r2.pub" --recipient "$T/r3.pub" \
    --sender "$T/sender.key" --output "$T/msg.seal" "$T/msg"
for r in r1 r2 r3; do
    expect_status 0 "$UNSEAL" -k "$T/$r.key" -s "$T/sender.pub" -o "$T/got.$r" "$T/msg.seal"
    same "$T/msg" "$T/got.$r"
done
expect_status 5 "$UNSEAL" -k "$T/other.key" -s "$T/sender.pub" -o "$T/got.other" "$T/msg.seal"
[ ! -e "$T/got.other" ] || fail "output written for a non-recipient"
echo "ok: 3 recipients open it, a 4th key does not"
