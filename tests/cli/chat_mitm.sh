#!/bin/sh
# seal --chat end to end on 127.0.0.1 (tests/cli/chat.py: replay reorder oldsession reflect otherdir).
. "$top_srcdir/tests/cli/seal_common.sh"
command -v python3 >/dev/null 2>&1 || exit 77
for s in replay reorder oldsession reflect otherdir; do
    python3 "$top_srcdir/tests/cli/chat.py" "$s" "$T" || fail "chat scenario $s"
done
