#!/bin/sh
# bench/fleet.sh: the listener fleet's speed (unseal(1), FLEET;
# not part of `make check`).
#
# Envelopes per second for 1 KiB messages from 8 concurrent clients
# (bench/deliver.py: pre-sealed envelopes, one connection each, as seal --to
# sends them) through HAProxy in TCP mode on 127.0.0.1 (examples/fleet/
# haproxy.cfg as shipped, with one server line per listener) in front of
# one, two and three `unseal --listen` processes on 127.0.0.2, .3 and .4,
# each delivering either to one NATS JetStream stream (nats-server -js, a
# temporary store) or into its own Maildir (-d), both in the same run; and
# the same load straight to one listener, without HAProxy. Every run starts
# with empty stores (a new stream, new Maildirs), so every envelope is a new
# delivery. The rounds interleave the configurations; each figure is the
# median over the rounds:
#
#   env/s        envelopes / wall-clock seconds, first connection to last OK
#   efficiency   rate_n / (n x rate_1), n listeners behind HAProxy
#   listener     user + system CPU of all listener processes (with their
#                NATS publishers, unseal-nats) / envelopes
#   beyond RSA   that minus one delivery's RSA work (bench/rsa_cost: one
#                OAEP decryption, one PSS verification, measured each round)
#   nats, proxy  the same for nats-server and for HAProxy
#
# then the overheads per envelope: HAProxy's (through it against straight
# to one listener: its own CPU, the listener's difference, and the rates)
# and JetStream's (listener CPU of the NATS path minus the Maildir path,
# plus nats-server's own CPU).
#
# Everything runs on the same cores, clients included: on a small machine
# the ceiling is the cores, not the number of listeners (one listener
# already decrypts on every core), so efficiency near 1/n is the expected
# result there, and the CPU columns, not the rates, say what a listener
# costs; several hosts add their cores.
#
# Usage, from a build directory: sh bench/fleet.sh
#   BENCH_ENVELOPES (default 300) per run, BENCH_ROUNDS (default 3),
#   BENCH_CLIENTS (default 8), BENCH_BITS (default 3072), BENCH_DIR (default
#   $TMPDIR or /tmp: the NATS store and the Maildirs; its fsync cost counts).
# Needs nats-server, haproxy, python3 and an unseal built with NATS.
#
# Figures of one run (BENCH_ROUNDS=5, otherwise the defaults: RSA-3072, 300
# envelopes a run; 2 cores with a load average of 9 to 13 from other work;
# nats-server 2.9.10, HAProxy 2.6.12, store and Maildirs on ext4):
#
#   RSA per envelope: OAEP decrypt 12627 + PSS verify 102 = 12729 us;
#   the bound on 2 cores: 157 envelopes/s
#   path     front    listeners  env/s efficiency  listener beyond RSA  nats proxy
#   maildir  direct           1     68          -     17467       4738     -     -
#   maildir  haproxy          1     63       1.00     19400       6671     -   467
#   maildir  haproxy          2     58       0.46     18533       5804     -   433
#   maildir  haproxy          3     50       0.27     17267       4538     -   400
#   nats     direct           1     67          -     16167       3438   233     -
#   nats     haproxy          1     61       1.00     16033       3304   267   367
#   nats     haproxy          2     77       0.63     16367       3638   267   367
#   nats     haproxy          3     75       0.41     15733       3004   267   400
#   noise: between rounds of one configuration the listener CPU varies by up
#   to 5234 us per envelope, the rate by up to 111 % of its median
#
# What holds across runs: RSA is 12.7 of the listener's 16-19 ms of CPU per
# envelope; HAProxy costs 0.4-0.5 ms of its own CPU per envelope and
# nats-server 0.25-0.35 ms; a second and third listener process add no
# throughput on 2 cores (efficiency 0.46-0.80 for two, 0.27-0.42 for three
# over two runs), as one listener already decrypts on both. The listener's
# own CPU with JetStream against with the Maildir (-1.3 and -3.4 ms here,
# +0.9 and +0.4 ms in a 3-round run just before) and with HAProxy against
# without it differ by less than the noise: on this machine JetStream's
# measurable overhead is nats-server's 0.25-0.35 ms per envelope, and
# HAProxy's its own 0.4-0.5 ms, each 2-3 % of a delivery.
N=${BENCH_ENVELOPES:-300}
ROUNDS=${BENCH_ROUNDS:-3}
CLIENTS=${BENCH_CLIENTS:-8}
for tool in nats-server haproxy python3; do
    command -v "$tool" >/dev/null || { echo "bench/fleet.sh: needs $tool" >&2; exit 2; }
