#!/bin/sh
# The bash completion completes options and, where a key is expected,
# files of the right kind: seal -r offers *.pub (and directories), unseal
# -k *.key, unseal's FILE *.seal, -d directories.
. "$top_srcdir/tests/cli/seal_common.sh"
command -v bash >/dev/null 2>&1 || { echo "bash not found: skipping"; exit 77; }

mkdir "$T/w" "$T/w/keys"
: >"$T/w/alice.pub"
: >"$T/w/alice.key"
: >"$T/w/msg.seal"
: >"$T/w/notes.txt"
# complete WORD...: what the completion offers for the last WORD (possibly
# empty) after the others, one per line, sorted.
complete_words() {
    _file=$(cd "$top_srcdir/completions" && pwd)/seal.bash
    (cd "$T/w" && bash -c '
        . "$0"
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        _seal_complete 2>/dev/null
        printf "%s\n" "${COMPREPLY[@]}" | sort' "$_file" "$@")
}
expect() {
    _got=$(complete_words "$@" | tr '\n' ' ')
    [ "$_got" = "$WANT " ] || fail "completing '$*': got '$_got', want '$WANT '"
}

WANT="--recipient --recipients-file" expect seal --rec
WANT="alice.pub keys" expect seal -r ""
WANT="alice.key keys" expect seal -s ""
WANT="alice.key keys" expect unseal -k ""
WANT="alice.pub keys" expect unseal -s ""
WANT="keys msg.seal" expect unseal ""
WANT="keys" expect unseal -d ""
WANT="--inbox --inspect" expect unseal --in
WANT="2048 3072 4096" expect seal-keygen -b ""
WANT="--passphrase-file --pending --public" expect seal-keygen --p
echo "ok: bash completion"
