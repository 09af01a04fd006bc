"""Exec bubblewrap with a seccomp program on an inherited pipe.

Run as ``python -I -S _launch.py <filter-hex> <bwrap> <bwrap args...> -- <cmd...>``
(standard library only, so it starts in a few milliseconds). bubblewrap reads
seccomp programs from a file descriptor, which a plain argv cannot carry; this
stage creates that descriptor and then *execs* bubblewrap, so the spawned
process id is bubblewrap's and signals/exit codes pass straight through.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    if len(argv) < 4 or "--" not in argv[2:]:
        sys.stderr.write(
            "pycodex sandbox launcher: usage: _launch.py FILTER_HEX BWRAP ARGS... -- CMD...\n"
        )
        return 2
    program = bytes.fromhex(argv[0])
    bwrap = argv[1]
    args = argv[2:]
    read_fd, write_fd = os.pipe()
    # The program is a few hundred bytes: it fits in the pipe buffer, so the
    # write end can be closed before exec and bubblewrap reads up to EOF.
    os.write(write_fd, program)
    os.close(write_fd)
    os.set_inheritable(read_fd, True)
    split = args.index("--")
    final = [bwrap, *args[:split], "--seccomp", str(read_fd), *args[split:]]
    try:
        os.execv(bwrap, final)
    except OSError as exc:
        sys.stderr.write(f"pycodex sandbox launcher: cannot execute {bwrap}: {exc}\n")
    return 127


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
