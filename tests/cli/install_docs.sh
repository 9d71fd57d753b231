#!/bin/sh
# make install puts the programs, the manual pages (man1, man5), the
# documentation with its examples and the bash and zsh completions where
# README.md says (here under a DESTDIR), and the README names the install
# step.
. "$top_srcdir/tests/cli/seal_common.sh"

grep -q "sudo make install" "$top_srcdir/README.md" || fail "README lacks the install step"
command -v "${MAKE:-make}" >/dev/null 2>&1 || { echo "no make: skip"; exit 77; }
"${MAKE:-make}" -s -C "$top_builddir" install-data install-binPROGRAMS DESTDIR="$T/root" \
    prefix=/usr/local >"$T/make.log" 2>&1 || fail "make install: $(tail -5 "$T/make.log")"
for f in bin/seal bin/unseal bin/seal-keygen share/man/man1/seal.1 share/man/man1/unseal.1 \
    share/man/man1/seal-keygen.1 share/man/man5/seal.5 share/doc/seal/README.md \
    share/doc/seal/examples/01-keys.sh share/doc/seal/examples/02-seal-unseal.sh \
    share/doc/seal/examples/10-register-fetch.sh share/bash-completion/completions/seal \
    share/bash-completion/completions/unseal share/bash-completion/completions/seal-keygen \
    share/zsh/site-functions/_seal; do
    [ -e "$T/root/usr/local/$f" ] || fail "not installed: $f"
done
grep -q "share/man/man1" "$top_srcdir/README.md" || fail "README does not say where man pages go"
grep -q "share/doc/seal/examples" "$top_srcdir/README.md" || fail "README does not say where examples go"
grep -q "share/bash-completion/completions" "$top_srcdir/README.md" ||
    fail "README does not say where the completions go"
echo "ok: install"
