#!/bin/sh
# The transport options: conflicts and bad values are usage errors (2),
# every option is in --help, and seal(1)/unseal(1) list exit statuses 8-10.
. "$top_srcdir/tests/transport/common.sh"

usage_error() {
    st=0
    "$@" </dev/null >/dev/null 2>"$T/err" || st=$?
    [ "$st" -eq 2 ] || fail "$*: exit $st, expected 2"
}
S="$SEAL -r $T/bob.pub -s $T/alice.key"
U="$UNSEAL -k $T/bob.key -s $T/trusted"
usage_error $S --to 127.0.0.1:1 --listen 2
usage_error $S --to 127.0.0.1:1 -o x.seal
usage_error $S --to 127.0.0.1
usage_error $S --to 127.0.0.1:0
usage_error $S --to ::1:5
usage_error $S --to 127.0.0.1:1 --wait 0
usage_error $S --to 127.0.0.1:1 --wait 5x
usage_error $S --to 127.0.0.1:1 --retry-for -1
usage_error $S --to 127.0.0.1:1 --to 127.0.0.1:2
usage_error $S --retry-for 5
usage_error $S --listen 5 --retry-for 5
usage_error $U --listen 5
usage_error $U --listen 5 -d box --from 127.0.0.1:5
usage_error $U --listen 5 -d box -o out
usage_error $U --listen 5 -d box --max-size 12Q
usage_error $U --listen 5 -d box --max-connections 0
usage_error $U --from 127.0.0.1:5 --max-connections 5
usage_error $U --from 127.0.0.1:5 --keep-sealed
usage_error $U --listen 5 -d box --max-per-source 0
usage_error $U --listen 5 -d box --max-per-source 3 --max-per-source 4
usage_error $U --listen 5 -d box --header-timeout 0
usage_error $U --listen 5 -d box --header-timeout 5x
usage_error $U --listen 5 -d box --min-rate 1Q
usage_error $U --from 127.0.0.1:5 --max-per-source 3
usage_error $U --from 127.0.0.1:5 --header-timeout 3
usage_error $U --from 127.0.0.1:5 --min-rate 1K
usage_error $U --max-per-source 3
usage_error $U --listen 5 -d box --inspect
usage_error $U --listen 5 -d box FILE
usage_error $U -d box
usage_error $U --max-age 7d
for opt in --to --listen --retry-for --wait; do
    "$SEAL" --help | grep -q -- "$opt" || fail "seal --help lacks $opt"
    grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$top_srcdir/man/seal.1" || fail "seal(1) lacks $opt"
done
for opt in --listen --from --inbox --keep-sealed --max-size --max-connections --idle-timeout \
    --max-time --min-free --max-age --max-per-source --header-timeout --min-rate; do
    "$UNSEAL" --help | grep -q -- "$opt" || fail "unseal --help lacks $opt"
    grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$top_srcdir/man/unseal.1" || fail "unseal(1) lacks $opt"
done
for page in seal.1 unseal.1 seal-keygen.1; do
    for st in 8 9 10; do
        sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$top_srcdir/man/$page" | grep -Eq "(^| )$st( |$)" ||
            fail "$page: EXIT STATUS does not list $st"
    done
done
echo "ok"
