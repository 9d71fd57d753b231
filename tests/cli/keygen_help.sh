#!/bin/sh
# --help prints the usage on stdout and exits 0, every option it lists is
# documented in seal-keygen(1), and --version prints the package version.
. "$top_srcdir/tests/cli/keygen_common.sh"

"$SEAL_KEYGEN" --help >"$T/help" || fail "--help failed"
grep -q '^usage: seal-keygen -o NAME' "$T/help" || fail "no usage line"
man="$top_srcdir/man/seal-keygen.1"
opts=$(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u)
[ -n "$opts" ] || fail "no long options in --help"
for o in $opts; do
    # groff writes "-" as "\-" in the source.
    esc=$(printf '%s\n' "$o" | sed 's/-/\\\\-/g')
    grep -q -- "$esc" "$man" || fail "$o is not in $man"
done
"$SEAL_KEYGEN" -V | grep -q '^seal-keygen (seal) [0-9]' || fail "--version"
