#!/bin/sh
# The fleet on loopback: nats-server (JetStream), two listeners on
# 127.0.0.2 and 127.0.0.3 delivering to one stream, HAProxy in TCP mode on
# 127.0.0.1 with examples/fleet/haproxy.cfg (send-proxy-v2 from 127.0.0.5).
# 8 clients x 25 envelopes through HAProxy, every fourth re-sent straight to
# a listener; one listener killed (-9) mid-load and restarted; then the NATS
# server killed during a second load and restarted. Every envelope that was
# ever acknowledged, and every other one once re-sent, is in the stream
# exactly once (drained into a Maildir to count); while NATS is down the
# answer is ERR temp, never OK; HAProxy's health checks log nothing.
. "$top_srcdir/tests/fleet/common.sh"
need_nats
command -v haproxy >/dev/null || fail "haproxy is not installed (apt-get install haproxy)"

# The example configurations are valid as shipped.
nats-server -c "$top_srcdir/examples/fleet/nats-server.conf" -t >"$T/conf.log" 2>&1 ||
    fail "examples/fleet/nats-server.conf: $(cat "$T/conf.log")"
SEAL_FLEET_FRONT=127.0.0.1:4443 SEAL_FLEET_L1=127.0.0.2:4443 SEAL_FLEET_L2=127.0.0.3:4443 \
    SEAL_FLEET_SOURCE=127.0.0.5 haproxy -c -f "$top_srcdir/examples/fleet/haproxy.cfg" \
    >"$T/conf.log" 2>&1 || fail "examples/fleet/haproxy.cfg: $(cat "$T/conf.log")"

mkdir "$T/msgs" "$T/env" "$T/inbox"
# 8 x 25 envelopes for the first load, 4 x 10 for the second; sealed by
# alice and carol, four at a time (seal mostly waits: the cores are free).
seal_range() {
    for i in $(seq "$1" "$2"); do
        printf 'message %s\n' "$i" >"$T/msgs/m$i"
        head -c $((i * 7 % 1500)) /dev/urandom >>"$T/msgs/m$i"
        from=alice
        [ $((i % 2)) -eq 0 ] && from=carol
        "$SEAL" --no-fsync -r "$T/bob.pub" -s "$T/$from.key" -o "$T/env/m$i.seal" "$T/msgs/m$i" ||
            fail "seal m$i"
    done
}
seal_range 1 60 &
s1=$!
seal_range 61 120 &
s2=$!
seal_range 121 180 &
s3=$!
seal_range 181 240
wait "$s1" && wait "$s2" && wait "$s3" || fail "sealing"

nats_start
start_listener() { # NAME ADDR
    listen "$1" "$2" --deliver "$NATS" --stream FLEET --proxy-from 127.0.0.5 -q
}
start_listener l1 127.0.0.2:0
L1PID=$LPID
L1=127.0.0.2:$LPORT
start_listener l2 127.0.0.3:0
L2=127.0.0.3:$LPORT
# HAProxy's front socket is bound here on port 0 and handed to it as fd 3
# (bind fd@3): no other test can take the port in between.
SEAL_FLEET_L1=$L1 SEAL_FLEET_L2=$L2 SEAL_FLEET_SOURCE=127.0.0.5 \
    python3 - "$T/front.port" haproxy -db -f "$top_srcdir/examples/fleet/haproxy.cfg" \
    >"$T/haproxy.log" 2>&1 <<'PY' &
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(128)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
os.environ["SEAL_FLEET_FRONT"] = "fd@3"
os.execvp(sys.argv[2], sys.argv[2:])
PY
HPID=$!
PIDS="$PIDS $HPID"
wait_file "$T/front.port" || fail "haproxy did not start: $(cat "$T/haproxy.log")"
FRONT=127.0.0.1:$(cat "$T/front.port")
sleep 1 # a first round of health checks

# clients N FIRST: N clients in the background, 25 (or $PER) envelopes each
# from m$FIRST on; their pids in CPIDS.
clients() {
    CPIDS=""
    for c in $(seq 0 $(($1 - 1))); do
        _files=""
        for j in $(seq 1 "${PER:-25}"); do _files="$_files $T/env/m$(($2 + c * ${PER:-25} + j - 1)).seal"; done
        # shellcheck disable=SC2086
        $FL load "$FRONT" "$L1,$L2" $_files >"$T/load.$2.$c" &
        CPIDS="$CPIDS $!"
    done
}
clients 8 1
sleep 1
kill -9 "$L1PID"
wait "$L1PID" 2>/dev/null
sleep 1
# Back on the port it had: HAProxy's configuration names it.
start_listener l1 "$L1"
L1PID=$LPID
for p in $CPIDS; do wait "$p"; done
grep -q 'OK$' "$T"/load.1.* || fail "no envelope acknowledged during the first load"

# Second load; NATS killed while it runs, then restarted.
PER=10
clients 4 201
sleep 0.5
nats_kill
wait_log l1 "lost the NATS server" && wait_log l2 "lost the NATS server" ||
    fail "the listeners did not notice NATS going away"
# Now NATS is down for sure: never OK.
for i in 1 2 3 4 5; do
    r=$($FL send "$FRONT" "$T/env/m$((200 + i)).seal")
    case $r in "ERR temp "* | "") ;; *) fail "NATS down, yet: '$r'" ;; esac
done
for p in $CPIDS; do wait "$p"; done
nats_start
wait_log l1 "reconnected to NATS" && wait_log l2 "reconnected to NATS" || fail "no reconnection"

# Every envelope not acknowledged is re-sent through HAProxy until it is.
for round in 1 2 3 4 5; do
    missing=""
    for i in $(seq 1 240); do
        grep -q "/m$i.seal OK" "$T"/load.* "$T/resend" 2>/dev/null || missing="$missing $T/env/m$i.seal"
    done
    [ -z "$missing" ] && break
    # shellcheck disable=SC2086
    $FL load "$FRONT" "$L1,$L2" $missing >>"$T/resend"
    sleep 0.5
done
[ -z "$missing" ] || fail "still not acknowledged after 5 rounds:$missing"

# The stream holds each of the 240 once: drain it and count.
"$UNSEAL" --drain "$NATS" --stream FLEET -d "$T/inbox" -q 2>"$T/drain.log" || fail "drain"
$FL check-inbox "$T/inbox" "$T/msgs" 240 || fail "the stream does not hold each envelope once"
grep -q "via 127.0.0.5" "$T/l2.log" || fail "no delivery logged with the forwarded client address"
if grep -E "(from|refused) 127\.0\.0\.5:" "$T/l1.log" "$T/l2.log"; then
    fail "health checks were logged"
fi
exit 0
