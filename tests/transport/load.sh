#!/bin/sh
# Load: CLIENTS concurrent senders x EACH envelopes (default 8 x 25) through
# seal --to into one listener: every one acknowledged and stored exactly
# once, contents intact. tests/load/run.sh runs it with 64 x 500.
. "$top_srcdir/tests/transport/common.sh"

CLIENTS=${LOAD_CLIENTS:-8}
EACH=${LOAD_EACH:-25}
mkdir "$T/msgs"
i=0
while [ "$i" -lt "$CLIENTS" ]; do
    j=0
    while [ "$j" -lt "$EACH" ]; do
        printf 'client %d message %d\n' "$i" "$j" >"$T/msgs/$i.$j"
        j=$((j + 1))
    done
    i=$((i + 1))
done
listen l1 127.0.0.1:0 --max-connections 256 -q
P=$LPORT

start=$(date +%s)
i=0
while [ "$i" -lt "$CLIENTS" ]; do
    (
        j=0
        from=alice
        [ $((i % 2)) -eq 1 ] && from=carol
        while [ "$j" -lt "$EACH" ]; do
            "$SEAL" -r "$T/bob.pub" -s "$T/$from.key" --to "127.0.0.1:$P" --retry-for 60 \
                "$T/msgs/$i.$j" 2>>"$T/client$i.err" || echo "$i.$j" >>"$T/failed"
            j=$((j + 1))
        done
    ) &
    PIDS="$PIDS $!"
    i=$((i + 1))
done
for p in $PIDS; do
    [ "$p" = "$LPID" ] || wait "$p"
done
[ ! -s "$T/failed" ] || fail "not acknowledged: $(tr '\n' ' ' <"$T/failed")"
check_inbox "$T/msgs" --expect $((CLIENTS * EACH))
echo "ok: $((CLIENTS * EACH)) envelopes in $(($(date +%s) - start)) s"
