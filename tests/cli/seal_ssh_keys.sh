#!/bin/sh
# The RSA keys users already have, made by the real ssh-keygen: seal to
# id.pub and unseal with id (OpenSSH's own private key format, and -m PEM),
# a trust directory of ssh-rsa .pub files, an authorized_keys file (with
# options and comments) as -R, seal-keygen -l showing ssh-keygen -lf's
# fingerprint, and seal-keygen -y --ssh giving back the key's ssh-rsa line.
. "$top_srcdir/tests/cli/seal_common.sh"

command -v ssh-keygen >/dev/null 2>&1 ||
    fail "ssh-keygen not found (openssh-client; tools/bootstrap.sh installs it)"
sshkey() { # NAME [ARGS...]: an unencrypted 3072-bit RSA key pair $T/NAME, $T/NAME.pub
    _n=$1
    shift
    ssh-keygen -q -t rsa -b 3072 -N '' -C "$_n@test" "$@" -f "$T/$_n" >/dev/null ||
        fail "ssh-keygen $_n"
}
sshkey alice
sshkey bob -m PEM
sshkey carol
grep -q "BEGIN OPENSSH PRIVATE KEY" "$T/alice" || fail "ssh-keygen wrote no OpenSSH key"
grep -q "BEGIN RSA PRIVATE KEY" "$T/bob" || fail "ssh-keygen -m PEM wrote no PEM key"
make_file "$T/msg" 70000

# seal -l: the labelled key ID and ssh-keygen's fingerprint, for both files
# of both formats.
for k in alice bob; do
    want=$(ssh-keygen -lf "$T/$k.pub" | cut -d' ' -f2)
    for f in "$T/$k.pub" "$T/$k"; do
        set -- $("$SEAL_KEYGEN" -l "$f") || fail "seal-keygen -l $f"
        [ "$2 $4 $5" = "seal ssh $want" ] || fail "$f: '$*', ssh-keygen -lf says $want"
        [ "$3" != "$want" ] || fail "$f: key ID equal to the ssh fingerprint"
    done
    # -y --ssh: the same key as ssh-keygen's line (the comment aside).
    "$SEAL_KEYGEN" -y "$T/$k" --ssh >"$T/$k.again" || fail "-y --ssh $k"
    [ "$(cut -d' ' -f1,2 "$T/$k.again")" = "$(cut -d' ' -f1,2 "$T/$k.pub")" ] ||
        fail "-y --ssh $k: $(cat "$T/$k.again")"
    [ "$(ssh-keygen -lf "$T/$k.again" | cut -d' ' -f2)" = "$want" ] || fail "-y --ssh $k: fpr"
done

# Seal to id.pub with the other's id as sender, and open it with id.
"$SEAL" -r "$T/alice.pub" -s "$T/bob" -o "$T/m.seal" "$T/msg" || fail "seal -r alice.pub -s bob"
expect_status 0 "$UNSEAL" -k "$T/alice" -s "$T/bob.pub" -o "$T/m.out" "$T/m.seal"
same "$T/m.out" "$T/msg"
grep -q "^unseal: good signature from bob (seal SHA256:" "$T/err" || fail "verdict: $(cat "$T/err")"
"$SEAL" -r "$T/bob.pub" -s "$T/alice" -o "$T/m2.seal" "$T/msg" || fail "seal -r bob.pub -s alice"
expect_status 0 "$UNSEAL" -k "$T/bob" -s "$T/alice.pub" -o "$T/m2.out" "$T/m2.seal"
same "$T/m2.out" "$T/msg"

# A trust directory of ssh-rsa .pub files.
mkdir "$T/trusted"
cp "$T/carol.pub" "$T/trusted/carol.pub"
cp "$T/bob.pub" "$T/trusted/bob-laptop.pub"
expect_status 0 "$UNSEAL" -k "$T/alice" -s "$T/trusted" -o "$T/m3.out" "$T/m.seal"
same "$T/m3.out" "$T/msg"
grep -q "^unseal: good signature from bob-laptop (seal SHA256:" "$T/err" || fail "$(cat "$T/err")"
# -r DIR of them.
"$SEAL" -r "$T/trusted" -s "$T/alice" -o "$T/m4.seal" "$T/msg" || fail "seal -r DIR"
expect_status 0 "$UNSEAL" -k "$T/carol" -s "$T/alice.pub" -o "$T/m4.out" "$T/m4.seal"
same "$T/m4.out" "$T/msg"
expect_status 0 "$UNSEAL" -k "$T/bob" -s "$T/alice.pub" -o "$T/m5.out" "$T/m4.seal"

