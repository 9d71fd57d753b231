#!/bin/sh
# The NATS publisher holds no key (unseal(1), FLEET): unseal --listen
# --deliver runs under strace -f; deliveries are acknowledged as before (a
# new one, a duplicate); and no process that executed unseal-nats (nor any
# thread it started) ever opens the server's key file, while unseal itself
# did. The helper's command line does not name the key either.
. "$top_srcdir/tests/fleet/common.sh"
need_nats
command -v strace >/dev/null || fail "strace is not installed (apt-get install strace)"

printf 'hello\n' >"$T/msg"
seal_file alice "$T/msg" "$T/m.seal"
nats_start
# LeakSanitizer cannot run under ptrace: off for the traced programs in the
# sanitizer build (the other tests check their leaks).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -s 512 -e trace=openat,open,execve,clone,clone3,fork,vfork -o "$T/trace" \
    "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen 127.0.0.1:0 --deliver "$NATS" \
    --stream KEYLESS 2>"$T/l1.log" &
SPID=$!
PIDS="$PIDS $SPID"
wait_log l1 "listening on" || fail "the listener did not start"
P=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\)[ ,].*/\1/p' "$T/l1.log" | head -n 1)
[ -n "$P" ] || fail "no port in the log"
grep -q "stream KEYLESS created" "$T/l1.log" || fail "the publisher did not create the stream"

"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$P" "$T/msg" 2>"$T/to.err" ||
    fail "seal --to: $(cat "$T/to.err")"
r=$($FL send "127.0.0.1:$P" "$T/m.seal")
case $r in OK\ *) ;; *) fail "first send: '$r'" ;; esac
r=$($FL send "127.0.0.1:$P" "$T/m.seal")
case $r in OK\ *) ;; *) fail "second send: '$r'" ;; esac
wait_log l1 "duplicate from" || fail "no duplicate logged"
$FL nats "$NATS" '$JS.API.STREAM.INFO.KEYLESS' "" | grep -q '"messages":2,' ||
    fail "the stream does not hold the two messages"

# While it runs: the helper, unseal's child, names no key on its command line.
UPID=$(children "$SPID" | head -n 1)
[ -n "$UPID" ] || fail "no unseal under strace"
HPID=$(children "$UPID" "unseal-nats --publish" | head -n 1)
[ -n "$HPID" ] || fail "unseal has no unseal-nats --publish child"
if tr '\0' ' ' <"/proc/$HPID/cmdline" | grep -q "bob"; then
    fail "the helper's command line names the key: $(tr '\0' ' ' <"/proc/$HPID/cmdline")"
fi

# Stop the listener, then read the trace.
kill -TERM "$UPID"
wait "$SPID" 2>/dev/null
grep -q "stopped" "$T/l1.log" || fail "the listener did not stop: $(tail -n 5 "$T/l1.log")"
python3 - "$T/trace" "$T/bob.key" <<'PY' || fail "the trace"
import re, sys
trace, key = sys.argv[1], sys.argv[2]
helper = set()  # pids and tids of unseal-nats, from its execve on
pending = {}    # pid: the path of an execve not finished yet
opened_by_unseal = helper_loaded_nats = False
for line in open(trace, errors="replace"):
    m = re.match(r"^(\d+)\s+(.*)$", line)
    if not m:
        continue
    pid, rest = int(m.group(1)), m.group(2)
    call = re.match(r"(?:<\.\.\. (\w+) resumed>|(\w+)\()", rest)
    if not call:
        continue
    name = call.group(1) or call.group(2)
    done = re.search(r"\)\s+=\s+(-?\d+)", rest)
    if name == "execve":
        path = re.match(r'execve\("([^"]*)"', rest)
        if path:
            pending[pid] = path.group(1)
        if done and done.group(1) == "0" and pid in pending:
            if pending.pop(pid).endswith("/unseal-nats"):
                helper.add(pid)
            else:
                helper.discard(pid)
        continue
    if name in ("clone", "clone3", "fork", "vfork") and done and int(done.group(1)) > 0:
        if pid in helper:
            helper.add(int(done.group(1)))
        continue
    if name in ("open", "openat"):
        if key in rest:
            if pid in helper:
                sys.exit("the helper (pid %d) opened the key: %s" % (pid, line.strip()))
            opened_by_unseal = True
        if pid in helper and "libnats" in rest:
            helper_loaded_nats = True
if not helper:
    sys.exit("no process executed unseal-nats")
if not opened_by_unseal:
    sys.exit("unseal never opened the key: the trace does not show what it must")
if not helper_loaded_nats:
    sys.exit("the trace does not show the helper loading libnats")
print("helper pids and threads: %s" % sorted(helper))
PY
exit 0
