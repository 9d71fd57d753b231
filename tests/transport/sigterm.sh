#!/bin/sh
# SIGTERM: the listener stops accepting, tells a client still sending
# `ERR temp shutting down` (nothing stored, nothing acknowledged), lets a
# delivery it already received finish, and exits 0.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
head -c 2000000 /dev/urandom >"$T/msgs/big"
seal_file alice "$T/msgs/big" "$T/big.seal"
listen l1 127.0.0.1:0
P=$LPORT
# Half the envelope, a pause (SIGTERM comes now), then the rest.
send "127.0.0.1:$P" "$T/big.seal" --pause 3 >"$T/reply" &
C=$!
PIDS="$PIDS $C"
wait_log l1 "connection from" || fail "the slow client did not connect"
kill -TERM "$LPID"
i=0
while kill -0 "$LPID" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "the listener did not stop within 5 s of SIGTERM"
    sleep 0.05
done
wait "$LPID" || fail "exit status $? after SIGTERM, expected 0"
wait "$C"
[ "$(cat "$T/reply")" = "ERR temp shutting down" ] || fail "slow client got '$(cat "$T/reply")'"
[ "$(count new)" -eq 0 ] || fail "something was stored"
grep -q "stopped" "$T/l1.log" || fail "no 'stopped' line"
# Nobody listens any more.
st=0
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$P" --retry-for 0 "$T/msgs/big" \
    2>/dev/null || st=$?
[ "$st" -eq 8 ] || fail "after SIGTERM: seal --to exit $st, expected 8 (unreachable)"

# SIGTERM just as an envelope arrives: either it was received whole and is
# stored and acknowledged, or it is refused and nothing is stored; never an
# OK for what is not in new/.
listen l2 127.0.0.1:0
P=$LPORT
send "127.0.0.1:$P" "$T/big.seal" >"$T/reply2" &
C=$!
PIDS="$PIDS $C"
wait_log l2 "connection from" || fail "second client did not connect"
sleep 0.05
kill -TERM "$LPID"
wait "$LPID" || fail "exit status $? after SIGTERM, expected 0"
wait "$C"
case $(cat "$T/reply2") in
OK*) check_inbox "$T/msgs" --expect 1 ;;
"ERR temp shutting down") [ "$(count new)" -eq 0 ] || fail "refused but stored" ;;
*) fail "client during shutdown got '$(cat "$T/reply2")'" ;;
esac
echo "ok"
