# Sourced by bench/transport.sh and bench/fleet.sh (not a bench itself): the
# programs, a private directory with a server and a client key, envelopes
# sealed ahead of the load, listeners in the background, and the CPU time
# of a process. Everything started through here is killed on exit and the
# directory removed. POSIX sh; every wait is bounded.
#
#   BENCH_BITS (default 3072) key size, BENCH_DIR (default $TMPDIR or /tmp):
#   where the directory (and so the inboxes) lives.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(pwd)
SEAL=${SEAL:-$build/src/seal}
UNSEAL=${UNSEAL:-$build/src/unseal}
KEYGEN=${SEAL_KEYGEN:-$build/src/seal-keygen}
for _p in "$SEAL" "$UNSEAL" "$KEYGEN"; do
    [ -x "$_p" ] || {
        echo "bench: $_p not found: run from the build directory or set SEAL, UNSEAL, SEAL_KEYGEN" >&2
        exit 2
    }
done
BITS=${BENCH_BITS:-3072}
CORES=$(nproc)
HZ=$(getconf CLK_TCK)

T=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/seal-bench.XXXXXX")
PIDS=""
bench_cleanup() {
    for _pid in $PIDS; do kill -9 "$_pid" 2>/dev/null || :; done
    for _pid in $PIDS; do wait "$_pid" 2>/dev/null || :; done
    rm -rf "$T"
}
trap bench_cleanup EXIT
trap 'exit 1' HUP INT TERM
cd "$T"
"$KEYGEN" -o server -b "$BITS" --no-passphrase >/dev/null
"$KEYGEN" -o client -b "$BITS" --no-passphrase >/dev/null
mkdir clients
cp client.pub clients/

# seal_envelopes N DIR: N envelopes of one 1 KiB message, client to server,
# as DIR/0.seal ... (each has its own envelope ID, so each is a new delivery).
seal_envelopes() {
    mkdir -p "$2"
    [ -f msg ] || head -c 1024 /dev/urandom >msg
    _i=0
    while [ "$_i" -lt "$1" ]; do
        "$SEAL" --no-fsync -r server.pub -s client.key -o "$2/$_i.seal" msg
        _i=$((_i + 1))
    done
}

# cpu_ticks PID: user + system time of the process (all its threads) so
# far, in clock ticks (HZ a second).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wait_for FILE TEXT: waits (at most 30 s) until FILE contains TEXT.
wait_for() {
    _i=0
    until grep -q "$2" "$1" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 600 ] || { echo "bench: no '$2' in $1:" >&2; cat "$1" >&2; exit 1; }
        sleep 0.05
    done
}

# start_listener LOG ADDR [OPTION...]: `unseal -q --listen ADDR` as the
# server in the background, logging to LOG; waits until it listens. Sets
# LPID and LADDR (the address as bound: port 0 becomes the kernel's pick).
start_listener() {
    _log=$1
    _addr=$2
    shift 2
    rm -f "$_log"
    "$UNSEAL" -q -k server.key -s clients --listen "$_addr" --max-connections 64 "$@" 2>"$_log" &
    LPID=$!
    PIDS="$PIDS $LPID"
    wait_for "$_log" "listening on"
    LADDR=$(sed -n 's/.*listening on \([^ ,]*\),.*/\1/p' "$_log")
}

# stop PID: SIGTERM, then waits for it.
stop() {
    kill -TERM "$1" 2>/dev/null || :
    wait "$1" 2>/dev/null || :
}
