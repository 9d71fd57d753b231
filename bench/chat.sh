#!/bin/sh
# bench/chat.sh: seal --chat's speed, this build against the envelope-per-
# line chat of the base commit (chat version 1), in the same run (not part
# of `make check`).
#
# For each: lines per second piped through `seal --chat --to` into a
# listening `seal --chat` (64-byte lines, from the first written to the
# last shown), the CPU time of both processes per line, and the time from a
# line written to the line shown (median and 90th percentile of single
# lines). Targets: at least 100 x the old lines per second, and under 50 us
# of CPU per line (both processes together).
#
# The old seal is built from commit BENCH_OLD_COMMIT (default 21429b4, the
# last version 1 chat) in a scratch directory under /tmp, once (kept as
# BENCH_OLD_DIR, default /tmp/seal-chat-old-COMMIT); OLD_SEAL names a built
# one instead.
#
# Usage, from a build directory: sh bench/chat.sh
#   BENCH_BITS (default 3072) key size, BENCH_LINES (default 20000) lines
#   for this build, BENCH_OLD_LINES (default 300) for the old one,
#   BENCH_LATENCY (default 50) single lines for the latency.
LINES=${BENCH_LINES:-20000}
OLD_LINES=${BENCH_OLD_LINES:-300}
ROUNDS=${BENCH_LATENCY:-50}
OLD_COMMIT=${BENCH_OLD_COMMIT:-21429b4}
. "$(dirname "$0")/common.sh"

if [ -z "${OLD_SEAL:-}" ]; then
    old=${BENCH_OLD_DIR:-/tmp/seal-chat-old-$OLD_COMMIT}
    if [ ! -x "$old/src/seal" ]; then
        echo "bench: building seal at $OLD_COMMIT in $old (once)"
        mkdir -p "$old"
        git -C "$top" archive "$OLD_COMMIT" | tar -x -C "$old"
        (cd "$old" && autoreconf -fi >/dev/null 2>&1 && ./configure -q >/dev/null &&
            make -s -j"$CORES" src/seal >/dev/null 2>&1) ||
            { echo "bench: could not build $OLD_COMMIT in $old" >&2; exit 2; }
    fi
    OLD_SEAL=$old/src/seal
fi

# server/client keys from common.sh: bob listens, alice dials.
cp server.key bob.key && cp server.pub bob.pub
cp client.key alice.key && cp client.pub alice.pub
echo "machine: $CORES cores, load $(cut -d' ' -f1-3 /proc/loadavg), RSA-$BITS keys"
echo "old: $OLD_SEAL ($OLD_COMMIT), $OLD_LINES lines; new: $SEAL, $LINES lines; latency: $ROUNDS single lines"
old_r=$(python3 "$top/bench/chat.py" "$OLD_SEAL" "$T" "$OLD_LINES" "$ROUNDS")
new_r=$(python3 "$top/bench/chat.py" "$SEAL" "$T" "$LINES" "$ROUNDS")
echo "$old_r $new_r" | awk '{
    printf "%-10s %12s %14s %14s %14s\n", "chat", "lines/s", "CPU us/line", "latency ms", "p90 ms"
    printf "%-10s %12.1f %14.1f %14.3f %14.3f\n", "old (v1)", $1, $2, $3, $4
    printf "%-10s %12.1f %14.1f %14.3f %14.3f\n", "new (v2)", $5, $6, $7, $8
    printf "ratio new/old: %.0f x lines/s (target >= 100), %.0f x less CPU per line; CPU per line %.1f us (target < 50)\n",
        $5 / $1, $2 / $6, $6
}'
