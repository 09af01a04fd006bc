"""Start bubblewrap with a seccomp program on an inherited pipe, and clean up after it.

Run as ``python -I -S _launch.py FILTER N PATH_1..PATH_N BWRAP ARGS... -- CMD...``
(standard library only, so it starts in a few milliseconds):

* ``FILTER`` is the hex of a seccomp BPF program, or ``-`` for none. bubblewrap
  reads programs from a file descriptor, which a plain argv cannot carry; this
  stage creates that descriptor and adds ``--seccomp FD``.
* ``PATH_i`` are mount points bubblewrap has to create inside writable roots
  (masks for protected paths that do not exist yet, such as the workspace's
  ``.codex``). Those it creates would remain in the user's real directory, so
  when there are any, this stage stays the parent of bubblewrap, forwards
  signals to it and removes the still-empty leftovers when it exits. Otherwise
  it simply *execs* bubblewrap.
"""

from __future__ import annotations

import os
import signal
import sys

_FORWARDED = (
    signal.SIGHUP,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGTERM,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGCONT,
    signal.SIGWINCH,
)


def _seccomp_fd(hex_program: str) -> int:
    program = bytes.fromhex(hex_program)
    read_fd, write_fd = os.pipe()
    # A few hundred bytes: fits in the pipe buffer, so the write end can be
    # closed before bubblewrap starts and it reads up to EOF.
    os.write(write_fd, program)
    os.close(write_fd)
    os.set_inheritable(read_fd, True)
    return read_fd


def _cleanup(created: list[str]) -> None:
    for path in sorted(created, key=len, reverse=True):
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)  # only succeeds while still empty
            elif os.path.isfile(path) and os.path.getsize(path) == 0:
                os.unlink(path)
        except OSError:
            pass


def _run_as_parent(bwrap: str, argv: list[str], created: list[str]) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(bwrap, argv)
        except OSError as exc:
            sys.stderr.write(f"pycodex sandbox launcher: cannot execute {bwrap}: {exc}\n")
        os._exit(127)

    def forward(signum: int, _frame: object) -> None:
        # Plain try/except: importing contextlib would slow every launch.
        try:  # noqa: SIM105
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for forwarded in _FORWARDED:
        signal.signal(forwarded, forward)
    _, status = os.waitpid(pid, 0)
    _cleanup(created)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return 128 + signum
    return os.waitstatus_to_exitcode(status)


def main(argv: list[str]) -> int:
    try:
        program = argv[0]
        count = int(argv[1])
        targets = argv[2 : 2 + count]
        bwrap = argv[2 + count]
        args = argv[3 + count :]
        split = args.index("--")
    except (IndexError, ValueError):
        sys.stderr.write(
            "pycodex sandbox launcher: usage: _launch.py FILTER N PATH... BWRAP ARGS... -- CMD...\n"
        )
        return 2
    extra = [] if program == "-" else ["--seccomp", str(_seccomp_fd(program))]
    final = [bwrap, *args[:split], *extra, *args[split:]]
    created = [t for t in targets if not os.path.lexists(t)]
    try:
        if created:
            return _run_as_parent(bwrap, final, created)
        os.execv(bwrap, final)
    except OSError as exc:
        sys.stderr.write(f"pycodex sandbox launcher: cannot execute {bwrap}: {exc}\n")
    return 127


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
