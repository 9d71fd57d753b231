#!/bin/sh
# Key files are told for what they are before their mode is checked, and
# advice is a hint line, never part of the error: a public key given to -s
# or -k is called a public key (even at mode 0644), an open private key the
# chmod hint. Policy refusals of valid key files share exit status 4
# (scrypt p=17 was 3, legacy PEM encryption was 3), each with its hint.
. "$top_srcdir/tests/cli/seal_common.sh"

keypair alice bob
printf 'x\n' >"$T/msg"
chmod 644 "$T/bob.pub"

# (error line, hint line) checks on $T/err
no_advice_in_error() {
    if grep "error:" "$T/err" | grep -qE "chmod|openssl|ssh-keygen|use -f"; then
        fail "advice inside the error line: $(cat "$T/err")"
    fi
}

expect_status 4 "$SEAL" -r "$T/alice.pub" -s "$T/bob.pub" -o "$T/o1" "$T/msg"
cat "$T/err"
grep -q "^seal: error: $T/bob.pub: a public key; a private key is needed" "$T/err" ||
    fail "public key for -s not called one: $(cat "$T/err")"
grep -qi "permission" "$T/err" && fail "a public key blamed on its permissions"
grep -q "^seal: hint: the private key is probably $T/bob.key" "$T/err" || fail "no hint"
expect_status 4 "$UNSEAL" -k "$T/bob.pub" -s "$T/alice.pub" -o "$T/o2" "$T/msg"
grep -q "^unseal: error: $T/bob.pub: a public key" "$T/err" || fail "unseal -k: $(cat "$T/err")"

# A private key open to others: the error, then the chmod hint.
cp "$T/alice.key" "$T/open.key"
chmod 644 "$T/open.key"
expect_status 4 "$SEAL" -r "$T/bob.pub" -s "$T/open.key" -o "$T/o3" "$T/msg"
cat "$T/err"
grep -q "^seal: error: $T/open.key: private key file permissions 0644 are too open" "$T/err" ||
    fail "mode: $(cat "$T/err")"
grep -q "^seal: hint: .*chmod 600 $T/open.key" "$T/err" || fail "no chmod hint"
no_advice_in_error

# An encrypted OpenSSH private key: refused (exit 4, a key problem) with
# the ssh-keygen hint that keeps it usable by ssh, on its own line.
if command -v ssh-keygen >/dev/null 2>&1; then
    ssh-keygen -q -t rsa -b 2048 -N 'secret phrase' -f "$T/ssh" >/dev/null || fail "ssh-keygen"
    expect_status 4 "$SEAL" -r "$T/bob.pub" -s "$T/ssh" -o "$T/o5" "$T/msg"
    cat "$T/err"
    grep -q "^seal: error: $T/ssh: OpenSSH private key encrypted" "$T/err" || fail "ssh: $(cat "$T/err")"
    grep -q "^seal: hint: .*ssh-keygen -p -m PKCS8 -f $T/ssh" "$T/err" || fail "no -p hint"
    no_advice_in_error
fi

# Legacy PEM encryption: a valid key file in an encryption seal refuses,
# exit 4 as seal(1) says for an unsupported key; the openssl hint on its
# own line.
openssl genrsa -aes256 -passout pass:pw -traditional -out "$T/legacy.key" 2048 2>/dev/null ||
    openssl genrsa -aes256 -passout pass:pw -out "$T/legacy.key" 2048 2>/dev/null
grep -q "Proc-Type" "$T/legacy.key" || fail "openssl wrote no legacy PEM encryption"
expect_status 4 "$SEAL" -r "$T/bob.pub" -s "$T/legacy.key" -o "$T/o6" "$T/msg"
grep -q "^seal: hint: .*openssl pkcs8 -topk8" "$T/err" || fail "no pkcs8 hint"
no_advice_in_error
expect_status 4 "$UNSEAL" -k "$T/legacy.key" -s "$T/alice.pub" -o "$T/o6" "$T/msg"
expect_status 4 "$SEAL_KEYGEN" -l "$T/legacy.key"

# scrypt p=17 and r=16: valid files refused by policy, both exit 4.
printf 'pw\n' >"$T/pw"
for params in "-scrypt_p 17" "-scrypt_r 16"; do
    # shellcheck disable=SC2086
    openssl pkcs8 -topk8 -scrypt -scrypt_N 1024 $params -in "$T/alice.key" \
        -passout file:"$T/pw" -out "$T/policy.key" 2>/dev/null || fail "openssl pkcs8 $params"
    expect_status 4 "$SEAL" -r "$T/bob.pub" -s "$T/policy.key" --passphrase-file "$T/pw" \
        -o "$T/o7" "$T/msg"
    cat "$T/err"
    no_advice_in_error
done
echo "ok: key files are told for what they are"
