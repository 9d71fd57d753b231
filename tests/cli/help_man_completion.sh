#!/bin/sh
# The three programs' --help, manual pages and completions agree: every
# option --help lists (short and long) is in the program's man page and in
# its part of the bash and the zsh completion files.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v groff >/dev/null 2>&1 || { echo "groff not found: skipping"; exit 77; }

bad=0
# Both files parse (where bash and zsh are installed).
if command -v bash >/dev/null 2>&1; then
    bash -n "$top_srcdir/completions/seal.bash" || fail "completions/seal.bash does not parse"
fi
if command -v zsh >/dev/null 2>&1; then
    zsh -n "$top_srcdir/completions/_seal" || fail "completions/_seal does not parse"
fi
# has FILE OPTION: OPTION appears in FILE as a whole word.
has() {
    grep -Eq -- "(^|[^A-Za-z0-9-])$2([^A-Za-z0-9-]|\$)" "$1"
}

for prog in seal unseal seal-keygen; do
    case $prog in
    seal) bin=$SEAL ;;
    unseal) bin=$UNSEAL ;;
    seal-keygen) bin=$SEAL_KEYGEN ;;
    esac
    "$bin" --help >"$T/help" || fail "$prog --help"
    # The option column: "  -r, --recipient ..." and "      --to ...".
    sed -n 's/^  \{1,6\}\(-[A-Za-z]\), \(--[a-z][a-z-]*\).*/\1 \2/p;
            s/^  \{1,6\}\(--[a-z][a-z-]*\).*/\1/p' "$T/help" | tr ' ' '\n' | sort -u >"$T/opts"
    [ "$(wc -l <"$T/opts")" -ge 5 ] || fail "$prog --help: too few options found"
    groff -man -Tascii -rHY=0 -rLL=2000n -P-cbou "$top_srcdir/man/$prog.1" >"$T/man" 2>/dev/null
    sed -n "/^    $prog)/,/^        ;;/p" "$top_srcdir/completions/seal.bash" >"$T/bash"
    sed -n "/^$prog)/,/^  ;;/p" "$top_srcdir/completions/_seal" >"$T/zsh"
    [ -s "$T/bash" ] && [ -s "$T/zsh" ] || fail "$prog: no part in the completion files"
    # Options every program shares are in the zsh file's common list.
    sed -n '/^common=(/,/^)/p' "$top_srcdir/completions/_seal" >>"$T/zsh"
    while read -r opt; do
        has "$T/man" "$opt" || { echo "$prog: $opt is not in $prog(1)" >&2; bad=1; }
        has "$T/bash" "$opt" || { echo "$prog: $opt is not in completions/seal.bash" >&2; bad=1; }
        has "$T/zsh" "$opt" || { echo "$prog: $opt is not in completions/_seal" >&2; bad=1; }
    done <"$T/opts"
done
[ "$bad" -eq 0 ] || fail "--help, man pages and completions disagree"
echo "ok: --help, man pages and completions agree"
