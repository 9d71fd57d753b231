#!/bin/sh
# unseal to standard output spools messages over 1 MiB in $TMPDIR. When the
# spool cannot be written: an I/O error that says so (with a hint), exit 7,
# and nothing on standard output.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/big" 3000000
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/big.seal" "$T/big" || fail "seal"
_st=0
TMPDIR="$T/no-such-dir" "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" <"$T/big.seal" \
    >"$T/out" 2>"$T/err" || _st=$?
[ "$_st" -eq 7 ] || fail "exit status $_st, expected 7: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "$(wc -c <"$T/out") bytes on stdout"
grep -q "^unseal: error: (stdout): cannot create spool file in $T/no-such-dir: " "$T/err" ||
    fail "error: $(cat "$T/err")"
grep -q "^unseal: hint: .*TMPDIR" "$T/err" || fail "no hint: $(cat "$T/err")"
# The same message with a usable TMPDIR goes through.
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/big.seal"
same "$T/out" "$T/big"
echo "ok: spool errors"
