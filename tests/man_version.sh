#!/bin/sh
# The manual pages that get installed (man/gen/, made from man/) name the
# version configure was given, and there is one for every page in man/;
# the pages in the tree name one too.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}" "${PACKAGE_VERSION:?}"
bad=0
for src in "$top_srcdir"/man/*.[1-8]; do
    # The page read in the tree (man ./man/seal.1) names a version too.
    case $(sed -n '/^\.TH /{p;q;}' "$src") in
    *'"seal '[0-9]*) ;;
    *) echo "$src: .TH line names no version"; bad=1 ;;
    esac
    page="$top_builddir/man/gen/$(basename "$src")"
    if [ ! -f "$page" ]; then
        echo "$page: missing (no rule for $(basename "$src") in Makefile.am)"; bad=1; continue
    fi
    th=$(sed -n '/^\.TH /{p;q;}' "$page")
    case $th in
    *"\"seal $PACKAGE_VERSION\""*) ;;
    *) echo "$page: .TH line does not name seal $PACKAGE_VERSION: $th"; bad=1 ;;
    esac
done
[ "$bad" -eq 0 ] && echo "ok: man pages carry seal $PACKAGE_VERSION"
exit "$bad"
