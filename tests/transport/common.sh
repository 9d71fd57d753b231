# Sourced by the tests/transport/*.sh tests (not a test itself): a private
# directory and the test keys, listeners started on free loopback ports and
# always stopped, and checks of the inbox. POSIX sh; every wait is bounded.
set -u

for _p in "${SEAL:-}" "${UNSEAL:-}"; do
    if [ -z "$_p" ] || [ ! -x "$_p" ]; then
        echo "SEAL and UNSEAL must name the built programs" >&2
        exit 99
    fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-transport.XXXXXX") || exit 99
PIDS=""
cleanup() {
    for _pid in $PIDS; do
        kill -9 "$_pid" 2>/dev/null
    done
    for _pid in $PIDS; do
        wait "$_pid" 2>/dev/null
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
umask 077
TMPDIR=$T
export TMPDIR
TL="python3 $top_srcdir/tests/transport/tlib.py"

fail() {
    echo "FAIL: $*" >&2
    for _f in "$T"/*.log; do
        [ -f "$_f" ] && { echo "--- $_f" >&2; tail -n 20 "$_f" >&2; }
    done
    exit 1
}

# The testkit keys: bob is the server; alice and carol are registered
# clients (trusted/); mallory is not.
for _k in alice bob carol mallory; do
    cp "$top_srcdir/tests/testkit/keys/$_k.key" "$top_srcdir/tests/testkit/keys/$_k.pub" "$T/"
done
chmod 600 "$T"/*.key
mkdir "$T/trusted"
cp "$T/alice.pub" "$T/carol.pub" "$T/trusted/"

# free_port: a TCP port free on the loopback interface right now (for what
# must bind a port it is told; listeners use port 0, see listen).
free_port() {
    $TL free-port
}

# listen NAME ADDR [OPTION...]: starts `unseal --listen ADDR -d $T/inbox`
# as bob in the background, logging to $T/NAME.log, and waits until it
# listens. Sets LPID, and LPORT to the port it got (ADDR may end in :0, any
# free port: no race with other tests). Extra options go to unseal (a -d
# among them replaces the default inbox).
listen() {
    _name=$1
    _addr=$2
    shift 2
    _box="-d $T/inbox"
    for _a in "$@"; do
        [ "$_a" = "-d" ] && _box=""
    done
    # The redirection truncates in the background child, after this shell
    # may already have read a previous run's log: start from no file.
    rm -f "$T/$_name.log"
    # shellcheck disable=SC2086 # $_box is two words or none
    "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen "$_addr" $_box "$@" \
        2>"$T/$_name.log" &
    LPID=$!
    PIDS="$PIDS $LPID"
    wait_log "$_name" "listening on" || fail "listener $_name did not start"
    LPORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\)[ ,].*/\1/p' "$T/$_name.log" | head -n 1)
    [ -n "$LPORT" ] || fail "listener $_name: no port in its log: $(cat "$T/$_name.log")"
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

# wait_log NAME TEXT: waits (at most 10 s) until $T/NAME.log contains TEXT.
wait_log() {
    _i=0
    while ! grep -q "$2" "$T/$1.log" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || return 1
        sleep 0.05
    done
}

# stop PID: SIGTERM, then wait at most 10 s for it to exit; returns its status.
stop() {
    kill -TERM "$1" 2>/dev/null
    _i=0
    while kill -0 "$1" 2>/dev/null; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || { kill -9 "$1"; break; }
        sleep 0.05
    done
    wait "$1"
}

# seal_file FROM MSG OUT [SEAL OPTION...]: seals MSG from FROM to bob.
seal_file() {
    _from=$1
    _msg=$2
    _out=$3
    shift 3
    "$SEAL" -r "$T/bob.pub" -s "$T/$_from.key" -o "$_out" "$@" "$_msg" ||
        fail "seal $_msg"
}

# send ADDR FILE [--cut N] [--pause S]: sends FILE as nc -N would (or its
# first N bytes; or in two halves S seconds apart), prints the reply line.
send() {
    $TL send "$@"
}

# count DIR: files in $T/inbox/DIR (or $T/DIR if it has a slash).
count() {
    case $1 in
    */*) _d=$T/$1 ;;
    *) _d=$T/inbox/$1 ;;
    esac
    find "$_d" -mindepth 1 -maxdepth 1 -type f | wc -l | tr -d ' '
}

# check_inbox DIR...: every file in new/ is one of the message files DIR
# holds (same bytes), no message is there twice, nothing is left in tmp/.
check_inbox() {
    $TL check-inbox "$T/inbox" "$@" || fail "inbox check"
}
