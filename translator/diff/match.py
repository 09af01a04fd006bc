"""Pair items removed in one place with items added in another: renames and moves.

Passes run from the most to the least certain and only pair candidates that are
unique on both sides, so an ambiguous name (``new``, ``default``) is never guessed:

1. same kind and qualified path, other file -> moved;
2. same kind, simple name and normalized hash -> moved (other file) or renamed
   (same file, e.g. the items of a renamed inline module);
3. same kind and name-agnostic hash, different name -> renamed (leaf items only);
4. same kind and simple name, other file -> moved (with edits);
5. same kind, different name, and the range's changed lines swap one name for the
   other (``Option<Old>`` -> ``Option<New>`` with the rest of the line identical) at
   least twice, more than for any other candidate -> renamed (with edits);
6. same kind, different name, similar content (the identifiers and literals of the
   two texts, names left out, overlap by at least ``SIMILARITY``), the best match of
   both and clearly ahead of the runner-up -> renamed (with edits);
7. the members of a renamed type follow it: ``<impl Old>``, ``<Old as Trait>`` and
   ``Old::method`` pair with ``<impl New>``, ``<New as Trait>`` and ``New::method``.

A pair whose simple names differ is ``renamed`` (wherever it moved); same name,
other file or module is ``moved``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence

from translator.changeset import ChangedItem, ChangeKind, ChangeStatus
from translator.diff.compare import ItemVersion, paired, single
from translator.diff.normalize import normalize

KeyFn = Callable[[ItemVersion], Hashable | None]
#: the changed lines of the range (removed, added) that mention the given old/new names
ChangedLines = Callable[[set[str], set[str]], tuple[Sequence[str], Sequence[str]]]

SIMILARITY = 0.5
_MARGIN = 0.1
_MIN_EVIDENCE = 2
_MAX_PAIRS = 40_000  # similarity is quadratic: beyond this many candidate pairs, skip it
_WORD = re.compile(r"\w+")
_TYPE_KINDS = frozenset({"struct", "enum", "union", "trait", "type_alias"})


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


def _simple(name: str) -> str:
    """The last segment of an item's simple name (``Type::method`` -> ``method``)."""
    return name.rsplit("::", 1)[-1]


def _best_unique(
    scores: dict[tuple[int, int], float], minimum: float, margin: float
) -> list[tuple[int, int]]:
    """Index pairs that are each other's best, ``minimum`` or more and ``margin`` ahead."""
    by_left: dict[int, list[tuple[float, int]]] = defaultdict(list)
    by_right: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for (i, j), score in scores.items():
        by_left[i].append((score, j))
        by_right[j].append((score, i))

    def best(options: list[tuple[float, int]]) -> int | None:
        ranked = sorted(options, reverse=True)
        if ranked[0][0] < minimum:
            return None
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < margin:
            return None
        return ranked[0][1]

    pairs = []
    for i, options in by_left.items():
        choice = best(options)
        if choice is not None and best(by_right[choice]) == i:
            pairs.append((i, choice))
    return pairs


def _evidence_pairs(
    removed: list[ItemVersion], added: list[ItemVersion], lines: ChangedLines
) -> list[tuple[ItemVersion, ItemVersion]]:
    """Pass 5: renames shown by lines that swap the old name for the new one."""
    olds: dict[str, list[int]] = defaultdict(list)
    news: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(removed):
        if not item.container:
            olds[_simple(item.name)].append(i)
    for j, item in enumerate(added):
        if not item.container:
            news[_simple(item.name)].append(j)
    olds = {n: ix for n, ix in olds.items() if len(ix) == 1 and n not in news}
    news = {n: ix for n, ix in news.items() if len(ix) == 1 and n not in olds}
    if not olds or not news:
        return []
    removed_lines, added_lines = lines(set(olds), set(news))

    def blanked(name: str, line: str) -> str:
        return _WORD.sub(lambda m: "\x00" if m.group(0) == name else m.group(0), line).strip()

    seen: dict[str, set[str]] = defaultdict(set)  # line with the old name blanked -> old names
    for line in removed_lines:
        for name in set(_WORD.findall(line)) & olds.keys():
            seen[blanked(name, line)].add(name)
    if not seen:
        return []
    counts: Counter[tuple[str, str]] = Counter()
    for line in added_lines:
        for name in set(_WORD.findall(line)) & news.keys():
            for old in seen.get(blanked(name, line), ()):
                counts[(old, name)] += 1
    scores = {
        (olds[o][0], news[n][0]): float(c)
        for (o, n), c in counts.items()
        if removed[olds[o][0]].kind == added[news[n][0]].kind
    }
    return [
        (removed[i], added[j]) for i, j in _best_unique(scores, float(_MIN_EVIDENCE), margin=1.0)
    ]


#: words every item shares: they say nothing about which item is which
_COMMON = frozenset(
    [
        "as",
        "async",
        "await",
        "break",
        "const",
        "continue",
        "crate",
        "dyn",
        "else",
        "enum",
        "extern",
        "false",
        "fn",
        "for",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "return",
        "self",
        "Self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "type",
        "unsafe",
        "use",
        "where",
        "while",
        "u8",
        "u16",
        "u32",
        "u64",
        "u128",
        "usize",
        "i8",
        "i16",
        "i32",
        "i64",
        "i128",
        "isize",
        "f32",
        "f64",
        "bool",
        "char",
        "str",
    ]
)


