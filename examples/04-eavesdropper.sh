#!/bin/sh
# 04-eavesdropper.sh: what someone who intercepts an envelope can see.
#
# unseal --inspect needs no key: it shows the format version, the size and
# the fingerprints of the recipients' keys. The message, its exact length,
# and even who signed it are encrypted. The recipient, with its key, also
# sees the sender, the creation time and the envelope ID.
set -eu
here=$(dirname "$0")
[ -e server.key ] || sh "$here/01-keys.sh"

echo "The password is swordfish." >secret.txt
seal -f -r server.pub -s client.key secret.txt

echo "--- what an eavesdropper sees:"
unseal --inspect secret.txt.seal

echo "--- is the plaintext anywhere in the envelope?"
if grep -q swordfish secret.txt.seal; then
    echo "yes (this must never happen)"
    exit 1
fi
echo "no"

echo "--- what the server sees with its key:"
unseal --inspect -k server.key -s client.pub secret.txt.seal

echo "--- the same as JSON:"
unseal --inspect --json secret.txt.seal
