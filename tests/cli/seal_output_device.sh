#!/bin/sh
# -o naming a FIFO or a character device writes into it, as cat, age and
# gpg do: no temporary file, no rename, no -f needed, and -f never turns it
# into a regular file. unseal releases into it only what verified, as into
# standard output. "Already exists" protects regular files only.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/msg" 40000

READER=
trap '[ -z "$READER" ] || kill "$READER" 2>/dev/null; rm -rf "$T"' EXIT

# reader FIFO OUT: copies FIFO to OUT in the background (bounded in time).
reader() {
    timeout 60 cat "$1" >"$2" &
    READER=$!
}

mkfifo "$T/fifo" || fail "mkfifo"
reader "$T/fifo" "$T/got.seal"
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/fifo" "$T/msg"
wait "$READER" || fail "reader failed"
[ -p "$T/fifo" ] || fail "seal -o FIFO replaced the FIFO"
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/back" "$T/got.seal"
same "$T/msg" "$T/back"

# -f changes nothing: the FIFO stays a FIFO.
reader "$T/fifo" "$T/got2.seal"
expect_status 0 "$SEAL" -f -r "$T/bob.pub" -s "$T/alice.key" -o "$T/fifo" "$T/msg"
wait "$READER" || fail "reader failed"
[ -p "$T/fifo" ] || fail "seal -f -o FIFO replaced the FIFO"
[ -s "$T/got2.seal" ] || fail "nothing written into the FIFO"

# unseal into a FIFO, with and without -f.
for f in "" -f; do
    reader "$T/fifo" "$T/plain"
    # shellcheck disable=SC2086
    expect_status 0 "$UNSEAL" $f -k "$T/bob.key" -s "$T/alice.pub" -o "$T/fifo" "$T/got.seal"
    wait "$READER" || fail "reader failed"
    [ -p "$T/fifo" ] || fail "unseal $f -o FIFO replaced the FIFO"
    same "$T/msg" "$T/plain"
done

# A tampered envelope: nothing unverified reaches the FIFO.
cp "$T/got.seal" "$T/bad.seal"
printf 'X' | dd of="$T/bad.seal" bs=1 seek=30000 conv=notrunc 2>/dev/null
reader "$T/fifo" "$T/plain"
expect_status 1 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/fifo" "$T/bad.seal"
wait "$READER" || fail "reader failed"
[ ! -s "$T/plain" ] || fail "unverified bytes reached the FIFO"
[ -p "$T/fifo" ] || fail "the FIFO was replaced"

# /dev/stdout when standard output is a pipe, without -f.
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o /dev/stdout "$T/msg" 2>"$T/err" | cat >"$T/piped.seal"
[ -s "$T/piped.seal" ] || fail "seal -o /dev/stdout: $(cat "$T/err")"
"$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o /dev/stdout "$T/piped.seal" 2>"$T/err" |
    cat >"$T/back2"
same "$T/msg" "$T/back2"

# /dev/null without -f, and with it: still the device.
expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o /dev/null "$T/msg"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o /dev/null "$T/got.seal"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
# -f with a device of our own (root only: never risk the real /dev/null).
if mknod "$T/null" c 1 3 2>/dev/null; then
    expect_status 0 "$SEAL" -f -r "$T/bob.pub" -s "$T/alice.key" -o "$T/null" "$T/msg"
    [ -c "$T/null" ] || fail "seal -f -o DEVICE replaced the device"
    expect_status 0 "$UNSEAL" -f -k "$T/bob.key" -s "$T/alice.pub" -o "$T/null" "$T/got.seal"
    [ -c "$T/null" ] || fail "unseal -f -o DEVICE replaced the device"
fi

# A regular file is still protected.
printf 'precious\n' >"$T/keep"
expect_status 7 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/keep" "$T/msg"
grep -q "already exists" "$T/err" || fail "message: $(cat "$T/err")"
no_temp_files "$T"
echo "ok: -o into a FIFO or a device"
