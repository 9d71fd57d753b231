#!/bin/sh
# unseal --listen --proxy-from: a PROXY header (v1 or v2) is read only from
# the listed proxy, whose connections are then logged with the forwarded
# client address; the same header from any other address is not taken for
# one (the envelope is refused); a health probe (connect, then close or
# reset) logs nothing; a listed proxy sending a bad header is refused.
. "$top_srcdir/tests/fleet/common.sh"

mkdir "$T/msgs" "$T/inbox"
printf 'one\n' >"$T/msgs/one"
printf 'two\n' >"$T/msgs/two"
printf 'three\n' >"$T/msgs/three"
seal_file alice "$T/msgs/one" "$T/one.seal"
seal_file alice "$T/msgs/two" "$T/two.seal"
seal_file carol "$T/msgs/three" "$T/three.seal"
listen l 127.0.0.2:0 -d "$T/inbox" --proxy-from 127.0.0.5,::1
A=127.0.0.2:$LPORT

# Through the proxy (v2, what HAProxy's send-proxy-v2 sends): OK, and the
# log names the forwarded client.
r=$($FL send "$A" "$T/one.seal" --from 127.0.0.5 --v2 203.0.113.9:5555)
case $r in OK\ *) ;; *) fail "v2 through the proxy: '$r'" ;; esac
wait_log l "delivered from 203.0.113.9:5555 via 127.0.0.5: sender alice" ||
    fail "delivery not logged with the forwarded address"
# v1 as well.
r=$($FL send "$A" "$T/two.seal" --from 127.0.0.5 --v1 198.51.100.7:4242)
case $r in OK\ *) ;; *) fail "v1 through the proxy: '$r'" ;; esac
wait_log l "delivered from 198.51.100.7:4242 via 127.0.0.5" || fail "v1 address not logged"

# The same header from an untrusted address is never read as one: the
# envelope does not start there, so it is refused, and the log names the
# real peer, not the spoofed one.
r=$($FL send "$A" "$T/three.seal" --from 127.0.0.1 --v1 192.0.2.66:1)
case $r in "ERR perm not an envelope") ;; *) fail "spoofed header from untrusted: '$r'" ;; esac
wait_log l "refused 127.0.0.1:" || fail "refusal not logged with the real peer"
grep -q 192.0.2.66 "$T/l.log" && fail "the spoofed address reached the log"
# A direct client (no header) from an unlisted address is served as usual.
r=$($FL send "$A" "$T/three.seal" --from 127.0.0.1)
case $r in OK\ *) ;; *) fail "direct client: '$r'" ;; esac
wait_log l "delivered from 127.0.0.1:.*sender carol" || fail "direct delivery not logged"

# Health probes from the proxy: connect and close, connect and reset, a
# v2 LOCAL header and close, a v2 LOCAL header and reset. None leaves a line.
lines=$(wc -l <"$T/l.log")
$FL probe "$A" --from 127.0.0.5
$FL probe "$A" --from 127.0.0.5 --reset
# HAProxy's own checks: a LOCAL header, then a reset, often before the
# listener has accepted the connection; many, back to back.
$FL probe "$A" --from 127.0.0.5 --local --reset --count 300
printf '' >"$T/empty"
$FL send "$A" "$T/empty" --from 127.0.0.5 --raw '\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00' >"$T/local.out"
[ "$(cat "$T/local.out")" = "" ] || fail "a LOCAL probe got an answer: $(cat "$T/local.out")"
# A bad header from the proxy: refused, logged.
r=$($FL send "$A" "$T/one.seal" --from 127.0.0.5 --raw 'PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n')
case $r in "ERR perm bad PROXY header") ;; *) fail "bad header from the proxy: '$r'" ;; esac
wait_log l "refused 127.0.0.5:.*bad PROXY header" || fail "bad header not logged"
[ "$(wc -l <"$T/l.log")" -eq $((lines + 1)) ] || fail "probes were logged: $(tail -n 5 "$T/l.log")"

$FL check-inbox "$T/inbox" "$T/msgs" 3 || fail "inbox"
kill -TERM "$LPID"
wait "$LPID" || fail "listener exit status $?"
exit 0
