"""Pair items removed in one place with items added in another: renames and moves.

Passes run from the most to the least certain and only pair candidates that are
unique on both sides, so an ambiguous name (``new``, ``default``) is never guessed:

1. same kind and qualified path, other file -> moved;
2. same kind, simple name and normalized hash -> moved (other file) or renamed
   (same file, e.g. the items of a renamed inline module);
3. same kind and name-agnostic hash, different name -> renamed (leaf items only);
4. same kind and simple name, other file -> moved (with edits).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable

from translator.changeset import ChangedItem, ChangeKind, ChangeStatus
from translator.diff.compare import ItemVersion, paired, single

KeyFn = Callable[[ItemVersion], Hashable | None]


def _pass(
    removed: list[ItemVersion],
    added: list[ItemVersion],
    key: KeyFn,
    accept: Callable[[ItemVersion, ItemVersion], bool],
) -> list[tuple[ItemVersion, ItemVersion]]:
    left: dict[Hashable, list[ItemVersion]] = defaultdict(list)
    right: dict[Hashable, list[ItemVersion]] = defaultdict(list)
    for item in removed:
        k = key(item)
        if k is not None:
            left[k].append(item)
    for item in added:
        k = key(item)
        if k is not None:
            right[k].append(item)
    pairs = []
    for k, olds in left.items():
        news = right.get(k, [])
        if len(olds) == 1 and len(news) == 1 and accept(olds[0], news[0]):
            pairs.append((olds[0], news[0]))
    return pairs


def match_items(removed: list[ItemVersion], added: list[ItemVersion]) -> list[ChangedItem]:
    """ChangedItems for all unmatched sides of a range, renames and moves paired."""
    removed = list(removed)
    added = list(added)
    results: list[ChangedItem] = []

    def run(key: KeyFn, accept: Callable[[ItemVersion, ItemVersion], bool]) -> None:
        nonlocal removed, added
        pairs = _pass(removed, added, key, accept)
        taken_old = {id(o) for o, _ in pairs}
        taken_new = {id(n) for _, n in pairs}
        for old, new in pairs:
            status: ChangeStatus = "moved" if old.file != new.file else "renamed"
            kind: ChangeKind | None = None
            if old.text == new.text and old.file != new.file:
                kind = "position-only"
            results.append(paired(old, new, status, kind))
        removed = [o for o in removed if id(o) not in taken_old]
        added = [n for n in added if id(n) not in taken_new]

    run(lambda v: (v.kind, v.path), lambda o, n: o.file != n.file)
    run(lambda v: (v.kind, v.name, v.fp.full), lambda o, n: o.file != n.file or o.path != n.path)
    run(
        lambda v: None if v.container else (v.kind, v.fp.anonymous),
        lambda o, n: o.name != n.name,
    )
    run(lambda v: (v.kind, v.name), lambda o, n: o.file != n.file)
    results.extend(single(o, added=False) for o in removed)
    results.extend(single(n, added=True) for n in added)
    return results
