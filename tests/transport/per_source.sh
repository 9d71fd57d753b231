#!/bin/sh
# --max-per-source: at most N connections at once from one client address;
# the next one from it is refused at once (ERR temp too many connections,
# logged with its reason), while other addresses are served, and the
# address is served again once one of its connections ends.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
printf 'one\n' >"$T/msgs/one"
printf 'two\n' >"$T/msgs/two"
seal_file alice "$T/msgs/one" "$T/one.seal"
seal_file alice "$T/msgs/two" "$T/two.seal"
listen l1 127.0.0.1:0 --max-per-source 3 --header-timeout 60
A=127.0.0.1:$LPORT

$TL script "$A" "open a 127.0.0.2" "open b 127.0.0.2" "open c 127.0.0.2" "pause 300" \
    "open d 127.0.0.2" "reply d" \
    "open e 127.0.0.3" "send e $T/one.seal" "shut e" "reply e" \
    "state a" "shut a" "reply a" "pause 300" \
    "open f 127.0.0.2" "send f $T/two.seal" "shut f" "reply f" >"$T/out" ||
    fail "the script failed: $(cat "$T/out")"
grep -qx "d: ERR temp too many connections" "$T/out" || fail "the 4th from 127.0.0.2: $(cat "$T/out")"
grep -q "^e: OK " "$T/out" || fail "127.0.0.3 was not served: $(cat "$T/out")"
grep -qx "a: open" "$T/out" || fail "the first three were not left alone: $(cat "$T/out")"
grep -q "^f: OK " "$T/out" || fail "127.0.0.2 not served after one of its connections ended: $(cat "$T/out")"
grep -q "refused 127.0.0.2:[0-9]*: ERR temp too many connections (per-source limit: 3 connections" \
    "$T/l1.log" || fail "the refusal is not logged with its reason"
check_inbox "$T/msgs"
echo "ok: --max-per-source refuses the next connection from a full address only"
