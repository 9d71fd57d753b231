#!/bin/sh
# 09-chat.sh: two people chat with forward secrecy (seal --chat).
#
# bob waits for alice on a port; alice calls. Their HELLOs are envelopes
# sealed and signed with their RSA keys, carrying ephemeral X25519 keys;
# each line is then one armored frame under a key used once and erased,
# verified before it is shown as "peer: text". A recording of this
# connection stays unreadable even to whoever later steals both .key files.
# Typed at a terminal this is a conversation; here alice's side is a pipe:
# she says one line, and the end of her input says goodbye. bob answers the
# goodbye with his own, and both exit 0.
set -eu
bits=${SEAL_EXAMPLE_BITS:-3072}
for name in alice bob; do
    [ -e "$name.key" ] || seal-keygen -o "$name" -b "$bits" --no-passphrase >/dev/null
done

# bob's side, in the background: at most 60 s for alice to call, on a port
# the kernel picks (port 0; he says which). His
# input is a FIFO that this script holds open, so that he says nothing
# (and no goodbye) until alice has.
rm -f bob.err bob.in
mkfifo bob.in
seal --chat --listen 127.0.0.1:0 -s bob.key -r alice.pub --wait 60s \
    <bob.in >bob.txt 2>bob.err &
bob=$!
exec 3>bob.in
tries=0
until grep -q "waiting on" bob.err 2>/dev/null; do
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || { cat bob.err; exit 1; }
    sleep 0.1
done
port=$(sed -n 's/.*waiting on 127.0.0.1:\([0-9]*\) .*/\1/p' bob.err)

# alice's side: one line, then the end of input (a goodbye).
printf 'Hi Bob, the parcel arrived.\n' |
    seal --chat --to "127.0.0.1:$port" -s alice.key -r bob.pub

wait "$bob"
exec 3>&-
echo "bob saw:"
cat bob.txt
grep -qx 'alice: Hi Bob, the parcel arrived.' bob.txt
