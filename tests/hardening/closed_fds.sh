#!/bin/sh
# Programs started with descriptor 0, 1 or 2 closed open it on /dev/null
# first: with 1 closed, unseal's spool file used to get descriptor
# 1, the plaintext was "written to standard output" into it and a valid
# envelope failed. Now each run succeeds and nothing lands in a file.
. "$top_srcdir/tests/cli/seal_common.sh"
keypair alice bob
make_file "$T/msg" 1500000 # more than the spool keeps in memory
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"

for fd in 0 1 2; do
    st=0
    case $fd in
    0) "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o "$T/out0" "$T/msg.seal" <&- 2>"$T/err" || st=$? ;;
    1) "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/msg.seal" >&- 2>"$T/err" || st=$? ;;
    2) "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/msg.seal" 2>&- >"$T/out2" || st=$? ;;
    esac
    [ "$st" -eq 0 ] || fail "unseal with descriptor $fd closed: exit $st: $(cat "$T/err" 2>/dev/null)"
done
same "$T/msg" "$T/out0"
same "$T/msg" "$T/out2"
# No spool or temporary file was left holding anything.
[ -z "$(find "$T" -name 'seal-spool*' -o -name '.out*')" ] || fail "files left: $(ls -A "$T")"

# seal with standard output closed: the envelope goes to /dev/null, and
# the key files opened meanwhile are not mistaken for it.
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o - "$T/msg" >&- 2>"$T/err" ||
    fail "seal with descriptor 1 closed: $(cat "$T/err")"
[ "$(wc -c <"$T/bob.pub")" -lt 1000 ] || fail "bob.pub was written to"
# seal-keygen with descriptor 2 closed still makes its keys.
"$SEAL_KEYGEN" -o "$T/carol" -b 2048 --no-passphrase >/dev/null 2>&- || fail "seal-keygen with 2 closed"
[ -s "$T/carol.key" ] && [ -s "$T/carol.pub" ] || fail "seal-keygen made no keys"
echo "closed descriptors: ok"
