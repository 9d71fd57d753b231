#!/bin/sh
# seal --chat against the reference chat written from seal(5)
# (tests/reference/chat_check.py, chat_ref.py): both ways, a recorded
# session that both key files cannot read, low-order keys, version 1.
# Skipped (77) without python3-cryptography.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v python3 >/dev/null 2>&1 || exit 77
python3 -c 'import cryptography.hazmat.primitives.asymmetric.x25519' 2>/dev/null || exit 77
for s in refdials sealdials recorded replaysession lowpoint version1; do
    python3 "$top_srcdir/tests/reference/chat_check.py" "$s" "$T" || fail "reference chat $s"
done
