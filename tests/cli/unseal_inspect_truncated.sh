#!/bin/sh
# --inspect of a truncated envelope reports the sizes it did read (not
# payload-bytes: 0), with and without a key, then fails as truncated.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/msg" 100000
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg" || fail "seal"
head -c 50000 "$T/msg.seal" >"$T/cut.seal"

# Without a key only some cuts can be told from the sizes alone (this one
# may pass for a whole envelope); with the key it is an error.
for key in "" "-k $T/bob.key"; do
    st=0
    # shellcheck disable=SC2086
    "$UNSEAL" --inspect $key "$T/cut.seal" >"$T/out" 2>"$T/err" || st=$?
    if [ -n "$key" ]; then
        [ "$st" -eq 1 ] || fail "exit status $st with the key, expected 1"
        grep -q "truncated" "$T/err" || fail "not reported as truncated: $(cat "$T/err")"
    fi
    cat "$T/out"
    grep -qx "envelope-bytes: 50000" "$T/out" || fail "envelope-bytes ($key)"
    header=$(sed -n 's/^header-bytes: //p' "$T/out")
    [ -n "$header" ] && [ "$header" -gt 0 ] || fail "no header size ($key)"
    grep -qx "payload-bytes: $((50000 - header))" "$T/out" || fail "payload-bytes ($key)"
done
echo "ok: a truncated envelope shows what was read"
