#!/bin/sh
# Two listener processes on one inbox, and the same envelopes sent to both
# at once (twice each): every envelope is stored exactly once.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs" "$T/env"
i=0
while [ "$i" -lt 12 ]; do
    printf 'twice %d\n' "$i" >"$T/msgs/$i"
    seal_file alice "$T/msgs/$i" "$T/env/$i.seal"
    i=$((i + 1))
done
listen a 127.0.0.1:0 -q
A=$LPID
P1=$LPORT
listen b 127.0.0.1:0 -q
B=$LPID
P2=$LPORT
grep -q "recovery" "$T/b.log" && fail "the second listener cleaned up after the first"
for round in 1 2; do
    for f in "$T"/env/*.seal; do
        for p in "$P1" "$P2"; do
            (send "127.0.0.1:$p" "$f" | grep -q '^OK ' || echo "$f $p" >>"$T/noack") &
            PIDS="$PIDS $!"
        done
    done
done
for p in $PIDS; do
    [ "$p" = "$A" ] || [ "$p" = "$B" ] || wait "$p"
done
[ ! -s "$T/noack" ] || fail "not acknowledged: $(cat "$T/noack")"
check_inbox "$T/msgs" --expect 12
grep -q "duplicate" "$T/a.log" "$T/b.log" || fail "no duplicate was logged"
stop "$A" && stop "$B" || fail "bad exit status"
echo "ok"
