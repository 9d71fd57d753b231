#!/bin/sh
# Armor after any amount of whitespace, and followed by any amount, opens;
# whitespace is exactly space, tab, CR and LF (seal(5)): more than
# ~994 bytes of it, a bare CR and 2,000 blank lines were refused before. A
# form feed or vertical tab before BEGIN or after END is refused (3), and so
# is a binary envelope with whitespace in front (R1). The reference
# implementation (tests/reference) must agree on each.
. "$top_srcdir/tests/cli/seal_common.sh"
keypair alice bob
make_file "$T/msg" 5000
expect_status 0 "$SEAL" -a -r "$T/bob.pub" -s "$T/alice.key" -o "$T/a.seal" "$T/msg"
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/b.seal" "$T/msg"
py=""
for p in python3 /usr/bin/python3; do
    "$p" -c 'import cryptography' 2>/dev/null && { py=$p; break; }
done

n=0
try() { # try WANT PREFIX SUFFIX [FILE]
    n=$((n + 1))
    { printf "$2"; cat "${4:-$T/a.seal}"; printf "$3"; } >"$T/t$n.seal"
    expect_status "$1" "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/t$n.seal"
    [ "$1" -ne 0 ] || same "$T/out" "$T/msg"
    if [ -n "$py" ]; then
        _st=0
        "$py" "$top_srcdir/tests/reference/seal_ref.py" unseal -k "$T/bob.key" -s "$T/alice.pub" \
            "$T/t$n.seal" "$T/ref.out" 2>"$T/ref.err" || _st=$?
        [ "$_st" -eq "$1" ] || fail "case $n: reference exit $_st, want $1: $(cat "$T/ref.err")"
    fi
}
lfs=$(printf '%02000d' 0 | tr 0 '\n' | sed 's/.*/\\n/' | tr -d '\n')
spaces=$(printf '%03000d' 0 | tr 0 ' ')
try 0 '\r' ''
try 0 '\r\r\r' '\r'
try 0 "$lfs" "$lfs"
try 0 "$spaces" "$spaces"
try 0 ' \t\r\n\t\r \n' '\n\r\t '
try 0 "$spaces\\n\\t$lfs\\r" ''
try 3 '\f' ''
try 3 '' '\f'
try 3 '\v\n' ''
try 3 "$spaces\\f" ''
try 3 '\n' '' "$T/b.seal"
echo "armor whitespace: $n cases"
