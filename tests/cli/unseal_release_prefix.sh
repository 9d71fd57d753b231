#!/bin/sh
# unseal to standard output writes only verified bytes, but when the second
# pass fails after verification (here: standard output takes no more, a file
# size limit or a full device) what it wrote is a verified prefix, and the
# exit status (7) says the output is incomplete; with -o FILE the same limit
# leaves nothing. unseal(1) says so (No unverified output).
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/msg" 300000
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/msg.seal" "$T/msg" || fail "seal"

# RLIMIT_FSIZE of 100 blocks (51200 or 102400 bytes, as the shell counts
# them), SIGXFSZ ignored so that the write fails with EFBIG. From a regular
# file there is no spool file for the limit to hit first.
_st=0
(trap '' XFSZ; ulimit -f 100 &&
    exec "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" <"$T/msg.seal" >"$T/out" 2>"$T/err") ||
    _st=$?
[ "$_st" -eq 7 ] || fail "file size limit: exit $_st, expected 7: $(cat "$T/err")"
grep -q '^unseal: error: (stdout): write error: ' "$T/err" || fail "error: $(cat "$T/err")"
_n=$(wc -c <"$T/out")
[ "$_n" -gt 0 ] && [ "$_n" -lt 300000 ] || fail "file size limit: $_n bytes written"
cmp -s -n "$_n" "$T/out" "$T/msg" || fail "the $_n bytes written are not the message's start"

# A full device: the first write fails, nothing is written, exit 7.
if [ -w /dev/full ]; then
    expect_status 7 sh -c '"$1" -k "$2" -s "$3" <"$4" >/dev/full' sh "$UNSEAL" "$T/bob.key" \
        "$T/alice.pub" "$T/msg.seal"
fi

# To a file the same limit leaves no file at all (all or nothing).
_st=0
(trap '' XFSZ; ulimit -f 100 &&
    exec "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" -o "$T/out.file" "$T/msg.seal" \
        2>"$T/err") || _st=$?
[ "$_st" -eq 7 ] || fail "-o FILE with a file size limit: exit $_st: $(cat "$T/err")"
[ ! -e "$T/out.file" ] || fail "-o FILE: a file was left"
[ -z "$(ls -A "$T" | grep '^\.out\.file')" ] || fail "-o FILE: a temporary file was left"
echo "ok: a failed release to stdout is a verified prefix with exit 7"
