"""Shared test helpers: where the task fixtures live and how to copy/alter one."""

from __future__ import annotations

import shutil
from pathlib import Path

TASKS = Path(__file__).resolve().parent / "tasks"
TB1_TASKS = TASKS / "tb1"
HARBOR_TASKS = TASKS / "harbor"


def copy_task(source: Path, dest_root: Path, name: str | None = None) -> Path:
    dest = dest_root / (name or source.name)
    shutil.copytree(source, dest)
    return dest
