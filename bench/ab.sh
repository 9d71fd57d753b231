#!/bin/sh
# bench/ab.sh: the same seal and unseal runs with two builds, to show that a
# change left their speed alone (not part of `make check`).
#
#   sh bench/ab.sh OLD_SRC_DIR NEW_SRC_DIR [ROUNDS]
#
# OLD_SRC_DIR and NEW_SRC_DIR each hold built programs (the src/ of two
# build trees, e.g. a scratch build of the base commit). Sealing and
# unsealing 1 KiB and 256 MiB with 3072-bit keys (--no-fsync, so the disk's
# flush time does not drown the difference), with hyperfine -N, the builds
# interleaved: each round runs both, the first one alternating. Prints, per
# case, the median wall-clock time and the median CPU time (user + system)
# of each build and new / old: below 1 the new build is faster (hyperfine's
# own warnings about outliers are kept out of the way). On a shared
# machine the wall clock is noisy; the CPU time is less so.
set -eu
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
rounds=${3:-6}
command -v hyperfine >/dev/null || { echo "bench/ab.sh: needs hyperfine" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/seal-ab.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
"$old/seal-keygen" -o a -b 3072 --no-passphrase >/dev/null
"$old/seal-keygen" -o b -b 3072 --no-passphrase >/dev/null
head -c 1024 /dev/urandom >small
head -c 268435456 /dev/urandom >big
"$old/seal" -r b.pub -s a.key -o small.seal small
"$old/seal" -r b.pub -s a.key -o big.seal big
i=0
while [ "$i" -lt "$rounds" ]; do
    i=$((i + 1))
    for case in seal-small seal-big unseal-small unseal-big; do
        case $case in
        seal-*) args="-r b.pub -s a.key -f --no-fsync -o out.seal ${case#seal-}" ;;
        unseal-*) args="-k b.key -s a.pub -f --no-fsync -q -o out.plain ${case#unseal-}.seal" ;;
        esac
        case $case in *-small) runs=15 ;; *) runs=2 ;; esac
        prog=${case%%-*}
        if [ $((i % 2)) -eq 0 ]; then a=old b=new; else a=new b=old; fi
        eval "pa=\$$a pb=\$$b"
        # shellcheck disable=SC2154 # pa, pb: set by eval
        hyperfine -N --warmup 1 --runs "$runs" --export-json "r$i-$case.json" \
            -n "$a" "$pa/$prog $args" -n "$b" "$pb/$prog $args" >/dev/null 2>>"$T/hyperfine.err"
    done
done
python3 - "$T" <<'PY'
import collections, glob, json, statistics, sys
wall = collections.defaultdict(lambda: collections.defaultdict(list))
cpu = collections.defaultdict(lambda: collections.defaultdict(list))
for f in glob.glob(sys.argv[1] + "/r*-*.json"):
    case = f.rsplit("/", 1)[1].split("-", 1)[1][:-5]
    for r in json.load(open(f))["results"]:
        wall[case][r["command"]].extend(r["times"])
        cpu[case][r["command"]].append(r["user"] + r["system"])
print("%-13s %12s %12s %7s %12s %12s %7s" % ("case", "wall old", "wall new", "ratio",
                                           "cpu old", "cpu new", "ratio"))
for case in ("seal-small", "seal-big", "unseal-small", "unseal-big"):
    wo, wn = (statistics.median(wall[case][k]) for k in ("old", "new"))
    co, cn = (statistics.median(cpu[case][k]) for k in ("old", "new"))
    print("%-13s %9.1f ms %9.1f ms %7.3f %9.1f ms %9.1f ms %7.3f"
          % (case, wo * 1e3, wn * 1e3, wn / wo, co * 1e3, cn * 1e3, cn / co))
PY
