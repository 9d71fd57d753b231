#!/bin/sh
# The NATS publisher of unseal --listen --deliver dies (kill -9): the
# listener answers ERR temp, never OK, says so in its log, and starts a new
# publisher at a later delivery (unseal(1), FLEET); an envelope re-sent
# then is stored once.
. "$top_srcdir/tests/fleet/common.sh"
need_nats

for i in 1 2; do
    printf 'message %s\n' "$i" >"$T/m$i"
    seal_file alice "$T/m$i" "$T/m$i.seal"
done
nats_start
listen l1 127.0.0.1:0 --deliver "$NATS" --stream PUB
P=$LPORT
r=$($FL send "127.0.0.1:$P" "$T/m1.seal")
case $r in OK\ *) ;; *) fail "first send: '$r'" ;; esac

HPID=$(children "$LPID" "unseal-nats --publish" | head -n 1)
[ -n "$HPID" ] || fail "the listener has no publisher"
kill -9 "$HPID"
r=$($FL send "127.0.0.1:$P" "$T/m2.seal")
case $r in "ERR temp message store unavailable") ;; *) fail "with the publisher dead: '$r'" ;; esac
wait_log l1 "the NATS publisher failed" || fail "the loss was not logged"
i=0
while :; do
    r=$($FL send "127.0.0.1:$P" "$T/m2.seal")
    case $r in OK\ *) break ;; "ERR temp "*) ;; *) fail "after the loss: '$r'" ;; esac
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "no new publisher after 20 s: '$r'"
    sleep 0.2
done
wait_log l1 "the NATS publisher is running again" || fail "the restart was not logged"
r=$($FL send "127.0.0.1:$P" "$T/m2.seal")
case $r in OK\ *) ;; *) fail "re-send: '$r'" ;; esac
wait_log l1 "duplicate from" || fail "the re-send was not a duplicate"
$FL nats "$NATS" '$JS.API.STREAM.INFO.PUB' "" | grep -q '"messages":2,' ||
    fail "the stream does not hold the two messages once each"
exit 0
