#!/bin/sh
# seal --to proves delivery only with a receipt for this envelope from the
# first recipient's key: a forged, truncated or replayed receipt and one from
# a co-recipient (who knows the file key) give 10; ERR gives 9; no answer 8.
. "$top_srcdir/tests/transport/common.sh"

printf 'receipt test\n' >"$T/msg"
listen l1 127.0.0.1:0
P=$LPORT
# An OK line for another envelope, to replay.
seal_file alice "$T/msg" "$T/other.seal"
send "127.0.0.1:$P" "$T/other.seal" >"$T/other.ok"
grep -q '^OK ' "$T/other.ok" || fail "no OK for the other envelope"

# through MODE EXPECTED: seal --to through a proxy that alters the reply.
through() {
    # The redirection below truncates in the background child: a stale file
    # from the previous call could be read first.
    rm -f "$T/proxy.out"
    $TL proxy 0 "127.0.0.1:$P" "$1" >"$T/proxy.out" 2>&1 &
    PX=$!
    PIDS="$PIDS $PX"
    _i=0
    # '^ready PORT' exactly: a message such as "already in use" must not pass.
    while ! grep -q '^ready [0-9][0-9]*$' "$T/proxy.out" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || fail "proxy did not start: $(cat "$T/proxy.out")"
        sleep 0.05
    done
    PP=$(sed -n 's/^ready //p' "$T/proxy.out")
    st=0
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$PP" --retry-for 0 --wait 5 \
        "$T/msg" 2>"$T/seal.err" || st=$?
    wait "$PX" 2>/dev/null
    [ "$st" -eq "$2" ] || fail "reply altered by '$1': exit $st, expected $2: $(cat "$T/seal.err")"
}

through pass 0
through flip 10
grep -q "does not verify" "$T/seal.err" || fail "forged receipt: no message saying so"
through truncate 10
through "replay:$T/other.ok" 10
grep -q "another envelope" "$T/seal.err" || fail "replayed receipt: no message saying so"
through drop 8
through err 9
grep -q "ERR perm not for this server" "$T/seal.err" || fail "ERR reason not printed"

# A co-recipient's listener: carol can decrypt (she is a recipient), so her
# server acknowledges with a valid receipt of her own, but the envelope was
# for bob first: delivery to bob is not proven.
"$UNSEAL" -k "$T/carol.key" -s "$T/trusted" --listen 127.0.0.1:0 -d "$T/carolbox" 2>"$T/lc.log" &
PIDS="$PIDS $!"
wait_log lc "listening on" || fail "carol's listener did not start"
PC=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\)[ ,].*/\1/p' "$T/lc.log")
st=0
"$SEAL" -r "$T/bob.pub" -r "$T/carol.pub" -s "$T/alice.key" --to "127.0.0.1:$PC" --retry-for 0 \
    "$T/msg" 2>"$T/co.err" || st=$?
[ "$st" -eq 10 ] || fail "co-recipient's receipt: exit $st, expected 10: $(cat "$T/co.err")"
wait_log lc "delivered from" || fail "carol's listener did not get it"
# The same envelope with carol first is proven by carol's receipt.
"$SEAL" -r "$T/carol.pub" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$PC" --retry-for 0 \
    "$T/msg" 2>"$T/co2.err" || fail "carol first: $(cat "$T/co2.err")"

# The listener's answer for a testkit envelope equals a receipt computed
# here, independently, from seal(5) (the testkit derives its receipt keys
# from the file name, see tests/testkit/generate.c).
listen lv 127.0.0.1:0 -d "$T/vbox" --max-age 100000d
PV=$LPORT
kit=$top_srcdir/tests/testkit/success_one_byte.seal
want=$(python3 - "$kit" "$T/bob.pub" <<'PY'
import base64, hashlib, hmac, subprocess, sys
def derive(what, n):
    return hashlib.sha256(what.encode() + b"\0" + b"success_one_byte").digest()[:n]
env = open(sys.argv[1], "rb").read()
der = subprocess.run(["openssl", "pkey", "-pubin", "-in", sys.argv[2], "-outform", "DER"],
                     capture_output=True, check=True).stdout
eid = derive("envelope id", 16)
mac = hmac.new(derive("receipt key 0", 32), b"seal v1 receipt\0" + eid
               + hashlib.sha256(env).digest() + hashlib.sha256(der).digest(), hashlib.sha256)
print("OK", eid.hex(), base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode())
PY
)
got=$(send "127.0.0.1:$PV" "$kit")
[ "$got" = "$want" ] || fail "testkit receipt: '$got', computed '$want'"
echo "ok"
