#!/bin/sh
# 10-register-fetch.sh: a new client registers its key, the operator
# approves it, the client sends a message and fetches one waiting for it.
#
# One listener serves everything on one port: deliveries into its Maildir
# (-d), the outbox clients fetch from (--outbox) and registrations
# (--pending). A registered key is never trusted until the operator moves it
# into the trust directory, after comparing fingerprints out of band.
set -eu
bits=${SEAL_EXAMPLE_BITS:-3072}
for name in hq carl dana; do
    [ -e "$name.key" ] || seal-keygen -o "$name" -b "$bits" --no-passphrase >/dev/null
done
rm -rf clients pending outbox hq-inbox dana-inbox hq.log
mkdir clients pending outbox
: >hq.log # exists before the first look at it
cp carl.pub clients/ # a client registered long ago

# The operator's listener (port 0: the kernel picks one; the log says which).
unseal --listen 127.0.0.1:0 -k hq.key -s clients -d hq-inbox \
    --outbox outbox --pending pending 2>hq.log &
hq=$!
trap 'kill $hq 2>/dev/null' EXIT
tries=0
until grep -q "listening on" hq.log; do
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || { cat hq.log; exit 1; }
    sleep 0.1
done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' hq.log)

# 1. dana registers; her key waits in pending/, untrusted.
seal-keygen --register "127.0.0.1:$port" -s dana.key
ls pending

# 2. The operator compares the fingerprint dana read out over the phone
#    with the one listed, then approves: the key moves into clients/.
seal-keygen --pending pending
seal-keygen --pending pending --approve dana --trust-dir clients

# 3. dana sends a report; the listener sees the new key without a restart.
echo "Field report: all quiet." >report.txt
seal -r hq.pub -s dana.key --to "127.0.0.1:$port" report.txt
cat hq-inbox/new/*

# 4. The operator queues a reply for dana; dana fetches it.
mkdir -p outbox/dana
echo "Thanks, dana. Come home." >reply.txt
seal -r dana.pub -s hq.key -o outbox/dana/reply.seal reply.txt
unseal --from "127.0.0.1:$port" --fetch -k dana.key -s hq.pub -d dana-inbox
cat dana-inbox/new/*
ls outbox/dana/sent
kill -TERM $hq
wait $hq || true
trap - EXIT
