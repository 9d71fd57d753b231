#!/bin/sh
# seal --to into unseal --listen, plain nc on either side, seal --listen into
# unseal --from (stdout, -o, -d), IPv6 loopback, --keep-sealed, and a
# duplicate acknowledged again but stored once.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
printf 'hello, bob\n' >"$T/msgs/one"
head -c 50000 /dev/urandom >"$T/msgs/two"
listen l1 127.0.0.1:0
P=$LPORT
L1=$LPID

# --to: exit 0 once the receipt verified; the message is in new/.
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$P" "$T/msgs/one" 2>"$T/to.err" ||
    fail "seal --to: $(cat "$T/to.err")"
grep -q "acknowledged" "$T/to.err" || fail "seal --to did not say it was acknowledged"
[ "$(count new)" -eq 1 ] || fail "seal --to: not in new/"
wait_log l1 "delivered from 127.0.0.1:.*sender alice" || fail "no delivery log line"

# nc as the client: it prints the acknowledgment line; sending the same
# envelope again is acknowledged alike and stored once.
seal_file alice "$T/msgs/two" "$T/two.seal"
nc -N 127.0.0.1 "$P" <"$T/two.seal" >"$T/ack1" || fail "nc client"
grep -Eq '^OK [0-9a-f]{32} [A-Za-z0-9_-]{43}$' "$T/ack1" || fail "nc: no OK line: $(cat "$T/ack1")"
nc -N 127.0.0.1 "$P" <"$T/two.seal" >"$T/ack2" || fail "nc client again"
cmp -s "$T/ack1" "$T/ack2" || fail "a duplicate got another acknowledgment"
wait_log l1 "duplicate from" || fail "no duplicate log line"
[ "$(count new)" -eq 2 ] || fail "duplicate stored twice"
check_inbox "$T/msgs"
# Armored, through nc too.
seal_file carol "$T/msgs/two" "$T/two.asc" -a
nc -N 127.0.0.1 "$P" <"$T/two.asc" | grep -q '^OK ' || fail "armored envelope not accepted"

# nc as the server: it receives exactly what seal --to sends; seal then
# says no acknowledgment came (8).
# Port 0: the kernel picks a free port and nc -v says which.
nc -lv 127.0.0.1 0 >"$T/received.seal" </dev/null 2>"$T/nc.log" &
NCPID=$!
PIDS="$PIDS $NCPID"
wait_log nc "Listening on" || fail "nc -l did not start"
P2=$(sed -n 's/^Listening on [^ ]* \([0-9][0-9]*\)$/\1/p' "$T/nc.log")
st=0
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$P2" --retry-for 0 --wait 2 \
    "$T/msgs/one" 2>"$T/nc.err" || st=$?
[ "$st" -eq 8 ] || fail "seal --to into nc -l: exit $st, expected 8"
grep -q "no acknowledgment" "$T/nc.err" || fail "seal did not say no acknowledgment came"
kill "$NCPID" 2>/dev/null
wait "$NCPID" 2>/dev/null
"$UNSEAL" -k "$T/bob.key" -s "$T/trusted" -q -o "$T/from-nc" "$T/received.seal" ||
    fail "what nc received does not unseal"
cmp -s "$T/from-nc" "$T/msgs/one" || fail "nc received other bytes"

# seal --listen / unseal --from: standard output, -o FILE, -d INBOX.
for mode in stdout file inbox; do
    rm -f "$T/sl.log" # truncated by the background child, maybe too late
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --listen 127.0.0.1:0 --wait 10 "$T/msgs/one" \
        2>"$T/sl.log" &
    SPID=$!
    PIDS="$PIDS $SPID"
    wait_log sl "waiting for a peer on" || fail "seal --listen did not start"
    P3=$(sed -n 's/.*waiting for a peer on [^ ]*:\([0-9][0-9]*\)$/\1/p' "$T/sl.log")
    [ -n "$P3" ] || fail "seal --listen: no port in its log: $(cat "$T/sl.log")"
    case $mode in
    stdout) "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --from "127.0.0.1:$P3" >"$T/from.out" 2>"$T/from.err" ;;
    file) "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --from "127.0.0.1:$P3" -o "$T/from.out" 2>"$T/from.err" ;;
    inbox) "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --from "127.0.0.1:$P3" -d "$T/box2" 2>"$T/from.err" ;;
    esac || fail "unseal --from ($mode): $(cat "$T/from.err")"
    wait "$SPID" || fail "seal --listen ($mode): $(cat "$T/sl.log")"
    case $mode in
    inbox) cat "$T"/box2/new/* >"$T/from.out" ;;
    esac
    cmp -s "$T/from.out" "$T/msgs/one" || fail "unseal --from ($mode): wrong message"
    rm -f "$T/from.out"
done

# IPv6 loopback, both ways.
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
    listen l6 "[::1]:0" -d "$T/box6"
    P6=$LPORT
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "[::1]:$P6" "$T/msgs/one" 2>"$T/to6.err" ||
        fail "seal --to [::1]: $(cat "$T/to6.err")"
    wait_log l6 "delivered from \[::1\]:" || fail "IPv6 peer not logged as [::1]:PORT"
else
    echo "note: no IPv6 loopback on this machine; IPv6 part not run"
fi

# --keep-sealed: the verified envelope itself is stored, and unseals.
listen ks 127.0.0.1:0 -d "$T/sealed" --keep-sealed
KPID=$LPID
P4=$LPORT
[ "$(send "127.0.0.1:$P4" "$T/two.seal" | cut -c1-3)" = "OK " ] || fail "--keep-sealed: no OK"
f=$(find "$T/sealed/new" -type f)
cmp -s "$f" "$T/two.seal" || fail "--keep-sealed did not store the envelope as sent"
stop "$KPID" || fail "--keep-sealed listener: bad exit"
stop "$L1" || fail "listener: bad exit status on SIGTERM"
grep -q "stopped" "$T/l1.log" || fail "listener did not say it stopped"
echo "ok"
