#!/bin/sh
# seal-keygen -l on a list of OpenSSH public keys, as ssh-keygen -lf reads
# an authorized_keys file: one line per RSA key, in file order, named
# FILE:LINE, each with the fingerprint ssh-keygen -lf gives for that line.
# An Ed25519 line is named and refused (exit 4) without hiding the others;
# a malformed line is named too (exit 3). Real ssh-keygen keys throughout.
. "$top_srcdir/tests/cli/keygen_common.sh"

command -v ssh-keygen >/dev/null 2>&1 ||
    fail "ssh-keygen not found (openssh-client; tools/bootstrap.sh installs it)"
for k in alice bob carol; do
    ssh-keygen -q -t rsa -b 2048 -N '' -C "$k@test" -f "$T/$k" >/dev/null || fail "ssh-keygen $k"
done
ssh-keygen -q -t ed25519 -N '' -C "ed@test" -f "$T/ed" >/dev/null || fail "ssh-keygen ed25519"

# Options (a quoted blank and comma), comments (a commented-out key too), a
# blank line, an indented key, an Ed25519 key between the RSA ones.
{
    echo "# the team"                                                     # 1
    echo                                                                  # 2
    printf 'from="10.0.0.0/8",command="echo \\"a, b\\"",no-pty %s\n' \
        "$(cat "$T/alice.pub")"                                           # 3
    cat "$T/ed.pub"                                                       # 4
    printf '   %s\n' "$(cat "$T/bob.pub")"                                # 5
    printf '#%s\n' "$(cat "$T/alice.pub")"                                # 6
    cat "$T/carol.pub"                                                    # 7
} >"$T/authorized_keys"

# What ssh-keygen -lf says for the RSA lines, in order.
ssh-keygen -lf "$T/authorized_keys" >"$T/ssh.out" || fail "ssh-keygen -lf authorized_keys"
grep ' (RSA)$' "$T/ssh.out" | cut -d' ' -f2 >"$T/want"
[ "$(wc -l <"$T/want")" -eq 3 ] || fail "ssh-keygen -lf: $(cat "$T/ssh.out")"

# check_rsa_lines FILE: the RSA lines of the list in $T/out, as -l shows
# one key, with ssh-keygen's fingerprints and lines 3, 5 and 7.
check_rsa_lines() {
    [ "$(wc -l <"$T/out")" -eq 3 ] || fail "-l $1: $(cat "$T/out")"
    i=0
    while read -r bits seal id ssh fpr name type; do
        i=$((i + 1))
        want=$(sed -n "${i}p" "$T/want")
        line=$(echo "3 5 7" | cut -d' ' -f$i)
        [ "$bits $seal $ssh $type" = "2048 seal ssh (RSA)" ] || fail "-l $1, key $i: format"
        [ "$fpr" = "$want" ] || fail "-l $1, key $i: ssh $fpr, ssh-keygen -lf says $want"
        [ "$name" = "$1:$line" ] || fail "-l $1, key $i: named $name, not $1:$line"
        case $id in SHA256:?*) ;; *) fail "-l $1, key $i: key ID '$id'" ;; esac
        [ "$id" != "$fpr" ] || fail "-l $1, key $i: key ID equal to the ssh fingerprint"
    done <"$T/out"
}

# The Ed25519 line: named with its line and type, exit 4, the RSA lines
# still shown.
st=0
"$SEAL_KEYGEN" -l "$T/authorized_keys" >"$T/out" 2>"$T/err" || st=$?
[ "$st" -eq 4 ] || fail "-l authorized_keys: exit status $st, expected 4: $(cat "$T/err")"
check_rsa_lines "$T/authorized_keys"
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "stderr: $(cat "$T/err")"
grep -qF "seal-keygen: error: $T/authorized_keys:4: ssh-ed25519 key: seal uses RSA keys only" \
    "$T/err" || fail "the Ed25519 line is not named: $(cat "$T/err")"

# Without it: exit 0, the same three lines (numbered as before: the
# Ed25519 key commented out).
sed '4s/^/#/' "$T/authorized_keys" >"$T/ak_rsa"
st=0
"$SEAL_KEYGEN" -l "$T/ak_rsa" >"$T/out" 2>"$T/err" || st=$?
[ "$st" -eq 0 ] || fail "-l on RSA keys only: exit status $st: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "-l on RSA keys only said: $(cat "$T/err")"
check_rsa_lines "$T/ak_rsa"

# A malformed line (cut short) is exit 3 naming it, even beside the Ed25519
# line; the RSA lines are still shown.
{
    cat "$T/authorized_keys"
    cut -c1-60 "$T/bob.pub" # 8
} >"$T/ak_bad"
st=0
"$SEAL_KEYGEN" -l "$T/ak_bad" >"$T/out" 2>"$T/err" || st=$?
[ "$st" -eq 3 ] || fail "-l with a malformed line: exit status $st, expected 3: $(cat "$T/err")"
check_rsa_lines "$T/ak_bad"
grep -qF "seal-keygen: error: $T/ak_bad:8: " "$T/err" || fail "line 8 not named: $(cat "$T/err")"
grep -qF "seal-keygen: error: $T/ak_bad:4: " "$T/err" || fail "line 4 not named: $(cat "$T/err")"

# A single key is still shown under the file's own name.
"$SEAL_KEYGEN" -l "$T/alice.pub" >"$T/out" || fail "-l alice.pub"
set -- $(cat "$T/out")
[ "$6" = "$T/alice.pub" ] || fail "-l alice.pub: $(cat "$T/out")"
echo "ok: seal-keygen -l on an authorized_keys file"
