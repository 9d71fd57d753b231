#!/bin/sh
# Bad input: garbage, an untrusted sender, an envelope for another key, an
# old and a future envelope (faketime), an oversized one, a silent client
# holding a connection, 200 connections at once: each refused or shed, and
# the next honest client is served.
. "$top_srcdir/tests/transport/common.sh"

command -v faketime >/dev/null || { echo "faketime is missing (tools/bootstrap.sh installs it)"; exit 99; }
mkdir "$T/msgs"
printf 'honest\n' >"$T/msgs/honest"
printf 'other\n' >"$T/other"
listen l1 127.0.0.1:0 --max-size 100K --idle-timeout 2 --max-connections 50
P=$LPORT

n=0
honest() {
    n=$((n + 1))
    printf 'honest %d\n' "$n" >"$T/msgs/honest.$n"
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$P" --retry-for 20 \
        "$T/msgs/honest.$n" 2>"$T/honest.err" || fail "$1: the next honest client was not served: $(cat "$T/honest.err")"
}

# expect WHAT FILE REPLY
expect() {
    reply=$(send "127.0.0.1:$P" "$2")
    [ "$reply" = "$3" ] || fail "$1: '$reply', expected '$3'"
    honest "$1"
}

head -c 5000 /dev/urandom >"$T/garbage"
expect garbage "$T/garbage" "ERR perm not an envelope"
"$SEAL" -r "$T/bob.pub" -s "$T/mallory.key" -o "$T/untrusted.seal" "$T/other"
expect untrusted "$T/untrusted.seal" "ERR perm untrusted sender"
"$SEAL" -r "$T/carol.pub" -s "$T/alice.key" -o "$T/notours.seal" "$T/other"
expect "other key" "$T/notours.seal" "ERR perm not for this server"
# faketime preloads its library ahead of everything: the sanitizer build's
# ASan runtime must then not insist on coming first.
ft() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" faketime "$@"; }
ft -f "-8d" "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/old.seal" "$T/other"
expect old "$T/old.seal" "ERR perm too old"
ft -f "+1h" "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/future.seal" "$T/other"
expect future "$T/future.seal" "ERR perm created in the future"
# Tampered: one bit of the payload. The same words as every other
# authentication failure.
cp "$T/untrusted.seal" "$T/flip.seal"
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/good.seal" -f "$T/other"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[400]^=1; open(sys.argv[1],'wb').write(b)" "$T/good.seal"
expect tampered "$T/good.seal" "ERR perm authentication failed"
head -c 200000 /dev/urandom >"$T/big"
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/big.seal" "$T/big"
expect oversized "$T/big.seal" "ERR perm too big: this listener takes at most 102400 bytes"
grep -q "refused .*too big" "$T/l1.log" || fail "no refusal logged"

# A silent client holds a connection: an honest one is served meanwhile,
# and the silent one is cut off after the idle timeout.
$TL hold "127.0.0.1:$P" 1 10 >"$T/held" &
H=$!
PIDS="$PIDS $H"
sleep 0.3
honest "silent client"
wait "$H"
[ "$(cat "$T/held")" -eq 1 ] || fail "the silent client was not cut off"

# 200 connections at once (garbage, probes, silent) with 50 served at a time.
[ "$($TL flood "127.0.0.1:$P" 200)" -eq 200 ] || fail "some of 200 connections hung"
honest flood
# Probes (connect, close) are not logged as connections.
probes_before=$(grep -c "connection from" "$T/l1.log")
python3 -c "
import socket,sys
for _ in range(5):
    s=socket.create_connection(('127.0.0.1',int(sys.argv[1]))); s.close()" "$P"
sleep 0.3
[ "$(grep -c "connection from" "$T/l1.log")" -eq "$probes_before" ] || fail "a probe was logged"
check_inbox "$T/msgs" --expect "$n"
stop "$LPID" || fail "bad exit status"
echo "ok"
