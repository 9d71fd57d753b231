#!/bin/sh
# The testkit generator's output, regenerated three times: every file must
# have the outcome its .expect names each time (run.sh on the new files), the
# .expect files must be the checked-in ones byte for byte, and the generator
# must make exactly the checked-in set of cases. The random parts of RSA-OAEP
# and RSA-PSS differ on every run, so a case whose outcome depends on them
# (header_count_2_of_1 once did, 1 run in 85) shows here.
set -u

gen="$top_builddir/tests/testkit/generate"
kit="$top_srcdir/tests/testkit"
if [ ! -x "$gen" ] || [ ! -x "$UNSEAL" ]; then
    echo "regenerate.sh: $gen or $UNSEAL not built; skipping"
    exit 77
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
names() { (cd "$1" && ls -- *.seal *.expect) | sort; }

fail=0
for run in 1 2 3; do
    out="$tmp/kit$run"
    mkdir "$out" || exit 99
    "$gen" "$kit/keys" "$out" >"$tmp/gen.log" 2>&1 || {
        echo "FAIL: run $run: generator: $(cat "$tmp/gen.log")"; exit 1; }
    names "$kit" >"$tmp/want"
    names "$out" >"$tmp/got"
    if ! cmp -s "$tmp/want" "$tmp/got"; then
        echo "FAIL: run $run: the generator's cases differ from the checked-in ones:"
        diff "$tmp/want" "$tmp/got" | sed 's/^/    /'
        fail=1
    fi
    for e in "$out"/*.expect; do
        cmp -s "$e" "$kit/${e##*/}" || { echo "FAIL: run $run: ${e##*/} differs"; fail=1; }
    done
    TESTKIT_DIR="$out" TESTKIT_STDOUT_ONLY=1 sh "$kit/run.sh" >"$tmp/run.log" 2>&1 || {
        echo "FAIL: run $run: regenerated files against their .expect:"
        grep -v '^    stderr' "$tmp/run.log" | sed 's/^/    /'
        fail=1
    }
    rm -rf "$out"
done
[ "$fail" -eq 0 ] && echo "regenerate: 3 runs, every case as its .expect says"
exit "$fail"
