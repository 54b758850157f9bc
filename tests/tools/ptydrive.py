#!/usr/bin/env python3
"""ptydrive: runs a command on a new pseudoterminal and drives it, for the
integration tests of -it and attach.

    ptydrive.py [--rows R] [--cols C] [--timeout S] STEP... -- COMMAND [ARG...]

Each STEP is one of
    expect:TEXT    wait until TEXT appears in the output after the last match
    send:TEXT      type TEXT (backslash escapes: \\r, \\x10 ...)
    resize:R,C     change the terminal's size (the command gets SIGWINCH)
    signal:NAME    send signal NAME (TERM, INT ...) to the command
    sleep:SECONDS

After the steps it reads until the command exits, prints all it wrote, and
exits with its status (128+N for signal N). A step that times out prints
the output so far and exits 124.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    rows, cols, timeout = 24, 80, 10.0
    while args and args[0] in ("--rows", "--cols", "--timeout"):
        if args[0] == "--rows":
            rows = int(args[1])
        elif args[0] == "--cols":
            cols = int(args[1])
        else:
            timeout = float(args[1])
        args = args[2:]
    split = args.index("--")
    steps, command = args[:split], args[split + 1:]

    pid, master = pty.fork()
    if pid == 0:
        set_size(0, rows, cols)
        os.execvp(command[0], command)

    output = bytearray()
    seen = 0
    closed = False

    def read_some(wait):
        nonlocal closed
        if closed:
            time.sleep(wait)
            return
        ready, _, _ = select.select([master], [], [], wait)
        if not ready:
            return
        try:
            data = os.read(master, 65536)
        except OSError:
            data = b""
        if not data:
            closed = True
        output.extend(data)

    def give_up(what):
        sys.stdout.write(output.decode(errors="replace"))
        sys.stderr.write("ptydrive: timed out on %s\n" % what)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.exit(124)

    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "expect":
            want = arg.encode()
            deadline = time.monotonic() + timeout
            while output.find(want, seen) < 0:
                if time.monotonic() > deadline or closed:
                    give_up(step)
                read_some(0.1)
            seen = output.find(want, seen) + len(want)
        elif kind == "send":
            os.write(master, arg.encode().decode("unicode_escape").encode("latin-1"))
        elif kind == "resize":
            r, c = arg.split(",")
            set_size(master, int(r), int(c))
        elif kind == "signal":
            os.kill(pid, getattr(signal, "SIG" + arg))
        elif kind == "sleep":
            deadline = time.monotonic() + float(arg)
            while time.monotonic() < deadline:
                read_some(deadline - time.monotonic())
        else:
            sys.exit("ptydrive: unknown step " + step)

    deadline = time.monotonic() + timeout
    while not closed:
        if time.monotonic() > deadline:
            give_up("the exit")
        read_some(0.1)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(output.decode(errors="replace"))
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


main()
