#!/bin/sh
# libgcrypt is seal's only cryptography: seal, seal-keygen and unseal list
# neither libnats nor OpenSSL's libssl/libcrypto (which libnats brings for
# NATS's own TLS) as needed libraries, directly or through another library,
# and call no libnats function. --deliver and --drain run in unseal-nats,
# the helper unseal executes; built with NATS, it does link libnats (so
# that this test can fail).
for p in "${SEAL:-}" "${SEAL_KEYGEN:-}" "${UNSEAL:-}"; do
    [ -x "$p" ] || { echo "SEAL, SEAL_KEYGEN and UNSEAL must name the built programs" >&2; exit 99; }
done
command -v readelf >/dev/null && command -v nm >/dev/null || { echo "SKIP: needs readelf and nm (binutils)"; exit 77; }
HELPER=${UNSEAL%/*}/unseal-nats
foreign() { # PROGRAM: the libnats/OpenSSL libraries it needs, and its libnats calls
    readelf -d "$1" | grep NEEDED | grep -E 'libnats|libssl|libcrypto\.'
    if command -v ldd >/dev/null; then ldd "$1" | grep -E 'libnats|libssl|libcrypto\.'; fi
    nm -D --undefined-only "$1" | grep ' natsConnection_'
}
bad=0
for p in "$SEAL" "$SEAL_KEYGEN" "$UNSEAL"; do
    if found=$(foreign "$p"); then
        printf 'FAIL: %s links libnats or OpenSSL:\n%s\n' "$p" "$found" >&2
        bad=1
    fi
done
if [ "${SEAL_WITH_NATS:-no}" = yes ]; then
    if [ ! -x "$HELPER" ]; then
        echo "FAIL: built with NATS but there is no $HELPER" >&2
        bad=1
    elif ! readelf -d "$HELPER" | grep NEEDED | grep -q libnats; then
        echo "FAIL: $HELPER is built with NATS but does not link libnats" >&2
        bad=1
    fi
fi
exit "$bad"
