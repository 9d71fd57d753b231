# Sourced by tests/fleet/*.sh (not a test itself): a private directory, the
# testkit keys (bob is the server; alice and carol registered clients),
# listeners and a nats-server on loopback addresses, all stopped on exit.
# POSIX sh; every wait is bounded.
set -u

for _p in "${SEAL:-}" "${UNSEAL:-}"; do
    if [ -z "$_p" ] || [ ! -x "$_p" ]; then
        echo "SEAL and UNSEAL must name the built programs" >&2
        exit 99
    fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-fleet.XXXXXX") || exit 99
PIDS=""
cleanup() {
    for _pid in $PIDS; do kill -9 "$_pid" 2>/dev/null; done
    for _pid in $PIDS; do wait "$_pid" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
umask 077
TMPDIR=$T
export TMPDIR
FL="python3 $top_srcdir/tests/fleet/flib.py"

fail() {
    echo "FAIL: $*" >&2
    for _f in "$T"/*.log; do
        [ -f "$_f" ] && { echo "--- $_f" >&2; tail -n 25 "$_f" >&2; }
    done
    exit 1
}

for _k in alice bob carol; do
    cp "$top_srcdir/tests/testkit/keys/$_k.key" "$top_srcdir/tests/testkit/keys/$_k.pub" "$T/"
done
chmod 600 "$T"/*.key
mkdir "$T/trusted"
cp "$T/alice.pub" "$T/carol.pub" "$T/trusted/"

# need_nats: skips (77) when unseal is built without NATS; built with it, a
# missing nats-server fails.
need_nats() {
    if [ "${SEAL_WITH_NATS:-no}" != yes ]; then
        echo "SKIP: seal is built without NATS JetStream"
        exit 77
    fi
    command -v nats-server >/dev/null || fail "nats-server is not installed (apt-get install nats-server)"
}

# wait_file FILE: waits (at most 10 s) until FILE is not empty, as a helper
# that listens on port 0 writes its port there; 1 if it never is.
wait_file() {
    _i=0
    while [ ! -s "$1" ]; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || return 1
        sleep 0.05
    done
}

# wait_log NAME TEXT: waits (at most 15 s) until $T/NAME.log contains TEXT.
wait_log() {
    _i=0
    while ! grep -q "$2" "$T/$1.log" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 300 ] || return 1
        sleep 0.05
    done
}

# wait_port HOST PORT: waits (at most 15 s) until HOST:PORT accepts.
wait_port() {
    _i=0
    while ! python3 -c "import socket,sys; socket.create_connection(('$1', $2), 1).close()" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 150 ] || return 1
        sleep 0.1
    done
}

# listen NAME ADDR [OPTION...]: `unseal --listen ADDR` as bob in the
# background, logging to $T/NAME.log; waits until it listens. Sets LPID,
# and LPORT to the port it got: ADDR ends in :0 (any free port, no race
# with another test) unless a listener comes back on the port it had.
listen() {
    _name=$1
    _addr=$2
    shift 2
    rm -f "$T/$_name.log"
    "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen "$_addr" "$@" 2>"$T/$_name.log" &
    LPID=$!
    PIDS="$PIDS $LPID"
    wait_log "$_name" "listening on" || fail "listener $_name did not start"
    LPORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\)[ ,].*/\1/p' "$T/$_name.log" | head -n 1)
    [ -n "$LPORT" ] || fail "listener $_name: no port in its log: $(cat "$T/$_name.log")"
}

# nats_start: nats-server with JetStream on 127.0.0.1, store in $T/nats
# (kept across restarts), max_payload 64 KiB. The first start takes any
# free port (-p -1) and reads it from the server's log, so no other test
# can take it first; a restart reuses it. Sets NPID, NPORT and NATS.
nats_start() {
    printf 'max_payload: 65536\n' >"$T/nats.conf"
    : >>"$T/nats.log" # exists before the server writes to it: grep -c counts
    _was=$(grep -c "Listening for client connections" "$T/nats.log")
    nats-server -c "$T/nats.conf" -js -a 127.0.0.1 -p "${NPORT:--1}" -sd "$T/nats" \
        >>"$T/nats.log" 2>&1 &
    NPID=$!
    PIDS="$PIDS $NPID"
    _i=0
    while [ "$(grep -c "Listening for client connections" "$T/nats.log")" -le "$_was" ]; do
        _i=$((_i + 1))
        [ "$_i" -le 300 ] || fail "nats-server did not start"
        sleep 0.05
    done
    NPORT=$(sed -n 's/.*Listening for client connections on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' \
        "$T/nats.log" | tail -n 1)
    [ -n "$NPORT" ] || fail "no port in the nats-server log"
    wait_port 127.0.0.1 "$NPORT" || fail "nats-server did not start"
    NATS="nats://127.0.0.1:$NPORT"
}

nats_kill() {
    kill -9 "$NPID" 2>/dev/null
    wait "$NPID" 2>/dev/null
}

# children PID [TEXT]: the pids of PID's children whose command line
# contains TEXT, read from /proc (no procps needed).
children() {
    python3 - "$1" "${2:-}" <<'PY'
import os, sys
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    try:
        stat = open("/proc/%s/stat" % d).read()
        cmd = open("/proc/%s/cmdline" % d, "rb").read().replace(b"\0", b" ")
    except OSError:
        continue
    if stat.rsplit(")", 1)[1].split()[1] == sys.argv[1] and sys.argv[2] in cmd.decode(errors="replace"):
        print(d)
PY
}

# seal_file FROM MSG OUT: seals MSG from FROM to bob.
seal_file() {
    "$SEAL" -r "$T/bob.pub" -s "$T/$1.key" -o "$3" "$2" || fail "seal $2"
}
