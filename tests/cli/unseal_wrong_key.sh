#!/bin/sh
# An envelope not addressed to the key: exit status 5, no output file, and
# nothing on standard output.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob eve
make_file "$T/msg" 1000
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg" || fail "seal"
rm "$T/msg"
expect_status 5 "$UNSEAL" -k "$T/eve.key" -s "$T/alice.pub" "$T/msg.seal"
[ ! -e "$T/msg" ] || fail "output file created"
grep -q "^unseal: error: $T/msg.seal: " "$T/err" || fail "message: $(cat "$T/err")"
expect_status 5 "$UNSEAL" -k "$T/eve.key" -s "$T/alice.pub" <"$T/msg.seal"
[ ! -s "$T/out" ] || fail "bytes on stdout"
no_temp_files "$T"
echo "ok: wrong key refused with 5"