# An authorized_keys file as -R: options (a quoted space and a comma
# inside), comments (commented-out keys too), blank lines, an indented key.
{
    echo "# the team"
    echo
    printf 'from="10.0.0.0/8",command="echo \\"a, b\\"",no-pty %s\n' "$(cat "$T/bob.pub")"
    printf '   %s\n' "$(cat "$T/carol.pub")"
    printf '# away: %s\n#%s\n' "$(cat "$T/alice.pub")" "$(cat "$T/alice.pub")"
} >"$T/authorized_keys"
"$SEAL" -R "$T/authorized_keys" -s "$T/alice" -o "$T/m6.seal" "$T/msg" || fail "seal -R"
expect_status 0 "$UNSEAL" --inspect "$T/m6.seal"
[ "$(grep -c '^recipient: ' "$T/out")" -eq 2 ] || fail "-R: $(cat "$T/out")"
for k in bob carol; do
    expect_status 0 "$UNSEAL" -k "$T/$k" -s "$T/alice.pub" -o "$T/m6.$k" "$T/m6.seal"
    same "$T/m6.$k" "$T/msg"
done
# The same key twice (as a line and as a file): refused naming both.
cp "$T/authorized_keys" "$T/twice"
echo "$T/bob.pub" >>"$T/twice"
expect_status 2 "$SEAL" -R "$T/twice" -s "$T/alice" -o "$T/m7.seal" "$T/msg"
grep -qF "$T/bob.pub: the same key as $T/twice:3" "$T/err" || fail "twice: $(cat "$T/err")"

# A USER.keys with an Ed25519 key: refused naming the type and the line.
ssh-keygen -q -t ed25519 -N '' -f "$T/ed" >/dev/null || fail "ssh-keygen ed25519"
cat "$T/carol.pub" "$T/ed.pub" >"$T/user.keys"
expect_status 4 "$SEAL" -R "$T/user.keys" -s "$T/alice" -o "$T/m8.seal" "$T/msg"
grep -q "^seal: error: $T/user.keys:2: ssh-ed25519 key: seal uses RSA keys only" "$T/err" ||
    fail "ed25519 line: $(cat "$T/err")"
[ ! -e "$T/m8.seal" ] || fail "an envelope despite the refusal"
expect_status 4 "$SEAL" -r "$T/ed.pub" -s "$T/alice" -o "$T/m8.seal" "$T/msg"
grep -q "ssh-ed25519 key: seal uses RSA keys only" "$T/err" || fail "ed25519: $(cat "$T/err")"
expect_status 4 "$SEAL_KEYGEN" -l "$T/ed"
ssh-keygen -q -t ecdsa -N '' -f "$T/ec" >/dev/null || fail "ssh-keygen ecdsa"
expect_status 4 "$SEAL" -r "$T/ec.pub" -s "$T/alice" -o "$T/m8.seal" "$T/msg"
grep -q "ecdsa-sha2-nistp256 key: seal uses RSA keys only" "$T/err" || fail "ecdsa: $(cat "$T/err")"

# An encrypted OpenSSH key: exit 4 and the ssh-keygen hint; after that
# conversion (same passphrase) seal reads it, and ssh-keygen still does.
cp "$T/carol" "$T/locked"
chmod 600 "$T/locked"
ssh-keygen -q -p -N 'open sesame' -f "$T/locked" >/dev/null || fail "ssh-keygen -p"
printf 'open sesame\n' >"$T/pw"
expect_status 4 "$SEAL" -r "$T/bob.pub" -s "$T/locked" --passphrase-file "$T/pw" \
    -o "$T/m9.seal" "$T/msg"
grep -q "^seal: hint: .*ssh-keygen -p -m PKCS8 -f $T/locked" "$T/err" || fail "$(cat "$T/err")"
ssh-keygen -q -p -m PKCS8 -P 'open sesame' -N 'open sesame' -f "$T/locked" >/dev/null ||
    fail "ssh-keygen -p -m PKCS8"
"$SEAL" -r "$T/bob.pub" -s "$T/locked" --passphrase-file "$T/pw" -o "$T/m9.seal" "$T/msg" ||
    fail "seal after the conversion"
expect_status 0 "$UNSEAL" -k "$T/bob" -s "$T/carol.pub" -o "$T/m9.out" "$T/m9.seal"
same "$T/m9.out" "$T/msg"
ssh-keygen -y -P 'open sesame' -f "$T/locked" >/dev/null || fail "ssh no longer reads it"

# id.pub given for the private key: the hint names id, as ssh-keygen
# names it.
expect_status 4 "$SEAL" -r "$T/bob.pub" -s "$T/alice.pub" -o "$T/m10.seal" "$T/msg"
grep -q "^seal: hint: the private key is probably $T/alice\$" "$T/err" || fail "$(cat "$T/err")"

# The usual permission check holds for OpenSSH private keys.
chmod 644 "$T/alice"
expect_status 4 "$SEAL" -r "$T/bob.pub" -s "$T/alice" -o "$T/m10.seal" "$T/msg"
grep -q "^seal: hint: .*chmod 600 $T/alice" "$T/err" || fail "mode: $(cat "$T/err")"
echo "ok: OpenSSH RSA keys work"
