#!/bin/sh
# unseal --drain for a stream that does not exist (unseal(1), FLEET): a
# usage error (exit 2) that says so and names the streams there are, and
# never a success line first; with no stream at all, it says that.
. "$top_srcdir/tests/fleet/common.sh"
need_nats
nats_start

st=0
"$UNSEAL" --drain "$NATS" --stream NOPE -d "$T/inbox" 2>"$T/none.err" || st=$?
[ "$st" -eq 2 ] || fail "no streams at all: exit $st, expected 2: $(cat "$T/none.err")"
grep -q "stream NOPE: there is no such stream at $NATS" "$T/none.err" ||
    fail "no streams at all: $(cat "$T/none.err")"
grep -q "no stream there yet" "$T/none.err" || fail "no streams at all: $(cat "$T/none.err")"

for s in ONE TWO; do
    $FL nats "$NATS" "\$JS.API.STREAM.CREATE.$s" "{\"name\":\"$s\",\"subjects\":[\"x$s.>\"]}" |
        grep -q '"config"' || fail "creating stream $s"
done
st=0
"$UNSEAL" --drain "$NATS" --stream NOPE -d "$T/inbox" 2>"$T/missing.err" || st=$?
[ "$st" -eq 2 ] || fail "a missing stream: exit $st, expected 2: $(cat "$T/missing.err")"
grep -q "there is no such stream" "$T/missing.err" || fail "not said: $(cat "$T/missing.err")"
grep -q "the streams there: ONE, TWO" "$T/missing.err" ||
    fail "the streams are not listed: $(cat "$T/missing.err")"
if grep -q "drained" "$T/missing.err"; then
    fail "a success line for a missing stream: $(cat "$T/missing.err")"
fi
# The consumer was not created anywhere, and an existing stream drains.
"$UNSEAL" --drain "$NATS" --stream ONE -d "$T/inbox" 2>"$T/one.err" ||
    fail "draining an existing empty stream: $(cat "$T/one.err")"
grep -q "drained 0 messages from stream ONE" "$T/one.err" || fail "$(cat "$T/one.err")"
exit 0
