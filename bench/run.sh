#!/bin/sh
# bench/run.sh: seal and unseal against age and gpg on the same files in the
# same run, and against the ceiling this machine allows (not part of
# `make check`).
#
#   age                X25519 + ChaCha20-Poly1305; does not sign
#   gpg -z 0           --sign --encrypt with RSA-3072 keys, no compression;
#                      --decrypt verifies the signature
#   bench/ceiling      SHA-256, AES-256-GCM and both on 16 KiB pieces with
#                      libgcrypt, on 1 and 2 threads: what seal must do per
#                      byte, with nothing else
#
# Every command runs once per round, the rounds interleaved (round r starts
# at the r-th command), and each figure is the median over the rounds:
# wall-clock seconds, CPU seconds (user + system, all processes of the
# command) and peak RSS, measured by bench/ceiling time. A ratio is
# peer time / our time: above 1 we are faster. On a shared machine the wall
# clock is noisy; the CPU-time columns and the ceiling (per-thread CPU time)
# are not, so the table gives both.
#
# seal and unseal fsync the files they write unless --no-fsync; the peers do
# not, so they are also timed as "age ... && sync FILE" (coreutils sync with
# a file argument fsyncs that file only, not the whole machine).
#
# Usage, from a build directory (or with SEAL, UNSEAL, SEAL_KEYGEN, CEILING):
#   sh /path/to/seal/bench/run.sh
#   BENCH_SIZE_MB=256 BENCH_ROUNDS=3 sh bench/run.sh      # quicker
# BENCH_ROUNDS (default 5) rounds on a BENCH_SIZE_MB (default 1024) MiB file,
# BENCH_SMALL_ROUNDS (default 20) for the 1 KiB message, BENCH_RSS_MB (default
# 4096, 0 to skip) for the peak-RSS check through pipes. Commands run under
# BENCH_NICE (default "nice -n 10"). Needs about 6 x BENCH_SIZE_MB of space
# in BENCH_DIR (default /var/tmp). Installs missing peers with apt-get
# (gnupg age jq) when run as root.
set -eu

size_mb=${BENCH_SIZE_MB:-1024}
rounds=${BENCH_ROUNDS:-5}
small_rounds=${BENCH_SMALL_ROUNDS:-20}
rss_mb=${BENCH_RSS_MB:-4096}
nice_cmd=${BENCH_NICE:-nice -n 10}
SEAL=${SEAL:-$(pwd)/src/seal}
UNSEAL=${UNSEAL:-$(pwd)/src/unseal}
SEAL_KEYGEN=${SEAL_KEYGEN:-$(pwd)/src/seal-keygen}
CEILING=${CEILING:-$(pwd)/bench/ceiling}
for p in "$SEAL" "$UNSEAL" "$SEAL_KEYGEN" "$CEILING"; do
    [ -x "$p" ] || { echo "bench: $p not found: run from the build directory or set SEAL, UNSEAL, SEAL_KEYGEN, CEILING" >&2; exit 2; }
done

# ---- peers --------------------------------------------------------------------
missing=
for tool in gpg:gnupg age:age; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "bench: installing$missing"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "bench: missing$missing (apt-get install$missing)" >&2
        exit 2
    fi
fi

W=$(mktemp -d "${BENCH_DIR:-/var/tmp}/seal-bench.XXXXXX")
# The gpg-agent started for the temporary GNUPGHOME goes with it.
trap 'GNUPGHOME="$W/gnupg" gpgconf --kill gpg-agent 2>/dev/null; rm -rf "$W"' EXIT
trap 'exit 1' HUP INT TERM
cd "$W"
umask 077
mkdir res
# Spools go with the rest.
TMPDIR=$W
export TMPDIR

echo "bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $size_mb MiB file, $rounds rounds; work dir $W"
echo "bench: $("$SEAL" -V), $(gpg --version | head -n 1), age $(age --version)"

# ---- keys -----------------------------------------------------------------------
"$SEAL_KEYGEN" -o sender -b 3072 --no-passphrase >/dev/null
"$SEAL_KEYGEN" -o recipient -b 3072 --no-passphrase >/dev/null

export GNUPGHOME="$W/gnupg"
mkdir -m 700 "$GNUPGHOME"
for who in sender recipient; do
    gpg --batch --quiet --passphrase '' --quick-gen-key "$who@bench" rsa3072 sign,cert never
    fpr=$(gpg --list-keys --with-colons "$who@bench" | awk -F: '/^fpr/ {print $10; exit}')
    gpg --batch --quiet --passphrase '' --quick-add-key "$fpr" rsa3072 encr never
