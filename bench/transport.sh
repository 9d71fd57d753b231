#!/bin/sh
# bench/transport.sh: the transport's speed (not part of `make check`).
#
# 1. Envelopes per second through one listener (unseal --listen) for 1 KiB
#    messages from 8 concurrent clients sending pre-sealed envelopes
#    (bench/deliver.py: one connection per envelope), the listener's CPU
#    time per envelope, and next to them the cost of one delivery's RSA
#    work measured in the same run (bench/rsa_cost: one OAEP decryption and
#    one PSS verification with libgcrypt), which bounds the throughput at
#    cores / (oaep + pss). The ratio throughput / bound is the figure of
#    merit (target >= 0.8). The clients run on the same cores.
# 2. Time from `seal --to` start to OK for 1 KiB and for BENCH_BIG_MB MiB
#    (default 1024), against `seal -o file && nc -N < file` to the same
#    listener.
#
# Usage, from a build directory: sh bench/transport.sh
#   BENCH_BITS (default 3072) key size, BENCH_ENVELOPES (default 2000),
#   BENCH_BIG_MB (default 1024, 0 to skip), BENCH_DIR (default $TMPDIR or
#   /tmp: where the inbox lives; its file system's fsync cost counts).
N=${BENCH_ENVELOPES:-2000}
BIG=${BENCH_BIG_MB:-1024}
. "$(dirname "$0")/common.sh"
if [ -z "${RSA_COST:-}" ]; then
    make -C "$build" -s bench/rsa_cost >/dev/null
    RSA_COST=$build/bench/rsa_cost
fi

echo "machine: $CORES cores, RSA-$BITS keys, inbox on $(df -T . | awk 'NR==2 {print $2}')"
printf 'sealing %d envelopes of 1 KiB ... ' "$N"
seal_envelopes "$N" env
echo done

start_inbox_listener() {
    rm -rf inbox
    start_listener listener.log 127.0.0.1:0 -d inbox "$@"
    PORT=${LADDR##*:}
}

# 1. Throughput.
start_inbox_listener
set -- env/*.seal
before=$(cpu_ticks "$LPID")
out=$(python3 "$top/bench/deliver.py" "127.0.0.1:$PORT" 8 "$@")
after=$(cpu_ticks "$LPID")
stop "$LPID"
stored=$(find inbox/new -type f | wc -l)
costs=$("$RSA_COST" server.key client.key 300)
echo "$out $after $before $HZ $costs $CORES $stored" | awk '{
    n = $1; secs = $2; cpu = ($3 - $4) / $5; oaep = $6; pss = $7; cores = $8
    rate = n / secs; bound = cores * 1e6 / (oaep + pss)
    printf "throughput: %d envelopes (1 KiB) from 8 clients in %.2f s: %.0f envelopes/s (%d stored)\n", n, secs, rate, $9
    printf "listener CPU: %.0f us per envelope (%.2f s in all)\n", cpu * 1e6 / n, cpu
    printf "RSA per envelope: OAEP decrypt %.0f us + PSS verify %.0f us = %.0f us\n", oaep, pss, oaep + pss
    printf "RSA bound on %d cores: %.0f envelopes/s; throughput / bound = %.2f\n", cores, bound, rate / bound
    printf "RSA share of the listener CPU per envelope: %.2f\n", (oaep + pss) / (cpu * 1e6 / n)
}'

# 2. seal --to latency, against seal > file + nc.
now() { date +%s.%N; }
latency() {
    f=$1
    start_inbox_listener
    t0=$(now)
    "$SEAL" -r server.pub -s client.key --to "127.0.0.1:$PORT" "$f" 2>/dev/null
    t1=$(now)
    "$SEAL" -r server.pub -s client.key -o file.seal -f "$f"
    nc -N 127.0.0.1 "$PORT" <file.seal >/dev/null
    t2=$(now)
    rm -f file.seal
    stop "$LPID"
    echo "$t0 $t1 $t2 $2" | awk '{printf "%s %s: seal --to until OK %.3f s; seal -o file + nc -N until OK %.3f s\n", $4, $5, $2 - $1, $3 - $2}'
}
latency msg "1 KiB"
if [ "$BIG" -gt 0 ]; then
    head -c $((BIG * 1024 * 1024)) /dev/urandom >big
    latency big "$BIG MiB"
fi
