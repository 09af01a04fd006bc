"""Compare the two versions of one Rust file item by item and attribute changed lines.

Each changed line (from git's hunks) goes to the innermost item whose span covers
it; inside a container (impl, trait, inline mod) only the rows holding the
container's own tokens belong to it, the rest (blank lines, plain comments, ``use``)
is glue like everything outside items. Items present on one side only are handed
back unmatched so renames and moves can be found across the whole range.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from translator.changeset import ChangedItem, ChangeKind, ChangeStatus, ItemKindName
from translator.diff.rust_items import Fingerprint, Item, ParsedFile, fingerprint, own_token_rows


@dataclass(frozen=True, slots=True)
class ItemVersion:
    """One side of an item, detached from the syntax tree."""

    kind: ItemKindName
    name: str
    path: str
    file: str
    text: str
    fp: Fingerprint
    lines: tuple[int, int]
    is_test: bool
    container: bool
    changed: tuple[int, ...]  # changed lines on this side attributed to the item
    span: tuple[int, int] = (0, 0)  # bytes of ``text`` in its blob (for the on-disk cache)

    def to_record(self) -> tuple[object, ...]:
        """Everything but the text, which the cache re-reads from the blob by ``span``."""
        fp = self.fp
        return (
            self.kind, self.name, self.path, self.file, self.span,
            (fp.full, fp.anonymous, fp.attrs, fp.docs, fp.signature, fp.body),
            self.lines, self.is_test, self.container, self.changed,
        )  # fmt: skip

    @classmethod
    def from_record(cls, record: tuple[Any, ...], source: bytes) -> ItemVersion:
        kind, name, path, file, span, fp, lines, is_test, container, changed = record
        start, end = span
        return cls(
            kind, name, path, file, source[start:end].decode("utf-8", "replace"),
            Fingerprint(*fp), tuple(lines), is_test, container, tuple(changed), (start, end),
        )  # fmt: skip


def version(item: Item, parsed: ParsedFile, file: str, changed: list[int]) -> ItemVersion:
    return ItemVersion(
        kind=item.kind,
        name=item.name,
        path=item.path,
        file=file,
        text=item.text(parsed.source),
        fp=fingerprint(item, parsed.source),
        lines=(item.start_line, item.end_line),
        is_test=item.is_test,
        container=item.is_container,
        changed=tuple(sorted(changed)),
        span=(item.start_byte, item.end_byte),
    )


def change_kind(old: ItemVersion, new: ItemVersion) -> ChangeKind:
    """Classify what changed between two versions of the same item."""
    if old.is_test or new.is_test:
        return "test-only"
    if old.fp.signature != new.fp.signature:
        return "signature"
    if old.fp.body != new.fp.body:
        return "body"
    if old.fp.attrs != new.fp.attrs:
        return "attribute-only"
    if old.fp.docs != new.fp.docs:
        return "doc-only"
    if old.text != new.text and not (old.container or new.container):
        return "format-only"
    return "position-only"


def _same_content(old: Item, new: Item, old_src: bytes, new_src: bytes) -> bool:
    if old_src[old.start_byte : old.end_byte] == new_src[new.start_byte : new.end_byte]:
        return True
    if not old.is_container:
        return False
    return fingerprint(old, old_src) == fingerprint(new, new_src)


def paired(
    old: ItemVersion,
    new: ItemVersion,
    status: ChangeStatus,
    kind: ChangeKind | None = None,
) -> ChangedItem:
    """A ChangedItem for two versions of one item (modified, renamed, moved, shifted)."""
    return ChangedItem(
        qualified_path=new.path,
        item_kind=new.kind,
        status=status,
        change_kind=kind if kind is not None else change_kind(old, new),
        file=new.file,
        old_file=old.file if old.file != new.file else None,
        old_qualified_path=old.path if old.path != new.path else None,
        old_text=old.text,
        new_text=new.text,
        old_hash=old.fp.full,
        new_hash=new.fp.full,
        is_test=old.is_test or new.is_test,
        old_lines=old.lines,
        new_lines=new.lines,
        lines_removed=old.changed,
        lines_added=new.changed,
    )


def single(side: ItemVersion, *, added: bool) -> ChangedItem:
    """A ChangedItem for an item present on one side only."""
    return ChangedItem(
        qualified_path=side.path,
        item_kind=side.kind,
        status="added" if added else "removed",
        change_kind="new" if added else "deleted",
        file=side.file,
        old_text=None if added else side.text,
        new_text=side.text if added else None,
        old_hash=None if added else side.fp.full,
        new_hash=side.fp.full if added else None,
        is_test=side.is_test,
        old_lines=None if added else side.lines,
        new_lines=side.lines if added else None,
        lines_removed=() if added else side.changed,
        lines_added=side.changed if added else (),
    )


Pair = tuple[ItemVersion, ItemVersion, ChangeStatus, ChangeKind | None]


@dataclass(slots=True)
class FileComparison:
    """The outcome for one file: matched changes, unmatched sides and glue lines."""

    pairs: list[Pair] = field(default_factory=list)  # same key on both sides
    removed: list[ItemVersion] = field(default_factory=list)
    added: list[ItemVersion] = field(default_factory=list)
    glue_removed: list[int] = field(default_factory=list)
    glue_added: list[int] = field(default_factory=list)

    @property
    def items(self) -> list[ChangedItem]:
        return [paired(old, new, status, kind) for old, new, status, kind in self.pairs]

    def to_record(self) -> tuple[object, ...]:
        return (
            tuple((o.to_record(), n.to_record(), st, k) for o, n, st, k in self.pairs),
            tuple(v.to_record() for v in self.removed),
            tuple(v.to_record() for v in self.added),
            tuple(self.glue_removed),
            tuple(self.glue_added),
        )

    @classmethod
    def from_record(cls, record: tuple[Any, ...], old: bytes, new: bytes) -> FileComparison:
        pairs, removed, added, glue_removed, glue_added = record
        return cls(
            [
                (ItemVersion.from_record(o, old), ItemVersion.from_record(n, new), st, k)
                for o, n, st, k in pairs
            ],
            [ItemVersion.from_record(v, old) for v in removed],
            [ItemVersion.from_record(v, new) for v in added],
            list(glue_removed),
            list(glue_added),
        )


def _attribute(
    parsed: ParsedFile | None, lines: list[int], glue: list[int]
) -> dict[int, list[int]]:
    """Group ``lines`` by owning item id; glue lines are appended to ``glue``.

    A line belongs to the innermost item covering it. Lines are split among the siblings
    of one nesting level with one bisect each and handed down into containers; a line
    inside a container but in none of its children goes to a child overlapping it (two
    items on one line), else to the container when the row holds its own text, else glue.
    """
    by_item: dict[int, list[int]] = {}
    if parsed is None:
        glue.extend(lines)
        return by_item
    source = parsed.source

    def assign(siblings: list[Item], batch: list[int], container: Item | None) -> None:
        starts = [s.start_line for s in siblings]
        groups: dict[int, list[int]] = {}
        unowned: list[int] = []
        for line in batch:
            index = bisect.bisect_right(starts, line) - 1
            if index < 0 or siblings[index].end_line < line:
                unowned.append(line)
            else:
                groups.setdefault(index, []).append(line)
        for index, owned in groups.items():
            item = siblings[index]
            if item.is_container:
                assign(item.children, owned, item)
            else:
                by_item.setdefault(id(item), []).extend(owned)
        if not unowned:
            return
        if container is None:
            glue.extend(unowned)
            return
        own: set[int] | None = None
        for line in unowned:
            # not inside a child: an overlapping child, else the container's own rows, else glue
            inner = [c for c in container.children if c.start_line <= line <= c.end_line]
            if inner:
                by_item.setdefault(id(inner[-1]), []).append(line)
                continue
            if own is None:
                own = {r + 1 for r in own_token_rows(container, source)}
            if line in own:
                by_item.setdefault(id(container), []).append(line)
            else:
                glue.append(line)

    assign(parsed.items, lines, None)
    return by_item


def compare_file(
    old: ParsedFile | None,
    new: ParsedFile | None,
    old_file: str | None,
    new_file: str | None,
    removed_lines: list[int],
    added_lines: list[int],
) -> FileComparison:
    """Match the items of two versions of a file and attribute every changed line."""
    result = FileComparison()
    old_changed = _attribute(old, removed_lines, result.glue_removed)
    new_changed = _attribute(new, added_lines, result.glue_added)
    old_items = old.by_key() if old is not None else {}
    new_items = new.by_key() if new is not None else {}
    for key, old_item in old_items.items():
        assert old is not None and old_file is not None
        new_item = new_items.get(key)
        if new_item is None:
            result.removed.append(
                version(old_item, old, old_file, old_changed.get(id(old_item), []))
            )
            continue
        assert new is not None and new_file is not None
        o_lines = old_changed.get(id(old_item), [])
        n_lines = new_changed.get(id(new_item), [])
        if _same_content(old_item, new_item, old.source, new.source):
            if o_lines or n_lines:
                result.pairs.append(
                    (
                        version(old_item, old, old_file, o_lines),
                        version(new_item, new, new_file, n_lines),
                        "shifted",
                        "position-only",
                    )
                )
            continue
        result.pairs.append(
            (
                version(old_item, old, old_file, o_lines),
                version(new_item, new, new_file, n_lines),
                "modified",
                None,
            )
        )
    for key, new_item in new_items.items():
        if key not in old_items:
            assert new is not None and new_file is not None
            result.added.append(version(new_item, new, new_file, new_changed.get(id(new_item), [])))
    return result
