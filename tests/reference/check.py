#!/usr/bin/env python3
"""seal's C programs against the reference implementation (seal_ref.py).

1. The reference opens every success_* testkit file (right plaintext) and
   refuses every other one with the outcome its .expect names, and with the
   exit status unseal gives it.
2. Envelopes the reference seals (one and two recipients, binary and
   armored, the boundary sizes) open with unseal, for every recipient.
3. Envelopes seal makes (the same variations) open with the reference.

Environment: top_srcdir, SEAL, UNSEAL (as make check sets them).
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seal_ref  # noqa: E402

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
KIT = os.path.join(TOP, "tests", "testkit")
KEYS = os.path.join(KIT, "keys")
SEAL = os.environ["SEAL"]
UNSEAL = os.environ["UNSEAL"]

# 0, 1, around one chunk, chunk multiples, and where the trailer straddles
# or ends a chunk (a 314-byte trailer for a 2048-bit sender).
SIZES = [0, 1, 16383, 16384, 16385, 16384 - 314, 16200, 32768, 49152, 49153, 65536 + 7]

failures = []


def fail(what):
    failures.append(what)
    print("FAIL: " + what)


def message(n):
    # Deterministic, not all zeros (a chunk mix-up must show).
    out = bytearray()
    x = n * 2654435761 & 0xffffffff
    while len(out) < n:
        x = (x * 1103515245 + 12345) & 0xffffffff
        out += x.to_bytes(4, "big")
    return bytes(out[:n])


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def testkit(tmp):
    bob = seal_ref.load_private(os.path.join(KEYS, "bob.key"))
    trusted = seal_ref.load_trusted(os.path.join(KIT, "trusted"))
    bob_key = os.path.join(tmp, "bob.key")  # git does not keep mode 0600
    n = 0
    for name in sorted(os.listdir(KIT)):
        if not name.endswith(".seal"):
            continue
        n += 1
        base = name[:-5]
        with open(os.path.join(KIT, base + ".expect")) as f:
            expect = f.read().splitlines()
        with open(os.path.join(KIT, name), "rb") as f:
            data = f.read()
        try:
            msg = seal_ref.unseal(data, bob, trusted)[0]
            got, status = "success", 0
        except seal_ref.Refused as r:
            got, status, msg = r.category, r.status, None
        if got != expect[0]:
            fail("%s: reference says %r, .expect %r" % (base, got, expect[0]))
            continue
        if msg is not None and "sha256 " + hashlib.sha256(msg).hexdigest() != expect[1]:
            fail("%s: reference opens it to the wrong plaintext" % base)
        c = run([UNSEAL, "-q", "-k", bob_key, "-s", os.path.join(KIT, "trusted"), "-o", "-",
                 os.path.join(KIT, name)])
        if c.returncode != status:
            fail("%s: reference exit status %d, unseal %d" % (base, status, c.returncode))
    if n < 80:
        fail("only %d testkit files" % n)
    print("testkit: %d files, reference and unseal agree with every .expect" % n)


def ref_to_c(tmp):
    alice = seal_ref.load_private(os.path.join(KEYS, "alice.key"))
    pubs = {k: seal_ref.load_public(os.path.join(KEYS, k + ".pub")) for k in ("bob", "carol")}
    count = 0
    for size in SIZES:
        msg = message(size)
        for rcpts, armor in ((["bob"], False), (["bob", "carol"], True), (["carol", "bob"], False)):
            if size not in (0, 1, 16384, 49153) and len(rcpts) > 1 and not armor:
                continue  # every size once per shape is plenty
            env = seal_ref.seal(msg, [pubs[r] for r in rcpts], alice, armor=armor)
            path = os.path.join(tmp, "ref.seal")
            with open(path, "wb") as f:
                f.write(env)
            for r in rcpts:
                c = run([UNSEAL, "-q", "-k", os.path.join(tmp, r + ".key"), "-s",
                         os.path.join(KEYS, "alice.pub"), "-o", "-", path])
                if c.returncode != 0 or c.stdout != msg:
                    fail("reference -> unseal: %d bytes to %s%s as %s: exit %d, %s" %
                         (size, "+".join(rcpts), " armored" if armor else "", r,
                          c.returncode, c.stderr.decode(errors="replace").strip()))
                count += 1
    print("reference seals, unseal opens: %d envelopes x recipients" % count)


def c_to_ref(tmp):
    keys = {k: seal_ref.load_private(os.path.join(KEYS, k + ".key")) for k in ("bob", "carol")}
    trusted = seal_ref.load_trusted(os.path.join(KEYS, "alice.pub"))
    count = 0
    for size in SIZES:
        msg = message(size)
        src = os.path.join(tmp, "msg")
        with open(src, "wb") as f:
            f.write(msg)
        for rcpts, armor in ((["bob"], False), (["bob", "carol"], True), (["carol", "bob"], False)):
            out = os.path.join(tmp, "c.seal")
            if os.path.exists(out):
                os.unlink(out)
            cmd = [SEAL, "-s", os.path.join(tmp, "alice.key")]
            for r in rcpts:
                cmd += ["-r", os.path.join(KEYS, r + ".pub")]
            if armor:
                cmd.append("-a")
            c = run(cmd + ["-o", out, src])
            if c.returncode != 0:
                fail("seal %d bytes: exit %d: %s" % (size, c.returncode, c.stderr.decode()))
                continue
            with open(out, "rb") as f:
                env = f.read()
            if armor != env.startswith(seal_ref.ARMOR_BEGIN):
                fail("seal %d bytes: armor %s expected" % (size, "" if armor else "not"))
            for r in rcpts:
                try:
                    got = seal_ref.unseal(env, keys[r], trusted)[0]
                    if got != msg:
                        fail("seal -> reference: %d bytes as %s: wrong plaintext" % (size, r))
                except seal_ref.Refused as e:
                    fail("seal -> reference: %d bytes to %s%s as %s: %s (%s)" %
                         (size, "+".join(rcpts), " armored" if armor else "", r, e.rule,
                          e.detail))
                count += 1
    print("seal seals, reference opens: %d envelopes x recipients" % count)


def main():
    tmp = tempfile.mkdtemp()
    try:
        for k in ("alice", "bob", "carol"):
            dst = os.path.join(tmp, k + ".key")
            shutil.copy(os.path.join(KEYS, k + ".key"), dst)
            os.chmod(dst, 0o600)
        testkit(tmp)
        ref_to_c(tmp)
        c_to_ref(tmp)
    finally:
        shutil.rmtree(tmp)
    print("reference: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
