#!/bin/sh
# seal --to a peer it never reaches (a closed port, an unknown host) fails
# at once with exit 8, saying it never connected and hinting at
# --retry-for, instead of retrying for 5 minutes and then saying the
# envelope "may or may not have arrived". With --retry-for it keeps trying
# for that long. A service name that does not resolve is a usage error.
. "$top_srcdir/tests/transport/common.sh"

printf 'hello\n' >"$T/msg"

# A port bound but not listening: connecting to it is refused, and no one
# else can take it while the helper holds it.
python3 -c '
import socket, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(300)
' >"$T/port" 2>&1 &
PIDS="$PIDS $!"
wait_file "$T/port" || fail "the helper did not start"
P=$(cat "$T/port")
[ -n "$P" ] || fail "no port from the helper"

# send WANT ARGS...: seal --to, bounded in time (the old behaviour retried
# for 5 minutes: that fails here as status 124).
send() {
    _want=$1
    shift
    _st=0
    timeout 60 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" "$@" "$T/msg" \
        >"$T/out" 2>"$T/err" || _st=$?
    [ "$_st" -eq "$_want" ] || fail "seal $*: exit $_st, expected $_want: $(cat "$T/err")"
}

send 8 --to "127.0.0.1:$P"
grep -q "^seal: error: 127.0.0.1:$P: never connected" "$T/err" || fail "message: $(cat "$T/err")"
grep -q "^seal: hint: .*--retry-for" "$T/err" || fail "no hint: $(cat "$T/err")"
grep -q "may or may not" "$T/err" && fail "claims it may have arrived: $(cat "$T/err")"

# An unknown host (the .invalid top-level domain never resolves).
send 8 --to "no-such-host.invalid:7000"
grep -q "never connected" "$T/err" || fail "unknown host: $(cat "$T/err")"

# With --retry-for, it tries for that long, and still says it never
# connected.
send 8 --to "127.0.0.1:$P" --retry-for 2s
grep -q "never connected" "$T/err" || fail "--retry-for: $(cat "$T/err")"
grep -q "retrying" "$T/err" || fail "--retry-for did not retry: $(cat "$T/err")"

# A service name that does not resolve: a usage error, before anything.
send 2 --to "127.0.0.1:no-such-service-name"
grep -q "no-such-service-name" "$T/err" || fail "service: $(cat "$T/err")"
echo "ok: an unreachable peer fails at once"
