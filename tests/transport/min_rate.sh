#!/bin/sh
# --min-rate: a sender that trickles (10 bytes a second: a slowloris) is cut
# off after a 10 s window with ERR temp too slow, logged with its rate; a
# slow sender above the rate (3 KiB a second for 12 s, longer than the
# window) is served.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
head -c 36000 /dev/urandom >"$T/msgs/slow"
seal_file alice "$T/msgs/slow" "$T/slow.seal"
head -c 400 /dev/urandom >"$T/drip"
listen l1 127.0.0.1:0 --min-rate 1K --header-timeout 2 --idle-timeout 30
A=127.0.0.1:$LPORT

$TL script "$A" "open s 127.0.0.1" "trickle s $T/drip 10 1000" "reply s" >"$T/loris" &
LORIS=$!
PIDS="$PIDS $LORIS"
$TL script "$A" "open r 127.0.0.1" "trickle r $T/slow.seal 1000 330" "shut r" "reply r" \
    >"$T/real" || fail "the slow sender's script failed: $(cat "$T/real")"
wait "$LORIS" || fail "the slowloris script failed: $(cat "$T/loris")"
grep -q "^r: OK " "$T/real" || fail "the slow sender above the rate: $(cat "$T/real")"
grep -qx "s: ERR temp too slow" "$T/loris" || fail "the slowloris: $(cat "$T/loris")"
grep -q "refused 127.0.0.1:[0-9]*: ERR temp too slow (below minimum rate: [0-9]* bytes in the last [0-9]* ms, under 1024 bytes/s)" \
    "$T/l1.log" || fail "the cut is not logged with its reason"
check_inbox "$T/msgs"
echo "ok: --min-rate cuts a slowloris off and serves a slow sender above it"
