#!/bin/sh
# Runs every OpenSSH key of the kit (tests/sshkit/NAME.pub or NAME.key,
# one fault each, outcome in NAME.expect; generate.py made them) through
# seal-keygen -l, and every public key through seal -r too. Checks the exit
# status exactly (success 0, malformed 3, key problem 4), that an error is
# one line naming the file and saying the expected detail, and that a
# success shows the fingerprint ssh-keygen -l gave for the key.
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
    case $(sed -n 1p "$exp") in
    success) want=0 ;;
    malformed) want=3 ;;
    "key problem") want=4 ;;
    *) echo "FAIL: $name: unknown outcome"; fail=$((fail + 1)); continue ;;
    esac
    detail=$(sed -n 's/^detail: //p' "$exp")
    fpr=$(sed -n 's/^ssh //p' "$exp")
    # git keeps no mode 0600, which a private key file must have.
    cp "$f" "$tmp/$name" && chmod 600 "$tmp/$name" || exit 99
    "$SEAL_KEYGEN" -l "$tmp/$name" >"$tmp/out" 2>"$tmp/err"
    st=$?
    ok=1
    if [ "$st" -ne "$want" ]; then
        bad "seal-keygen -l: exit status $st, expected $want"
        ok=0
    elif [ "$want" -eq 0 ]; then
        set -- $(cat "$tmp/out")
        [ "$2 $4 $5" = "seal ssh $fpr" ] || { bad "printed $(cat "$tmp/out"), want ssh $fpr"; ok=0; }
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
        if [ "$st" -ne "$want" ]; then
            bad "seal -r: exit status $st, expected $want"
            ok=0
        elif [ "$want" -ne 0 ] && [ -e "$tmp/out.seal" ]; then
            bad "seal -r failed but wrote an envelope"
            ok=0
        fi ;;
    esac
    [ "$ok" -eq 1 ] && pass=$((pass + 1))
done
echo "sshkit: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
