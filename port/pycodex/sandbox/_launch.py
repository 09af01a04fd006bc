"""Supervise one command pycodex starts: seccomp hand-off, cleanup, and dying with pycodex.

Run as ``python -I -S _launch.py FILTER N (PATH LOCK)*N PROGRAM ARGS...``
(standard library only, so it starts in a few milliseconds):

* ``FILTER`` is the hex of a seccomp BPF program for bubblewrap, or ``-``.
  bubblewrap reads programs from a file descriptor, which a plain argv cannot
  carry; this stage creates that descriptor and adds ``--seccomp FD`` before
  the ``--`` that ends bubblewrap's flags. With ``-``, ``PROGRAM ARGS`` run as
  given (bubblewrap without a filter, or an unsandboxed command).
* ``PATH`` are mount points bubblewrap has to create inside writable roots
  (masks for protected paths that do not exist yet, such as the workspace's
  ``.codex``), each with a ``LOCK`` file. Once no other sandbox holds the lock,
  the still-empty directories sandboxes created are removed, and so is the lock
  file (see ``pycodex.sandbox.mount_targets``).

This process stays the parent of ``PROGRAM`` so that nothing outlives pycodex:
it asks the kernel for SIGTERM when pycodex dies (``PR_SET_PDEATHSIG``, checked
against the pid pycodex passes in ``PYCODEX_LAUNCH_PARENT``), becomes a child
subreaper (so every descendant stays in its tree), and runs ``PROGRAM`` with
SIGKILL as *its* parent-death signal. On SIGTERM, SIGINT or SIGHUP (pycodex
shutting a command down, or dying) it kills the program and every descendant,
removes the mount points and exits; pycodex then kills this process group too. bubblewrap's ``--die-with-parent`` and its PID
namespace take care of everything inside the sandbox.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys

PARENT_ENV = "PYCODEX_LAUNCH_PARENT"
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_TERMINATING = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_FORWARDED = (
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGCONT,
    signal.SIGWINCH,
)


def _prctl(option: int, value: int) -> None:
    try:  # noqa: SIM105 - contextlib would slow every launch
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: process groups still apply


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


def _open_lock(lock: str) -> int | None:
    """A shared lock on ``lock`` that is still the file at that path (it may be unlinked)."""
    for _ in range(100):
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError:
            return None  # registry gone: the mount point simply stays behind
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            same = os.fstat(fd).st_ino == os.stat(lock, follow_symlinks=False).st_ino
        except OSError:
            same = False
        if same:
            return fd
        os.close(fd)  # the last user removed it meanwhile: take the new one
    return None


def _acquire(pairs: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """Share each target's lock for our lifetime; mark targets we are about to create."""
    held = []
    for path, lock in pairs:
        fd = _open_lock(lock)
        if fd is None:
            continue
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
        if not os.path.exists(marker):
            # Nothing left to track: drop the lock file too, still holding it
            # exclusively (late openers notice the unlink and retry).
            try:  # noqa: SIM105
                os.unlink(lock)
            except OSError:
                pass
        os.close(fd)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/task/{current}/children") as fh:
                children = [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
        found.extend(children)
        stack.extend(children)
    return found


def _kill_everything(child: int) -> None:
    try:  # noqa: SIM105 - contextlib would slow every launch
        os.kill(child, signal.SIGKILL)
    except OSError:
        pass
    for pid in _descendants(os.getpid()):
        try:  # noqa: SIM105
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _reap_all() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if pid == 0:
            return


def _exec_child(program: str, argv: list[str]) -> None:
    try:
        # Stays in our process group (pycodex kills that group as a last resort,
        # which also catches background jobs after we have exited).
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        for signum in (*_TERMINATING, *_FORWARDED):
            signal.signal(signum, signal.SIG_DFL)
        os.execvp(program, argv)
    except OSError as exc:
        sys.stderr.write(f"pycodex launcher: cannot execute {program}: {exc}\n")
    os._exit(127)


# ferry: port-only -- supervisor that ties every command's lifetime to pycodex
def supervise(program: str, argv: list[str], pairs: list[tuple[str, str]]) -> int:
    held = _acquire(pairs)
    state = {"child": 0, "signal": 0}

    def terminate(signum: int, _frame: object) -> None:
        state["signal"] = signum
        if state["child"]:
            _kill_everything(state["child"])

    def forward(signum: int, _frame: object) -> None:
        try:  # noqa: SIM105
            os.kill(state["child"], signum)
        except OSError:
            pass

    def from_terminal(_signum: int, _frame: object) -> None:
        """The terminal signalled its foreground group: the command got it too."""

    # On a tty session this process shares the command's process group, so ^C and ^\
    # typed into the terminal reach both: they are the command's to handle (a trap may
    # catch them), not a request to end it. A handler (not SIG_IGN) so the command does
    # not inherit an ignored signal.
    on_tty = os.isatty(0)
    for signum in _TERMINATING:
        signal.signal(signum, from_terminal if on_tty and signum == signal.SIGINT else terminate)
    for signum in _FORWARDED:
        signal.signal(signum, from_terminal if on_tty and signum == signal.SIGQUIT else forward)
    pid = os.fork()
    if pid == 0:
        _exec_child(program, argv)
    state["child"] = pid
    if state["signal"]:
        _kill_everything(pid)
    status = 0
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if state["signal"]:
        _kill_everything(pid)
        _reap_all()
    _release(held)
    ending = state["signal"] or (os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0)
    if ending:
        # End the way the command (or we) were ended, so callers see the signal.
        signal.signal(ending, signal.SIG_DFL)
        os.kill(os.getpid(), ending)
        return 128 + ending
    return os.waitstatus_to_exitcode(status)


# ferry: port-only -- launcher entry point (argv protocol documented above)
def main(argv: list[str]) -> int:
    parent = os.environ.pop(PARENT_ENV, "")
    if parent:
        # Die with pycodex, cleaning up (SIGTERM), even if it is SIGKILLed; it may
        # already be gone by now, so check once the request is in place.
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if str(os.getppid()) != parent:
            return 137
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    try:
        program = argv[0]
        count = int(argv[1])
        flat = argv[2 : 2 + 2 * count]
        pairs = list(zip(flat[0::2], flat[1::2], strict=True))
        target = argv[2 + 2 * count]
        args = argv[3 + 2 * count :]
        split = args.index("--") if program != "-" else len(args)
    except (IndexError, ValueError):
        sys.stderr.write(
            "pycodex launcher: usage: _launch.py FILTER N (PATH LOCK)... PROGRAM ARGS...\n"
        )
        return 2
    extra = [] if program == "-" else ["--seccomp", str(_seccomp_fd(program))]
    final = [target, *args[:split], *extra, *args[split:]]
    return supervise(target, final, pairs)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
