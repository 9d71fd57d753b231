#!/bin/sh
# bench/bounds.sh: the cost of the worst inputs seal's caps allow, measured
# (peak RSS and CPU time of one process, with /usr/bin/time). Not part of
# `make check`: the figures are timings.
#
#   header      the largest header seal(5) allows: 64 stanzas of 1024 bytes
#               (67723 bytes), the recipient's own the last, an RSA-8192 key
#   recipients  64 recipients (2048-bit keys): seal, then unseal as the last
#   scrypt      an encrypted PKCS#8 key at the scrypt cap (N = 2^20, r = 8,
#               p = 1: N * p <= 2^20 and 128 * r * N <= 1 GiB)
#   pbkdf2      the same at the PBKDF2 cap (10^7 iterations, HMAC-SHA-256)
#   trust dir   unseal -s DIR with 4,096 keys (the cap), RSA-8192: the
#               sender's key sorted last, an untrusted sender, the sender's
#               key sorted first (keys are read lazily, in name order, until
#               the sender's is found)
#   cut 10 GB   a 10 GiB message sealed to a pipe and cut after
#               BENCH_CUT_MB MiB: unseal -o FILE, and unseal --listen with
#               --max-size BENCH_LISTEN_MB MiB receiving the same stream
#   fetch       unseal --fetch from a fake listener that announces
#               "ENVELOPE n" of 10 GiB, then of 1 GiB and sends 1 MiB (the
#               one place where the wire announces a size)
#
# The other recipients' stanzas and the trust directory's keys are RSA
# public keys with random odd moduli (a public key cannot be told from a
# real one; seal encrypts to them and unseal parses and fingerprints them),
# so nothing but the one recipient key needs generating. The KDF key files
# hold a ciphertext that is not a key: the derivation runs in full, then the
# decryption fails (exit 4), which is when a real key would be parsed.
#
# Usage, from a build directory (or with SEAL, UNSEAL, SEAL_KEYGEN set):
#   sh /path/to/seal/bench/bounds.sh
# BENCH_DIR (default /var/tmp) holds the work files (about 20 MB, plus the
# cut stream's BENCH_CUT_MB, default 256, when unsealed to a file) and
# BENCH_CACHE (default $BENCH_DIR/seal-bounds-cache) the RSA-8192 recipient
# key, generated once (openssl genrsa, about a minute). Commands run under
# BENCH_NICE (default "nice -n 10"). Needs python3 and openssl.
#
# Figures from one run (a 2-core VM shared with other jobs, load about 10:
# the wall clock is inflated, CPU = user + sys is the figure to read;
# Debian 12, libgcrypt 1.10.1):
#
#   case                                      exit  wall s  CPU s  peak RSS
#   seal: header 64 x 1024 B (67723 B)           0    0.54   0.06    4.4 MiB
#   unseal: header 67723 B, own stanza last      0    0.93   0.16    6.0 MiB
#   seal: 64 recipients (RSA-2048)               0    0.04   0.01    4.1 MiB
#   unseal: 64 recipients, own last              0    0.03   0.00    5.8 MiB
#   scrypt N=2^20 r=8 p=1 (the cap)              4   13.19   4.47 1026.8 MiB
#   PBKDF2-SHA256 10^7 iterations                4    7.41   2.60    2.9 MiB
#   trust dir 4096 keys, sender last             0    2.35   0.42   19.7 MiB
#   trust dir 4096 keys, untrusted               6    1.79   0.39   19.7 MiB
#   trust dir 4096 keys, sender first            0    0.10   0.01    6.4 MiB
#   10 GiB sealed, cut at 256 MiB: -o FILE       1    1.54   0.56   20.1 MiB
#   10 GiB stream to --listen, 64M cap           -    3.39   0.34    5.1 MiB
#   fetch: ENVELOPE 10 GiB announced, 1 MiB     10*   0.09   0.01    6.2 MiB
#   fetch: ENVELOPE 1 GiB announced, 1 MiB       8    0.03   0.01    6.0 MiB
#   (* measured before 3127d6c; that refusal now exits 3, malformed input)
#
# The header and the recipient count cost one RSA decryption (only the
# stanza with the key's fingerprint is unwrapped); the KDF caps are the
# largest costs a file can ask for (scrypt: 1 GiB); 4,096 trusted keys cost
# about 0.1 ms of CPU each and 13 MiB of peak RSS together (19.7 - 6.4), and only as many are read as
# it takes to find the sender. The cut stream ends in an authentication
# failure (R10: the remnant of chunk 16367), with no output file, after
# decrypting what arrived, in constant memory. The listener answered
# "ERR perm too big" at 64 MiB without decrypting anything (its log: "ERR
# perm too big (Provided object is too large)"); the sender got further,
# 471 MiB, because the listener drops what still arrives for 2 s after its
# answer so that the answer is not lost in a reset. A fetch client refuses
# an announced size over its --max-size before reading a byte of it ("the
# listener sent something unexpected"), and one that stops early is
# "dropped midway"; neither allocates for the size announced.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
SEAL=${SEAL:-./src/seal}
UNSEAL=${UNSEAL:-./src/unseal}
SEAL_KEYGEN=${SEAL_KEYGEN:-./src/seal-keygen}
for p in "$SEAL" "$UNSEAL" "$SEAL_KEYGEN"; do
    [ -x "$p" ] || { echo "bounds.sh: $p not built (run from a build directory)" >&2; exit 2; }
