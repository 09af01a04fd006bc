"""The turn's aggregated diff (``turn/diff/updated``): every file a patch touched, in git form.

The first time a turn's patch touches a file its content is remembered; the diff is the
remembered content against what is on disk now, per file, rendered like ``git diff``
(``diff --git``, mode and ``index <oid>..<oid>`` lines, a unified diff with 3 lines of
context). Paths are relative to the file's git repository, or its directory's.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pycodex.apply_patch.diff import unified_diff
from pycodex.core.observer import PatchChange

ZERO_OID = "0" * 40


# ferry: codex_core::turn_diff_tracker::git_blob_sha1_hex_bytes @ 1d092cb66
def git_blob_oid(data: bytes) -> str:
    """git's object id of a blob: sha1 of ``blob <len>\\0<data>``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _mode(path: Path) -> str | None:
    try:
        info = path.lstat()
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "120000"
    return "100755" if info.st_mode & 0o111 else "100644"


def _bytes(path: Path, mode: str | None) -> bytes | None:
    try:
        if mode == "120000":
            return os.readlink(path).encode()
        return path.read_bytes()
    except OSError:
        return None


@dataclass
class _Baseline:
    path: Path
    content: bytes
    mode: str
    oid: str


# ferry: codex_core::turn_diff_tracker::TurnDiffTracker @ 1d092cb66
@dataclass
class TurnDiffTracker:
    #: paths outside any git repository are shown relative to this directory
    cwd: Path | None = None
    _baselines: dict[str, _Baseline] = field(default_factory=dict)  # key -> baseline
    _current: dict[str, Path] = field(default_factory=dict)  # key -> where the file is now
    _keys: dict[Path, str] = field(default_factory=dict)  # current path -> key

    # ferry: codex_core::turn_diff_tracker::TurnDiffTracker::on_patch_begin @ 1d092cb66
    def track(self, changes: Iterable[PatchChange]) -> None:
        """Remember the content of every file before the first patch of the turn touches it."""
        for change in changes:
            path = change.path
            key = self._keys.get(path)
            if key is None:
                key = str(len(self._baselines))
                self._keys[path] = key
                self._current[key] = path
                mode = _mode(path)
                content = _bytes(path, mode) if mode is not None else None
                if content is None:
                    self._baselines[key] = _Baseline(path, b"", "100644", ZERO_OID)
                else:
                    self._baselines[key] = _Baseline(
                        path, content, mode or "100644", git_blob_oid(content)
                    )
            if change.kind == "update" and change.move_path is not None:
                self._current[key] = change.move_path
                del self._keys[path]
                self._keys[change.move_path] = key

    # ferry: port-only -- a no-op hook: the turn diff is computed against the disk, so nothing is recorded after a patch
    def applied(self, changes: Iterable[PatchChange]) -> None:
        """Nothing to do after a patch: the diff is computed against the disk."""

    def _display(self, path: Path) -> str:
        """The path as the diff shows it: relative to its git repository, else to the cwd."""
        root = _git_root(path) or self.cwd or path.parent
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return path.as_posix()

    # ferry: codex_core::turn_diff_tracker::TurnDiffTracker::get_unified_diff @ 1d092cb66
    def has_changes(self) -> bool:
        return bool(self.unified_diff())

    # ferry: codex_core::turn_diff_tracker::TurnDiffTracker::get_unified_diff @ 1d092cb66
    def unified_diff(self) -> str:
        keys = sorted(self._baselines, key=lambda k: self._display(self._current[k]))
        out: list[str] = []
        for key in keys:
            text = self._file_diff(key)
            if text:
                out.append(text if text.endswith("\n") else text + "\n")
        aggregated = "".join(out)
        return aggregated if aggregated.strip() else ""

    # ferry: codex_core::turn_diff_tracker::TurnDiffTracker::get_file_diff @ 1d092cb66
    def _file_diff(self, key: str) -> str:
        base = self._baselines[key]
        current = self._current[key]
        mode = _mode(current) or "100644"
        right = _bytes(current, mode) if _mode(current) is not None else None
        left_present = base.oid != ZERO_OID
        left = base.content if left_present else None
        if left == right:
            return ""
        left_name, right_name = self._display(base.path), self._display(current)
        lines = [f"diff --git a/{left_name} b/{right_name}\n"]
        is_add = not left_present and right is not None
        is_delete = left_present and right is None
        if is_add:
            lines.append(f"new file mode {mode}\n")
        elif is_delete:
            lines.append(f"deleted file mode {base.mode}\n")
        elif base.mode != mode:
            lines.append(f"old mode {base.mode}\nnew mode {mode}\n")
        right_oid = git_blob_oid(right) if right is not None else ZERO_OID
        lines.append(f"index {base.oid}..{right_oid}\n")
        old_header = f"a/{left_name}" if left_present else "/dev/null"
        new_header = f"b/{right_name}" if right is not None else "/dev/null"
        left_text = _text(left)
        right_text = _text(right)
        if (left_text is not None or is_add) and (right_text is not None or is_delete):
            body = unified_diff(left_text or "", right_text or "", context_radius=3)
            if body:
                lines.append(f"--- {old_header}\n+++ {new_header}\n{body}")
        else:
            lines.append(f"--- {old_header}\n+++ {new_header}\nBinary files differ\n")
        return "".join(lines)


def _text(data: bytes | None) -> str | None:
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _git_root(path: Path) -> Path | None:
    directory = path if path.is_dir() else path.parent
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
