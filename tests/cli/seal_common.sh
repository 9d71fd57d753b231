# Sourced by the tests/cli/seal_*.sh and tests/cli/unseal_*.sh tests (not a test
# itself): a private temporary directory removed on exit, key helpers and
# checks. POSIX sh.
set -u

for _p in "${SEAL:-}" "${UNSEAL:-}" "${SEAL_KEYGEN:-}"; do
    if [ -z "$_p" ] || [ ! -x "$_p" ]; then
        echo "SEAL, UNSEAL and SEAL_KEYGEN must name the built programs" >&2
        exit 99
    fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-test.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
# Private key files must be 0600 for seal to read them.
umask 077
# Spools of unseal go here too, so nothing is left behind in /tmp.
TMPDIR=$T
export TMPDIR

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# keypair NAME...: makes $T/NAME.key and $T/NAME.pub (2048 bits: quick).
keypair() {
    for _n in "$@"; do
        "$SEAL_KEYGEN" -o "$T/$_n" -b 2048 --no-passphrase >/dev/null 2>"$T/keygen.err" ||
            fail "seal-keygen -o $_n: $(cat "$T/keygen.err")"
    done
}

# The fingerprint OpenSSL computes for the public key file $1.
openssl_fpr() {
    printf 'SHA256:%s\n' "$(openssl pkey -pubin -in "$1" -outform DER |
        openssl dgst -sha256 -binary | base64 | tr -d '=\n')"
}

# make_file PATH SIZE: SIZE pseudo-random bytes (not compressible, and
# distinct from other files of the same size).
make_file() {
    head -c "$2" /dev/urandom >"$1" || fail "cannot make $1"
}

# expect_status WANT CMD...: runs CMD (stdout to $T/out, stderr to $T/err)
# and checks its exit status.
expect_status() {
    _want=$1
    shift
    _st=0
    "$@" >"$T/out" 2>"$T/err" || _st=$?
    [ "$_st" -eq "$_want" ] ||
        fail "$*: exit status $_st, expected $_want; stderr: $(cat "$T/err")"
}

# same FILE1 FILE2: byte-identical.
same() {
    cmp -s "$1" "$2" || fail "$1 and $2 differ"
}

# no_leftovers DIR: no file but the ones we made (no temporary output files).
no_temp_files() {
    _left=$(find "$1" -name '.*.??????' | head -n 1)
    [ -z "$_left" ] || fail "temporary file left behind: $_left"
}
