#!/bin/sh
# A FIFO or a device given as -k, -s or -r, or lying in a trust directory as
# NAME.pub, is refused at once, naming it; open(2) of a FIFO used
# to block forever before the regular-file check. Each run is bounded by
# timeout(1): 124 would mean it blocked.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v timeout >/dev/null || exit 77
keypair alice bob zed
echo hello >"$T/msg"
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"
# Keys in a trust directory are read when needed, in name order: an envelope
# from someone else (zed) makes unseal read them all.
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/zed.key" -o "$T/zed.seal" "$T/msg"
mkfifo "$T/fifo.key" "$T/fifo.pub" || exit 99
mkdir "$T/trusted" && cp "$T/alice.pub" "$T/trusted/" && mkfifo "$T/trusted/evil.pub" || exit 99

refused() { # refused NAME CMD...: CMD fails quickly, naming NAME, not blocked
    _name=$1
    shift
    _st=0
    timeout 20 "$@" >/dev/null 2>"$T/err" </dev/null || _st=$?
    [ "$_st" -ne 124 ] || fail "$*: blocked on $_name"
    [ "$_st" -ne 0 ] || fail "$*: accepted $_name"
    grep -qF "$_name" "$T/err" || fail "$*: error does not name $_name: $(cat "$T/err")"
    grep -qiE 'FIFO|device|regular' "$T/err" || fail "$*: error does not say why: $(cat "$T/err")"
}

refused "$T/fifo.key" "$UNSEAL" -k "$T/fifo.key" -s "$T/alice.pub" -o - "$T/msg.seal"
refused "$T/fifo.pub" "$UNSEAL" -k "$T/bob.key" -s "$T/fifo.pub" -o - "$T/msg.seal"
refused "evil.pub" "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" -o - "$T/zed.seal"
refused "$T/fifo.pub" "$SEAL" -r "$T/fifo.pub" -s "$T/alice.key" -o - "$T/msg"
refused "$T/fifo.key" "$SEAL" -r "$T/bob.pub" -s "$T/fifo.key" -o - "$T/msg"
refused "$T/fifo.pub" "$SEAL_KEYGEN" -l "$T/fifo.pub"
refused /dev/zero "$UNSEAL" -k "$T/bob.key" -s /dev/zero -o - "$T/msg.seal"
echo "FIFOs and devices as key files: refused"
