#!/bin/sh
# seal and unseal --no-fsync: the same output without waiting for the disk;
# by default both fsync the file they write (checked with strace when it is
# installed); the option is refused twice and with --inspect.
. "${top_srcdir:-.}/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/msg" 100000

expect_status 0 "$SEAL" --no-fsync -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg"
expect_status 0 "$UNSEAL" --no-fsync -q -k "$T/bob.key" -s "$T/alice.pub" -o "$T/back" "$T/msg.seal"
same "$T/msg" "$T/back"

expect_status 2 "$SEAL" --no-fsync --no-fsync -r "$T/bob.pub" -s "$T/alice.key" -o "$T/x" "$T/msg"
grep -q 'given twice' "$T/err" || fail "seal: no 'given twice' for a repeated --no-fsync"
expect_status 2 "$UNSEAL" --inspect --no-fsync "$T/msg.seal"
grep -q 'conflict' "$T/err" || fail "unseal --inspect --no-fsync: no conflict reported"
"$SEAL" --help | grep -q -- '--no-fsync' || fail "seal --help does not mention --no-fsync"
"$UNSEAL" --help | grep -q -- '--no-fsync' || fail "unseal --help does not mention --no-fsync"

# fsyncs N CMD...: the number of fsync(2) calls CMD makes.
# LeakSanitizer cannot run under ptrace: in the sanitizer build it is off here.
fsyncs() {
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=fsync -o "$T/trace" "$@" >/dev/null 2>&1 || fail "$*: failed under strace"
    grep -c 'fsync(' "$T/trace"
}
# strace may be missing or not allowed to trace (containers): then only the
# round trip above is checked.
if command -v strace >/dev/null 2>&1 && strace -qq -o /dev/null true 2>/dev/null; then
    rm -f "$T/msg.seal" "$T/back"
    [ "$(fsyncs "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg")" -ge 1 ] ||
        fail "seal did not fsync by default"
    [ "$(fsyncs "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o "$T/back" "$T/msg.seal")" -ge 1 ] ||
        fail "unseal did not fsync by default"
    rm -f "$T/msg.seal" "$T/back"
    [ "$(fsyncs "$SEAL" --no-fsync -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg")" -eq 0 ] ||
        fail "seal --no-fsync called fsync"
    [ "$(fsyncs "$UNSEAL" --no-fsync -q -k "$T/bob.key" -s "$T/alice.pub" -o "$T/back" "$T/msg.seal")" -eq 0 ] ||
        fail "unseal --no-fsync called fsync"
    same "$T/msg" "$T/back"
fi
exit 0
