#!/bin/sh
# A flipped byte in the middle, a truncated envelope and an extended one all
# fail with exit status 1, create no output file and write nothing to stdout.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
make_file "$T/msg" 100000
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/good.seal" "$T/msg" || fail "seal"
size=$(wc -c <"$T/good.seal")
mid=$((size / 2))

# flip_byte IN OUT OFFSET: OUT is IN with the byte at OFFSET inverted.
flip_byte() {
    head -c "$3" "$1" >"$2"
    b=$(dd if="$1" bs=1 skip="$3" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    printf "\\$(printf '%03o' $((255 - b)))" >>"$2"
    tail -c +"$(($3 + 2))" "$1" >>"$2"
}

flip_byte "$T/good.seal" "$T/flipped.seal" "$mid"
[ "$(wc -c <"$T/flipped.seal")" -eq "$size" ] || fail "flip changed the size"
cmp -s "$T/good.seal" "$T/flipped.seal" && fail "flip changed nothing"
head -c "$((size - 100))" "$T/good.seal" >"$T/truncated.seal"
head -c 16456 "$T/good.seal" >"$T/cut.seal"
# Exactly after the first full chunk: header (11 + 32 + 2 + 256 bytes for one
# 2048-bit recipient), salt and commitment (56), one chunk (16400).
head -c $((301 + 56 + 16400)) "$T/good.seal" >"$T/boundary.seal"
{ cat "$T/good.seal"; printf 'x'; } >"$T/extended.seal"
# Flipping a byte of the last chunk (where the signature lives).
flip_byte "$T/good.seal" "$T/lastflip.seal" "$((size - 20))"

for f in flipped truncated cut boundary extended lastflip; do
    expect_status 1 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" "$T/$f.seal"
    [ ! -e "$T/$f" ] || fail "$f: output file created"
    grep -q "^unseal: error: $T/$f.seal: " "$T/err" || fail "$f: message: $(cat "$T/err")"
    expect_status 1 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" <"$T/$f.seal"
    [ ! -s "$T/out" ] || fail "$f: $(wc -c <"$T/out") bytes on stdout"
done
no_temp_files "$T"
# The untouched envelope still opens (the test would pass vacuously if not).
expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" <"$T/good.seal"
same "$T/out" "$T/msg"
echo "ok: tampering detected, nothing released"
