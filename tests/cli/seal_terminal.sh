#!/bin/sh
# seal refuses to write a binary envelope to a terminal, with a hint; armor
# to a terminal is fine.
. "$top_srcdir/tests/cli/seal_common.sh"

command -v script >/dev/null 2>&1 || { echo "no script(1): skip"; exit 77; }
script -qc true /dev/null </dev/null >/dev/null 2>&1 || { echo "script(1) unusable: skip"; exit 77; }
keypair alice bob
printf 'hi\n' >"$T/msg"
# script(1) runs the command on a pseudo-terminal and copies what it prints.
st=0
script -qec "'$SEAL' -r '$T/bob.pub' -s '$T/alice.key' <'$T/msg'" /dev/null \
    </dev/null >"$T/tty.out" 2>&1 || st=$?
cat "$T/tty.out"
[ "$st" -eq 2 ] || fail "exit status $st, expected 2"
grep -q "seal: error: refusing to write a binary envelope to a terminal" "$T/tty.out" ||
    fail "no error message"
grep -q "seal: hint: use -a" "$T/tty.out" || fail "no hint"
st=0
script -qec "'$SEAL' -a -r '$T/bob.pub' -s '$T/alice.key' <'$T/msg'" /dev/null \
    </dev/null >"$T/tty2.out" 2>&1 || st=$?
[ "$st" -eq 0 ] || fail "armor to a terminal: exit status $st"
grep -q "BEGIN SEALED MESSAGE" "$T/tty2.out" || fail "no armor on the terminal"
echo "ok: no binary to a terminal"
