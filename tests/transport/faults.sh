#!/bin/sh
# Faults: a client that disconnects mid-envelope leaves nothing; a full disk
# (RLIMIT_FSIZE), an fsync that fails (test hook) and the free-space guard
# give ERR temp and no OK; the next honest client is served each time.
. "$top_srcdir/tests/transport/common.sh"

mkdir "$T/msgs"
head -c 300000 /dev/urandom >"$T/msgs/big"
printf 'small\n' >"$T/small"
seal_file alice "$T/msgs/big" "$T/big.seal"
seal_file alice "$T/small" "$T/small.seal"

# honest: the small envelope is acknowledged.
honest() {
    case $(send "127.0.0.1:$P" "$T/small.seal") in
    OK*) ;;
    *) fail "$1: the next honest client was not served" ;;
    esac
}

listen l1 127.0.0.1:0
P=$LPORT
# Half an envelope, then the connection ends: an envelope cut short.
reply=$(send "127.0.0.1:$P" "$T/big.seal" --cut 150000)
case $reply in "ERR perm authentication failed") ;; *) fail "cut envelope: '$reply'" ;; esac
[ "$(count new)" -eq 0 ] && [ "$(count tmp)" -eq 0 ] || fail "a cut envelope left something"
honest cut
stop "$LPID"

# A full disk: files may not grow past 100 KiB.
rm -rf "$T/inbox"
(ulimit -f 200 && exec "$UNSEAL" -k "$T/bob.key" -s "$T/trusted" --listen 127.0.0.1:0 \
    -d "$T/inbox") 2>"$T/full.log" &
LPID=$!
PIDS="$PIDS $LPID"
wait_log full "listening on" || fail "listener with a file size limit did not start"
P=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\)[ ,].*/\1/p' "$T/full.log")
reply=$(send "127.0.0.1:$P" "$T/big.seal")
case $reply in "ERR temp "*) ;; *) fail "full disk: '$reply', expected ERR temp" ;; esac
[ "$(count new)" -eq 0 ] && [ "$(count tmp)" -eq 0 ] || fail "full disk left something"
honest full-disk
stop "$LPID"

# fsync fails: of the message, of tmp/, of seen/, of new/.
for step in fsync-data fsync-tmp fsync-seen fsync-new; do
    rm -rf "$T/inbox"
    SEAL_TEST_FAIL_AT=$step UNSEAL=$UNSEAL_FAULTS listen "f-$step" 127.0.0.1:0
    P=$LPORT
    reply=$(send "127.0.0.1:$P" "$T/big.seal")
    case $reply in "ERR temp "*) ;; *) fail "fsync error at $step: '$reply'" ;; esac
    stop "$LPID"
    # Restarted without the fault, the same envelope is stored once.
    listen "g-$step" 127.0.0.1:0
    P=$LPORT
    reply=$(send "127.0.0.1:$P" "$T/big.seal")
    case $reply in OK*) ;; *) fail "after $step: '$reply'" ;; esac
    check_inbox "$T/msgs" --expect 1 >/dev/null
    stop "$LPID"
done

# The free-space guard refuses before the disk is full: --min-free as large
# as the whole file system (a larger one refuses to start), so what is free
# is always less.
rm -rf "$T/inbox"
fs_kib=$(python3 -c 'import os, sys; s = os.statvfs(sys.argv[1]); print(s.f_blocks * s.f_frsize // 1024)' "$T")
listen guard 127.0.0.1:0 --min-free "${fs_kib}K"
P=$LPORT
reply=$(send "127.0.0.1:$P" "$T/small.seal")
case $reply in "ERR temp low on disk space") ;; *) fail "free-space guard: '$reply'" ;; esac
st=0
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" --to "127.0.0.1:$P" --retry-for 0 "$T/small" \
    2>"$T/seal.err" || st=$?
[ "$st" -eq 9 ] || fail "seal --to refused with ERR temp: exit $st, expected 9"
grep -q "ERR temp low on disk space" "$T/seal.err" || fail "seal did not print the reason"
# The disk is not full: the log says why without claiming it is.
grep -q "low on disk space.*below --min-free" "$T/guard.log" || fail "log: $(cat "$T/guard.log")"
grep -q "No space left" "$T/guard.log" && fail "the log claims the disk is full: $(cat "$T/guard.log")"
stop "$LPID"
echo "ok"
