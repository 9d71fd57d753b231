#!/bin/sh
# Through HAProxy with send-proxy-v2 to a --proxy-from listener, every kind
# of connection works: the listener reads the PROXY header first, then tells
# a registration (seal-keygen --register) and a fetch (unseal --fetch) from
# a delivery (seal --to); each is logged with the client's address "via"
# the proxy. (Before, the verbs were looked for ahead of the header and a
# fetch was answered "ERR perm not an envelope".)
. "$top_srcdir/tests/transport/common.sh"
command -v haproxy >/dev/null || fail "haproxy is not installed (apt-get install haproxy)"

"$SEAL_KEYGEN" -o "$T/dave" -b 2048 --no-passphrase >/dev/null 2>&1 || fail "keygen dave"
mkdir -p "$T/pending" "$T/outbox/alice" "$T/msgs"
printf 'for alice\n' >"$T/for-alice"
"$SEAL" -r "$T/alice.pub" -s "$T/bob.key" -o "$T/outbox/alice/a1.seal" "$T/for-alice" ||
    fail "queue a1"
printf 'to bob\n' >"$T/msgs/m1"
listen l1 127.0.0.2:0 --proxy-from 127.0.0.5 --pending "$T/pending" --outbox "$T/outbox"

cat >"$T/haproxy.cfg" <<CFG
global
    maxconn 100
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend seal
    bind fd@3
    default_backend listener
backend listener
    source 127.0.0.5
    server l1 127.0.0.2:$LPORT send-proxy-v2
CFG
$TL bound-exec 127.0.0.1 "$T/hport" haproxy -db -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 &
PIDS="$PIDS $!"
wait_file "$T/hport" || fail "haproxy did not start"
F=127.0.0.1:$(cat "$T/hport")

"$SEAL_KEYGEN" --register "$F" -s "$T/dave.key" >"$T/reg.out" 2>"$T/reg.err" ||
    fail "registration through HAProxy: $(cat "$T/reg.err")"
[ -f "$T/pending/dave.pub" ] || fail "dave.pub not in pending/"
wait_log l1 "registration from 127.0.0.1:[0-9]* via 127.0.0.5: dave" ||
    fail "the registration is not logged with the client's address"

"$UNSEAL" --from "$F" --fetch -k "$T/alice.key" -s "$T/bob.pub" -d "$T/ain" 2>"$T/fetch.err" ||
    fail "fetch through HAProxy: $(cat "$T/fetch.err")"
[ "$(find "$T/ain/new" -type f | wc -l)" -eq 1 ] || fail "the fetch stored nothing"
wait_log l1 "fetched by alice from 127.0.0.1:[0-9]* via 127.0.0.5" || fail "the fetch is not logged with the client's address"

"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "$F" "$T/msgs/m1" 2>"$T/seal.err" ||
    fail "delivery through HAProxy: $(cat "$T/seal.err")"
wait_log l1 "delivered from 127.0.0.1:[0-9]* via 127.0.0.5" || fail "the delivery is not logged"
check_inbox "$T/msgs"
echo "ok: registration, fetch and delivery through HAProxy's PROXY v2"
