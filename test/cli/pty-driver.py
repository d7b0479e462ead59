#!/usr/bin/env python3
"""Runs a command under a real pseudo-terminal and plays a script of answers at its prompts.

Node cannot give a child process a terminal without a native module, and `pipetest spec edit`
and the live view of `pipetest run` behave differently on one, so the CLI tests drive them
through this helper instead.

    pty-driver.py [--script steps.json] [--timeout S] [--cols N] [--rows N] -- command args...

steps.json is a list of {"expect": "<regex>", "send": "<text>"}: wait until the output
(from where the previous match ended) matches the regex, then type the text ("\\r" is Enter,
"\\u0003" is Ctrl-C). Everything the command printed is copied to our stdout; we exit with
the command's exit code (128 + N when it was killed by signal N), or 124 when an expected
prompt did not show up in time.
"""

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--script")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--cols", type=int, default=120)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    steps = []
    if args.script:
        with open(args.script, encoding="utf-8") as f:
            steps = json.load(f)

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
    deadline = time.monotonic() + args.timeout
    output = bytearray()
    searched_from = 0
    eof = False

    def read_some(wait):
        nonlocal eof
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal (it exited)
            chunk = b""
        if not chunk:
            eof = True
            return
        output.extend(chunk)

    for step in steps:
        pattern = re.compile(step["expect"])
        while True:
            text = output.decode("utf-8", "replace")
            match = pattern.search(text, searched_from)
            if match:
                searched_from = match.end()
                break
            if eof or time.monotonic() > deadline:
                sys.stdout.buffer.write(bytes(output))
                sys.stdout.write(
                    f"\n[pty-driver] gave up waiting for /{step['expect']}/"
                    f" ({'the command exited' if eof else 'timed out'})\n"
                )
                sys.stdout.flush()
                kill(pid)
                sys.exit(124)
            read_some(0.05)
        os.write(fd, step["send"].encode("utf-8"))

    while not eof and time.monotonic() < deadline:
        read_some(0.05)
    if not eof:
        kill(pid)
        sys.stdout.buffer.write(bytes(output))
        sys.stdout.write("\n[pty-driver] the command did not exit in time\n")
        sys.exit(124)
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(bytes(output))
    sys.stdout.flush()
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


def kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


if __name__ == "__main__":
    main()
