#!/bin/sh
# A valid envelope signed by someone other than the expected sender: exit
# status 6 and no output, to a file or to stdout.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob mallory
make_file "$T/msg" 20000
"$SEAL" -r "$T/bob.pub" -s "$T/mallory.key" -o "$T/msg.seal" "$T/msg" || fail "seal"
rm "$T/msg"
expect_status 6 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" "$T/msg.seal"
[ ! -e "$T/msg" ] || fail "output file created"
expect_status 6 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" <"$T/msg.seal"
[ ! -s "$T/out" ] || fail "bytes on stdout"
grep -q "^unseal: error: " "$T/err" || fail "message: $(cat "$T/err")"
no_temp_files "$T"
echo "ok: unexpected sender refused with 6"
