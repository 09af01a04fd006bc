"""Result files: written atomically and readable by the group (0644), not 0600 temp files."""

from __future__ import annotations

import os
from pathlib import Path

from ferry.fsutil import write_text_atomic

RESULT_MODE = 0o644


def write_result(path: Path, text: str) -> None:
    write_text_atomic(path, text)
    os.chmod(path, RESULT_MODE)
