#!/bin/sh
# The caps of unseal(1) RESOURCE LIMITS hold at their edges, without
# timings (bench/bounds.sh measures the costs): 64 recipients seal and open,
# 65 are refused; a trust directory of 4,096 keys works and one of 4,097 is
# refused; the keys are read lazily, in name order, until the sender's: a
# broken key file sorted after the sender's is never read, one sorted
# before it is. The extra keys are public keys with random moduli
# (tests/hardening/derkeys.py).
. "$top_srcdir/tests/cli/seal_common.sh"
command -v python3 >/dev/null || exit 77
fake() { python3 "$top_srcdir/tests/hardening/derkeys.py" fake-pubs "$@" || exit 99; }

keypair alice bob mallory
echo "at the caps" >"$T/msg"

fake "$T/r" 63 2048 other
cp "$T/bob.pub" "$T/r/zz-bob.pub"
expect_status 0 "$SEAL" -r "$T/r" -s "$T/alice.key" -o "$T/m64.seal" "$T/msg"
expect_status 0 "$UNSEAL" -q -k "$T/bob.key" -s "$T/alice.pub" -o - "$T/m64.seal"
same "$T/out" "$T/msg"
fake "$T/r" 1 2048 more
expect_status 2 "$SEAL" -r "$T/r" -s "$T/alice.key" -o "$T/m65.seal" "$T/msg"
grep -q "too many recipients (at most 64)" "$T/err" || fail "65 recipients: $(cat "$T/err")"

"$SEAL" -r "$T/bob.pub" -s "$T/alice.key" -o "$T/a.seal" "$T/msg" || fail "seal"
"$SEAL" -r "$T/bob.pub" -s "$T/mallory.key" -o "$T/m.seal" "$T/msg" || fail "seal"
fake "$T/trust" 4095 2048 key
cp "$T/alice.pub" "$T/trust/000-alice.pub"
expect_status 0 "$UNSEAL" -q -k "$T/bob.key" -s "$T/trust" -o - "$T/a.seal"
same "$T/out" "$T/msg"
expect_status 6 "$UNSEAL" -q -k "$T/bob.key" -s "$T/trust" -o - "$T/m.seal"
# Lazily: a broken file after the sender's is not read for alice's envelope;
# mallory's (untrusted: every key is read) reaches it.
echo "not a key" >"$T/trust/key0001.pub"
expect_status 0 "$UNSEAL" -q -k "$T/bob.key" -s "$T/trust" -o - "$T/a.seal"
expect_status 3 "$UNSEAL" -q -k "$T/bob.key" -s "$T/trust" -o - "$T/m.seal"
grep -q "trusted sender .*key0001.pub: not a key file" "$T/err" || fail "lazy: $(cat "$T/err")"
mv "$T/trust/000-alice.pub" "$T/trust/zzz-alice.pub"
expect_status 3 "$UNSEAL" -q -k "$T/bob.key" -s "$T/trust" -o - "$T/a.seal"
rm "$T/trust/key0001.pub"
fake "$T/trust" 1 2048 again
expect_status 0 "$UNSEAL" -q -k "$T/bob.key" -s "$T/trust" -o - "$T/a.seal"
fake "$T/trust" 1 2048 over
expect_status 3 "$UNSEAL" -q -k "$T/bob.key" -s "$T/trust" -o - "$T/a.seal"
grep -q "directory holds more than 4096 keys" "$T/err" || fail "4097 keys: $(cat "$T/err")"
echo "ok: recipients and trusted keys at their caps"