done
SEAL=$(cd "$(dirname "$SEAL")" && pwd)/$(basename "$SEAL")
UNSEAL=$(cd "$(dirname "$UNSEAL")" && pwd)/$(basename "$UNSEAL")
SEAL_KEYGEN=$(cd "$(dirname "$SEAL_KEYGEN")" && pwd)/$(basename "$SEAL_KEYGEN")
[ -x /usr/bin/time ] || { echo "bounds.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
for p in python3 openssl; do
    command -v "$p" >/dev/null || { echo "bounds.sh: needs $p" >&2; exit 2; }
done
nice_cmd=${BENCH_NICE:-nice -n 10}
cut_mb=${BENCH_CUT_MB:-256}
listen_mb=${BENCH_LISTEN_MB:-64}
base=${BENCH_DIR:-/var/tmp}
cache=${BENCH_CACHE:-$base/seal-bounds-cache}
W=$(mktemp -d "$base/seal-bounds.XXXXXX")
LPID=
cleanup() {
    [ -z "$LPID" ] || kill -9 "$LPID" 2>/dev/null || :
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
umask 077
TMPDIR=$W
export TMPDIR

kit=$top/tests/testkit/keys
for k in alice bob mallory; do
    cp "$kit/$k.key" "$kit/$k.pub" "$W/"
done
chmod 600 "$W"/*.key
echo "a short message" >"$W/msg"

# Public keys with random moduli and KDF key files (tests/hardening/derkeys.py).
fake_pubs() { python3 "$top/tests/hardening/derkeys.py" fake-pubs "$@"; }
kdf_key() {
    if [ "$2" = scrypt ]; then
        python3 "$top/tests/hardening/derkeys.py" epki "$1" scrypt 1048576 8 1
    else
        python3 "$top/tests/hardening/derkeys.py" epki "$1" pbkdf2 10000000
    fi
}

rows=$W/rows
: >"$rows"
# measure NAME NOTE CMD...: runs CMD (stdin from $W/stdin if it exists,
# stdout and stderr to $W/out and $W/err) under /usr/bin/time and adds a row.
measure() {
    name=$1
    note=$2
    shift 2
    st=0
    if [ -e "$W/stdin" ]; then
        $nice_cmd /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" <"$W/stdin" >"$W/out" \
            2>"$W/err" || st=$?
    else
        $nice_cmd /usr/bin/time -f '%e %U %S %M' -o "$W/time" "$@" </dev/null >"$W/out" \
            2>"$W/err" || st=$?
    fi
    # "@err": the first line of the command's stderr.
    [ "$note" != "@err" ] || note=$(head -n 1 "$W/err" | sed "s|$W/||g" | cut -c 1-100)
    row "$name" "$st" "$(tail -n 1 "$W/time")" "$note"
}
# row NAME STATUS "WALL USER SYS RSS_KB" NOTE
row() {
    echo "$3" | awk -v n="$1" -v s="$2" -v note="$4" \
        '{ printf "%-42s %4s %7.2f %6.2f %7.1f MiB  %s\n", n, s, $1, $2 + $3, $4 / 1024, note }' \
        >>"$rows"
    tail -n 1 "$rows"
}

echo "bounds.sh: work files in $W"

# ---- the largest header ------------------------------------------------------
mkdir -p "$cache"
if [ ! -f "$cache/rcpt8192.key" ]; then
    echo "bounds.sh: generating an RSA-8192 key in $cache (once; about a minute)"
    $nice_cmd openssl genrsa -out "$cache/rcpt8192.key.tmp" 8192 2>/dev/null
    mv "$cache/rcpt8192.key.tmp" "$cache/rcpt8192.key"
fi
cp "$cache/rcpt8192.key" "$W/r8192.key"
chmod 600 "$W/r8192.key"
# seal -r DIR takes the directory's keys in name order: the real one last.
fake_pubs "$W/other8192" 63 8192 other
openssl pkey -in "$W/r8192.key" -pubout -out "$W/other8192/zz-own.pub" 2>/dev/null
measure "seal: header 64 x 1024 B (67723 B)" "63 + 1 RSA-8192 stanzas" \
    "$SEAL" -r "$W/other8192" -s "$W/alice.key" --no-fsync -o "$W/h.seal" "$W/msg"
hdr=$(python3 -c "import sys; d=open(sys.argv[1],'rb').read(); n=int.from_bytes(d[9:11],'big')
o=11
for i in range(n): o += 34 + int.from_bytes(d[o+32:o+34],'big')
print(o)" "$W/h.seal")
measure "unseal: header $hdr B, own stanza last" "$(wc -c <"$W/h.seal") B envelope" \
    "$UNSEAL" -k "$W/r8192.key" -s "$W/alice.pub" --no-fsync -o "$W/h.out" "$W/h.seal"
rm -f "$W/h.out"

# ---- the most recipients -----------------------------------------------------
fake_pubs "$W/other2048" 63 2048 other
cp "$W/bob.pub" "$W/other2048/zz-bob.pub"
measure "seal: 64 recipients (RSA-2048)" "64 OAEP wraps" \
    "$SEAL" -r "$W/other2048" -s "$W/alice.key" --no-fsync -o "$W/r.seal" "$W/msg"
measure "unseal: 64 recipients, own last" "$(wc -c <"$W/r.seal") B envelope" \
    "$UNSEAL" -k "$W/bob.key" -s "$W/alice.pub" --no-fsync -o "$W/r.out" "$W/r.seal"
rm -f "$W/r.out"

# ---- the largest key-derivation cost -------------------------------------------
echo "bench passphrase" >"$W/pw"
kdf_key "$W/scrypt.key" scrypt
kdf_key "$W/pbkdf2.key" pbkdf2
measure "scrypt N=2^20 r=8 p=1 (the cap)" @err \
    "$SEAL_KEYGEN" -y "$W/scrypt.key" --passphrase-file "$W/pw"
measure "PBKDF2-SHA256 10^7 iterations" @err \
    "$SEAL_KEYGEN" -y "$W/pbkdf2.key" --passphrase-file "$W/pw"

# ---- a trust directory of 4,096 keys ---------------------------------------------
fake_pubs "$W/trust" 4095 8192 key
"$SEAL" -r "$W/bob.pub" -s "$W/alice.key" --no-fsync -o "$W/a.seal" "$W/msg"
"$SEAL" -r "$W/bob.pub" -s "$W/mallory.key" --no-fsync -o "$W/m.seal" "$W/msg"
cp "$W/alice.pub" "$W/trust/zzz-alice.pub"
measure "trust dir 4096 keys, sender last" "4096 keys read" \
    "$UNSEAL" -k "$W/bob.key" -s "$W/trust" --no-fsync -o "$W/t.out" "$W/a.seal"
rm -f "$W/t.out"
measure "trust dir 4096 keys, untrusted" "4096 keys read, refused" \
    "$UNSEAL" -k "$W/bob.key" -s "$W/trust" --no-fsync -o "$W/t.out" "$W/m.seal"
mv "$W/trust/zzz-alice.pub" "$W/trust/000-alice.pub"
measure "trust dir 4096 keys, sender first" "1 key read (lazy)" \
    "$UNSEAL" -k "$W/bob.key" -s "$W/trust" --no-fsync -o "$W/t.out" "$W/a.seal"
rm -f "$W/t.out"

# ---- a 10 GiB stream that stops early ---------------------------------------------
# The format has no length field: a stream "declares" nothing, and a cut is
# found where the input ends (R10/R11). What it costs is what arrived.
fifo=$W/cut.fifo
mkfifo "$fifo"
(head -c 10G /dev/zero | $nice_cmd "$SEAL" -r "$W/bob.pub" -s "$W/alice.key" 2>/dev/null |
    head -c "${cut_mb}M" >"$fifo") &
cutter=$!
ln -s "$fifo" "$W/stdin"
measure "10 GiB sealed, cut at $cut_mb MiB: -o FILE" @err \
    "$UNSEAL" -k "$W/bob.key" -s "$W/alice.pub" --no-fsync -o "$W/cut.out"
rm -f "$W/stdin"
wait "$cutter" 2>/dev/null || :
[ ! -e "$W/cut.out" ] || echo "    (an output file was left!)"

# The same stream to a listener with --max-size: refused as the bytes
# arrive, before anything is decrypted.
mkdir "$W/trusted"
cp "$W/alice.pub" "$W/trusted/"
$nice_cmd "$UNSEAL" -k "$W/bob.key" -s "$W/trusted" --listen 127.0.0.1:0 -d "$W/inbox" \
    --max-size "${listen_mb}M" --no-fsync 2>"$W/listen.log" &
LPID=$!
i=0
until grep -q "listening on" "$W/listen.log" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le 200 ] || { echo "bounds.sh: the listener did not start" >&2; exit 1; }
    sleep 0.05
done
port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\)[ ,].*/\1/p' "$W/listen.log" | head -n 1)
# The listener's own CPU time (clock ticks) and peak RSS (VmHWM), from
# /proc just before it is stopped: /usr/bin/time would sit between the
# signal and the listener.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
t0=$(ticks "$LPID")
w0=$(date +%s.%N)
head -c 10G /dev/zero | $nice_cmd "$SEAL" -r "$W/bob.pub" -s "$W/alice.key" 2>/dev/null |
    python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
sent = 0
try:
    while True:
        b = sys.stdin.buffer.read(65536)
        if not b:
            break
        s.sendall(b)
        sent += len(b)
    s.shutdown(socket.SHUT_WR)
except OSError:
    pass
reply = b""
try:
    reply = s.recv(300)
except OSError:
    pass
print("%d MiB sent; reply %r" % (sent >> 20, reply.decode(errors="replace").strip()))
' "$port" >"$W/sender.out" 2>&1 || :
sleep 0.5 # the listener logs after its reply
w1=$(date +%s.%N)
t1=$(ticks "$LPID")
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$LPID/status")
hz=$(getconf CLK_TCK)
kill -TERM "$LPID"
wait "$LPID" || :
LPID=
row "10 GiB stream to --listen, ${listen_mb}M cap" "-" \
    "$(echo "$w0 $w1 $t0 $t1 $hz $hwm" | awk '{ print $2 - $1, ($4 - $3) / $5, 0, $6 }')" \
    "the listener; sender: $(cat "$W/sender.out")"
grep "refused" "$W/listen.log" | head -n 1 | sed 's/^/    listener log: /'
[ -z "$(ls -A "$W/inbox/new" 2>/dev/null)" ] || echo "    (something was delivered!)"

# An outbox fetch, where the listener does announce a size ("ENVELOPE n"):
# a fake listener announces 10 GiB (over the client's --max-size, 2 GiB by
# default), then 1 GiB and sends 1 MiB of it before closing.
fake_outbox() {
    python3 -c '
import socket, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
c, _ = srv.accept()
buf = b""
c.settimeout(20)
while b"-----END SEALED MESSAGE-----" not in buf:
    b = c.recv(65536)
    if not b:
        break
    buf += b
c.sendall(b"ENVELOPE %d\n" % int(sys.argv[1]))
left = int(sys.argv[2])
try:
    while left > 0:
        n = min(left, 65536)
        c.sendall(b"\0" * n)
        left -= n
except OSError:
    pass
c.close()
' "$@"
}
mkdir -p "$W/fetched"
for announce in 10737418240 1073741824; do
    rm -f "$W/fake.port"
    fake_outbox "$announce" 1048576 >"$W/fake.port" 2>/dev/null &
    fake=$!
    i=0
    until [ -s "$W/fake.port" ]; do
        i=$((i + 1))
        [ "$i" -le 200 ] || { echo "bounds.sh: the fake outbox did not start" >&2; exit 1; }
        sleep 0.05
    done
    measure "fetch: ENVELOPE $((announce >> 30)) GiB announced, 1 MiB sent" @err \
        "$UNSEAL" -k "$W/alice.key" -s "$W/bob.pub" --from "127.0.0.1:$(cat "$W/fake.port")" \
        --fetch -d "$W/fetched" --name alice
    wait "$fake" 2>/dev/null || :
done

echo
printf '%-42s %4s %7s %6s %11s  %s\n' case exit "wall s" "CPU s" "peak RSS" note
cat "$rows"
