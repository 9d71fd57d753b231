#!/bin/sh
# Lists the C files that .clang-format would change and fails if there is
# one. The tree is formatted with clang-format 14 (Debian 12's); another
# version may disagree on details, so CI pins it. To fix:
#   clang-format -i FILE...
# Usage: sh tools/check-format.sh   (CLANG_FORMAT=PROGRAM to pick one)
set -eu
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
    cf=$(command -v clang-format-14 || command -v clang-format || true)
fi
[ -n "$cf" ] || { echo "check-format: clang-format not found (apt-get install clang-format)" >&2; exit 2; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    files=$(git ls-files '*.c' '*.h')
else
    files=$(find src tests tools bench -name '*.[ch]' 2>/dev/null | sort)
fi
bad=""
for f in $files; do
    "$cf" --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
if [ -n "$bad" ]; then
    echo "not formatted with .clang-format ($("$cf" --version | sed 's/.*version //')):"
    for f in $bad; do echo "  $f"; done
    echo "fix: clang-format -i$bad"
    exit 1
fi
echo "ok: $(echo "$files" | wc -l) files formatted"
