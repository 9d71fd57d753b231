#!/bin/sh
# The listener's --max-size applies while the envelope arrives, before the
# header is parsed, any RSA unwrap or any chunk is decrypted. Three
# envelopes that would each get another answer once decrypted (an untrusted
# sender: known only after the last chunk; another recipient: known from the
# header; a damaged wrapped key: known after the RSA unwrap) all get
# "ERR perm too big" when over the cap, and the log line names no sender
# (a sender is only known after decryption). Under the cap the same faults
# get their own answers, so the test can tell the two apart.
. "$top_srcdir/tests/transport/common.sh"

listen l1 127.0.0.1:0 --max-size 4K --idle-timeout 5
P=$LPORT
head -c 300 /dev/urandom >"$T/small"
head -c 20000 /dev/urandom >"$T/big"
for s in small big; do
    "$SEAL" -r "$T/bob.pub" -s "$T/mallory.key" -o "$T/untrusted.$s" "$T/$s" || fail "seal"
    "$SEAL" -r "$T/carol.pub" -s "$T/alice.key" -o "$T/notours.$s" "$T/$s" || fail "seal"
    "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/badkey.$s" "$T/$s" || fail "seal"
    # A byte of bob's wrapped key (offset 45 .. 300): R8 after the unwrap.
    python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[100]^=1; open(sys.argv[1],'wb').write(b)" "$T/badkey.$s"
done

# expect FILE REPLY
expect() {
    reply=$(send "127.0.0.1:$P" "$T/$1")
    [ "$reply" = "$2" ] || fail "$1: '$reply', expected '$2'"
}
expect untrusted.small "ERR perm untrusted sender"
expect notours.small "ERR perm not for this server"
expect badkey.small "ERR perm authentication failed"
for why in "Not trusted" "No secret key" "Decryption failed"; do
    grep -q "refused .*($why)" "$T/l1.log" || fail "no refusal logged with ($why)"
done
: >"$T/l1.log"
expect untrusted.big "ERR perm too big: this listener takes at most 4096 bytes"
expect notours.big "ERR perm too big: this listener takes at most 4096 bytes"
expect badkey.big "ERR perm too big: this listener takes at most 4096 bytes"
_i=0
while [ "$(grep -c 'refused .*: ERR perm too big' "$T/l1.log")" -lt 3 ]; do
    _i=$((_i + 1))
    [ "$_i" -le 100 ] || fail "three 'too big' refusals expected in the log"
    sleep 0.05
done
! grep -q "Not trusted\|No secret key\|Decryption failed" "$T/l1.log" ||
    fail "an oversized envelope was parsed or decrypted: $(cat "$T/l1.log")"
[ "$(count new)" -eq 0 ] || fail "something was stored"
stop "$LPID" || fail "bad exit status"
echo "ok: --max-size refuses before any decryption"
