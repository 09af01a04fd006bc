"""Diff: item-level ChangeSets of Rust commits with tree-sitter-rust.

Public API (see ``translator.diff.engine``)::

    parse_range(repo, "A..B" | "A...B" | "REV") -> (base | None, head)
    diff_range(repo, base, head, subtree) -> ChangeSet
    iter_commit_changesets(repo, commits, subtree) -> Iterator[ChangeSet]
    history_stats(repo, commits, subtree, workers=None) -> HistoryStats
"""

from translator.diff.engine import (
    HistoryStats,
    diff_range,
    history_stats,
    iter_commit_changesets,
    parse_range,
)
from translator.diff.errors import DiffError

__all__ = [
    "DiffError",
    "HistoryStats",
    "diff_range",
    "history_stats",
    "iter_commit_changesets",
    "parse_range",
]
