#!/bin/sh
# Concurrency: several unseal processes racing for the same output name.
# Exactly one wins (exit 0) and its file is the complete message; every
# other one refuses with exit 7 and leaves no temporary file, because the
# final name is taken with link(2), never by overwriting. Meanwhile seals of
# other files in the same directory run undisturbed.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/msg.orig" 3000000
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg.orig" || fail "seal"

n=6
i=0
while [ $i -lt $n ]; do
    ( st=0
      "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o "$T/msg" "$T/msg.seal" \
          2>"$T/err.$i" || st=$?
      echo "$st" >"$T/status.$i" ) &
    ( make_file "$T/other.$i" 20000
      "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" "$T/other.$i" 2>"$T/seal-err.$i" ||
          echo fail >"$T/seal-fail.$i" ) &
    i=$((i + 1))
done
wait

wins=0
i=0
while [ $i -lt $n ]; do
    st=$(cat "$T/status.$i")
    case $st in
    0) wins=$((wins + 1)) ;;
    7) grep -q "already exists" "$T/err.$i" || fail "loser $i: $(cat "$T/err.$i")" ;;
    *) fail "unseal $i: exit status $st: $(cat "$T/err.$i")" ;;
    esac
    [ ! -e "$T/seal-fail.$i" ] || fail "seal $i: $(cat "$T/seal-err.$i")"
    "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/other.$i.seal" |
        cmp -s - "$T/other.$i" || fail "seal $i: round trip differs"
    i=$((i + 1))
done
[ "$wins" -eq 1 ] || fail "$wins processes claimed the output, expected exactly 1"
cmp -s "$T/msg" "$T/msg.orig" || fail "the winner's output differs from the message"
no_temp_files "$T"
echo "ok: $n racing unseals, one winner, complete output, no leftovers"
