#!/bin/sh
# unseal --inspect shows a creation time of 2^63 seconds or more as "out of
# range": it used to go through a signed time_t and print 1969.
# The envelopes come from the reference implementation (tests/reference),
# which can write any created value; they verify, so unseal accepts them.
. "$top_srcdir/tests/cli/seal_common.sh"
py=""
for p in python3 /usr/bin/python3; do
    "$p" -c 'import cryptography' 2>/dev/null && { py=$p; break; }
done
[ -n "$py" ] || exit 77
keypair alice bob
for t in 9223372036854775807 9223372036854775808 18446744073709551615; do
    "$py" - "$top_srcdir/tests/reference" "$T" "$t" <<'PY' || fail "reference seal"
import sys
sys.path.insert(0, sys.argv[1])
import seal_ref
t, created = sys.argv[2], int(sys.argv[3])
env = seal_ref.seal(b"hello", [seal_ref.load_public(t + "/bob.pub")],
                    seal_ref.load_private(t + "/alice.key"), created=created)
open(t + "/t.seal", "wb").write(env)
PY
    expect_status 0 "$UNSEAL" --inspect -k "$T/bob.key" -s "$T/alice.pub" "$T/t.seal"
    line=$(grep '^created: ' "$T/out")
    case $t in
    9223372036854775807)
        case $line in "created: 292277026596-"* | "created: out of range") ;;
        *) fail "2^63-1 shown as '$line'" ;; esac ;;
    *) [ "$line" = "created: out of range" ] || fail "$t shown as '$line'" ;;
    esac
    expect_status 0 "$UNSEAL" --inspect --json -k "$T/bob.key" -s "$T/alice.pub" "$T/t.seal"
    grep -q "\"created_unix\":$t," "$T/out" || fail "JSON created_unix for $t: $(cat "$T/out")"
    [ "$t" = 9223372036854775807 ] || grep -q '"created":"out of range"' "$T/out" ||
        fail "JSON created for $t: $(cat "$T/out")"
done
echo "created out of range: ok"
