#!/bin/sh
# --header-timeout: a connection that sends nothing (or only the start of a
# verb) is closed once it runs out (ERR temp timed out, logged as a header
# timeout); once the first envelope bytes arrived it no longer applies (a
# sender pausing longer is served, under --idle-timeout).
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
printf 'paused\n' >"$T/msgs/paused"
seal_file alice "$T/msgs/paused" "$T/paused.seal"
printf 'FET' >"$T/fet"
listen l1 127.0.0.1:0 --header-timeout 1 --idle-timeout 30
A=127.0.0.1:$LPORT

$TL script "$A" "open s 127.0.0.1" "open v 127.0.0.1" "send v $T/fet" "reply s" "reply v" \
    >"$T/out" || fail "the script failed: $(cat "$T/out")"
grep -qx "s: ERR temp timed out" "$T/out" || fail "a silent connection: $(cat "$T/out")"
grep -qx "v: ERR temp timed out" "$T/out" || fail "half a verb: $(cat "$T/out")"
grep -q "refused 127.0.0.1:[0-9]*: ERR temp timed out (header timeout: no request within 1000 ms)" \
    "$T/l1.log" || fail "the header timeout is not logged with its reason"
# Half the envelope, 3 s of silence (three header timeouts), the rest.
reply=$(send "$A" "$T/paused.seal" --pause 3)
case $reply in OK\ *) ;; *) fail "the paused sender got '$reply'" ;; esac
check_inbox "$T/msgs"
echo "ok: --header-timeout cuts off who never starts, not who paused after starting"
