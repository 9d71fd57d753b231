#!/bin/sh
# A private key file readable by others (chmod 644) is refused: exit 4, the
# message names the file. The same file with mode 600 is accepted.
. "$top_srcdir/tests/cli/keygen_common.sh"

"$SEAL_KEYGEN" -o "$T/k" -b 2048 --no-passphrase >/dev/null || fail "seal-keygen failed"
chmod 644 "$T/k.key"
expect_refusal 4 "$T/k.key" "$SEAL_KEYGEN" -l "$T/k.key"
grep -q 'permissions' "$T/refusal.err" || fail "message does not say why"
chmod 600 "$T/k.key"
keygen_fpr "$T/k.key" >/dev/null || fail "mode 600 refused"
