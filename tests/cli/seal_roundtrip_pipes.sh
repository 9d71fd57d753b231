#!/bin/sh
# The same sizes through pipes: seal reads stdin and writes stdout, unseal
# the other way round (stdout goes through its spool).
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
for size in 0 1 16383 16384 16385 5242880; do
    make_file "$T/msg" "$size"
    cat "$T/msg" | "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" | cat >"$T/env" ||
        fail "$size: seal in a pipe failed"
    [ -s "$T/env" ] || fail "$size: empty envelope"
    cat "$T/env" | "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" 2>"$T/err" | cat >"$T/got" ||
        fail "$size: unseal in a pipe failed"
    same "$T/msg" "$T/got"
    [ ! -s "$T/err" ] || fail "$size: -q still printed: $(cat "$T/err")"
    # "-" and "-o -" name the standard streams explicitly.
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o - - <"$T/msg" >"$T/env2" || fail "seal - -o -"
    "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o - - <"$T/env2" >"$T/got2" ||
        fail "unseal - -o -"
    same "$T/msg" "$T/got2"
done
echo "ok: 6 sizes via pipes"
