#!/bin/sh
# The tree shows the architecture: includes point down and form no circle
# (tools/check-includes.py), and no source file outgrows one job.
set -eu
python3 "$top_srcdir/tools/check-includes.py"
big=$(find "$top_srcdir/src" -name '*.[ch]' -exec wc -l {} + |
    awk '$2 != "total" && $1 > 900 { print $2 " (" $1 " lines)" }')
if [ -n "$big" ]; then
    echo "files over 900 lines:"; echo "$big"; exit 1
fi
