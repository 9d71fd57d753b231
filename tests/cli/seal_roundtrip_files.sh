#!/bin/sh
# Files of 0, 1, 16383, 16384, 16385 bytes (around the 16 KiB chunk size) and
# 5 MiB survive seal FILE -> FILE.seal -> unseal FILE.seal -> FILE unchanged.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
for size in 0 1 16383 16384 16385 5242880; do
    mkdir "$T/$size"
    make_file "$T/$size/msg" "$size"
    cp "$T/$size/msg" "$T/$size/orig"
    expect_status 0 "$SEAL" -r "$T/bob.pub" -s "$T/alice.key" "$T/$size/msg"
    [ -s "$T/$size/msg.seal" ] || fail "$size: no msg.seal"
    [ ! -s "$T/out" ] || fail "$size: seal wrote to stdout"
    rm "$T/$size/msg"
    expect_status 0 "$UNSEAL" -k "$T/bob.key" -s "$T/alice.pub" "$T/$size/msg.seal"
    same "$T/$size/msg" "$T/$size/orig"
    [ ! -s "$T/out" ] || fail "$size: unseal wrote to stdout"
    grep -q "^unseal: good signature from alice (seal SHA256:" "$T/err" ||
        fail "$size: no verdict: $(cat "$T/err")"
done
echo "ok: 6 sizes via files"