done 2>/dev/null
GPG="gpg --batch --yes --quiet --trust-model always"

age-keygen -o age.key 2>/dev/null
age_rcpt=$(age-keygen -y age.key)

SK="-r recipient.pub -s sender.key"
UK="-q -k recipient.key -s sender.pub"

# ---- measuring --------------------------------------------------------------------
# Each command list: NAME|COMMAND, with @IN@ the input file. Names are the
# keys of the table below. Outputs go to @IN@.out*, removed before each run
# (so no run pays for deleting the previous one's file).
commands() {
    cat <<EOF
seal>null|exec $SEAL $SK <@IN@ >/dev/null
age>null|exec age -r $age_rcpt <@IN@ >/dev/null
gpg>null|exec $GPG -z 0 -u sender@bench -r recipient@bench --sign --encrypt -o - @IN@ >/dev/null
seal>file|exec $SEAL $SK -o @IN@.out.seal @IN@
seal-nofsync>file|exec $SEAL --no-fsync $SK -o @IN@.out.seal @IN@
age>file|exec age -r $age_rcpt -o @IN@.out.age @IN@
age+sync>file|age -r $age_rcpt -o @IN@.out.age @IN@ && sync @IN@.out.age
gpg>file|exec $GPG -z 0 -u sender@bench -r recipient@bench --sign --encrypt -o @IN@.out.gpg @IN@
unseal>null|exec $UNSEAL $UK <@IN@.seal >/dev/null
unseal-pipe>null|cat @IN@.seal | $UNSEAL $UK >/dev/null
age-d>null|exec age -d -i age.key <@IN@.age >/dev/null
gpg-d>null|exec $GPG -o - --decrypt @IN@.gpg >/dev/null
unseal>file|exec $UNSEAL $UK -o @IN@.out @IN@.seal
unseal-nofsync>file|exec $UNSEAL --no-fsync $UK -o @IN@.out @IN@.seal
age-d>file|exec age -d -i age.key -o @IN@.out @IN@.age
age-d+sync>file|age -d -i age.key -o @IN@.out @IN@.age && sync @IN@.out
gpg-d>file|exec $GPG -o @IN@.out --decrypt @IN@.gpg
EOF
}

# prepare FILE: the envelopes the decrypting commands read.
prepare() {
    "$SEAL" $SK -o "$1.seal" "$1"
    age -r "$age_rcpt" -o "$1.age" "$1"
    $GPG -z 0 -u sender@bench -r recipient@bench --sign --encrypt -o "$1.gpg" "$1"
}

