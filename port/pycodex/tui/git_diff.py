"""``/diff``: the working tree's changes, tracked and untracked, as codex shows them."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

NOT_A_REPO = "`/diff` — _not inside a git repository_"
NO_CHANGES = "No changes detected."


# ferry: codex_tui::get_git_diff::get_git_diff @ 1d092cb66
@dataclass(frozen=True)
class GitDiff:
    inside_repo: bool
    text: str
    error: str | None = None


def _git(cwd: Path, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=30, check=False)
    if proc.returncode not in ok_codes:
        raise OSError(f"git {' '.join(args)} failed with status {proc.returncode}")
    return proc.stdout.decode("utf-8", "replace")


# ferry: codex_tui::get_git_diff::get_git_diff @ 1d092cb66
def git_diff(cwd: Path) -> GitDiff:
    """``git diff`` plus every untracked file diffed against ``/dev/null``."""
    try:
        inside = _git(cwd, "rev-parse", "--is-inside-work-tree", ok_codes=(0, 128)).strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return GitDiff(False, "", str(exc))
    if inside != "true":
        return GitDiff(False, "")
    try:
        tracked = _git(cwd, "diff", ok_codes=(0, 1))
        untracked = _git(cwd, "ls-files", "--others", "--exclude-standard")
        parts = [tracked]
        for name in (line.strip() for line in untracked.splitlines()):
            if name:
                # `git diff --no-index` exits 1 when the files differ, which they do
                parts.append(
                    _git(cwd, "diff", "--no-index", "--", "/dev/null", name, ok_codes=(0, 1))
                )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return GitDiff(True, "", str(exc))
    return GitDiff(True, "".join(parts))
