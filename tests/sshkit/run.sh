#!/bin/sh
# Runs every OpenSSH key of the kit (tests/sshkit/NAME.pub or NAME.key,
# one fault each, outcome in NAME.expect; generate.py made them) through
# seal-keygen -l, and every public key through seal -r too. Checks the exit
# status exactly (success 0, malformed 3, key problem 4; a "seal-keygen -l:"
# line gives -l its own), that an error is one line naming the file and
# saying the expected detail, and that a success shows the fingerprints
# ssh-keygen -l gave, one line per key in order.
set -u
src="$top_srcdir/tests/sshkit"
if [ ! -x "$SEAL_KEYGEN" ] || [ ! -x "$SEAL" ]; then
    echo "sshkit: programs not built" >&2
    exit 99
fi
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT HUP INT TERM
umask 077
"$SEAL_KEYGEN" -o "$tmp/me" -b 2048 --no-passphrase >/dev/null || exit 99
printf 'kit\n' >"$tmp/msg"

pass=0
fail=0
status_of() { # OUTCOME: its exit status, or nothing
    case $1 in
    success) echo 0 ;;
    malformed) echo 3 ;;
    "key problem") echo 4 ;;
    esac
}
bad() {
    echo "FAIL: $name: $*"
    sed 's/^/    stderr: /' "$tmp/err"
    fail=$((fail + 1))
}

for f in "$src"/*.pub "$src"/*.key; do
    name=$(basename "$f")
    base=${name%.*}
    exp="$src/$base.expect"
    [ -f "$exp" ] || { echo "FAIL: $name: no $base.expect"; fail=$((fail + 1)); continue; }
    want_r=$(status_of "$(sed -n 1p "$exp")")
    l_outcome=$(sed -n 's/^seal-keygen -l: //p' "$exp")
    want=$(status_of "${l_outcome:-$(sed -n 1p "$exp")}")
    if [ -z "$want" ] || [ -z "$want_r" ]; then
        echo "FAIL: $name: unknown outcome"
        fail=$((fail + 1))
        continue
    fi
    detail=$(sed -n 's/^detail: //p' "$exp")
    sed -n 's/^ssh //p' "$exp" >"$tmp/want"
    # git keeps no mode 0600, which a private key file must have.
    cp "$f" "$tmp/$name" && chmod 600 "$tmp/$name" || exit 99
    "$SEAL_KEYGEN" -l "$tmp/$name" >"$tmp/out" 2>"$tmp/err"
    st=$?
    ok=1
    if [ "$st" -ne "$want" ]; then
        bad "seal-keygen -l: exit status $st, expected $want"
        ok=0
    elif [ "$want" -eq 0 ]; then
        # Field 5 of each line, in order, is the next "ssh" line's.
        cut -d' ' -f2,4,5 "$tmp/out" | sed 's/^seal ssh //' >"$tmp/got"
        cmp -s "$tmp/got" "$tmp/want" && [ -s "$tmp/want" ] ||
            { bad "printed $(cat "$tmp/out"), want ssh $(cat "$tmp/want")"; ok=0; }
    else
        [ "$(wc -l <"$tmp/err")" -ge 1 ] && head -n 1 "$tmp/err" |
            grep -qF "seal-keygen: error: $tmp/$name: " || { bad "error does not name the file"; ok=0; }
        if [ -n "$detail" ] && ! head -n 1 "$tmp/err" | grep -qF -- "$detail"; then
            bad "error lacks '$detail'"
            ok=0
        fi
    fi
    # A public key is a recipient as well: the same outcome from seal -r.
    case $name in
    *.pub)
        rm -f "$tmp/out.seal"
        "$SEAL" -r "$tmp/$name" -s "$tmp/me.key" -o "$tmp/out.seal" "$tmp/msg" 2>"$tmp/err"
        st=$?
        if [ "$st" -ne "$want_r" ]; then
            bad "seal -r: exit status $st, expected $want_r"
            ok=0
        elif [ "$want_r" -ne 0 ] && [ -e "$tmp/out.seal" ]; then
            bad "seal -r failed but wrote an envelope"
            ok=0
        elif [ -n "$l_outcome" ] && [ -n "$detail" ] &&
            ! head -n 1 "$tmp/err" | grep -qF -- "$detail"; then
            # The detail was not seen from -l: it must be seal -r's.
            bad "seal -r: error lacks '$detail'"
            ok=0
        fi ;;
    esac
    [ "$ok" -eq 1 ] && pass=$((pass + 1))
done
echo "sshkit: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
