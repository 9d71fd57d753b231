#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang,
# -fsanitize=fuzzer,address,undefined, into a build directory of their own
# (default: build-fuzz/ at the top of the tree; BUILD=DIR to change), so the
# normal build is never touched: libseal's sources are compiled again there
# with clang. Also assembles each harness's seed corpus (seeds/NAME) from the
# testkit, the key files and tests/fuzz/seeds.
#   sh tests/fuzz/build.sh          (or: make fuzz)
# Needs clang and libFuzzer (Debian 12: clang-14 libclang-rt-14-dev; see
# tools/bootstrap.sh). CC=clang-NN to pick another clang.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$top/build-fuzz}
cc=${CC:-clang}
case $cc in *clang*) ;; *) cc=clang ;; esac
command -v "$cc" >/dev/null || { echo "fuzz: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wno-unused-command-line-argument
 $san -I$top/src -I$top/tests $(pkg-config --cflags libgcrypt gpg-error)"
libs="$(pkg-config --libs libgcrypt gpg-error) -pthread"
# The KDF clamp (fuzz_common.c) intercepts the key decoder's calls.
wrap="-Wl,--wrap=seal_scrypt -Wl,--wrap=seal_pbkdf2_sha256"

mkdir -p "$build/obj"
# Every library source of the layers below the programs' user interface
# (src/cli only for unseal's two passes to standard output, and the
# input and progress callbacks they use).
srcs=$(ls "$top"/src/base/*.c "$top"/src/crypto/*.c "$top"/src/keys/*.c "$top"/src/envelope/*.c \
    "$top"/src/cli/two_pass.c "$top"/src/cli/cli.c "$top"/tests/testing.c 2>/dev/null)
# (transport/jetstream.c is left out: it needs libnats and parses nothing
# untrusted; no harness calls it.)
[ -d "$top/src/transport" ] && srcs="$srcs $(ls "$top"/src/transport/*.c 2>/dev/null | grep -v '/jetstream\.c$')"
objs=""
for s in $srcs; do
    o="$build/obj/$(echo "${s#"$top"/src/}" | tr / _).o"
    if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$0" -nt "$o" ]; then
        # shellcheck disable=SC2086
        $cc $cflags -fsanitize=fuzzer-no-link -c "$s" -o "$o"
    fi
    objs="$objs $o"
done
# shellcheck disable=SC2086
ar cr "$build/libseal-fuzz.a" $objs

harnesses=""
for h in "$top"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$h" .c)
    [ "$name" = fuzz_common ] && continue
    # A harness for a layer that is not in this tree yet is skipped.
    if grep -q '^#include "transport/' "$h" && [ ! -d "$top/src/transport" ]; then continue; fi
    # shellcheck disable=SC2086
    $cc $cflags -DFUZZ_KEYDIR="\"$top/tests/testkit/keys\"" -fsanitize=fuzzer $wrap \
        "$h" "$top/tests/fuzz/fuzz_common.c" "$build/libseal-fuzz.a" $libs -o "$build/$name"
    harnesses="$harnesses ${name#fuzz_}"
done

# Seed corpora: copies, so libFuzzer never writes into the source tree.
seed() { mkdir -p "$build/seeds/$1"; shift; for f in "$@"; do [ -f "$f" ] && cp "$f" "$build/seeds/${dir}/"; done; return 0; }
kit=$top/tests/testkit
dir=key seed key "$top"/tests/data/keys/*.pem "$top"/tests/data/keys/*.der "$kit"/keys/* \
    "$top"/tests/fuzz/seeds/key/*
dir=header seed header "$kit"/*.seal
dir=unseal seed unseal "$kit"/*.seal
dir=armor seed armor "$kit"/armor_*.seal "$kit"/success_armored*.seal "$top"/tests/fuzz/seeds/armor/*
dir=inner seed inner "$top"/tests/fuzz/seeds/inner/*
dir=proxy seed proxy "$top"/tests/fuzz/seeds/proxy/*
dir=ssh seed ssh "$top"/tests/sshkit/*.pub "$top"/tests/sshkit/*.key
dir=natspipe seed natspipe "$top"/tests/fuzz/seeds/natspipe/*
[ -d "$top/tests/fuzz/seeds/transport" ] && { dir=transport seed transport "$top"/tests/fuzz/seeds/transport/*; }
echo "$harnesses" >"$build/harnesses"
echo "fuzz: built$harnesses in $build"
