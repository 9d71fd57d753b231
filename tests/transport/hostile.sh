#!/bin/sh
# A hostile network: 240 silent connections from 8 addresses (each reopened
# when closed), 5 slowloris senders and a flood of connections from one
# address, against a listener limited to 200 connections. Meanwhile honest
# `seal --to` deliveries all get their receipts, and every acknowledged
# envelope is stored exactly once. The refusals are logged at most
# LISTENER_LOG_BURST (5) times per address, the rest summarised (at the
# minute, or at the stop). No timing is asserted beyond generous deadlines.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
for i in 1 2 3 4 5 6; do
    printf 'honest %s\n' "$i" >"$T/msgs/m$i"
done
listen l1 127.0.0.1:0 --max-connections 200 --header-timeout 2 -q
A=127.0.0.1:$LPORT

$TL hostile "$A" 120 240 8 5 127.0.0.5 >"$T/attack" 2>&1 &
ATTACK=$!
PIDS="$PIDS $ATTACK"
# The attack is under way once the flood meets the per-source limit and the
# listener is full.
wait_log l1 "refused 127.0.0.5:[0-9]*: ERR temp too many connections" ||
    fail "the flood did not reach the per-source limit"
wait_log l1 "shed 127.0.1" || fail "the listener never filled up"

for i in 1 2 3 4 5 6; do
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "$A" --retry-for 30 "$T/msgs/m$i" \
        2>"$T/seal.$i.err" || fail "delivery $i under attack: $(cat "$T/seal.$i.err")"
done
kill -0 "$ATTACK" 2>/dev/null || fail "the attack ended before the deliveries: $(cat "$T/attack")"
kill -TERM "$ATTACK"
wait "$ATTACK"
check_inbox "$T/msgs" --expect 6

stop "$LPID" || fail "the listener did not stop cleanly"
# The flood's refusals: a few lines, then one summary.
n=$(grep -c "refused 127.0.0.5:\|shed 127.0.0.5:" "$T/l1.log")
[ "$n" -le 5 ] || fail "$n log lines for the flood from 127.0.0.5, expected at most 5"
grep -q "shed [0-9]* more connections from 127.0.0.5 in the last minute: .*per-source limit [0-9]*" \
    "$T/l1.log" || fail "no summary for 127.0.0.5: $(tail -n 20 "$T/l1.log")"
for src in 127.0.1.1 127.0.1.8; do
    n=$(grep -c "refused $src:\|shed $src:" "$T/l1.log")
    [ "$n" -le 5 ] || fail "$n log lines for $src, expected at most 5"
done
echo "ok: six deliveries under attack, each stored once; the attack logged in summaries"
cat "$T/attack"
