#!/usr/bin/env python3
"""Plays a dialogue with a command on a new pseudo-terminal, for the
keygen_tty_*.sh tests (the command's /dev/tty is the pseudo-terminal).

usage: keygen_pty.py STEP... -- COMMAND [ARG...]
steps, in order:
  expect=TEXT   wait (up to 120 s) until TEXT appears after the last match
  send=TEXT     type TEXT and Enter
  intr          type the interrupt character (Ctrl-C)
  echo=on|off   check the terminal's ECHO flag now
  exit=N        wait for the command; it must exit with status N
  killed=SIG    wait for the command; it must die of signal SIG (e.g. INT)
  hidden=TEXT   (at the end) TEXT must never have been shown
Exit status 0 if every step passed, 1 otherwise (the transcript is printed).
"""
import os
import pty
import select
import signal
import sys
import termios
import time


def main(argv):
    sep = argv.index("--")
    steps, cmd = argv[1:sep], argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    out = b""
    pos = 0
    status = None

    def fail(msg):
        sys.stderr.write("FAIL: %s\n--- transcript ---\n%s\n---\n"
                         % (msg, out.decode("utf-8", "replace")))
        if status is None:
            os.kill(pid, signal.SIGKILL)
        sys.exit(1)

    def read_some(timeout):
        nonlocal out
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:  # EIO: the command closed the terminal
            data = b""
        out += data
        return bool(data)

    def wait():
        nonlocal status
        if status is None:
            while read_some(0.2):
                pass
            deadline = time.time() + 120
            while True:
                p, st = os.waitpid(pid, os.WNOHANG)
                if p == pid:
                    status = st
                    break
                if time.time() > deadline:
                    fail("command did not finish")
                read_some(0.2)
        return status

    hidden = []
    for step in steps:
        name, _, arg = step.partition("=")
        if name == "expect":
            deadline = time.time() + 120
            while out.find(arg.encode(), pos) < 0:
                if time.time() > deadline:
                    fail("did not see %r" % arg)
                if not read_some(0.5):
                    if status is not None:
                        fail("did not see %r before the command ended" % arg)
                    p, st = os.waitpid(pid, os.WNOHANG)
                    if p == pid:
                        status = st
            pos = out.find(arg.encode(), pos) + len(arg)
        elif name == "send":
            os.write(fd, arg.encode() + b"\n")
        elif name == "intr":
            c = termios.tcgetattr(fd)[6][termios.VINTR]
            os.write(fd, c if isinstance(c, bytes) else bytes([c]))
        elif name == "echo":
            on = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
            if on != (arg == "on"):
                fail("echo is %s, expected %s" % ("on" if on else "off", arg))
        elif name == "exit":
            st = wait()
            if not os.WIFEXITED(st) or os.WEXITSTATUS(st) != int(arg):
                fail("wait status %r, expected exit %s" % (st, arg))
        elif name == "killed":
            st = wait()
            sig = getattr(signal, "SIG" + arg)
            if not os.WIFSIGNALED(st) or os.WTERMSIG(st) != sig:
                fail("wait status %r, expected death by SIG%s" % (st, arg))
        elif name == "hidden":
            hidden.append(arg)
        else:
            fail("unknown step %r" % step)
    wait()
    for h in hidden:
        if h.encode() in out:
            fail("%r was shown on the terminal" % h)
    sys.stdout.write(out.decode("utf-8", "replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
