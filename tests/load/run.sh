#!/bin/sh
# tests/load/run.sh: the load test at scale, 64 concurrent clients x 500
# envelopes through seal --to into one listener (not part of `make check`:
# it takes minutes). Every envelope must be acknowledged and stored exactly
# once, contents intact. Run from a build directory:
#   sh tests/load/run.sh            (LOAD_CLIENTS, LOAD_EACH to change it)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(pwd)
top_srcdir=$top SEAL=${SEAL:-$build/src/seal} UNSEAL=${UNSEAL:-$build/src/unseal} \
    LOAD_CLIENTS=${LOAD_CLIENTS:-64} LOAD_EACH=${LOAD_EACH:-500} \
    exec sh "$top/tests/transport/load.sh"
