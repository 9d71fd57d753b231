#!/bin/sh
# man/seal.5's "Decoders MUST reject" list and the testkit agree: every
# testkit file of a failure is named by exactly one rule, and every name
# or pattern a rule gives matches at least one testkit file.
set -u

spec="$top_srcdir/man/seal.5"
kit="$top_srcdir/tests/testkit"
# The file names and patterns the rules give (the .TP items up to ENCODING).
pats=$(sed -n '/^\.SS Decoders MUST reject/,/^\.SH ENCODING/p' "$spec" |
    grep -oE '(header|payload|signature|not_recipient|untrusted|armor)_[a-z0-9_]*\*?' | sort -u)
[ -n "$pats" ] || { echo "FAIL: no testkit names found in $spec"; exit 1; }

fail=0
for f in "$kit"/*.seal; do
    name=$(basename "$f" .seal)
    case $name in success_*) continue ;; esac
    n=0
    for p in $pats; do
        # shellcheck disable=SC2254 # $p is a glob on purpose
        case $name in $p) n=$((n + 1)) ;; esac
    done
    [ "$n" -eq 1 ] || { echo "FAIL: $name is named by $n rules in seal(5)"; fail=1; }
done
for p in $pats; do
    set -- "$kit"/$p.seal
    [ -e "$1" ] || { echo "FAIL: seal(5) names $p, but no testkit file matches"; fail=1; }
done
exit $fail
