#!/bin/sh
# bench/run.sh: seal and unseal against the tools a user would pick instead,
# on the same files in the same run (not part of `make check`).
#
#   gpg --sign --encrypt   RSA-3072 keys, with -z 0 and with default compression,
#                          and gpg --decrypt (which verifies the signature)
#   age                    X25519 encrypt / decrypt (age does not sign)
#   openssl cms            -sign | -encrypt and -decrypt | -verify, RSA-3072
#
# seal and unseal write files as users run them: to a temporary file that is
# fsynced before it is renamed into place (the peers do not fsync); the "to
# stdout" rows show them without that, unseal through its encrypted spool.
#
# For a large file (BENCH_SIZE_MB, default 1024) it prints throughput in MB/s
# (10^6 bytes per second of the median wall-clock time over BENCH_RUNS
# hyperfine runs, default 3), the ratio to seal (or unseal), and the peak RSS
# (/usr/bin/time -v; for a pipeline, that of its largest process). For a
# 1 KiB file it prints the median latency in milliseconds.
#
# Usage, from a build directory (or with SEAL, UNSEAL, SEAL_KEYGEN set):
#   sh /path/to/seal/bench/run.sh
#   BENCH_SIZE_MB=256 sh bench/run.sh          # quicker
# Needs about 4 x BENCH_SIZE_MB of space in BENCH_DIR (default /var/tmp).
# Installs missing peers with apt-get (gnupg age openssl hyperfine time jq)
# when run as root.
set -eu

size_mb=${BENCH_SIZE_MB:-1024}
runs=${BENCH_RUNS:-3}
small_runs=${BENCH_SMALL_RUNS:-20}
SEAL=${SEAL:-$(pwd)/src/seal}
UNSEAL=${UNSEAL:-$(pwd)/src/unseal}
SEAL_KEYGEN=${SEAL_KEYGEN:-$(pwd)/src/seal-keygen}
for p in "$SEAL" "$UNSEAL" "$SEAL_KEYGEN"; do
    [ -x "$p" ] || { echo "bench: $p not found: run from the build directory or set SEAL, UNSEAL, SEAL_KEYGEN" >&2; exit 2; }
done

# ---- peers --------------------------------------------------------------------
missing=
for tool in gpg:gnupg age:age openssl:openssl hyperfine:hyperfine jq:jq; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
done
[ -x /usr/bin/time ] || missing="$missing time"
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

echo "bench: $(nproc) cores, $size_mb MiB file, $runs runs; work dir $W"
echo "bench: $("$SEAL" -V), $(gpg --version | head -n 1), age $(age --version), $(openssl version)"

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

for who in sender recipient; do
    openssl req -x509 -newkey rsa:3072 -nodes -keyout "cms-$who.key" -out "cms-$who.crt" \
        -subj "/CN=$who" -days 2 2>/dev/null
done

# ---- the commands ----------------------------------------------------------------
# Each entry: NAME|SIDE|NEEDS|COMMAND, with @IN@ the input file; SIDE is
# "enc" or "dec" (ratios against seal or unseal); NEEDS names the command
# whose output a "dec" command reads (documentation only: they run in order).
commands() {
    cat <<EOF
seal|enc|-|$SEAL -f -r recipient.pub -s sender.key -o @IN@.seal @IN@
unseal|dec|seal|$UNSEAL -q -f -k recipient.key -s sender.pub -o @IN@.unseal @IN@.seal
seal to stdout (no fsync)|enc|-|$SEAL -r recipient.pub -s sender.key <@IN@ >@IN@.seal2
unseal to stdout (spooled)|dec|seal to stdout (no fsync)|$UNSEAL -q -k recipient.key -s sender.pub <@IN@.seal2 >@IN@.seal2.out
gpg -z0 sign+encrypt|enc|-|$GPG -z 0 -u sender@bench -r recipient@bench --sign --encrypt -o @IN@.gpg0 @IN@
gpg -z0 decrypt+verify|dec|gpg -z0 sign+encrypt|$GPG -o @IN@.gpg0.out --decrypt @IN@.gpg0
gpg sign+encrypt (default compression)|enc|-|$GPG -u sender@bench -r recipient@bench --sign --encrypt -o @IN@.gpg @IN@
gpg decrypt+verify (default compression)|dec|gpg sign+encrypt (default compression)|$GPG -o @IN@.gpg.out --decrypt @IN@.gpg
age encrypt (no signature)|enc|-|age -r $age_rcpt -o @IN@.age @IN@
age decrypt (no signature)|dec|age encrypt (no signature)|age -d -i age.key -o @IN@.age.out @IN@.age
openssl cms sign+encrypt|enc|-|openssl cms -sign -binary -nodetach -in @IN@ -signer cms-sender.crt -inkey cms-sender.key -outform DER | openssl cms -encrypt -binary -aes-256-cbc -inform DER -outform DER -out @IN@.cms cms-recipient.crt
openssl cms decrypt+verify|dec|openssl cms sign+encrypt|openssl cms -decrypt -binary -inform DER -in @IN@.cms -recip cms-recipient.crt -inkey cms-recipient.key -outform DER | openssl cms -verify -binary -inform DER -CAfile cms-sender.crt -purpose any -out @IN@.cms.out
seal to /dev/null|enc0|-|$SEAL -r recipient.pub -s sender.key <@IN@ >/dev/null
gpg -z0 sign+encrypt to /dev/null|enc0|-|$GPG -z 0 -u sender@bench -r recipient@bench --sign --encrypt -o - @IN@ >/dev/null
age encrypt to /dev/null|enc0|-|age -r $age_rcpt @IN@ >/dev/null
unseal to /dev/null (spooled)|dec0|seal|$UNSEAL -q -k recipient.key -s sender.pub <@IN@.seal >/dev/null
gpg -z0 decrypt+verify to /dev/null|dec0|gpg -z0 sign+encrypt|$GPG -o - --decrypt @IN@.gpg0 >/dev/null
age decrypt to /dev/null|dec0|age encrypt (no signature)|age -d -i age.key @IN@.age >/dev/null
EOF
}

