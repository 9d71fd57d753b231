#!/bin/sh
# --inspect --json is valid JSON (Python's json module) for any key file
# name: quotes, backslashes, control characters and bytes that are not
# UTF-8 in the sender's name; the text output shows no control character.
. "$top_srcdir/tests/cli/seal_common.sh"

command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skip"; exit 77; }
keypair alice bob
mkdir "$T/trusted"
name=$(printf 'a"b\\c\001\033[31m\377\303(\316\273')
cp "$T/alice.pub" "$T/trusted/$name.pub" || fail "cannot make the odd name"
printf 'msg\n' >"$T/msg"
"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/m.seal" "$T/msg" || fail "seal"
expect_status 0 "$UNSEAL" --inspect --json -k "$T/bob.key" -s "$T/trusted" "$T/m.seal"
python3 - "$T/out" <<'PY' || fail "not valid JSON: $(cat "$T/out")"
import json, sys
raw = open(sys.argv[1], "rb").read()
j = json.loads(raw.decode("utf-8"))  # strict: invalid UTF-8 raises
name = j["sender_name"]
assert name.startswith('a"b\\c\x01\x1b[31m'), repr(name)
assert name.endswith("\u03bb"), repr(name)  # valid UTF-8 kept as is
assert "\ufffd" in name, repr(name)         # the stray bytes
assert j["signature"] == "good"
PY
expect_status 0 "$UNSEAL" --inspect -k "$T/bob.key" -s "$T/trusted" "$T/m.seal"
python3 - "$T/out" <<'PY' || fail "control bytes in the text output"
import sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")
assert not any(b < 0x20 and b != 0x0a for b in raw), raw
PY
echo "ok: JSON for any name"
