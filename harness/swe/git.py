"""The few git operations a SWE run needs (checkout at a commit, diff, apply)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness.errors import HarnessError


class GitError(HarnessError):
    """A git command failed; the message carries git's own explanation."""


def git(repo: Path, *args: str, input_text: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        input=input_text,
        timeout=600,
        env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(repo)},
    )
    if check and proc.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])} in {repo} failed: {proc.stderr.strip()[-800:]}")
    return proc.stdout


def resolve_source(repo: str, repos_dir: Path | None) -> str:
    """A local directory (``repos_dir/owner__name`` or a path) or the GitHub URL for ``repo``."""
    if repos_dir is not None:
        local = repos_dir / repo.replace("/", "__")
        if local.is_dir():
            return str(local)
    if Path(repo).is_dir():
        return repo
    return f"https://github.com/{repo}.git"


def checkout(source: str, commit: str, dest: Path) -> Path:
    """A fresh clone of ``source`` at ``commit`` (detached) in ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    git(dest.parent, "clone", "--quiet", "--no-checkout", source, str(dest))
    git(dest, "checkout", "--quiet", "--detach", commit)
    return dest


def diff_from(repo: Path, commit: str) -> str:
    """Every change since ``commit``, new files included, as a ``git apply``-able patch."""
    git(repo, "add", "-A")
    return git(repo, "diff", "--cached", commit)


def apply_patch(repo: Path, patch: str) -> None:
    if not patch.strip():
        return
    git(repo, "apply", "--whitespace=nowarn", "-", input_text=patch)
