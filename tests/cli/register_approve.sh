#!/bin/sh
# The way forward for a sender the listener does not trust: seal --to
# hints at seal-keygen --register; the operator lists the pending keys
# (seal-keygen --pending DIR: name, bits, fingerprint, age) and approves one
# (--approve NAME --trust-dir DIR), which moves it into the trust directory
# and refuses a name or a key already trusted.
. "$top_srcdir/tests/transport/common.sh"

for n in dave erin; do
    "$SEAL_KEYGEN" -o "$T/$n" -b 2048 --no-passphrase >/dev/null 2>&1 || fail "keygen $n"
done
mkdir -p "$T/pending"
# Nothing pending yet.
"$SEAL_KEYGEN" --pending "$T/pending" >"$T/p0.out" 2>"$T/p0.err" || fail "empty: $(cat "$T/p0.err")"
[ ! -s "$T/p0.out" ] || fail "empty pending listed: $(cat "$T/p0.out")"
grep -q "no registration pending" "$T/p0.err" || fail "empty: $(cat "$T/p0.err")"

listen l1 127.0.0.1:0 --pending "$T/pending"
P=$LPORT
printf 'hello from dave\n' >"$T/d.msg"
st=0
"$SEAL" -r "$T/bob.pub" -s "$T/dave.key" --to "127.0.0.1:$P" --retry-for 0 "$T/d.msg" \
    2>"$T/s1.err" || st=$?
[ "$st" -eq 9 ] || fail "untrusted dave: exit $st $(cat "$T/s1.err")"
grep -q "^seal: hint: .*seal-keygen --register 127.0.0.1:$P" "$T/s1.err" ||
    fail "no --register hint: $(cat "$T/s1.err")"

"$SEAL_KEYGEN" --register "127.0.0.1:$P" -s "$T/dave.key" >/dev/null 2>"$T/r.err" ||
    fail "register: $(cat "$T/r.err")"
# -l prints "BITS seal SHA256:ID ssh SHA256:FPR FILE (RSA)".
FPR=$("$SEAL_KEYGEN" -l "$T/dave.pub" | awk '{print $3}')
SSHFPR=$("$SEAL_KEYGEN" -l "$T/dave.pub" | awk '{print $5}')
"$SEAL_KEYGEN" --pending "$T/pending" >"$T/p1.out" 2>"$T/p1.err" || fail "list: $(cat "$T/p1.err")"
awk -v f="$FPR" -v g="$SSHFPR" '$1 == "dave" && $2 == 2048 && $3 == "seal" && $4 == f &&
    $5 == "ssh" && $6 == g && $7 ~ /^[0-9]+s$/ && NF == 7' \
    "$T/p1.out" | grep -q . || fail "listing: $(cat "$T/p1.out")"

# Usage: --approve needs --trust-dir, and the other way round.
st=0; "$SEAL_KEYGEN" --pending "$T/pending" --approve dave 2>"$T/u.err" || st=$?
[ "$st" -eq 2 ] || fail "--approve without --trust-dir: $st"
st=0; "$SEAL_KEYGEN" --approve dave --trust-dir "$T/trusted" 2>"$T/u.err" || st=$?
[ "$st" -eq 2 ] || fail "--approve without --pending: $st"
st=0; "$SEAL_KEYGEN" --pending "$T/pending" --approve ../dave --trust-dir "$T/trusted" \
    2>"$T/u.err" || st=$?
[ "$st" -eq 2 ] || fail "a path as NAME: $st"

# A name already trusted is refused, and nothing moves.
cp "$T/pending/dave.pub" "$T/pending/alice.pub"
st=0; "$SEAL_KEYGEN" --pending "$T/pending" --approve alice --trust-dir "$T/trusted" \
    2>"$T/a1.err" || st=$?
[ "$st" -eq 7 ] && grep -q "already exists" "$T/a1.err" || fail "name taken: $st $(cat "$T/a1.err")"
[ -f "$T/pending/alice.pub" ] || fail "the refused key moved"
rm "$T/pending/alice.pub"

"$SEAL_KEYGEN" --pending "$T/pending" --approve dave --trust-dir "$T/trusted" >"$T/a2.out" \
    2>"$T/a2.err" || fail "approve: $(cat "$T/a2.err")"
[ -f "$T/trusted/dave.pub" ] && [ ! -e "$T/pending/dave.pub" ] || fail "dave.pub not moved"
grep -q "seal $FPR trusted" "$T/a2.out" || fail "approval output: $(cat "$T/a2.out")"
# The running listener accepts dave now.
"$SEAL" -r "$T/bob.pub" -s "$T/dave.key" --to "127.0.0.1:$P" "$T/d.msg" 2>"$T/s2.err" ||
    fail "approved dave: $(cat "$T/s2.err")"

# The same key under another name is refused.
cp "$T/dave.pub" "$T/pending/dave2.pub"
st=0; "$SEAL_KEYGEN" --pending "$T/pending" --approve dave2.pub --trust-dir "$T/trusted" \
    2>"$T/a3.err" || st=$?
[ "$st" -eq 7 ] && grep -q "already trusted as dave.pub" "$T/a3.err" ||
    fail "same key: $st $(cat "$T/a3.err")"
[ ! -e "$T/trusted/dave2.pub" ] || fail "one key trusted under two names"
# No such registration.
st=0; "$SEAL_KEYGEN" --pending "$T/pending" --approve erin --trust-dir "$T/trusted" \
    2>"$T/a4.err" || st=$?
[ "$st" -ne 0 ] || fail "approved a registration that does not exist"
echo "ok: hints, --pending and --approve"
