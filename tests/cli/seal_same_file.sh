#!/bin/sh
# Nothing is written over its own input, even with -f, compared by device
# and inode: seal -f -o F F, through a hard link, standard output appended
# to the input, and unseal -f -o F.seal F.seal are refused (exit 2) and the
# file is unchanged.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/F" 5000
cp "$T/F" "$T/F.orig"
expect_status 2 "$SEAL" -f -r "$T/bob.pub" -s "$T/alice.key" -o "$T/F" "$T/F"
cat "$T/err"
grep -q "input and output are the same file" "$T/err" || fail "message: $(cat "$T/err")"
same "$T/F" "$T/F.orig"
ln "$T/F" "$T/link"
expect_status 2 "$SEAL" -f -r "$T/bob.pub" -s "$T/alice.key" -o "$T/link" "$T/F"
same "$T/F" "$T/F.orig"
st=0
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o - "$T/F" >>"$T/F" 2>"$T/err" || st=$?
[ "$st" -eq 2 ] || fail "stdout appended to the input: exit status $st"
same "$T/F" "$T/F.orig"
no_temp_files "$T"

"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/F.seal" "$T/F" || fail "seal"
cp "$T/F.seal" "$T/F.seal.orig"
expect_status 2 "$UNSEAL" -f -k "$T/bob.key" -s "$T/alice.pub" -o "$T/F.seal" "$T/F.seal"
same "$T/F.seal" "$T/F.seal.orig"
no_temp_files "$T"
echo "ok: input and output are never the same file"
