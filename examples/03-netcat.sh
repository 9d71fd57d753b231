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

rm -f received.txt nc.err
# Server side, in the background: receive, verify, write received.txt.
# Port 0: the kernel picks a free port and nc -v says which, so two runs at
# once never race for a port.
nc -lv 127.0.0.1 0 2>nc.err | unseal -k server.key -s client.pub -o received.txt &
server=$!
tries=0
port=""
while [ -z "$port" ]; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || { echo "nc did not start listening: $(cat nc.err)"; exit 1; }
    sleep 0.1
    port=$(sed -n 's/^Listening on [^ ]* \([0-9][0-9]*\)$/\1/p' nc.err)
done

# Client side: seal and send.
echo "Report: all systems nominal." >report.txt
seal -r server.pub -s client.key <report.txt | nc -N 127.0.0.1 "$port"

wait "$server"
cmp report.txt received.txt
echo "received over 127.0.0.1:$port: $(cat received.txt)"