def _tokens(item: ItemVersion) -> set[str]:
    """Identifiers and literals of the item's code (comments out), without its own name."""
    code = normalize(item.text.encode("utf-8", "replace")).decode("utf-8", "replace")
    words = set(_WORD.findall(code)) - _COMMON
    words.discard(_simple(item.name))
    return words


def _similar_pairs(
    removed: list[ItemVersion], added: list[ItemVersion]
) -> list[tuple[ItemVersion, ItemVersion]]:
    """Pass 6: renames with edits, by the overlap of their words."""
    by_kind: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, item in enumerate(removed):
        if not item.container:
            by_kind[item.kind][0].append(i)
    for j, item in enumerate(added):
        if not item.container:
            by_kind[item.kind][1].append(j)
    pairs: list[tuple[ItemVersion, ItemVersion]] = []
    for left, right in by_kind.values():
        if not left or not right or len(left) * len(right) > _MAX_PAIRS:
            continue
        left_tokens = {i: _tokens(removed[i]) for i in left}
        right_tokens = {j: _tokens(added[j]) for j in right}
        scores: dict[tuple[int, int], float] = {}
        for i in left:
            a = left_tokens[i]
            for j in right:
                if _simple(removed[i].name) == _simple(added[j].name):
                    continue
                b = right_tokens[j]
                union = len(a | b)
                if union:
                    scores[(i, j)] = len(a & b) / union
        pairs += [(removed[i], added[j]) for i, j in _best_unique(scores, SIMILARITY, _MARGIN)]
    return pairs


def _member_pairs(
    renames: list[tuple[str, str]], removed: list[ItemVersion], added: list[ItemVersion]
) -> list[tuple[ItemVersion, ItemVersion]]:
    """Pass 7: impls and methods of renamed types follow their type."""
    if not renames:
        return []

    def retarget(name: str) -> str | None:
        for old, new in renames:
            if name == f"<impl {old}>":
                return f"<impl {new}>"
            if name.startswith(f"<impl {old}<"):
                return f"<impl {new}" + name[len(f"<impl {old}") :]
            if name.startswith(f"<{old} as "):
                return f"<{new} as " + name[len(f"<{old} as ") :]
            if name.startswith(f"{old}::"):
                return f"{new}::" + name[len(old) + 2 :]
        return None

    targets: dict[tuple[str, str, str], list[ItemVersion]] = defaultdict(list)
    for item in added:
        targets[(item.kind, item.file, item.name)].append(item)
    pairs = []
    taken: set[int] = set()
    for item in removed:
        name = retarget(item.name)
        if name is None:
            continue
        candidates = [
            c
            for (kind, _file, n), cs in targets.items()
            if kind == item.kind and n == name
            for c in cs
            if id(c) not in taken
        ]
        if len(candidates) == 1:
            taken.add(id(candidates[0]))
            pairs.append((item, candidates[0]))
    return pairs


def match_items(
    removed: list[ItemVersion], added: list[ItemVersion], lines: ChangedLines | None = None
) -> list[ChangedItem]:
    """ChangedItems for all unmatched sides of a range, renames and moves paired."""
    removed = list(removed)
    added = list(added)
    results: list[ChangedItem] = []
    type_renames: list[tuple[str, str]] = []

    def take(pairs: list[tuple[ItemVersion, ItemVersion]]) -> None:
        nonlocal removed, added
        taken_old = {id(o) for o, _ in pairs}
        taken_new = {id(n) for _, n in pairs}
        for old, new in pairs:
            status: ChangeStatus
            if _simple(old.name) != _simple(new.name):
                status = "renamed"
            else:
                status = "moved" if old.file != new.file else "renamed"
            kind: ChangeKind | None = None
            if old.text == new.text and old.file != new.file:
                kind = "position-only"
            results.append(paired(old, new, status, kind))
            if old.kind in _TYPE_KINDS and old.name != new.name:
                type_renames.append((old.name, new.name))
        removed = [o for o in removed if id(o) not in taken_old]
        added = [n for n in added if id(n) not in taken_new]

    def run(key: KeyFn, accept: Callable[[ItemVersion, ItemVersion], bool]) -> None:
        take(_pass(removed, added, key, accept))

    run(lambda v: (v.kind, v.path), lambda o, n: o.file != n.file)
    run(lambda v: (v.kind, v.name, v.fp.full), lambda o, n: o.file != n.file or o.path != n.path)
    run(
        lambda v: None if v.container else (v.kind, v.fp.anonymous),
        lambda o, n: o.name != n.name,
    )
    run(lambda v: (v.kind, v.name), lambda o, n: o.file != n.file)
    if removed and added and lines is not None:
        take(_evidence_pairs(removed, added, lines))
    if removed and added:
        take(_similar_pairs(removed, added))
    if removed and added:
        take(_member_pairs(type_renames, removed, added))
    results.extend(single(o, added=False) for o in removed)
    results.extend(single(n, added=True) for n in added)
    return results
