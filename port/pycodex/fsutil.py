"""Atomic file writes for pycodex (the port does not import the toolchain's twin)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _target_mode(path: Path) -> int:
    """The mode a plain write would leave: the file's own, or 0666 minus the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it (``os.umask`` would, for every thread)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


# ferry: port-only -- Python glue: atomic file writes (temp file + rename) used wherever pycodex writes a file
def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place.

    The result has the mode a plain write gives (upstream writes ``-o`` files with
    ``std::fs::write``), not the 0600 of the temporary file.
    """
    mode = _target_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            os.fchmod(handle.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
