#!/bin/sh
# Runs every libFuzzer harness built by build.sh for SECONDS each (default
# 60), one after the other, niced. A corpus per harness grows in
# build-fuzz/corpus/NAME (kept between runs, so long runs add up); crashes,
# leaks, timeouts and oracle failures are saved in build-fuzz/crash/ and
# printed (hex and base64), and make the script fail.
#   sh tests/fuzz/run.sh [SECONDS [HARNESS...]]
# Environment: BUILD (default build-fuzz), FUZZ_JOBS (parallel workers per
# harness, default 1), FUZZ_ARGS (extra libFuzzer flags).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build-fuzz}
secs=${1:-60}
[ $# -gt 0 ] && shift
[ -f "$build/harnesses" ] || { echo "fuzz: not built; run sh tests/fuzz/build.sh" >&2; exit 2; }
list=${*:-$(cat "$build/harnesses")}
jobs=""
# -jobs makes libFuzzer fork workers that log to fuzz-N.log in the current
# directory: only when asked for.
[ "${FUZZ_JOBS:-1}" -gt 1 ] && jobs="-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS"

dict_for() {
    d=$top/tests/fuzz/dict
    case $1 in
    key) cat "$d/der.dict" ;;
    armor) cat "$d/armor.dict" ;;
    header | inner) cat "$d/envelope.dict" ;;
    unseal) cat "$d/envelope.dict" "$d/armor.dict" ;;
    *) [ -f "$d/$1.dict" ] && cat "$d/$1.dict" ;;
    esac
}

status=0
mkdir -p "$build/crash"
for h in $list; do
    bin=$build/fuzz_$h
    [ -x "$bin" ] || { echo "fuzz: no harness $h" >&2; status=1; continue; }
    mkdir -p "$build/corpus/$h" "$build/seeds/$h"
    dict_for "$h" >"$build/$h.dict" || true
    dictarg=""
    [ -s "$build/$h.dict" ] && dictarg="-dict=$build/$h.dict"
    log=$build/$h.log
    cd "$build" || exit 2
    before=$(ls "$build/crash" | wc -l)
    start=$(date +%s)
    # -timeout: one input taking 25 s is a hang (the caps bound any input to
    # a few seconds); -rss_limit_mb: the caps bound memory too.
    # shellcheck disable=SC2086
    nice -n 10 "$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -max_len=200000 \
        -print_final_stats=1 $jobs $dictarg \
        -artifact_prefix="$build/crash/$h-" ${FUZZ_ARGS:-} \
        "$build/corpus/$h" "$build/seeds/$h" >"$log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
    printf 'fuzz %-8s %5ss  execs %-10s cov %-6s ft %-6s corpus %s  exit %s\n' \
        "$h" "$took" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$rc"
    after=$(ls "$build/crash" | wc -l)
    if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
        status=1
        echo "fuzz: $h FAILED; the end of its log:"
        grep -v '^#[0-9]' "$log" | tail -n 60
        for f in $(ls -t "$build/crash" | head -n $(( after - before > 0 ? after - before : 1 ))); do
            echo "fuzz: crashing input $build/crash/$f ($(wc -c <"$build/crash/$f") bytes), hex:"
            od -An -tx1 -v "$build/crash/$f" | head -n 64
            echo "fuzz: base64:"
            base64 "$build/crash/$f" | head -n 200
            echo "fuzz: reproduce with: $bin $build/crash/$f"
        done
    fi
done
exit $status
