#!/bin/sh
# The main job, end to end, with the programs just built in src/: a client and
# a server key pair, a message sealed by the client for the server, unsealed
# and verified by the server, compared with the original.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/src:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

seal-keygen -o client --no-passphrase
seal-keygen -o server --no-passphrase
printf 'Meet at the usual place at 10.\n' > msg.txt

seal -r server.pub -s client.key msg.txt          # writes msg.txt.seal
unseal --inspect msg.txt.seal                      # what an eavesdropper sees
mv msg.txt msg.orig
unseal -k server.key -s client.pub msg.txt.seal    # writes msg.txt, verified
cmp msg.txt msg.orig && echo "demo: round trip OK: $(cat msg.txt)"
