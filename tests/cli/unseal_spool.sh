#!/bin/sh
# unseal to standard output reads its input twice (verify, then release).
# From a pipe it keeps a copy of the envelope in $TMPDIR: when that cannot be
# written, an I/O error that says so (with a hint), exit 7, and nothing on
# standard output. From a regular file it needs no spool file (the chunk
# hashes of a 3 MB message stay in memory), so a bad TMPDIR does not matter.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/big" 3000000
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/big.seal" "$T/big" || fail "seal"
_st=0
cat "$T/big.seal" | TMPDIR="$T/no-such-dir" "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" \
    >"$T/out" 2>"$T/err" || _st=$?
[ "$_st" -eq 7 ] || fail "exit status $_st, expected 7: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "$(wc -c <"$T/out") bytes on stdout"
grep -q "^unseal: error: (stdout): cannot create spool file in $T/no-such-dir: " "$T/err" ||
    fail "error: $(cat "$T/err")"
grep -q "^unseal: hint: .*TMPDIR" "$T/err" || fail "no hint: $(cat "$T/err")"
# From the file itself no spool file is needed.
TMPDIR="$T/no-such-dir" "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" <"$T/big.seal" \
    >"$T/out" 2>"$T/err" || fail "from a file with a bad TMPDIR: $(cat "$T/err")"
same "$T/out" "$T/big"
# The same message from a pipe with a usable TMPDIR goes through.
cat "$T/big.seal" | "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" >"$T/out" 2>"$T/err" ||
    fail "from a pipe: $(cat "$T/err")"
same "$T/out" "$T/big"
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/big.seal"
same "$T/out" "$T/big"
echo "ok: spool errors"
