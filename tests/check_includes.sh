#!/bin/sh
# tools/check-includes.py refuses what it must, on a small tree of its own:
# a circle between two modules of one folder (a .c and its header are one
# module), an include that points up, and two files of one name in
# different folders; a tree without them passes.
set -u
: "${top_srcdir:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/seal-includes.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tools" "$T/src/base" "$T/src/cli"
cp "$top_srcdir/tools/check-includes.py" "$T/tools/"

check() { python3 "$T/tools/check-includes.py" 2>"$T/err"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

printf '#include "base/a.h"\n' >"$T/src/base/a.c"
: >"$T/src/base/a.h"
printf '#include "base/a.h"\n' >"$T/src/base/b.c"
: >"$T/src/base/b.h"
check || fail "a clean tree refused: $(cat "$T/err")"

# b.c includes a.h and a.c includes b.h: each header alone is no circle,
# the two modules are.
printf '#include "base/a.h"\n#include "base/b.h"\n' >"$T/src/base/a.c"
check && fail "a module circle passed"
grep -q "module circle: base/a <-> base/b" "$T/err" || fail "message: $(cat "$T/err")"
printf '#include "base/a.h"\n' >"$T/src/base/a.c"

printf '#include "cli/x.h"\n' >"$T/src/base/up.c"
check && fail "an include pointing up passed"
rm "$T/src/base/up.c"

: >"$T/src/cli/a.c"
check && fail "two files named a.c passed"
grep -q "the same file name" "$T/err" || fail "message: $(cat "$T/err")"
echo "ok: check-includes refuses module circles, upward includes, shared names"
