#!/bin/sh
# An OpenSSH Ed25519 key (public or private) is refused with a hint that
# says plainly that only RSA keys work, not an ssh-keygen conversion that
# would only give another Ed25519 key.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v ssh-keygen >/dev/null 2>&1 || { echo "ssh-keygen not found: skipping"; exit 77; }

keypair alice
printf 'x\n' >"$T/msg"
ssh-keygen -q -t ed25519 -N '' -f "$T/ed" >/dev/null || fail "ssh-keygen"
st=0
"$SEAL" -r "$T/ed.pub" -s "$T/alice.key" -o "$T/out.seal" "$T/msg" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "an Ed25519 public key was accepted"
grep -q "^seal: hint: .*RSA keys only" "$T/err" || fail "hint: $(cat "$T/err")"
grep -q "ssh-keygen -e" "$T/err" && fail "suggests a conversion that cannot work: $(cat "$T/err")"
st=0
"$SEAL" -r "$T/alice.pub" -s "$T/ed" -o "$T/out.seal" "$T/msg" 2>"$T/err" || st=$?
[ "$st" -ne 0 ] || fail "an Ed25519 private key was accepted"
grep -q "^seal: hint: .*RSA keys only" "$T/err" || fail "private hint: $(cat "$T/err")"
echo "ok: Ed25519 keys: RSA only, said plainly"
