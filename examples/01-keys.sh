#!/bin/sh
# 01-keys.sh: make a key pair for a client and one for a server.
#
# Each side would normally run seal-keygen on its own machine, keep NAME.key
# to itself and hand NAME.pub to the other side. Here both live in the
# current directory. --no-passphrase keeps the demo non-interactive; without
# it seal-keygen asks for a passphrase to encrypt the private key with.
#
# Writes: client.key client.pub server.key server.pub
set -eu
bits=${SEAL_EXAMPLE_BITS:-3072}

for name in client server; do
    if [ -e "$name.key" ]; then
        echo "$name.key exists, keeping it"
        continue
    fi
    seal-keygen -o "$name" -b "$bits" --no-passphrase
done

# A key's fingerprint is its ID everywhere in seal; compare it over a
# trusted channel (phone, in person) when you exchange .pub files.
seal-keygen -l client.pub
seal-keygen -l server.pub
