#!/bin/sh
# 02-seal-unseal.sh: the client seals a file for the server, the server
# unseals it.
#
# seal signs with the client's private key and encrypts for the server's
# public key; unseal decrypts with the server's private key and accepts the
# message only if the client's key signed it.
set -eu
here=$(dirname "$0")
[ -e server.key ] || sh "$here/01-keys.sh"

echo "Meet me at the north gate at noon." >note.txt

# Writes note.txt.seal next to note.txt.
seal -r server.pub -s client.key note.txt
ls -l note.txt.seal

# On the server: note.txt.seal -> note.txt (here into another directory,
# since note.txt exists; unseal never overwrites without -f).
mkdir -p inbox
unseal -k server.key -s client.pub -o inbox/note.txt note.txt.seal
cat inbox/note.txt

# The same through pipes: stdin to stdout on both sides.
echo "a second note" | seal -r server.pub -s client.key |
    unseal -k server.key -s client.pub

# Armored (text) envelopes for channels that carry only text.
seal -a -r server.pub -s client.key -o note.txt.asc note.txt
head -n 3 note.txt.asc
unseal -q -k server.key -s client.pub -o - note.txt.asc
