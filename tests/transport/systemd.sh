#!/bin/sh
# unseal --listen - under systemd socket activation (systemd-socket-activate
# from Debian's systemd package), and a clear error without it.
. "$top_srcdir/tests/transport/common.sh"

st=0
"$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen - -d "$T/inbox" 2>"$T/nofds.err" || st=$?
[ "$st" -eq 2 ] || fail "--listen - without LISTEN_FDS: exit $st, expected 2"
grep -q "LISTEN_FDS" "$T/nofds.err" || fail "the error does not name LISTEN_FDS"
st=0
LISTEN_PID=1 LISTEN_FDS=1 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen - -d "$T/inbox" \
    2>"$T/otherpid.err" || st=$?
[ "$st" -eq 2 ] || fail "--listen - with another LISTEN_PID: exit $st, expected 2"

command -v systemd-socket-activate >/dev/null ||
    { echo "systemd-socket-activate is missing (tools/bootstrap.sh installs systemd)"; exit 99; }
mkdir "$T/msgs"
printf 'socket activated\n' >"$T/msgs/m"
seal_file alice "$T/msgs/m" "$T/m.seal"
# systemd-socket-activate cannot listen on port 0: a port free a moment ago
# may be taken by the time it binds, so try another then.
tries=0
while :; do
    tries=$((tries + 1))
    [ "$tries" -le 20 ] || fail "systemd-socket-activate found no free port"
    P=$(free_port)
    rm -f "$T/sd.log"
    systemd-socket-activate -l "127.0.0.1:$P" \
        "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen - -d "$T/inbox" 2>"$T/sd.log" &
    SD=$!
    PIDS="$PIDS $SD"
    _i=0
    while ! grep -q "Listening on\|Failed\|in use" "$T/sd.log" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || fail "systemd-socket-activate did not start"
        sleep 0.05
    done
    grep -q "Listening on" "$T/sd.log" && break
    wait "$SD" 2>/dev/null
done
reply=$(send "127.0.0.1:$P" "$T/m.seal")
case $reply in OK*) ;; *) fail "socket-activated listener: '$reply'" ;; esac
wait_log sd "sockets from systemd" || fail "unseal did not take the socket from systemd"
check_inbox "$T/msgs" --expect 1
stop "$SD"
echo "ok"
