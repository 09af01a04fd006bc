"""What a run left in its ``CODEX_HOME``: the file tree and the rollout records.

The tree is recorded as ``{relative path: description}`` (keyed, so one extra file shows
as one difference instead of shifting a list). Small text files are recorded with their
content; databases and other binary or large files by kind only, because their bytes
carry page layouts and timestamps rather than behaviour. Rollouts (``sessions/**/*.jsonl``)
are parsed into records, oldest file first; which records are compared is the
normaliser's decision (``compare_rollout`` in the scenario).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

#: text files up to this size are recorded with their content.
SMALL_TEXT = 4096


#: a file being written atomically (``name.tmp-<nanoseconds>``) when the process ended: a race.
_IN_PROGRESS_RE = re.compile(r"\.tmp-\d+$")

#: top-level directories whose files exist only while a session runs (the Rust binary's shell
#: snapshots, its ``.tmp`` scratch space with lock files and temporary clones): one left
#: behind by an early exit is a race between the exit and the cleanup.
_TRANSIENT_DIRS = ("shell_snapshots", ".tmp")

#: SQLite's side files come and go with checkpoints: present or not is timing, not behaviour.
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _describe(path: Path) -> str:
    if path.name.endswith(".sqlite") or path.name.endswith(".db"):
        return "<sqlite database>"
    if path.is_symlink():
        return "symlink:" + os.readlink(path)
    try:
        size = path.stat().st_size
        if size > SMALL_TEXT:
            return "<file>"
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "<binary file>"
    except OSError as exc:
        return f"<unreadable: {exc.strerror}>"


def _records(path: Path) -> list[Any]:
    records: list[Any] = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return [f"<unreadable: {exc.strerror}>"]
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            records.append(f"<not JSON: {line[:200]}>")
    return records


def home_state(home: Path) -> dict[str, Any]:
    """``{"files": {path: description}, "rollouts": [[record, ...], ...]}`` of ``home``."""
    files: dict[str, str] = {}
    rollouts: list[tuple[str, list[Any]]] = []
    if not home.exists():
        return {"files": files, "rollouts": []}
    for dirpath, dirnames, filenames in os.walk(home):
        if Path(dirpath) == home:
            dirnames[:] = [d for d in dirnames if d not in _TRANSIENT_DIRS]
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames):
            if name.endswith(_SQLITE_SIDE_FILES) and ".sqlite" in name:
                continue
            if _IN_PROGRESS_RE.search(name):
                continue
            path = base / name
            rel = path.relative_to(home).as_posix()
            if rel.startswith(("sessions/", "archived_sessions/")) and name.endswith(".jsonl"):
                files[rel] = "<rollout>"
                rollouts.append((name, _records(path)))
            else:
                files[rel] = _describe(path)
    rollouts.sort(key=lambda entry: entry[0])  # rollout-<timestamp>-<id>: creation order
    return {"files": files, "rollouts": [records for _, records in rollouts]}
