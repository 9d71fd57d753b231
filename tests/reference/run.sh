#!/bin/sh
# make check: seal and unseal against the reference implementation of
# seal(5) in Python (tests/reference/seal_ref.py, python3-cryptography):
# the testkit, and envelopes each side seals opened by the other
# (tests/reference/check.py). Skipped (77) without python3-cryptography.
set -u
for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 &&
        "$py" -c 'import cryptography.hazmat.primitives.kdf.hkdf' 2>/dev/null; then
        exec "$py" "$top_srcdir/tests/reference/check.py"
    fi
done
echo "reference: no python3 with the cryptography module (apt-get install python3-cryptography); skipping"
exit 77
