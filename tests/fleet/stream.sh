#!/bin/sh
# unseal --listen --deliver/--stream into a real nats-server (JetStream), and
# unseal --drain out of it: OK only after the stream's acknowledgment; a
# re-sent envelope, to the same or another listener, is stored once (the
# stream dedups by Nats-Msg-Id = sender fingerprint + envelope ID); a stream
# whose duplicate window is shorter than the replay window is refused at
# start; a message over max_payload is ERR perm naming the limit; with NATS
# down the answer is ERR temp, never OK, and after a restart a re-send is
# stored once; a drain killed between the Maildir write and its ack loses
# nothing and stores nothing twice; a message seal did not publish is left
# in the stream, named, and does not stop the drain.
. "$top_srcdir/tests/fleet/common.sh"
need_nats

mkdir "$T/msgs" "$T/inbox"
for i in 1 2 3 4 5 6; do printf 'message %s\n' "$i" >"$T/msgs/m$i"; done
for i in 1 2 3 4 5 6; do seal_file alice "$T/msgs/m$i" "$T/m$i.seal"; done
nats_start
listen l1 127.0.0.2:0 --deliver "$NATS" --stream FLEET
P1=$LPORT
wait_log l1 "stream FLEET created" || fail "stream not created"
# One server, one replica: the listener says what an OK is worth.
wait_log l1 "stream FLEET has one replica" || fail "no durability note for a one-replica stream"
listen l2 127.0.0.3:0 --deliver "$NATS" --stream FLEET
P2=$LPORT
wait_log l2 "stream FLEET checked" || fail "stream not checked"

ok() {
    r=$($FL send "$1" "$2")
    case $r in OK\ *) ;; *) fail "$2 to $1: '$r'" ;; esac
}
# seal --to: exit 0 once acknowledged (the stream stored it).
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.2:$P1" "$T/msgs/m1" 2>"$T/to.err" ||
    fail "seal --to: $(cat "$T/to.err")"
# The same envelope twice to one listener, then to the other host.
ok "127.0.0.2:$P1" "$T/m2.seal"
ok "127.0.0.2:$P1" "$T/m2.seal"
ok "127.0.0.3:$P2" "$T/m2.seal"
wait_log l1 "duplicate from" || fail "l1 logged no duplicate"
wait_log l2 "duplicate from" || fail "l2 logged no duplicate (across hosts)"
ok "127.0.0.3:$P2" "$T/m3.seal"

# A replay window the stream's duplicate window does not cover: refused.
st=0
"$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen 127.0.0.2:0 \
    --deliver "$NATS" --stream FLEET --max-age 30d 2>"$T/window.err" || st=$?
[ "$st" -ne 0 ] || fail "a 30-day replay window over a 7-day stream was accepted"
grep -q "duplicate window of 605400 s" "$T/window.err" || fail "no clear refusal: $(cat "$T/window.err")"

# Over max_payload (64 KiB here): ERR perm naming the limit; seal says 9.
head -c 100000 /dev/urandom >"$T/big"
st=0
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.2:$P1" "$T/big" 2>"$T/big.err" || st=$?
[ "$st" -eq 9 ] || fail "too big: seal exit $st, expected 9"
grep -q "ERR perm too big: the message store takes at most 65536 bytes" "$T/big.err" ||
    fail "the refusal does not name the limit: $(cat "$T/big.err")"

# NATS down: ERR temp, never OK; the listener says it lost the server.
nats_kill
for i in 1 2 3; do
    r=$($FL send "127.0.0.2:$P1" "$T/m4.seal")
    case $r in "ERR temp "*) ;; *) fail "with NATS down: '$r'" ;; esac
done
wait_log l1 "lost the NATS server" || fail "the loss was not logged"
nats_start
wait_log l1 "reconnected to NATS server" || fail "no reconnection"
# The second listener noticed the loss too (its publisher's connection was
# cut); it must be back before it is sent to, or its answer is ERR temp.
if grep -q "lost the NATS server" "$T/l2.log"; then
    wait_log l2 "reconnected to NATS server" || fail "no reconnection of the second listener"
