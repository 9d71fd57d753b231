#!/bin/sh
# 06-client-server.sh: a server that accepts envelopes from registered
# clients into a Maildir, and a client that knows its message arrived.
#
# The server: unseal --listen, with its key, a directory of registered
# clients' public keys (a client's ID is its file name) and a Maildir. It
# answers every envelope with one line: "OK <envelope ID> <receipt>" once the
# message is on disk, or "ERR temp|perm <reason>".
# The client: seal --to streams the envelope while sealing and exits 0 only
# once the receipt for this envelope verified; it retries (--retry-for) if
# the server is down or busy, and a retry never stores a second copy.
set -eu
here=$(dirname "$0")
[ -e server.key ] || sh "$here/01-keys.sh"

# The server registers the client: its public key goes into clients/.
mkdir -p clients
cp client.pub clients/client.pub

# Port 0: any free port; the server says which one it got.
rm -rf Maildir server.log
unseal -k server.key -s clients --listen 127.0.0.1:0 -d Maildir 2>server.log &
server=$!
trap 'kill $server 2>/dev/null' EXIT
i=0
until grep -q "listening on" server.log; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || { cat server.log; exit 1; }
    sleep 0.1
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\),.*/\1/p' server.log)
echo "server listening on 127.0.0.1:$port"

# The client sends a message; exit status 0 means the server has it.
echo "Quarterly numbers attached." >note.txt
seal -r server.pub -s client.key --to "127.0.0.1:$port" --retry-for 30s note.txt

# Delivered into Maildir/new/ under a name with the time, the envelope ID
# and the client's ID; a mail reader moves it to cur/.
ls Maildir/new
cmp note.txt Maildir/new/*

# The other direction, nc-style: the server offers one envelope, the client
# fetches it and answers with a receipt (seal --listen / unseal --from).
echo "Your account was renewed." >reply.txt
seal -r client.pub -s server.key --listen 127.0.0.1:0 reply.txt 2>offer.log &
offer=$!
until grep -q "waiting for a peer" offer.log; do sleep 0.1; done
oport=$(sed -n 's/.*waiting for a peer on 127.0.0.1:\([0-9]*\)$/\1/p' offer.log)
cp server.pub clients/server.pub
unseal -k client.key -s clients/server.pub --from "127.0.0.1:$oport" -o fetched.txt
wait "$offer"
cmp reply.txt fetched.txt
echo "fetched: $(cat fetched.txt)"

# SIGTERM: the server finishes what it received and stops.
kill -TERM "$server"
wait "$server"
trap - EXIT
tail -n 3 server.log
