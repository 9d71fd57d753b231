#!/bin/sh
# Only unseal needs libnats (--deliver, --drain): seal and seal-keygen
# neither list it as a needed library nor call any of its functions; an
# unseal built with NATS does both (so that this test can fail).
for p in "${SEAL:-}" "${SEAL_KEYGEN:-}" "${UNSEAL:-}"; do
    [ -x "$p" ] || { echo "SEAL, SEAL_KEYGEN and UNSEAL must name the built programs" >&2; exit 99; }
done
command -v readelf >/dev/null && command -v nm >/dev/null || { echo "SKIP: needs readelf and nm (binutils)"; exit 77; }
uses_nats() { # PROGRAM: true if it needs libnats or calls into it
    readelf -d "$1" | grep NEEDED | grep -q 'libnats' || nm -D --undefined-only "$1" | grep -q ' natsConnection_'
}
for p in "$SEAL" "$SEAL_KEYGEN"; do
    if uses_nats "$p"; then
        echo "FAIL: $p links libnats:" >&2
        readelf -d "$p" | grep NEEDED >&2
        exit 1
    fi
done
if [ "${SEAL_WITH_NATS:-no}" = yes ] && ! uses_nats "$UNSEAL"; then
    echo "FAIL: $UNSEAL is built with NATS but does not link libnats" >&2
    exit 1
fi
exit 0
