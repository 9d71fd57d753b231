#!/bin/sh
# Registration (seal-keygen(1) --register, seal(5) TRANSPORT "Registration"):
# a new key lands in pending/ with its fingerprint logged and is not
# trusted; once an operator moves it into the trust directory the running
# listener accepts the client's seal --to and serves its outbox; a taken
# name, a bad name, a stale or forged record and a full pending directory
# are refused.
. "$top_srcdir/tests/transport/common.sh"
command -v python3 >/dev/null 2>&1 || exit 77

for n in dave erin frank; do
    "$SEAL_KEYGEN" -o "$T/$n" -b 2048 --no-passphrase >/dev/null 2>&1 || fail "keygen $n"
done
mkdir -p "$T/pending" "$T/outbox/dave"
listen l1 127.0.0.1:0 --pending "$T/pending" --max-pending 2 --outbox "$T/outbox"
P=$LPORT
reg() { "$SEAL_KEYGEN" --register "127.0.0.1:$P" "$@"; }

reg -s "$T/dave.key" >"$T/r1.out" 2>"$T/r1.err" || fail "register dave: $(cat "$T/r1.err")"
# seal-keygen -l: "BITS seal SHA256:ID ssh SHA256:... FILE (RSA)"
FPR=$("$SEAL_KEYGEN" -l "$T/dave.pub" | cut -d' ' -f3)
[ -f "$T/pending/dave.pub" ] || fail "dave.pub not in pending/"
grep -q "pending" "$T/r1.out" || fail "no 'pending' in: $(cat "$T/r1.out")"
grep -qF "fingerprint seal $FPR ssh SHA256:" "$T/r1.out" ||
    fail "the client did not show its fingerprint: $(cat "$T/r1.out")"
wait_log l1 "registration from 127.0.0.1:.*dave, key seal $FPR" || fail "fingerprint not logged"
[ "$("$SEAL_KEYGEN" -l "$T/pending/dave.pub" | cut -d' ' -f3)" = "$FPR" ] ||
    fail "pending/dave.pub is another key"

# Not trusted: its envelope is refused, its fetch too.
printf 'hello from dave\n' >"$T/d.msg"
st=0
"$SEAL" -r "$T/bob.pub" -s "$T/dave.key" --to "127.0.0.1:$P" --retry-for 0 "$T/d.msg" \
    2>"$T/s1.err" || st=$?
[ "$st" -eq 9 ] || fail "untrusted dave delivered: exit $st $(cat "$T/s1.err")"
grep -q "untrusted sender" "$T/s1.err" || fail "dave: $(cat "$T/s1.err")"

# Taken and pending names, and the same key under another name.
st=0; reg -s "$T/dave.key" 2>"$T/r2.err" || st=$?
[ "$st" -eq 9 ] && grep -q "ERR perm name taken" "$T/r2.err" || fail "pending name: $st $(cat "$T/r2.err")"
st=0; reg -s "$T/erin.key" --name alice 2>"$T/r3.err" || st=$?
[ "$st" -eq 9 ] && grep -q "name taken" "$T/r3.err" || fail "trusted name: $st $(cat "$T/r3.err")"
st=0; reg -s "$T/dave.key" --name dave2 2>"$T/r4.err" || st=$?
[ "$st" -eq 9 ] || fail "the same key twice: $st"
# Bad names: refused before anything is sent, and by the listener.
for bad in ../x .hidden a/b '' -x "$(printf 'a%.0s' $(seq 65))"; do
    st=0; reg -s "$T/erin.key" --name "$bad" 2>/dev/null || st=$?
    [ "$st" -eq 2 ] || fail "bad name '$bad' not refused: $st"
done
python3 - "$P" "$T" <<'PY' || fail "forged records"
import socket, sys, struct
port, T = int(sys.argv[1]), sys.argv[2]
def ask(rec):
    k = socket.create_connection(("127.0.0.1", port), timeout=20)
    k.sendall(b"REGISTER %d\n" % len(rec) + rec)
    out = k.makefile("rb").readline()
    k.close()
    return out
# A real record (captured from a stand-in) with its name bytes changed, and one cut short.
import subprocess, os, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
p = subprocess.Popen([os.environ["SEAL_KEYGEN"], "--register", "127.0.0.1:%d" % s.getsockname()[1],
                      "-s", T + "/frank.key", "--name", "frankx"], stderr=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL)
c, _ = s.accept(); c.settimeout(20)
data = b""
while b"\n" not in data or len(data) < data.index(b"\n") + 1 + int(data[9:data.index(b"\n")]):
    data += c.recv(65536)
c.sendall(b"ERR temp not now\n"); c.close(); p.wait(timeout=20)
rec = data[data.index(b"\n") + 1:]
bad = rec.replace(b"frankx", b"frank/")
for r, want in ((bad, b"ERR perm bad"), (rec[:-1], b"ERR perm bad registration"),
                (b"x" * 100, b"ERR perm bad registration")):
    got = ask(r)
    if not got.startswith(want):
        sys.exit("got %r, want %r" % (got, want))
PY
[ ! -e "$T/pending/frank.pub" ] && [ ! -e "$T/pending/frankx.pub" ] || fail "a forged record was stored"

# A full pending directory (at most 2): erin fits, frank does not.
reg -s "$T/erin.key" >/dev/null 2>"$T/r5.err" || fail "register erin: $(cat "$T/r5.err")"
st=0; reg -s "$T/frank.key" 2>"$T/r6.err" || st=$?
[ "$st" -eq 9 ] && grep -q "ERR temp too many pending registrations" "$T/r6.err" ||
    fail "full pending dir: $st $(cat "$T/r6.err")"
[ ! -e "$T/pending/frank.pub" ] || fail "frank stored beyond the cap"

# The operator approves dave: the running listener accepts him now.
mv "$T/pending/dave.pub" "$T/trusted/dave.pub"
"$SEAL" -r "$T/bob.pub" -s "$T/dave.key" --to "127.0.0.1:$P" "$T/d.msg" 2>"$T/s2.err" ||
    fail "approved dave: $(cat "$T/s2.err")"
wait_log l1 "delivered from .*sender dave" || fail "no delivery from dave"
grep -lqx "hello from dave" "$T"/inbox/new/* || fail "dave's message not in the inbox"
# ... and dave fetches what waits for him.
printf 'welcome, dave\n' >"$T/w.msg"
"$SEAL" -r "$T/dave.pub" -s "$T/bob.key" -o "$T/outbox/dave/welcome.seal" "$T/w.msg" || fail "queue"
"$UNSEAL" --from "127.0.0.1:$P" --fetch -k "$T/dave.key" -s "$T/bob.pub" -d "$T/din" \
    2>"$T/f.err" || fail "dave's fetch: $(cat "$T/f.err")"
grep -lqx "welcome, dave" "$T"/din/new/* || fail "welcome not fetched"
[ -f "$T/outbox/dave/sent/welcome.seal" ] || fail "welcome not in sent/"
