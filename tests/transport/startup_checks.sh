#!/bin/sh
# unseal --listen checks at start what would otherwise refuse every sender
# or stop it later: an inbox file system smaller than --min-free refuses to
# start (without claiming the disk is full); a missing --pending directory
# is created as -d INBOX is; a missing --outbox is an error that says it
# must exist.
. "$top_srcdir/tests/transport/common.sh"

# start_fail WANT ARGS...: the listener must exit WANT at once, never
# listening (bounded: a listener that started is killed by timeout).
start_fail() {
    _w=$1
    shift
    _st=0
    timeout 30 "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen 127.0.0.1:0 "$@" \
        2>"$T/start.err" || _st=$?
    [ "$_st" -eq "$_w" ] || fail "unseal --listen $*: exit $_st, expected $_w: $(cat "$T/start.err")"
    grep -q "listening on" "$T/start.err" && fail "it listened: $(cat "$T/start.err")"
    return 0
}

start_fail 2 -d "$T/inbox" --min-free 1000000G
grep -q "^unseal: error: $T/inbox: its file system holds .* less than --min-free 1000000G" \
    "$T/start.err" || fail "message: $(cat "$T/start.err")"
grep -qi "no space left\|disk is full" "$T/start.err" && fail "claims the disk is full"

start_fail 7 -d "$T/inbox2" --outbox "$T/no-outbox"
grep -q "no-outbox: --outbox needs an existing directory" "$T/start.err" ||
    fail "outbox: $(cat "$T/start.err")"

# A missing pending directory is created, and the listener serves.
listen l1 127.0.0.1:0 -d "$T/inbox3" --pending "$T/pending"
[ -d "$T/pending" ] || fail "--pending DIR was not created"
printf 'hi\n' >"$T/m"
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$LPORT" "$T/m" 2>"$T/s.err" ||
    fail "send: $(cat "$T/s.err")"
echo "ok: start-up checks"
