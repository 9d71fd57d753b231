#!/bin/sh
# Installs what seal needs on Debian/Ubuntu (with sudo unless root), then
# configures and builds in this tree. Safe to run again.
# clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes) are
# for the fuzzing harnesses (tests/fuzz), python3-cryptography for the
# reference implementation of seal(5) (tests/reference); libnats-dev,
# nats-server and haproxy for the listener fleet (--with-nats).
set -eu
cd "$(dirname "$0")/.."

pkgs="build-essential autoconf automake pkg-config libgcrypt20-dev libgpg-error-dev
libcmocka-dev zlib1g-dev openssl netcat-openbsd groff-base bsdextrautils python3
python3-cryptography clang clang-format libclang-rt-14-dev
libnats-dev nats-server haproxy faketime systemd"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "bootstrap: installing$missing"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi

[ -x configure ] || autoreconf -fi
# CONFIGURE_FLAGS go to configure (CI passes --enable-werror).
# shellcheck disable=SC2086
[ -f Makefile ] || ./configure -q ${CONFIGURE_FLAGS:-}
make -j"$(nproc 2>/dev/null || echo 2)"
