#!/bin/sh
# 08-fleet.sh: a fleet on loopback (unseal(1), FLEET; examples/fleet/).
# nats-server with JetStream, two listeners on 127.0.0.2 and 127.0.0.3 that
# publish every verified message to one stream, HAProxy on 127.0.0.1 in front
# of them (examples/fleet/haproxy.cfg); a client sends through HAProxy, then
# a drain moves the stream's messages into a Maildir, exactly once.
# Needs nats-server, haproxy and an unseal built with NATS (exit 77 if not).
set -eu
here=$(dirname "$0")
for tool in nats-server haproxy python3; do
    command -v "$tool" >/dev/null || { echo "08-fleet: needs $tool"; exit 77; }
done
if unseal --drain nats://127.0.0.1:9 --stream probe -d "${TMPDIR:-/tmp}/08-probe.$$" 2>&1 |
    grep -q "without NATS"; then
    echo "08-fleet: this unseal was built without NATS"
    exit 77
fi
rm -rf "${TMPDIR:-/tmp}/08-probe.$$"
[ -e server.key ] || sh "$here/01-keys.sh"
mkdir -p clients
cp client.pub clients/client.pub
wait_for() { # FILE TEXT
    i=0
    until grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -lt 150 ] || { cat "$1"; exit 1; }
        sleep 0.1
    done
}
pids=""
trap 'kill $pids 2>/dev/null' EXIT

# The shared store: one JetStream server (a cluster of three in production).
# Port -1: any free port (it logs which), so two runs never race for one.
rm -rf fleet-store fleet-Maildir ./*.fleet.log
nats-server -js -a 127.0.0.1 -p -1 -sd fleet-store >nats.fleet.log 2>&1 &
pids="$pids $!"
wait_for nats.fleet.log "Server is ready"
nats=nats://$(sed -n 's/.*Listening for client connections on \(127.0.0.1:[0-9]*\).*/\1/p' nats.fleet.log)

# Two listeners, each its own "host": they create or check the stream, and
# take PROXY headers only from HAProxy's source address.
for host in 127.0.0.2 127.0.0.3; do
    unseal -k server.key -s clients --listen "$host:0" --deliver "$nats" --stream INBOX \
        --proxy-from 127.0.0.5 2>"$host.fleet.log" &
    pids="$pids $!"
    wait_for "$host.fleet.log" "listening on"
done
l1=$(sed -n 's/.*listening on \(127.0.0.2:[0-9]*\),.*/\1/p' 127.0.0.2.fleet.log)
l2=$(sed -n 's/.*listening on \(127.0.0.3:[0-9]*\),.*/\1/p' 127.0.0.3.fleet.log)

# HAProxy in front: one address for the clients. HAProxy cannot say which
# port it got for port 0, so it is handed a socket already listening on one
# the kernel picked ("bind fd@3"), and the port is written to front.port.
rm -f front.port
SEAL_FLEET_FRONT=fd@3 SEAL_FLEET_L1=$l1 SEAL_FLEET_L2=$l2 SEAL_FLEET_SOURCE=127.0.0.5 \
    python3 -c 'import os, socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(128)
open("front.port.tmp", "w").write("%d\n" % s.getsockname()[1]); os.rename("front.port.tmp", "front.port")
os.dup2(s.fileno(), 3); os.set_inheritable(3, True); os.execvp(sys.argv[1], sys.argv[1:])' \
    haproxy -db -f "$here/fleet/haproxy.cfg" >haproxy.fleet.log 2>&1 &
pids="$pids $!"
wait_for front.port "[0-9]"
front=127.0.0.1:$(cat front.port)

# Clients send through HAProxy; exit 0 means the stream has the message.
for n in 1 2 3; do
    echo "Fleet message $n." >"fleet-$n.txt"
    seal -r server.pub -s client.key --to "$front" --retry-for 30s "fleet-$n.txt"
done
grep -h "delivered from" 127.0.0.2.fleet.log 127.0.0.3.fleet.log

# The consumer: the stream's messages into a Maildir (add --follow to keep
# running); acknowledged to JetStream only once durable in new/.
unseal --drain "$nats" --stream INBOX -d fleet-Maildir
[ "$(ls fleet-Maildir/new | wc -l)" -eq 3 ]
cat fleet-Maildir/new/*
