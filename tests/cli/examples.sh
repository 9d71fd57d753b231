#!/bin/sh
# Runs every examples/*.sh in order in one temporary directory, with the
# built programs first on PATH, so the examples keep working. An example
# that exits 77 (a tool it needs is missing) is skipped. Their numbers run
# without a gap.
set -u
T=$(mktemp -d "${TMPDIR:-/tmp}/seal-examples.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
umask 077
PATH=$top_builddir/src:$PATH
TMPDIR=$T
# 2048-bit keys: the examples' default (3072) only costs time here.
SEAL_EXAMPLE_BITS=2048
export PATH TMPDIR SEAL_EXAMPLE_BITS

# Numbered without gaps (01, 02, ...), so a reader misses none.
n=0
for ex in "$top_srcdir"/examples/[0-9][0-9]-*.sh; do
    n=$((n + 1))
    case $(basename "$ex") in
    "$(printf '%02d' "$n")"-*) ;;
    *)
        echo "FAIL: $(basename "$ex") where example $(printf '%02d' "$n") belongs" >&2
        exit 1
        ;;
    esac
done

ran=0
for ex in "$top_srcdir"/examples/*.sh; do
    name=$(basename "$ex")
    echo "=== $name"
    st=0
    (cd "$T" && sh "$ex") </dev/null || st=$?
    case $st in
    0) ran=$((ran + 1)) ;;
    77) echo "=== $name: skipped" ;;
    *)
        echo "FAIL: $name exited with $st" >&2
        exit 1
        ;;
    esac
done
[ "$ran" -gt 0 ] || exit 77
echo "ok: $ran examples"