# median_seconds JSON: the median of a hyperfine export.
median_seconds() {
    jq -r '.results[0].median' "$1"
}

# peak_rss_kib CMD: the peak resident set size of CMD (largest process).
peak_rss_kib() {
    /usr/bin/time -v sh -c "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'
}

# bench_file FILE BYTES RUNS LABEL WARMUP: runs every command on FILE, prints a table.
bench_file() {
    file=$1
    bytes=$2
    n=$3
    label=$4
    warmup=$5
    echo
    echo "== $label ($bytes bytes, median of $n runs)"
    printf '%-42s %10s %10s %9s %10s\n' "command" "time" "MB/s" "x seal" "peak RSS"
    seal_t=
    unseal_t=
    seal0_t=
    unseal0_t=
    commands | while IFS='|' read -r name side _dep cmd; do
        c=$(printf '%s' "$cmd" | sed "s|@IN@|$file|g")
        # One untimed run checks that it works and makes the input of the
        # next (decrypting) command.
        if ! sh -c "$c" >/dev/null 2>"$W/err"; then
            printf '%-42s %s\n' "$name" "FAILED: $(head -n 1 "$W/err")"
            continue
        fi
        hyperfine --style none --warmup "$warmup" --runs "$n" --export-json "$W/h.json" \
            "$c" >/dev/null 2>&1 || { printf '%-42s %s\n' "$name" "FAILED under hyperfine"; continue; }
        t=$(median_seconds "$W/h.json")
        case $name in
        seal) seal_t=$t ;;
        unseal) unseal_t=$t ;;
        "seal to /dev/null") seal0_t=$t ;;
        "unseal to /dev/null"*) unseal0_t=$t ;;
        esac
        case $side in
        enc) ref=$seal_t ;;
        dec) ref=$unseal_t ;;
        enc0) ref=$seal0_t ;;
        dec0) ref=$unseal0_t ;;
        esac
        # Throughput means nothing for 1 KiB: there only the time counts.
        rate=$(awk -v b="$bytes" -v t="$t" 'BEGIN {if (b < 1e6) print "-"; else printf "%.1f", b / t / 1e6}')
        # Same bytes, so the throughput ratio is the inverse time ratio.
        ratio=$(awk -v r="$ref" -v t="$t" 'BEGIN {printf "%.2f", r / t}')
        rss=$(peak_rss_kib "$c")
        printf '%-42s %8.1fms %10s %9s %7.1fMiB\n' "$name" \
            "$(awk -v t="$t" 'BEGIN {print t * 1000}')" "$rate" "$ratio" \
            "$(awk -v k="$rss" 'BEGIN {print k / 1024}')"
        # Free the space of outputs no longer needed.
        case $side in dec) rm -f "$file".*.out "$file".unseal ;; esac
        case $name in "unseal to stdout"*) rm -f "$file".seal2 ;; esac
    done
}

head -c 1024 /dev/urandom >small
bench_file small 1024 "$small_runs" "1 KiB message: latency" 3

echo
echo "bench: generating a $size_mb MiB file"
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >big
bench_file big "$((size_mb * 1024 * 1024))" "$runs" "$size_mb MiB file: throughput" 0
echo
echo "x seal: throughput relative to seal (sealing side) or unseal (opening side),"
echo "and for the '/dev/null' rows relative to seal / unseal to /dev/null (no disk"
echo "writes: the processing speed alone; unseal still spools, which is its"
echo "guarantee). Above 1 is faster than seal. Peak RSS of a pipeline is its largest"
echo "process. seal and unseal fsync the files they write; the peers do not."
