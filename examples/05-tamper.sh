#!/bin/sh
# 05-tamper.sh: change one byte of an envelope and watch unseal refuse it.
#
# Every 16 KiB chunk carries an authentication tag and the whole message is
# signed, so any change, truncation or extension is detected. unseal then
# exits with status 1 and writes nothing at all: no partial file, not one
# byte on standard output.
set -eu
here=$(dirname "$0")
[ -e server.key ] || sh "$here/01-keys.sh"

seq 1 20000 >numbers.txt
seal -f -r server.pub -s client.key numbers.txt

# Invert the byte in the middle of a copy of the envelope.
cp numbers.txt.seal tampered.seal
size=$(wc -c <tampered.seal)
offset=$((size / 2))
byte=$(od -An -j "$offset" -N1 -tu1 tampered.seal | tr -d ' ')
printf "\\$(printf '%03o' $((255 - byte)))" |
    dd of=tampered.seal bs=1 seek="$offset" conv=notrunc 2>/dev/null
echo "inverted byte $offset of $size"

rm -f tampered
status=0
unseal -k server.key -s client.pub tampered.seal || status=$?
echo "unseal exit status: $status (1 = authentication failed)"
[ "$status" -eq 1 ]
if [ -e tampered ]; then
    echo "an output file appeared (this must never happen)"
    exit 1
fi
echo "no output file was written"

# Through a pipe: zero bytes come out.
bytes=$(unseal -k server.key -s client.pub <tampered.seal 2>/dev/null | wc -c) || true
echo "bytes on standard output: $bytes"
[ "$bytes" -eq 0 ]
