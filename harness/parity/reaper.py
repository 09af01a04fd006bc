"""Run one command as a child subreaper and report the processes it leaves running.

Usage: ``python -I reaper.py REPORT.json -- ARGV...``. Standard streams are inherited.
Linux reparents every orphaned descendant of ARGV to this process (PR_SET_CHILD_SUBREAPER),
so once ARGV has exited, whatever is still alive below us is exactly what ARGV left
behind: a background job it never killed, a detached server. Those are written to
REPORT.json (``{"leftovers": [argv, ...]}``, sorted) and then killed, so one scenario never leaks into the
next. The exit status is ARGV's (a signal is re-raised); when ARGV cannot be started the report
is ``{"spawn_error": "..."}`` and the status 127.

Kept free of third-party imports (and of the ``harness`` package, whose import pulls in
pydantic) so the wrapper costs only an interpreter start.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
#: how long processes that are already dying get to disappear before they count as left.
SETTLE_S = 3.0


def _set_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of ``pid``, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0]


def _descendants(root: int) -> list[int]:
    """Live (non-zombie) processes below ``root``, parents before children."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = _stat(int(entry))
            if info is not None and info[1] != "Z":
                parents[int(entry)] = info[0]
    found: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = sorted(pid for pid, ppid in parents.items() if ppid == parent)
        found.extend(children)
        frontier.extend(children)
    return found


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ["<gone>"]
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0") if part]


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: reaper.py REPORT.json -- ARGV...", file=sys.stderr)
        return 2
    report, command = Path(argv[0]), argv[2:]
    _set_subreaper()
    try:
        child = subprocess.Popen(command)
    except OSError as exc:
        report.write_text(json.dumps({"spawn_error": f"{command[0]}: {exc}"}), encoding="utf-8")
        return 127
    code = child.wait()
    deadline = time.monotonic() + SETTLE_S
    left = _descendants(os.getpid())
    while left and time.monotonic() < deadline:
        _reap()
        time.sleep(0.05)
        left = _descendants(os.getpid())
    leftovers = sorted(_cmdline(pid) for pid in left)
    report.write_text(json.dumps({"leftovers": leftovers}), encoding="utf-8")
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue
    _reap()
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
