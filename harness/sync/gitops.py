"""The git operations of a sync on the port repository: worktree, reset, commit, merge.

Only the sync worktree is ever reset or cleaned; the checked-out tree of the project is
touched by nothing but ``git merge --ff-only``, which git refuses when it would lose work.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from harness.sync.errors import GitError

_IDENTITY = ("-c", "user.name=ferry sync", "-c", "user.email=ferry-sync@localhost")


def git(cwd: Path, *args: str, check: bool = True) -> str:
    """Run git in ``cwd``; a failure raises ``GitError`` naming the command and directory."""
    proc = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip()}")
    return proc.stdout.strip()


def toplevel(path: Path) -> Path:
    try:
        return Path(git(path, "rev-parse", "--show-toplevel")).resolve()
    except GitError as exc:
        raise GitError(
            f"{path} is not inside a git repository; ferry sync commits the port through git, "
            "so run `git init` and commit the port first"
        ) from exc


def current_branch(repo: Path) -> str:
    name = git(repo, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if not name:
        raise GitError(f"{repo} has a detached HEAD; check out the branch the port lives on")
    return name


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


def is_worktree(path: Path) -> bool:
    if not (path / ".git").exists():
        return False
    proc = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
    )
    return proc.returncode == 0 and proc.stdout.strip() == "true"


def ensure_worktree(repo: Path, path: Path, branch: str, commit: str) -> None:
    """A worktree at ``path`` with ``branch`` checked out at ``commit`` (re-created if broken)."""
    if not is_worktree(path):
        if path.exists():
            git(repo, "worktree", "remove", "--force", str(path), check=False)
        if path.exists():
            import shutil

            shutil.rmtree(path)
        git(repo, "worktree", "prune")
        path.parent.mkdir(parents=True, exist_ok=True)
        git(repo, "worktree", "add", "--force", "-B", branch, str(path), commit)
    reset_worktree(path, branch, commit)


def reset_worktree(path: Path, branch: str, commit: str) -> None:
    """Put the worktree's ``branch`` at ``commit`` with a clean tree (ignored files kept).

    A sync killed inside ``git commit`` leaves the worktree's ``index.lock`` behind; only
    the sync (holding its run lock) uses this worktree, so the stale lock is removed.
    """
    git_dir = Path(git(path, "rev-parse", "--absolute-git-dir"))
    (git_dir / "index.lock").unlink(missing_ok=True)
    git(path, "checkout", "--force", "-B", branch, commit)
    git(path, "reset", "--hard", commit)
    git(path, "clean", "-fdq")


def remove_worktree(repo: Path, path: Path) -> None:
    git(repo, "worktree", "remove", "--force", str(path), check=False)
    git(repo, "worktree", "prune", check=False)


def commit_all(path: Path, pathspecs: list[str], message: str) -> str | None:
    """Commit the changes under ``pathspecs``; None when there was nothing to commit."""
    git(path, "add", "--all", "--", *pathspecs)
    if not git(path, "diff", "--cached", "--name-only"):
        return None
    has_identity = bool(git(path, "config", "user.email", check=False))
    identity = () if has_identity else _IDENTITY
    git(path, *identity, "commit", "--quiet", "--no-verify", "-m", message)
    return head(path)


def diff_text(path: Path, old: str, new: str) -> str:
    return git(path, "diff", "--no-color", "--no-ext-diff", old, new)


def fast_forward(repo: Path, commit: str) -> None:
    """Move the checked-out branch of ``repo`` to ``commit`` (fast-forward only)."""
    if git(repo, "rev-parse", "HEAD") == commit:
        return
    try:
        git(repo, "merge", "--ff-only", "--quiet", commit)
    except GitError as exc:
        raise GitError(
            f"cannot fast-forward {repo} to the sync result {commit[:12]}: {exc}. The branch "
            "moved or the tree has local changes; commit or stash them and rerun `ferry sync`, "
            "or `ferry sync --restart` to translate again on top of the new head"
        ) from exc
