#!/bin/sh
# The JetStream module against a real nats-server on 127.0.0.1. The test
# program starts, kills and restarts the server itself (into a fresh store
# directory here); this script picks two free ports (one stays unused, for
# "nobody listening"), bounds the time, and removes everything on exit.
# Skipped (77) only when seal is built without NATS (configure --without-nats
# or no libnats-dev); built with it, a missing nats-server is a failure.
set -eu
if [ "${SEAL_WITH_NATS:-no}" != yes ]; then
    echo "SKIP: seal is built without NATS JetStream (configure --with-nats, libnats-dev)"
    exit 77
fi
server=$(command -v nats-server || true)
if [ -z "$server" ]; then
    echo "FAIL: seal is built with NATS but nats-server is not installed (apt-get install nats-server)"
    exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/seal-jetstream.XXXXXX")
cleanup() {
    if [ -f "$dir/nats.pid" ]; then kill -9 "$(cat "$dir/nats.pid")" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
set -- $(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
SEAL_TEST_NATS_SERVER=$server SEAL_TEST_NATS_DIR=$dir \
SEAL_TEST_NATS_PORT=$1 SEAL_TEST_NATS_DEAD_PORT=$2 \
    timeout 120 "$top_builddir/tests/unit/transport/test_jetstream" || {
    rc=$?
    echo "--- nats-server log"; cat "$dir/nats.log" 2>/dev/null | tail -n 40
    exit $rc
}
