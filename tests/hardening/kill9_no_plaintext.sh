#!/bin/sh
# kill -9 in the middle of unseal -o FILE, of seal -o FILE and of unseal to
# standard output (the spool) leaves no file with plaintext, and no
# half-written output, anywhere. Output being written has no name
# (O_TMPFILE) until it is complete and verified; the old scheme left
# .FILE.XXXXXX behind, holding unverified plaintext.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v python3 >/dev/null || exit 77
python3 -c "import os; os.close(os.open('$T', os.O_TMPFILE | os.O_WRONLY, 0o600))" 2>/dev/null || {
    echo "kill9: no O_TMPFILE on $T's filesystem (the named fallback applies); skipping"
    exit 77
}
keypair alice bob
make_file "$T/msg" 8000000
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"
head -c 1048576 "$T/msg" >"$T/msg.head"

# written PID DIR: true once PID has written to a file in DIR: a named one
# (size > 0) or an unnamed one (an fd "DIR/#N (deleted)" whose offset is > 0).
written() {
    for f in "$2"/.??* "$2"/*; do
        [ -f "$f" ] && [ -s "$f" ] && return 0
    done
    for l in /proc/"$1"/fd/*; do
        case $(readlink "$l" 2>/dev/null) in
        "$2"/*)
            pos=$(sed -n 's/^pos:[[:space:]]*//p' "/proc/$1/fdinfo/${l##*/}" 2>/dev/null)
            [ "${pos:-0}" -gt 0 ] && return 0 ;;
        esac
    done
    return 1
}

# run_killed DIR INPUT CMD...: feeds the first 4 MB of INPUT to CMD through
# a FIFO (and holds it open), waits until CMD has written into DIR (at most
# 20 s), kills it with SIGKILL.
run_killed() {
    dir=$1 input=$2
    shift 2
    rm -f "$T/fifo" && mkfifo "$T/fifo" || exit 99
    { head -c 4000000 "$input"; exec sleep 60; } >"$T/fifo" &
    feeder=$!
    "$@" <"$T/fifo" >/dev/null 2>"$T/err" &
    pid=$!
    i=0
    until written "$pid" "$dir"; do
        i=$((i + 1))
        [ $i -le 400 ] || break
        kill -0 "$pid" 2>/dev/null || fail "$*: ended before it was killed: $(cat "$T/err")"
        sleep 0.05
    done
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    kill "$feeder" 2>/dev/null
    wait "$feeder" 2>/dev/null
}

# No file under $T but the inputs starts with the plaintext.
no_plaintext() {
    find "$T" -type f ! -name msg ! -name msg.head ! -name out | while read -r f; do
        if [ "$(head -c 1048576 "$f" | cmp -s - "$T/msg.head" && echo same)" = same ]; then
            echo "$f"
        fi
    done >"$T/found"
    [ ! -s "$T/found" ] || fail "$1: plaintext left in $(cat "$T/found")"
}

mkdir "$T/dest" "$T/spool" || exit 99
run_killed "$T/dest" "$T/msg.seal" "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/dest/msg" -
[ -z "$(ls -A "$T/dest")" ] || fail "unseal -o, killed: left $(ls -A "$T/dest")"
no_plaintext "unseal -o"

run_killed "$T/spool" "$T/msg.seal" env TMPDIR="$T/spool" "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o - -
[ -z "$(ls -A "$T/spool")" ] || fail "unseal to stdout, killed: left $(ls -A "$T/spool")"
no_plaintext "unseal to stdout"

run_killed "$T/dest" "$T/msg" "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/dest/msg.seal" -
[ -z "$(ls -A "$T/dest")" ] || fail "seal -o, killed: left $(ls -A "$T/dest")"
echo "kill -9: nothing left behind"
