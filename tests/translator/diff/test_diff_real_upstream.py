"""On the real upstream history (when a local copy is present): full attribution, no parse errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from translator.diff.engine import iter_commit_changesets
from translator.diff.gitdiff import run_git

MIRROR = Path(os.environ.get("FERRY_UPSTREAM_CHECKOUT", "/work/.mirror/jiangshengdev+codex/repo"))


def test_recent_upstream_commits_are_fully_attributed() -> None:
    if not (MIRROR / "objects").is_dir() and not (MIRROR / ".git").exists():
        pytest.skip(f"no upstream checkout at {MIRROR} (set FERRY_UPSTREAM_CHECKOUT)")
    rev = "main" if run_git(MIRROR, "branch", "--list", "main").strip() else "HEAD"
    commits = run_git(MIRROR, "rev-list", "--reverse", "-n", "12", rev, "--", "codex-rs").split()
    changesets = list(iter_commit_changesets(MIRROR, commits, "codex-rs"))
    assert [c.head for c in changesets] == commits
    assert sum(len(c.items) for c in changesets) > 0
    for changeset in changesets:
        assert changeset.coverage() == 1.0, changeset.head
        rust = [f for f in changeset.files if f.file_kind == "rust"]
        assert all(f.parse_error is None for f in rust), changeset.head
        for item in changeset.items:
            assert item.qualified_path.split("::")[0].replace("_", "").isalnum()
