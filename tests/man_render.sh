#!/bin/sh
# Every manual page renders without a groff warning (groff -z -ww), every
# section heading of its source shows up as a heading in the rendered
# page (a stray macro before .SH can swallow one), and every "see
# SECTION" or "see PAGE(N), SECTION" names a section that renders.
set -u
: "${top_srcdir:?}"
command -v groff >/dev/null 2>&1 || { echo "groff not found: skipping"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/seal-man.XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
bad=0

# render PAGE: plain text, no hyphenation, one long line per paragraph.
render() {
    groff -man -Tascii -rHY=0 -rLL=2000n -P-cbou "$1" 2>/dev/null
}

for page in "$top_srcdir"/man/*.[1-8]; do
    name=$(basename "$page")
    warn=$(groff -man -Tascii -z -ww "$page" 2>&1)
    if [ -n "$warn" ]; then
        echo "$name: groff warns: $warn"; bad=1
    fi
    render "$page" | sed -n 's/^\([A-Z][A-Z0-9 ]*[A-Z0-9]\)$/\1/p' | sort -u >"$T/$name.headings"
    sed -n 's/^\.SH  *//p' "$page" | tr -d '"' | while IFS= read -r h; do
        grep -qxF "$h" "$T/$name.headings" || echo "$name: section $h does not render"
    done >"$T/$name.missing"
    if [ -s "$T/$name.missing" ]; then
        cat "$T/$name.missing"; bad=1
    fi
done

for page in "$top_srcdir"/man/*.[1-8]; do
    name=$(basename "$page")
    render "$page" | tr '\n' ' ' | tr -s ' ' |
        grep -o "[Ss]ee [a-z0-9-]*([1-8]),\{0,1\} [A-Z][A-Z]*\( [A-Z][A-Z]*\)*\|[Ss]ee [A-Z][A-Z][A-Z]*\( [A-Z][A-Z]*\)*" |
        sort -u >"$T/refs"
    while IFS= read -r ref; do
        target=$name
        section=${ref#[Ss]ee }
        case $section in
        [a-z]*"("[1-8]")"*)
            other=${section%%)*}
            target="$(echo "$other" | tr -d '(')"
            target="${target%[1-8]}.${other##*(}"
            section=${section#*)}
            section=${section#,}
            section=${section# }
            ;;
        esac
        if [ ! -f "$T/$target.headings" ]; then
            continue # another project's page
        fi
        grep -qxF "$section" "$T/$target.headings" ||
            { echo "$name: \"$ref\": $target has no rendered section $section"; bad=1; }
    done <"$T/refs"
done
[ "$bad" -eq 0 ] && echo "ok: every page renders cleanly and its references hold"
exit "$bad"