done
. "$(dirname "$0")/common.sh"
if [ -z "${RSA_COST:-}" ]; then
    make -C "$build" -s bench/rsa_cost >/dev/null
    RSA_COST=$build/bench/rsa_cost
fi
if "$UNSEAL" --drain nats://127.0.0.1:9 --stream probe -d probe 2>&1 | grep -q "without NATS"; then
    echo "bench/fleet.sh: $UNSEAL was built without NATS" >&2
    exit 2
fi
free_port() { python3 "$top/tests/fleet/flib.py" free-port; }

echo "machine: $CORES cores, RSA-$BITS keys, store on $(df -T . | awk 'NR==2 {print $2}')," \
    "$N envelopes of 1 KiB per run from $CLIENTS clients, $ROUNDS rounds"
printf 'sealing %d envelopes ... ' "$N"
seal_envelopes "$N" env
echo done

# One nats-server for the whole run (port -1: its own pick, read from its
# log); every NATS run publishes to a stream of its own.
nats-server -js -a 127.0.0.1 -p -1 -sd "$T/nats" >nats.log 2>&1 &
NPID=$!
PIDS="$PIDS $NPID"
wait_for nats.log "Server is ready"
NATS=nats://$(sed -n 's/.*Listening for client connections on \([0-9.:]*\).*/\1/p' nats.log)

# HAProxy's configuration: the shipped one, with one server line per listener.
haproxy_cfg() { # OUT ADDR...
    _out=$1
    shift
    sed '/^ *server l[0-9]/d' "$top/examples/fleet/haproxy.cfg" >"$_out"
    _k=1
    for _a in "$@"; do
        echo "    server l$_k $_a" >>"$_out"
        _k=$((_k + 1))
    done
}

