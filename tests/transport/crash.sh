#!/bin/sh
# kill -9 of the listener at every step of a delivery (the test-only hook
# SEAL_TEST_KILL_AT, see src/transport/inbox.h, in $UNSEAL_FAULTS, the build
# that has it), then a restart: nothing partial ever in new/; what was
# committed (marker made) is in new/ after the restart's recovery pass,
# intact; tmp/ is clean; re-sending stores nothing twice. Then kill -9 in the middle of a load with retrying clients.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
for step in received fsync-data fsync-tmp marker fsync-seen rename fsync-new ack; do
    rm -rf "$T/inbox" "$T/msgs"/* "$T/m.seal"
    printf 'killed at %s\n' "$step" >"$T/msgs/m"
    seal_file alice "$T/msgs/m" "$T/m.seal"
    SEAL_TEST_KILL_AT=$step UNSEAL=$UNSEAL_FAULTS listen "k-$step" 127.0.0.1:0
    P=$LPORT
    reply=$(send "127.0.0.1:$P" "$T/m.seal")
    case $reply in OK*) fail "$step: acknowledged although killed before the OK" ;; esac
    i=0
    while kill -0 "$LPID" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le 100 ] || fail "$step: the listener was not killed"
        sleep 0.05
    done
    wait "$LPID" 2>/dev/null
    $TL check-inbox "$T/inbox" "$T/msgs" --allow-tmp >/dev/null || fail "$step: partial or foreign file in new/"
    listen "r-$step" 127.0.0.1:0
    P=$LPORT
    case $step in
    received | fsync-data | fsync-tmp | marker) want=0 ;;
    *) want=1 ;; # committed: the recovery pass finished it
    esac
    [ "$(count new)" -eq "$want" ] || fail "$step: $(count new) in new/ after recovery, expected $want"
    [ "$(count tmp)" -eq 0 ] || fail "$step: tmp/ not cleaned at start"
    reply=$(send "127.0.0.1:$P" "$T/m.seal")
    case $reply in OK*) ;; *) fail "$step: re-send not acknowledged: $reply" ;; esac
    check_inbox "$T/msgs" --expect 1 >/dev/null
    stop "$LPID" || fail "$step: bad exit status"
done

# Load with a kill in the middle: the 40th rename kills the listener; a
# watcher restarts it; the clients retry (--retry-for) until acknowledged.
rm -rf "$T/inbox" "$T/msgs"/*
i=0
while [ "$i" -lt 4 ]; do
    j=0
    while [ "$j" -lt 15 ]; do
        printf 'load %d %d\n' "$i" "$j" >"$T/msgs/$i.$j"
        j=$((j + 1))
    done
    i=$((i + 1))
done
# The clients need the port to stay: the one the first listener got.
SEAL_TEST_KILL_AT=rename:20 UNSEAL=$UNSEAL_FAULTS listen k-load 127.0.0.1:0 -q
P=$LPORT
KILLED=$LPID
CLIENTS=""
i=0
while [ "$i" -lt 4 ]; do
    (
        j=0
        while [ "$j" -lt 15 ]; do
            "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$P" --retry-for 30 \
                "$T/msgs/$i.$j" 2>>"$T/c$i.err" || echo "$i.$j" >>"$T/failed"
            j=$((j + 1))
        done
    ) &
    CLIENTS="$CLIENTS $!"
    PIDS="$PIDS $!"
    i=$((i + 1))
done
i=0
while kill -0 "$KILLED" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le 600 ] || fail "load: the listener was never killed"
    sleep 0.05
done
$TL check-inbox "$T/inbox" "$T/msgs" --allow-tmp >/dev/null || fail "load: partial file in new/ after kill -9"
listen r-load "127.0.0.1:$P" -q
grep -q "recovery:" "$T/r-load.log" || echo "note: nothing to recover"
for c in $CLIENTS; do
    wait "$c"
done
[ ! -s "$T/failed" ] || fail "load: not acknowledged: $(tr '\n' ' ' <"$T/failed")"
check_inbox "$T/msgs" --expect 60
stop "$LPID" || fail "load: bad exit status"
echo "ok"
