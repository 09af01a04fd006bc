"""Start bubblewrap with a seccomp program on an inherited pipe, and clean up after it.

Run as ``python -I -S _launch.py FILTER N (PATH LOCK)*N BWRAP ARGS... -- CMD...``
(standard library only, so it starts in a few milliseconds):

* ``FILTER`` is the hex of a seccomp BPF program, or ``-`` for none. bubblewrap
  reads programs from a file descriptor, which a plain argv cannot carry; this
  stage creates that descriptor and adds ``--seccomp FD``.
* ``PATH`` are mount points bubblewrap has to create inside writable roots
  (masks for protected paths that do not exist yet, such as the workspace's
  ``.codex``), each with a ``LOCK`` file. Those mount points would remain in the
  user's real directory, so when there are any, this stage stays the parent of
  bubblewrap, forwards signals to it and, once no other sandbox holds the lock,
  removes the still-empty directories sandboxes created (see
  ``pycodex.sandbox.mount_targets``). Otherwise it simply *execs* bubblewrap.
"""

from __future__ import annotations

import fcntl
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


def _marker(lock: str) -> str:
    return lock[: -len(".lock")] + ".synthetic" if lock.endswith(".lock") else lock + ".synthetic"


def _acquire(pairs: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """Share each target's lock for our lifetime; mark targets we are about to create."""
    held = []
    for path, lock in pairs:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError:
            continue  # registry gone: the mount point simply stays behind
        fcntl.flock(fd, fcntl.LOCK_SH)
        if not os.path.lexists(path):
            flags = os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
            try:
                os.close(os.open(_marker(lock), flags, 0o600))
            except OSError:
                os.close(fd)
                continue
        held.append((path, lock, fd))
    return held


def _release(held: list[tuple[str, str, int]]) -> None:
    """Remove sandbox-made mount points nobody else uses; leave anything else alone."""
    for path, lock, fd in sorted(held, key=lambda h: len(h[0]), reverse=True):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # another sandbox still uses it; the last one cleans up
            continue
        marker = _marker(lock)
        try:
            if os.path.exists(marker) and os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)  # only succeeds while still empty
        except OSError:
            pass
        if not os.path.isdir(path) or os.listdir(path):
            # Gone, or the user has put files in it: it is no longer ours.
            try:  # noqa: SIM105
                os.unlink(marker)
            except OSError:
                pass
        os.close(fd)


def _run_as_parent(bwrap: str, argv: list[str], pairs: list[tuple[str, str]]) -> int:
    held = _acquire(pairs)
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
    _release(held)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return 128 + signum
    return os.waitstatus_to_exitcode(status)


# ferry: codex_linux_sandbox::launcher::exec_system_bwrap @ 1d092cb66 -- a tiny stdlib launcher passes the seccomp program to bwrap on a file descriptor
# ferry: codex_linux_sandbox::linux_run_main::run_bwrap_with_proc_fallback @ 1d092cb66 -- also removes the synthetic mount points afterwards (port enhancement)
def main(argv: list[str]) -> int:
    try:
        program = argv[0]
        count = int(argv[1])
        flat = argv[2 : 2 + 2 * count]
        pairs = list(zip(flat[0::2], flat[1::2], strict=True))
        bwrap = argv[2 + 2 * count]
        args = argv[3 + 2 * count :]
        split = args.index("--")
    except (IndexError, ValueError):
        sys.stderr.write(
            "pycodex sandbox launcher: usage: _launch.py FILTER N (PATH LOCK)... BWRAP ARGS... -- CMD...\n"
        )
        return 2
    extra = [] if program == "-" else ["--seccomp", str(_seccomp_fd(program))]
    final = [bwrap, *args[:split], *extra, *args[split:]]
    try:
        if pairs:
            return _run_as_parent(bwrap, final, pairs)
        os.execv(bwrap, final)
    except OSError as exc:
        sys.stderr.write(f"pycodex sandbox launcher: cannot execute {bwrap}: {exc}\n")
    return 127


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
