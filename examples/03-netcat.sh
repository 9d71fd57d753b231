#!/bin/sh
# 03-netcat.sh: send an envelope over TCP with netcat (netcat-openbsd).
#
# The server listens and pipes whatever arrives into unseal; the client
# pipes seal's output into nc. One envelope per connection: nc -N shuts
# down the sending side at the end of input, which marks the end of the
# envelope. unseal writes nothing unless the whole envelope verified, so the
# output file appears only for a complete, authentic message.
set -eu
here=$(dirname "$0")
command -v nc >/dev/null 2>&1 || { echo "nc not found (apt-get install netcat-openbsd)"; exit 77; }
[ -e server.key ] || sh "$here/01-keys.sh"

# A random port on the loopback interface that nobody listens on yet.
while :; do
    port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
    nc -z 127.0.0.1 "$port" 2>/dev/null || break
done

rm -f received.txt
# Server side, in the background: receive, verify, write received.txt.
nc -l 127.0.0.1 "$port" | unseal -k server.key -s client.pub -o received.txt &
server=$!

# Client side: seal and send (retrying until the listener is up).
echo "Report: all systems nominal." >report.txt
tries=0
until seal -r server.pub -s client.key <report.txt | nc -N 127.0.0.1 "$port" 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || { echo "could not connect to port $port"; exit 1; }
    sleep 0.1
done

wait "$server"
cmp report.txt received.txt
echo "received over 127.0.0.1:$port: $(cat received.txt)"
