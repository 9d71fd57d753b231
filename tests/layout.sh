#!/bin/sh
# The tree shows the architecture: includes point down and form no circle
# (tools/check-includes.py), no source file outgrows one job, and only
# src/base/buf.c touches the reader's and writer's members.
set -eu
python3 "$top_srcdir/tools/check-includes.py"
big=$(find "$top_srcdir/src" -name '*.[ch]' -exec wc -l {} + |
    awk '$2 != "total" && $1 > 900 { print $2 " (" $1 " lines)" }')
if [ -n "$big" ]; then
    echo "files over 900 lines:"; echo "$big"; exit 1
fi
# The reader's and writer's members are buf.c's alone (base/buf.h says why
# the types are complete): nobody else walks their pointers.
priv=$(grep -rnE '(\.|->)priv\.' "$top_srcdir/src" "$top_srcdir/tests" \
    --include='*.c' --include='*.h' | grep -v '/src/base/buf\.c:' || true)
if [ -n "$priv" ]; then
    echo "reader/writer members used outside src/base/buf.c:"; echo "$priv"; exit 1
fi
