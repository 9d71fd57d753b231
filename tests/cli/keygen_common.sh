# Sourced by the tests/cli/keygen_*.sh tests (not a test itself): a private
# temporary directory removed on exit, and helpers. POSIX sh.
set -u

if [ -z "${SEAL_KEYGEN:-}" ] || [ ! -x "$SEAL_KEYGEN" ]; then
    echo "SEAL_KEYGEN is not set to a built seal-keygen" >&2
    exit 99
fi
if ! command -v openssl >/dev/null 2>&1; then
    echo "openssl not found: skipping" >&2
    exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/seal-keygen-test.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM
# Private key files must be 0600 for seal to read them (openssl creates
# files with 0666 & ~umask).
umask 077

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The fingerprint OpenSSL computes for the public key file $1 (SPKI, PEM):
# SHA-256 of the DER SubjectPublicKeyInfo, unpadded base64.
openssl_fpr() {
    printf 'SHA256:%s\n' "$(openssl pkey -pubin -in "$1" -outform DER |
        openssl dgst -sha256 -binary | base64 | tr -d '=\n')"
}

# The key ID seal-keygen -l prints for $1 (extra arguments passed on).
# Output format: "BITS seal SHA256:... ssh SHA256:... FILE (RSA)".
keygen_fpr() {
    _f=$1
    shift
    _out=$("$SEAL_KEYGEN" -l "$_f" "$@") || return 1
    set -- $_out
    [ "$2" = seal ] && [ "$4" = ssh ] || return 1
    printf '%s\n' "$3"
}

# expect_refusal STATUS FILE CMD...: CMD must exit with STATUS and print a
# one-line "seal-keygen: error: FILE: ..." message on stderr.
expect_refusal() {
    _want=$1
    _file=$2
    shift 2
    _st=0
    "$@" >"$T/refusal.out" 2>"$T/refusal.err" || _st=$?
    [ "$_st" -eq "$_want" ] ||
        fail "$*: exit status $_st, expected $_want; stderr: $(cat "$T/refusal.err")"
    grep -F "seal-keygen: error: $_file: " "$T/refusal.err" >/dev/null ||
        fail "$*: message does not name $_file: $(cat "$T/refusal.err")"
    cat "$T/refusal.err"
}

# The file's permission bits as ls shows them, e.g. "-rw-------".
mode_of() {
    ls -ln "$1" | cut -c1-10
}
