"""Atomic file writes for pycodex (the port does not import the toolchain's twin)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


# ferry: port-only -- Python glue: atomic file writes (temp file + rename) used wherever pycodex writes a file
def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