fi
ok "127.0.0.2:$P1" "$T/m4.seal"
ok "127.0.0.3:$P2" "$T/m4.seal"
ok "127.0.0.2:$P1" "$T/m5.seal"
ok "127.0.0.2:$P1" "$T/m6.seal"

# The stream now holds m1..m6 once each. A drain killed between the Maildir
# write of its first message and the ack (test hook): that message is in
# new/; the next drains get it again after the ack wait and recognise it.
st=0
SEAL_TEST_KILL_AT=drain-ack "$UNSEAL_FAULTS" --drain "$NATS" --stream FLEET -d "$T/inbox" --ack-wait 1s \
    2>"$T/drain1.log" || st=$?
[ "$st" -eq 137 ] || fail "the killed drain exited $st"
[ "$(find "$T/inbox/new" -type f | wc -l)" -eq 1 ] || fail "the killed drain stored $(ls "$T/inbox/new")"
i=0
while [ "$(find "$T/inbox/new" -type f | wc -l)" -lt 6 ] || ! grep -q "stored before" "$T"/drain2.log; do
    i=$((i + 1))
    [ "$i" -le 40 ] || fail "drain did not finish: $(ls "$T/inbox/new" | wc -l) in new/"
    "$UNSEAL" --drain "$NATS" --stream FLEET -d "$T/inbox" --ack-wait 1s 2>>"$T/drain2.log" ||
        fail "drain: $(tail -n 3 "$T/drain2.log")"
    sleep 0.25
done
$FL check-inbox "$T/inbox" "$T/msgs" 6 || fail "inbox after the drains"
# Nothing left: one more drain moves nothing.
"$UNSEAL" --drain "$NATS" --stream FLEET -d "$T/inbox" 2>"$T/drain3.log" || fail "last drain"
grep -q "drained 0 messages" "$T/drain3.log" || fail "messages left: $(cat "$T/drain3.log")"

# Messages seal did not publish (no Nats-Msg-Id, or one that is not a seal
# message ID), between two seal ones: never put into the inbox, never
# deleted, and they do not stop the drain: the seal ones are moved, each
# foreign one is named by its stream sequence, the drain exits 3.
for i in 7 8; do
    printf 'message %s\n' "$i" >"$T/msgs/m$i"
    seal_file alice "$T/msgs/m$i" "$T/m$i.seal"
done
seq_of() { sed -n 's/.*"seq":\([0-9]*\).*/\1/p'; }
ok "127.0.0.2:$P1" "$T/m7.seal"
s1=$($FL nats "$NATS" seal.FLEET "not an envelope" | seq_of)
s2=$($FL nats "$NATS" seal.FLEET "nor this" "Nats-Msg-Id: hello" | seq_of)
[ -n "$s1" ] && [ -n "$s2" ] || fail "publishing the foreign messages"
ok "127.0.0.3:$P2" "$T/m8.seal"
st=0
"$UNSEAL" --drain "$NATS" --stream FLEET -d "$T/inbox" 2>"$T/drain4.log" || st=$?
[ "$st" -eq 3 ] || fail "a drain past foreign messages exited $st, expected 3: $(cat "$T/drain4.log")"
grep -q "stream message $s1 is not from seal (no message ID): not delivered, left in the stream" \
    "$T/drain4.log" || fail "foreign message $s1 not named: $(cat "$T/drain4.log")"
grep -q "stream message $s2 is not from seal (message ID 'hello')" "$T/drain4.log" ||
    fail "foreign message $s2 not named: $(cat "$T/drain4.log")"
grep -q "2 messages not from seal left in the stream" "$T/drain4.log" || fail "no summary"
$FL check-inbox "$T/inbox" "$T/msgs" 8 || fail "inbox after the foreign messages"
$FL nats "$NATS" '$JS.API.STREAM.INFO.FLEET' "" | grep -q '"messages":2,' ||
    fail "the foreign messages are not in the stream any more"
# Out of the way (handed back for an hour): the next drain finds nothing.
"$UNSEAL" --drain "$NATS" --stream FLEET -d "$T/inbox" 2>"$T/drain5.log" ||
    fail "drain after the foreign messages: $(cat "$T/drain5.log")"
grep -q "drained 0 messages" "$T/drain5.log" || fail "foreign messages again: $(cat "$T/drain5.log")"
exit 0
