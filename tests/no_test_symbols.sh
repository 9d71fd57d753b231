#!/bin/sh
# No test-only code in the installed programs: none of the hooks that
# tests/testing.h declares (nor any other *_for_testing, *_fixed or *_weak
# function) is linked into a program that make install installs
# (bin_PROGRAMS: seal, unseal, seal-keygen), none of them holds the fault
# points (inbox_test_point, or the names of the variables SEAL_TEST_KILL_AT
# and SEAL_TEST_FAIL_AT that arm them: only tests/bin/unseal-faults does),
# and no file under src/ but the one implementing it includes an internal
# entry's header.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}" "${INSTALLED_PROGRAMS:?}"
command -v nm >/dev/null || { echo "skip: nm not found (binutils)"; exit 77; }

hooks=$(sed -n 's/^[a-z_ ]*[ *]\([a-z_0-9]*\)(.*/\1/p' "$top_srcdir/tests/testing.h")
[ -n "$hooks" ] || { echo "no hooks read from tests/testing.h"; exit 1; }
bad=0
for p in $INSTALLED_PROGRAMS; do
    prog=$top_builddir/$p
    syms=$(nm "$prog")
    # A stripped program would pass without proving anything.
    printf '%s\n' "$syms" | grep -qw main || { echo "$prog: no symbol table"; exit 1; }
    for h in $hooks; do
        if printf '%s\n' "$syms" | grep -qw "$h"; then
            echo "$prog: contains test-only $h"; bad=1
        fi
    done
    other=$(printf '%s\n' "$syms" | awk '{print $NF}' |
        grep -E '_for_testing$|_fixed$|_weak$' || true)
    if [ -n "$other" ]; then
        echo "$prog: contains test-only symbols:"; echo "$other"; bad=1
    fi
    if printf '%s\n' "$syms" | grep -qw inbox_test_point; then
        echo "$prog: contains the fault points (inbox_test_point)"; bad=1
    fi
    # grep -a: the program's bytes, so that an inlined copy is found too.
    for v in SEAL_TEST_KILL_AT SEAL_TEST_FAIL_AT; do
        if grep -aqF "$v" "$prog"; then
            echo "$prog: contains the string $v (a fault point can be armed)"; bad=1
        fi
    done
done

# header: the only file under src/ allowed to include it
for pair in crypto/rsa_internal.h:crypto/rsa.c envelope/sealer_internal.h:envelope/sealer.c \
    envelope/spool_internal.h:envelope/spool.c; do
    h=${pair%%:*} owner=${pair#*:}
    users=$(cd "$top_srcdir/src" && grep -rlF "#include \"$h\"" --include='*.c' --include='*.h' . |
        sed 's|^\./||' | grep -vxF "$owner" || true)
    if [ -n "$users" ]; then
        echo "src/$h is included outside src/$owner and tests/:"; echo "$users"; bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "ok: no test-only symbols in $INSTALLED_PROGRAMS ($(echo $hooks))"
exit "$bad"