# run PATH FRONT NLISTENERS TAG: one measurement; appends
# "PATH FRONT N RATE LISTENER_US NATS_US PROXY_US" to results.
run() {
    _path=$1 _front=$2 _n=$3 _tag=$4
    _lpids="" _addrs=""
    _k=0
    while [ "$_k" -lt "$_n" ]; do
        _k=$((_k + 1))
        if [ "$_path" = nats ]; then
            set -- --deliver "$NATS" --stream "B$_tag"
        else
            rm -rf "inbox$_k"
            set -- -d "inbox$_k"
        fi
        start_listener "l$_k.log" "127.0.0.$((_k + 1)):0" --proxy-from 127.0.0.5 "$@"
        _lpids="$_lpids $LPID"
        _addrs="$_addrs $LADDR"
    done
    _hpid=""
    if [ "$_front" = haproxy ]; then
        # shellcheck disable=SC2086
        haproxy_cfg haproxy.cfg $_addrs
        _target=127.0.0.1:$(free_port)
        SEAL_FLEET_FRONT=$_target SEAL_FLEET_SOURCE=127.0.0.5 haproxy -db -f haproxy.cfg \
            >haproxy.log 2>&1 &
        _hpid=$!
        PIDS="$PIDS $_hpid"
        _i=0
        until python3 -c "import socket; socket.create_connection(('127.0.0.1', ${_target#*:}), 1).close()" 2>/dev/null; do
            _i=$((_i + 1))
            [ "$_i" -le 100 ] || { cat haproxy.log >&2; exit 1; }
            sleep 0.1
        done
        sleep 1 # a first round of health checks
    else
        _target=${_addrs# }
    fi
    # CPU so far of the listeners, nats-server and HAProxy, then the load.
    ticks() {
        _l=0
        # A listener's NATS publisher (unseal-nats, its child) is part of it.
        for _p in $_lpids $(for _q in $_lpids; do pgrep -P "$_q"; done); do
            _l=$((_l + $(cpu_ticks "$_p")))
        done
        echo "$_l $(cpu_ticks "$NPID") $([ -n "$_hpid" ] && cpu_ticks "$_hpid" || echo 0)"
    }
    _before=$(ticks)
    set -- env/*.seal
    _out=$(timeout 300 python3 "$top/bench/deliver.py" "$_target" "$CLIENTS" "$@") || {
        echo "bench/fleet.sh: the load failed ($_path $_front $_n)" >&2
        exit 1
    }
    _after=$(ticks)
    [ -z "$_hpid" ] || stop "$_hpid"
    for _p in $_lpids; do stop "$_p"; done
    if [ "$_path" = maildir ]; then
        _stored=$(cat inbox*/new/* 2>/dev/null | wc -c)
        [ "$_stored" -eq $((N * 1024)) ] || {
            echo "bench/fleet.sh: $((_stored / 1024)) KiB stored, expected $N" >&2
            exit 1
        }
        rm -rf inbox*
    fi
    # shellcheck disable=SC2086
    echo $_path $_front $_n $_out $_before $_after | awk -v hz="$HZ" '{
        n = $4; us = 1e6 / hz / n
        printf "%s %s %d %.1f %.0f %.0f %.0f\n", $1, $2, $3, n / $5,
            ($9 - $6) * us, ($10 - $7) * us, ($11 - $8) * us
    }' >>results
    tail -n 1 results | awk '{printf "  %-7s %-7s %d: %5.0f env/s\n", $1, $2, $3, $4}'
}

: >results
: >rsa
r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "round $r of $ROUNDS"
    "$RSA_COST" server.key client.key 50 >>rsa
    for path in maildir nats; do
        run "$path" direct 1 "${r}d$path"
        for n in 1 2 3; do run "$path" haproxy "$n" "${r}h$n$path"; done
    done
    r=$((r + 1))
done

python3 - results rsa "$CORES" <<'EOF'
import statistics
import sys

runs = {}
for line in open(sys.argv[1]):
    path, front, n, *vals = line.split()
    runs.setdefault((path, front, int(n)), []).append([float(v) for v in vals])
med = {k: [statistics.median(col) for col in zip(*v)] for k, v in runs.items()}
oaep, pss = (statistics.median(col) for col in zip(*(map(float, l.split()) for l in open(sys.argv[2]))))
rsa, cores = oaep + pss, int(sys.argv[3])

print()
print("median of %d rounds; CPU in microseconds per envelope" % len(runs[("nats", "direct", 1)]))
print("RSA per envelope: OAEP decrypt %.0f + PSS verify %.0f = %.0f us; the bound on %d cores: "
      "%.0f envelopes/s" % (oaep, pss, rsa, cores, cores * 1e6 / rsa))
print("%-8s %-8s %9s %6s %10s %9s %10s %6s %6s" % ("path", "front", "listeners", "env/s",
      "efficiency", "listener", "beyond RSA", "nats", "proxy"))
for path in ("maildir", "nats"):
    for front, n in (("direct", 1), ("haproxy", 1), ("haproxy", 2), ("haproxy", 3)):
        rate, lis, nats, proxy = med[(path, front, n)]
        eff = "%.2f" % (rate / (n * med[(path, "haproxy", 1)][0])) if front == "haproxy" else "-"
        print("%-8s %-8s %9d %6.0f %10s %9.0f %10.0f %6s %6s" %
              (path, front, n, rate, eff, lis, lis - rsa, "%.0f" % nats if path == "nats" else "-",
               "%.0f" % proxy if front == "haproxy" else "-"))
spread = max(max(r[1] for r in v) - min(r[1] for r in v) for v in runs.values())
rates = max((max(r[0] for r in v) - min(r[0] for r in v)) / med[k][0] for k, v in runs.items())
print("noise: between rounds of one configuration the listener CPU varies by up to %.0f us per "
      "envelope, the rate by up to %.0f %% of its median" % (spread, 100 * rates))

print()
for path in ("maildir", "nats"):
    d, h = med[(path, "direct", 1)], med[(path, "haproxy", 1)]
    print("HAProxy overhead (%s, one listener): %.0f us of HAProxy CPU per envelope, "
          "listener %+.0f us; rate through it / direct = %.2f" %
          (path, h[3], h[1] - d[1], h[0] / d[0]))
for front in ("direct", "haproxy"):
    m, j = med[("maildir", front, 1)], med[("nats", front, 1)]
    print("JetStream overhead (%s, one listener): listener %+.0f us (NATS %.0f - Maildir %.0f) "
          "+ nats-server %.0f us = %+.0f us per envelope; rate NATS / Maildir = %.2f" %
          (front, j[1] - m[1], j[1], m[1], j[2], j[1] - m[1] + j[2], j[0] / m[0]))
EOF
