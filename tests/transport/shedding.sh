#!/bin/sh
# When --max-connections are open, a newcomer is not refused: the
# connection that has sent the least for the longest is closed to make room
# (ERR temp overloaded), so the oldest silent one goes first and one that
# has sent bytes outlives younger silent ones.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
printf 'one\n' >"$T/msgs/one"
printf 'two\n' >"$T/msgs/two"
seal_file alice "$T/msgs/one" "$T/one.seal"
seal_file alice "$T/msgs/two" "$T/two.seal"
listen l1 127.0.0.1:0 --max-connections 4 --header-timeout 60
A=127.0.0.1:$LPORT

# a (silent, oldest), b (has sent 200 bytes), c, d (silent): full. e is a
# sender: a makes room. g (silent) and then f (a sender) arrive: c, then d
# or g, make room, never b.
$TL script "$A" "open a 127.0.0.1" "pause 100" "open b 127.0.0.1" "junk b 200" "pause 100" \
    "open c 127.0.0.1" "pause 100" "open d 127.0.0.1" "pause 300" \
    "open e 127.0.0.1" "send e $T/one.seal" "shut e" "reply e" "pause 300" \
    "open g 127.0.0.1" "pause 300" \
    "open f 127.0.0.1" "send f $T/two.seal" "shut f" "reply f" "pause 300" \
    "state a" "state c" "state b" >"$T/out" || fail "the script failed: $(cat "$T/out")"
grep -q "^e: OK " "$T/out" || fail "the first sender was not served: $(cat "$T/out")"
grep -q "^f: OK " "$T/out" || fail "the second sender was not served: $(cat "$T/out")"
grep -qx "a: closed: ERR temp overloaded" "$T/out" || fail "the oldest silent one was not shed: $(cat "$T/out")"
grep -qx "c: closed: ERR temp overloaded" "$T/out" || fail "the next silent one was not shed: $(cat "$T/out")"
grep -qx "b: open" "$T/out" || fail "the one that had sent bytes was shed: $(cat "$T/out")"
grep -q "shed 127.0.0.1:[0-9]*: ERR temp overloaded (shed when full: 4 connections at once" \
    "$T/l1.log" || fail "the shedding is not logged with its reason"
check_inbox "$T/msgs"
echo "ok: a full listener sheds the connection that has sent least for longest"