# run_rounds FILE TAG ROUNDS: every command once per round, interleaved;
# appends "WALL USER SYS RSS_KIB" to res/TAG.NAME per run.
run_rounds() {
    commands | sed "s|@IN@|$1|g" >"$W/cmds"
    n=$(wc -l <"$W/cmds")
    r=0
    while [ "$r" -lt "$3" ]; do
        i=0
        while [ "$i" -lt "$n" ]; do
            line=$(sed -n "$(( (i + r) % n + 1 ))p" "$W/cmds")
            name=${line%%|*}
            cmd=${line#*|}
            rm -f "$1".out*
            if $nice_cmd "$CEILING" time "$cmd" >/dev/null 2>"$W/err"; then
                grep '^time ' "$W/err" | tail -n 1 | cut -d' ' -f2- >>"res/$2.$name"
            else
                echo "bench: $name FAILED: $(grep -v '^time ' "$W/err" | head -n 1)" >&2
            fi
            i=$((i + 1))
        done
        r=$((r + 1))
    done
    rm -f "$1".out*
}

# med TAG NAME FIELD: the median of one column (1 wall, 2 user, 3 sys, 4 RSS,
# 5 user + sys) over the rounds; "-" if the command never succeeded.
med() {
    [ -s "res/$1.$2" ] || { echo -; return; }
    awk -v f="$3" '{print (f == 5) ? $2 + $3 : $f}' "res/$1.$2" | sort -g |
        awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# ---- the ceiling ---------------------------------------------------------------
echo
echo "bench: ceiling (libgcrypt, 16 KiB pieces, 256 MiB per thread)"
$nice_cmd "$CEILING" rates 256 >ceiling.txt
awk '{printf "  %-11s %d thread%s  %6d MB/s wall  %6d MB/s per CPU-second\n", $2, $3, ($3 > 1 ? "s" : " "), $4, $5}' ceiling.txt
ceil_wall2=$(awk '$2 == "sha256+gcm" && $3 == 2 {print $4}' ceiling.txt)
ceil_cpu=$(awk '$2 == "sha256+gcm" && $3 == 1 {print $5}' ceiling.txt)

# ---- 1 KiB: latency -------------------------------------------------------------
head -c 1024 /dev/urandom >small
prepare small
run_rounds small small "$small_rounds"
for _ in $(seq "$small_rounds"); do
    $nice_cmd "$CEILING" time "exec $SEAL -V >/dev/null" 2>>"$W/err.start" >/dev/null
done
start_ms=$(grep '^time ' "$W/err.start" | awk '{print $2 * 1000}' | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
$nice_cmd "$CEILING" split sender.key recipient.pub recipient.key sender.pub "$small_rounds" >split.txt

# ---- the big file: throughput ------------------------------------------------------
echo
echo "bench: generating a $size_mb MiB file"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >big
prepare big
run_rounds big big "$rounds"
bytes=$((size_mb * 1024 * 1024))

# ---- peak RSS through pipes at BENCH_RSS_MB ------------------------------------------
rss_seal=- rss_unseal=- rss_unseal_pipe=-
if [ "$rss_mb" -gt 0 ]; then
    echo "bench: peak RSS at $rss_mb MiB (through pipes)"
    $nice_cmd "$CEILING" time "head -c ${rss_mb}M /dev/zero | $SEAL $SK >huge.seal" 2>rss1 >/dev/null
    rss_seal=$(awk '/^time / {printf "%.1f", $5 / 1024}' rss1)
    $nice_cmd "$CEILING" time "exec $UNSEAL $UK <huge.seal >/dev/null" 2>rss2 >/dev/null
    rss_unseal=$(awk '/^time / {printf "%.1f", $5 / 1024}' rss2)
    $nice_cmd "$CEILING" time "cat huge.seal | $UNSEAL $UK >/dev/null" 2>rss3 >/dev/null
    rss_unseal_pipe=$(awk '/^time / {printf "%.1f", $5 / 1024}' rss3)
    rm -f huge.seal
fi

# ---- the table ---------------------------------------------------------------------
# row TAG OURS PEER LABEL TARGET: one line: our median wall time, CPU %, MB/s,
# CPU seconds, the peer's wall and CPU seconds, the wall ratio and the CPU
# ratio (peer / ours), the target ratio.
row() {
    t=$(med "$1" "$2" 1)
    c=$(med "$1" "$2" 5)
    rss=$(med "$1" "$2" 4)
    pt=$(med "$1" "$3" 1)
    pc=$(med "$1" "$3" 5)
    awk -v tag="$1" -v label="$4" -v t="$t" -v c="$c" -v pt="$pt" -v pc="$pc" -v peer="$3" \
        -v b="$bytes" -v target="$5" -v rss="$rss" 'BEGIN {
        if (t == "-" || pt == "-") { printf "%-30s FAILED\n", label; exit }
        if (tag == "small")
            printf "%-30s %8.1fms %5.0f%% %8s %7.1fMiB  %-16s %8.1fms %6.2f %6.2f  %s\n", label,
                t * 1000, 100 * c / t, "-", rss / 1024, peer, pt * 1000, pt / t, pc / c, target
        else
            printf "%-30s %9.3fs %5.0f%% %8.0f %7.1fMiB  %-16s %9.3fs %6.2f %6.2f  %s\n", label,
                t, 100 * c / t, b / t / 1e6, rss / 1024, peer, pt, pt / t, pc / c, target
    }'
}

header() {
    echo
    echo "== $1"
    printf '%-30s %10s %6s %8s %10s  %-16s %10s %6s %6s  %s\n' "row (ours)" "median" "CPU" "MB/s" \
        "peak RSS" "peer" "peer" "x wall" "x CPU" "target"
}

header "1 KiB message: latency, median of $small_rounds interleaved rounds"
row small 'seal>null' 'gpg>null' "seal -> stdout" ">= 1.0"
row small 'unseal>null' 'gpg-d>null' "unseal -> stdout" ">= 1.0"
row small 'seal-nofsync>file' 'gpg>file' "seal --no-fsync -> file" ">= 1.0"
row small 'unseal-nofsync>file' 'gpg-d>file' "unseal --no-fsync -> file" ">= 1.0"
row small 'seal>file' 'gpg>file' "seal -> file (fsync)" "(gpg: no fsync)"
row small 'unseal>file' 'gpg-d>file' "unseal -> file (fsync)" "(gpg: no fsync)"
row small 'seal>null' 'age>null' "seal -> stdout" "(age)"
row small 'unseal>null' 'age-d>null' "unseal -> stdout" "(age)"
echo "split of a 1 KiB seal / unseal (milliseconds, medians; bench/ceiling split):"
awk -v s="$start_ms" 'BEGIN {printf "  process start (seal -V)      %6.2f\n", s}
    {printf "  %-28s %6.2f\n", $2, $3}' split.txt
awk -v s="$start_ms" -v ts="$(med small 'seal>null' 1)" -v tu="$(med small 'unseal>null' 1)" '
    {v[$2] = $3}
    END {
        se = s + v["crypto-init"] + v["load-sender-key"] + v["load-recipient-pub"] + v["rsa-oaep-encrypt"] + v["rsa-pss-sign"]
        un = s + v["crypto-init"] + v["load-recipient-key"] + v["load-sender-pub"] + v["rsa-oaep-decrypt"] + v["rsa-pss-verify"]
        printf "  seal:   start + init + keys + RSA = %.2f of %.2f ms (RSA-PSS sign %.2f)\n", se, ts * 1000, v["rsa-pss-sign"]
        printf "  unseal: start + init + keys + RSA = %.2f of %.2f ms (RSA-OAEP decrypt %.2f)\n", un, tu * 1000, v["rsa-oaep-decrypt"]
    }' split.txt

header "$size_mb MiB file in the page cache: median of $rounds interleaved rounds"
row big 'seal>null' 'age>null' "seal -> /dev/null" ">= 1.0"
row big 'seal>null' 'gpg>null' "seal -> /dev/null" "(gpg)"
row big 'seal>file' 'age+sync>file' "seal -> file (fsync)" ">= 1.0"
row big 'seal-nofsync>file' 'age>file' "seal --no-fsync -> file" ">= 1.0"
row big 'seal>file' 'gpg>file' "seal -> file (fsync)" "(gpg)"
row big 'unseal>null' 'age-d>null' "unseal -> /dev/null (file)" ">= 1.0"
row big 'unseal-pipe>null' 'age-d>null' "unseal -> /dev/null (pipe)" "(age)"
row big 'unseal>null' 'gpg-d>null' "unseal -> /dev/null (file)" ">= 2.0"
row big 'unseal-pipe>null' 'gpg-d>null' "unseal -> /dev/null (pipe)" ">= 2.0"
row big 'unseal>file' 'age-d+sync>file' "unseal -> file (fsync)" ">= 1.0"
row big 'unseal-nofsync>file' 'age-d>file' "unseal --no-fsync -> file" ">= 1.0"
row big 'unseal>file' 'gpg-d>file' "unseal -> file (fsync)" "(gpg)"

echo
echo "== against the ceiling (target: >= 80 % of the two-core SHA-256 + GCM rate)"
echo "   two-core ceiling: $ceil_wall2 MB/s measured on 2 threads now; $((2 * ceil_cpu)) MB/s = 2 x $ceil_cpu per CPU-second"
for n in 'seal>null' 'seal-nofsync>file' 'unseal>null' 'unseal-nofsync>file'; do
    t=$(med big "$n" 1)
    c=$(med big "$n" 5)
    awk -v n="$n" -v t="$t" -v c="$c" -v b="$bytes" -v w2="$ceil_wall2" -v cc="$ceil_cpu" 'BEGIN {
        if (t == "-") exit
        passes = (n ~ /^unseal>null/) ? 2 : 1   # to stdout from a file: verify, then release
        printf "   %-22s %6.0f MB/s = %3.0f %% of %d (wall); SHA-256 + GCM is %3.0f %% of its %.2f CPU-s%s\n",
            n, b / t / 1e6, 100 * b / t / 1e6 / w2, w2, 100 * passes * b / (cc * 1e6) / c, c,
            (passes > 1 ? " (two passes)" : "")
    }'
done
echo
echo "peak RSS at $rss_mb MiB through pipes: seal $rss_seal MiB, unseal (file -> stdout) $rss_unseal MiB, unseal (pipe -> stdout) $rss_unseal_pipe MiB (target <= 32)"
echo
echo "x wall / x CPU: peer's median wall-clock / CPU seconds over ours (> 1: we are faster)."
echo "CPU: user + system over wall time (200 % = both cores busy all the time)."
echo "gpg signs and decrypts in gpg-agent, which is not its child: its CPU time"
echo "leaves out the RSA operations (x CPU against gpg is not comparable)."
echo "The SHA-256 + GCM share is the CPU time the ceiling program needs for the same"
echo "bytes over the CPU time the row used: the rest is reading, writing, threads."
