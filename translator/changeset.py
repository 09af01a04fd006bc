"""The ChangeSet: what the Diff stage hands to Plan and Translate.

A ChangeSet lists, for one upstream commit range, every changed Rust item with
its qualified path, old and new text and a normalized content hash, plus the
non-Rust files that changed. It is stored as JSON with a ``format`` tag and the
ferry version so any later stage can be re-run from it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ferry import __version__

CHANGESET_FORMAT = "ferry.changeset/1"

ItemKindName = Literal[
    "fn",
    "struct",
    "enum",
    "union",
    "trait",
    "impl",
    "method",
    "const",
    "static",
    "type_alias",
    "macro_rules",
    "mod",
    "test_fn",
    "macro_call",  # an item-level macro invocation, ``name!{}``
    "macro_entry",  # one ``,``/``;``-separated entry of its ``{}`` body, ``name!{}::Entry``
]
#: ``shifted``: the item's text is unchanged but git's line diff touched its lines
#: (reordering inside the file or diff alignment); nothing to translate.
ChangeStatus = Literal["added", "removed", "modified", "renamed", "moved", "shifted"]
#: ``format-only``: only whitespace or plain comments changed;
#: ``position-only``: identical text at another place (moves and shifts).
ChangeKind = Literal[
    "signature",
    "body",
    "test-only",
    "doc-only",
    "attribute-only",
    "format-only",
    "position-only",
    "new",
    "deleted",
]


class ChangedItem(BaseModel):
    """One Rust item whose text changed between the two ends of the range."""

    model_config = ConfigDict(frozen=True)

    qualified_path: str  # e.g. codex_core::exec::ExecParams or codex_core::exec::Foo::bar
    item_kind: ItemKindName
    status: ChangeStatus
    change_kind: ChangeKind
    file: str  # path of the .rs file (new path; old path for removed items)
    old_file: str | None = None
    old_qualified_path: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    old_hash: str | None = None
    new_hash: str | None = None
    is_test: bool = False
    old_lines: tuple[int, int] | None = None  # 1-based inclusive
    new_lines: tuple[int, int] | None = None
    # the changed lines (git's hunks) attributed to this item: removed lines are
    # numbered in ``old_file or file``, added lines in ``file``
    lines_removed: tuple[int, ...] = ()
    lines_added: tuple[int, ...] = ()


class ChangedFile(BaseModel):
    """A changed file: Rust files carry glue lines; others are classified by kind."""

    model_config = ConfigDict(frozen=True)

    path: str
    old_path: str | None = None
    status: Literal["added", "removed", "modified", "renamed"]
    file_kind: str  # "rust", "cargo", "json-schema", "markdown", "prompt", "other"
    crate: str | None = None
    parse_error: str | None = None
    glue_lines_added: tuple[int, ...] = ()
    glue_lines_removed: tuple[int, ...] = ()
    # how many lines git reports as removed/added in this file
    changed_lines_removed: int = 0
    changed_lines_added: int = 0


class ChangeSet(BaseModel):
    """Every changed item and file between ``base`` and ``head``."""

    model_config = ConfigDict(frozen=True)

    format: str = CHANGESET_FORMAT
    ferry_version: str = __version__
    base: str
    head: str
    commits: tuple[str, ...] = ()
    files: tuple[ChangedFile, ...] = ()
    items: tuple[ChangedItem, ...] = ()
    config: dict[str, object] = Field(default_factory=dict)

    def changed_lines(self) -> int:
        """Lines of ``.rs`` files that git reports as removed or added."""
        return sum(
            f.changed_lines_removed + f.changed_lines_added
            for f in self.files
            if f.file_kind == "rust"
        )

    def attributed_lines(self) -> int:
        """Changed ``.rs`` lines attributed to an item or to file glue."""
        glue = sum(
            len(f.glue_lines_removed) + len(f.glue_lines_added)
            for f in self.files
            if f.file_kind == "rust"
        )
        return glue + sum(len(i.lines_removed) + len(i.lines_added) for i in self.items)

    def coverage(self) -> float:
        """Share of changed ``.rs`` lines attributed (1.0 when nothing changed)."""
        total = self.changed_lines()
        return 1.0 if total == 0 else self.attributed_lines() / total
