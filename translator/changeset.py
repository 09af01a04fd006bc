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
    "fn", "struct", "enum", "union", "trait", "impl", "method", "const", "static",
    "type_alias", "macro_rules", "mod", "test_fn",
]
ChangeStatus = Literal["added", "removed", "modified", "renamed", "moved"]
ChangeKind = Literal["signature", "body", "test-only", "doc-only", "attribute-only", "new", "deleted"]


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


class ChangeSet(BaseModel):
    model_config = ConfigDict(frozen=True)

    format: str = CHANGESET_FORMAT
    ferry_version: str = __version__
    base: str
    head: str
    commits: tuple[str, ...] = ()
    files: tuple[ChangedFile, ...] = ()
    items: tuple[ChangedItem, ...] = ()
    config: dict[str, object] = Field(default_factory=dict)
