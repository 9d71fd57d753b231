#!/bin/sh
# unseal refuses binary plaintext to a terminal (exit 2, nothing shown),
# writes text there, and an explicit -o - forces binary to the terminal in
# both programs.
. "$top_srcdir/tests/cli/seal_common.sh"

command -v script >/dev/null 2>&1 || { echo "no script(1): skip"; exit 77; }
script -qc true /dev/null </dev/null >/dev/null 2>&1 || { echo "script(1) unusable: skip"; exit 77; }
keypair alice bob
printf 'BIN\001\002\033[2JEND\n' >"$T/bin"
printf 'plain text line\n' >"$T/txt"
for f in bin txt; do
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/$f.seal" "$T/$f" || fail "seal $f"
done
# at_tty NAME CMD: runs CMD on a pseudo-terminal; output in $T/NAME.tty.
at_tty() {
    _name=$1
    shift
    _st=0
    script -qec "$*" /dev/null </dev/null >"$T/$_name.tty" 2>&1 || _st=$?
    return "$_st"
}
st=0
at_tty bin "'$UNSEAL' -k '$T/bob.key' -s '$T/alice.pub' <'$T/bin.seal'" || st=$?
cat "$T/bin.tty"
[ "$st" -eq 2 ] || fail "binary to a terminal: exit status $st, expected 2"
grep -q "refusing to write binary plaintext to a terminal" "$T/bin.tty" || fail "no message"
grep -q "unseal: hint: .*-o -" "$T/bin.tty" || fail "no hint"
grep -q "BIN" "$T/bin.tty" && fail "binary plaintext reached the terminal"

at_tty txt "'$UNSEAL' -q -k '$T/bob.key' -s '$T/alice.pub' <'$T/txt.seal'" || fail "text: $(cat "$T/txt.tty")"
grep -q "plain text line" "$T/txt.tty" || fail "text not shown"

at_tty force "'$UNSEAL' -q -k '$T/bob.key' -s '$T/alice.pub' -o - <'$T/bin.seal'" ||
    fail "unseal -o - to a terminal: $(cat "$T/force.tty")"
grep -q "BIN" "$T/force.tty" || fail "-o - did not force the output"

at_tty sealforce "'$SEAL' -r '$T/bob.pub' -s '$T/alice.key' -o - <'$T/txt'" ||
    fail "seal -o - to a terminal: $(cat "$T/sealforce.tty")"
grep -q "refusing" "$T/sealforce.tty" && fail "seal -o - refused"
echo "ok: terminal safety"
