"""The sync worktree survives what a SIGKILL inside git leaves behind."""

from __future__ import annotations

from pathlib import Path

from sync_workspace import HISTORY, git, make_workspace

from harness.sync import gitops


def test_reset_clears_a_stale_index_lock_and_local_changes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:1])
    head = git(ws.project, "rev-parse", "HEAD")
    worktree = ws.project / ".ferry/sync/worktree"
    gitops.ensure_worktree(ws.project, worktree, "ferry/sync", head)
    (worktree / "port/pydemo/types.py").write_text("half written")
    (worktree / "port/pydemo/stray.py").write_text("x = 1\n")
    git_dir = Path(git(worktree, "rev-parse", "--absolute-git-dir"))
    (git_dir / "index.lock").write_text("")  # as a git commit killed mid-way leaves it

    gitops.reset_worktree(worktree, "ferry/sync", head)
    assert git(worktree, "status", "--porcelain") == ""
    assert not (git_dir / "index.lock").exists()
    assert (worktree / "port/pydemo/types.py").read_text().startswith('"""pydemo.types')
    # the project's own checkout was never touched
    assert git(ws.project, "status", "--porcelain") == ""


def test_ensure_worktree_recreates_a_broken_one(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path, HISTORY[:1])
    head = git(ws.project, "rev-parse", "HEAD")
    worktree = ws.project / ".ferry/sync/worktree"
    worktree.mkdir(parents=True)
    (worktree / "leftover").write_text("a killed `git worktree add` left this")
    gitops.ensure_worktree(ws.project, worktree, "ferry/sync", head)
    assert gitops.head(worktree) == head and not (worktree / "leftover").exists()
    assert git(worktree, "rev-parse", "--abbrev-ref", "HEAD") == "ferry/sync"
