#!/bin/sh
# Runs every testkit envelope (tests/testkit/NAME.seal, outcome in
# NAME.expect) through the unseal program as bob, trusting alice and carol,
# once to a file and once to stdout. Checks the exit status exactly, the
# plaintext of successes, and that a failure leaves no output file, no
# temporary file and nothing on stdout.
# (Not named tests/testkit.sh: make's built-in rule "%: %.sh" would then try
# to build the directory tests/testkit from it, e.g. in make dist.)
set -u

# TESTKIT_DIR: another set of NAME.seal and NAME.expect (regenerate.sh's);
# the keys and the trusted senders are always the source tree's.
src="$top_srcdir/tests/testkit"
kit="${TESTKIT_DIR:-$src}"
if [ ! -x "$UNSEAL" ]; then
    echo "testkit_run.sh: $UNSEAL not built; skipping"
    exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
# git does not keep mode 0600, and unseal refuses a private key without it.
cp "$src/keys/bob.key" "$tmp/bob.key" && chmod 600 "$tmp/bob.key" || exit 99
mkdir "$tmp/o" || exit 99

sha256() { sha256sum "$1" | cut -d' ' -f1; }

pass=0
fail=0
bad() {
    echo "FAIL: $name: $*"
    sed 's/^/    stderr: /' "$tmp/err"
    fail=$((fail + 1))
}

for f in "$kit"/*.seal; do
    name=$(basename "$f" .seal)
    expect=$(sed -n 1p "$kit/$name.expect")
    # Exit statuses of cli.h: 1 authentication, 3 format, 5 not a
    # recipient, 6 untrusted sender.
    case $expect in
    success) want=0 ;;
    "header failure")
        case $name in
        header_truncated_* | header_unwrap_* | header_commit_*) want=1 ;;
        *) want=3 ;;
        esac ;;
    "not a recipient") want=5 ;;
    "payload failure" | "signature failure") want=1 ;;
    "untrusted sender") want=6 ;;
    "armor failure") want=3 ;;
    *) echo "FAIL: $name: unknown outcome '$expect'"; fail=$((fail + 1)); continue ;;
    esac

    ok=1
    want_hash=$(sed -n 's/^sha256 //p' "$kit/$name.expect")
    # TESTKIT_STDOUT_ONLY (regenerate.sh): the outcome once, to stdout.
    if [ -z "${TESTKIT_STDOUT_ONLY:-}" ]; then
        "$UNSEAL" -k "$tmp/bob.key" -s "$src/trusted" -o "$tmp/o/out" "$f" \
            >"$tmp/stdout" 2>"$tmp/err"
        st=$?
        [ "$st" -eq "$want" ] || { bad "to a file: exit $st, want $want ($expect)"; ok=0; }
        if [ "$want" -eq 0 ]; then
            if [ ! -f "$tmp/o/out" ] || [ "$(sha256 "$tmp/o/out")" != "$want_hash" ]; then
                bad "wrong plaintext"; ok=0
            fi
        elif [ -n "$(ls -A "$tmp/o")" ]; then
            bad "output left behind: $(ls -A "$tmp/o")"; ok=0
        fi
        rm -f "$tmp/o/out"
    fi

    "$UNSEAL" -k "$tmp/bob.key" -s "$src/trusted" <"$f" >"$tmp/stdout" 2>"$tmp/err"
    st=$?
    [ "$st" -eq "$want" ] || { bad "to stdout: exit $st, want $want ($expect)"; ok=0; }
    if [ "$want" -eq 0 ]; then
        [ "$(sha256 "$tmp/stdout")" = "$want_hash" ] || { bad "wrong plaintext on stdout"; ok=0; }
    elif [ -s "$tmp/stdout" ]; then
        bad "$(wc -c <"$tmp/stdout") bytes on stdout"; ok=0
    fi
    [ $ok -eq 1 ] && pass=$((pass + 1))
done

echo "testkit: $pass passed, $fail failed"
[ "$pass" -ge 80 ] || { echo "testkit: too few cases"; exit 1; }
[ "$fail" -eq 0 ]
