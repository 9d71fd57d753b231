#!/bin/sh
# Every manual page has each section heading (.SH) once, and every
# "see NAME" / "(NAME)" cross-reference in seal(5) to one of its own
# sections names a section that exists.
set -eu
: "${top_srcdir:?}"
bad=0
for page in "$top_srcdir"/man/*.[1-8]; do
    dups=$(sed -n 's/^\.SH  *//p' "$page" | tr -d '"' | sort | uniq -d)
    if [ -n "$dups" ]; then
        echo "$page: section heading more than once: $dups"; bad=1
    fi
done
page="$top_srcdir/man/seal.5"
for ref in $(grep -o '(see [A-Z][A-Z ]*[A-Z])\|([A-Z][A-Z][A-Z ]*[A-Z])' "$page" |
    tr -d '()' | sed 's/^see //' | tr ' ' '_' | sort -u); do
    name=$(echo "$ref" | tr '_' ' ')
    case $name in RFC* | SHA* | HKDF* | AES* | RSA* | UTC | LF | CR | OK | ERR*) continue ;; esac
    if ! grep -qx "\.SH \"*$name\"*" "$page"; then
        echo "$page: reference to section $name, which does not exist"; bad=1
    fi
done
[ "$bad" -eq 0 ] && echo "ok: section headings unique, seal(5) references hold"
exit "$bad"
