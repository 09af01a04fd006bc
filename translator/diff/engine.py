"""Build ChangeSets from git: one for a range, or one per commit over a history.

The per-commit path streams ``git log -p`` once per worker and keeps a small cache
of parsed blobs, because the new side of one commit is the old side of the next.
Whole histories are split into contiguous chunks diffed in parallel processes.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from translator.changeset import ChangedFile, ChangedItem, ChangeSet
from translator.diff.compare import FileComparison, ItemVersion, compare_file
from translator.diff.errors import DiffError
from translator.diff.filekinds import file_kind
from translator.diff.gitdiff import BlobReader, FilePatch, diff_between, log_patches, run_git
from translator.diff.match import match_items
from translator.diff.modpath import (
    CrateLocation,
    crate_name_from_manifest,
    declared_module,
    is_test_path,
    locate,
    module_path,
    path_attribute_parents,
)
from translator.diff.rust_items import ParsedFile, extract, from_record, reparse, to_record
from translator.diff.store import DiffStore, content_key

_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_WORD = re.compile(rb"\w+")


def _strip_subtree(path: str, subtree: str) -> str:
    prefix = subtree.rstrip("/") + "/" if subtree else ""
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path


#: source bytes whose syntax trees a worker keeps for incremental parsing (~150 MB of trees)
TREE_BUDGET = 6 << 20


class SourceCache:
    """Blobs, crate names and parsed files, shared by the commits of one worker.

    Each blob is parsed once: its items are kept in memory (most recent first) and in the
    on-disk :class:`DiffStore` shared with other workers and later runs; the syntax tree is
    kept only for the latest version of each path, to parse its next version incrementally.
    """

    def __init__(
        self, repo: Path, subtree: str, size: int = 2048, store: DiffStore | None = None
    ) -> None:
        self.repo = repo
        self.subtree = subtree
        self.blobs = BlobReader(repo)
        self.store = store if store is not None else DiffStore(None)
        self._parsed: OrderedDict[tuple[str, str, bool], ParsedFile] = OrderedDict()
        self._sources: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._trees: OrderedDict[str, ParsedFile] = OrderedDict()  # path -> latest with a tree
        self._tree_bytes = 0
        self._crates: dict[str, str] = {}
        self._manifests: dict[str, bool] = {}
        self._manifest_names: dict[tuple[str, str], str] = {}  # (manifest blob, dir) -> name
        self._volatile: set[str] = set()
        self._declared: dict[tuple[str, str], str] = {}
        self._modules: dict[tuple[str, str], tuple[str, str]] = {}
        self._size = size
        self.incremental = True

    def close(self) -> None:
        self.blobs.close()
        self.store.close()

    def forget_manifests(self, paths: Sequence[str]) -> None:
        """Drop cached crate names whose ``Cargo.toml`` is among ``paths`` (it changed)."""
        self._volatile = {
            p.rpartition("/")[0] for p in paths if p == "Cargo.toml" or p.endswith("/Cargo.toml")
        }
        for directory in self._volatile:
            self._crates.pop(directory, None)
            self._manifests.pop(directory, None)

    def crate_name(self, rev: str | None, crate_dir: str) -> str:
        """The crate name at ``rev``; cached per directory until its manifest changes."""
        volatile = crate_dir in self._volatile
        name = None if volatile else self._crates.get(crate_dir)
        if name is None:
            found = None
            if rev is not None:
                spec = f"{rev}:{crate_dir}/Cargo.toml" if crate_dir else f"{rev}:Cargo.toml"
                found = self.blobs.read(spec)
            known = self._manifest_names.get((found[0], crate_dir)) if found else None
            if known is None:
                manifest = found[1].decode("utf-8", "replace") if found is not None else None
                known = crate_name_from_manifest(manifest, crate_dir)
                if found is not None:
                    self._manifest_names[(found[0], crate_dir)] = known
            name = known
            if not volatile:
                self._crates[crate_dir] = name
        return name

    def _has_manifest(self, rev: str, directory: str) -> bool:
        known = None if directory in self._volatile else self._manifests.get(directory)
        if known is None:
            known = self.blobs.exists(f"{rev}:{directory}/Cargo.toml")
            if directory not in self._volatile:
                self._manifests[directory] = known
        return known

    def _locate(self, rev: str | None, path: str) -> CrateLocation:
        """The crate a file belongs to: the deepest directory with a ``Cargo.toml``.

        ``core/tests/common/lib.rs`` belongs to the crate in ``core/tests/common``
        (``core_test_support``), not to ``core``'s integration tests.
        """
        location = locate(path)
        if rev is None:
            return location
        parts = path.split("/")
        floor = location.crate_dir.count("/") + 1 if location.crate_dir else 0
        for depth in range(len(parts) - 1, floor, -1):
            directory = "/".join(parts[:depth])
            if self._has_manifest(rev, directory):
                return CrateLocation(directory, tuple(parts[depth:]))
        return location

    def module_of(self, rev: str | None, path: str) -> tuple[str, str]:
        """(crate name, module path) of a file path at ``rev``, following ``#[path]`` test modules."""
        key = (rev or "", path)
        known = self._modules.get(key)
        if known is None:
            if len(self._modules) > 50_000:
                self._modules.clear()
            known = self._modules[key] = self._module_of(rev, path)
        return known

    def _module_of(self, rev: str | None, path: str) -> tuple[str, str]:
        location = self._locate(rev, path)
        crate = self.crate_name(rev, location.crate_dir)
        if rev is not None:
            for parent in path_attribute_parents(path):
                found = self.blobs.read(f"{rev}:{parent}")
                if found is None:
                    continue
                name = self._declared.get((found[0], path))
                if name is None:
                    name = declared_module(found[1], path.rpartition("/")[2]) or ""
                    self._declared[(found[0], path)] = name
                if name:
                    return crate, f"{self.module_of(rev, parent)[1]}::{name}"
        return crate, module_path(crate, location)

    def source(self, blob: str, path: str) -> tuple[str, bytes]:
        """``(sha, bytes)`` of a blob (by sha or ``rev:path``), recently read ones cached."""
        found = self._sources.get(blob)
        if found is not None:
            self._sources.move_to_end(blob)
            return found
        read = self.blobs.read(blob)
        if read is None:
            raise DiffError(f"blob {blob} of {path} is missing from {self.repo}")
        self._sources[blob] = read
        if len(self._sources) > 64:
            self._sources.popitem(last=False)
        return read

    def parse(
        self,
        blob: str | None,
        rev: str | None,
        path: str,
        previous: tuple[ParsedFile, FilePatch] | None = None,
    ) -> ParsedFile | None:
        """The parsed file for ``blob``; reparsed incrementally from ``previous`` if given."""
        if blob is None:
            return None
        _crate, module = self.module_of(rev, path)
        test = is_test_path(path)
        key = (blob, module, test)
        parsed = self._parsed.get(key)
        if parsed is not None:
            self._parsed.move_to_end(key)
            return parsed
        sha, source = self.source(blob, path)
        store_key = content_key("items", sha, module, test)
        record = self.store.get_items(store_key)
        if record is not None:
            try:
                parsed = from_record(record, source)
            except (ValueError, TypeError):
                parsed = None
        if parsed is None:
            tree = None
            if previous is not None and previous[1].hunks and previous[0].tree is not None:
                old, patch = previous
                tree = reparse(old.tree, old.source, source, patch.hunks)  # type: ignore[arg-type]
            parsed = extract(source, module, file_is_test=test, tree=tree)
            self.store.put_items(store_key, to_record(parsed))
            self._keep_tree(path, parsed)
        self._parsed[key] = parsed
        if len(self._parsed) > self._size:
            self._parsed.popitem(last=False)
        return parsed

    def _keep_tree(self, path: str, parsed: ParsedFile) -> None:
        """Keep the latest tree per path, within a memory budget (a tree is ~25x its source)."""
        dropped = self._trees.pop(path, None)
        if dropped is not None:
            self._tree_bytes -= len(dropped.source)
            if dropped is not parsed:
                dropped.tree = None
        self._trees[path] = parsed
        self._tree_bytes += len(parsed.source)
        while self._tree_bytes > TREE_BUDGET and len(self._trees) > 1:
            _path, oldest = self._trees.popitem(last=False)
            self._tree_bytes -= len(oldest.source)
            oldest.tree = None


class _ChangedLines:
    """The changed lines of a range, as text, gathered only if a rename pass asks.

    Only lines mentioning one of the asked words are returned (files that do not
    contain any of them are not even split into lines).
    """

    def __init__(self) -> None:
        self.parts: list[tuple[bytes, Sequence[int], bytes, Sequence[int]]] = []

    def add(self, old: bytes, removed: Sequence[int], new: bytes, added: Sequence[int]) -> None:
        self.parts.append((old, removed, new, added))

    @staticmethod
    def _select(source: bytes, numbers: Sequence[int], words: set[bytes]) -> list[str]:
        if not numbers or (len(words) <= 4 and not any(w in source for w in words)):
            return []
        lines = source.split(b"\n")
        picked = (lines[n - 1] for n in numbers if 0 < n <= len(lines))
        return [
            line.decode("utf-8", "replace")
            for line in picked
            if not words.isdisjoint(_WORD.findall(line))
        ]

    def __call__(self, old_words: set[str], new_words: set[str]) -> tuple[list[str], list[str]]:
        olds = {w.encode() for w in old_words}
        news = {w.encode() for w in new_words}
        removed: list[str] = []
        added: list[str] = []
        for old, r, new, a in self.parts:
            removed += self._select(old, r, olds)
            added += self._select(new, a, news)
        return removed, added


def _compare(
    cache: SourceCache, base: str | None, head: str, patch: FilePatch
) -> tuple[FileComparison, list[str], bytes, bytes]:
    """Compare one Rust file patch (from the on-disk cache when it was compared before)."""
    # a pure rename has no index line: name the blobs by revision and path instead
    old_blob = (
        (patch.old_blob or (f"{base}:{patch.old_path}" if base else None))
        if patch.old_path
        else None
    )
    new_blob = (patch.new_blob or f"{head}:{patch.new_path}") if patch.new_path else None
    old_module = cache.module_of(base, patch.old_path) if patch.old_path and old_blob else None
    new_module = cache.module_of(head, patch.new_path) if patch.new_path else None
    key = None
    if (patch.old_path is None or patch.old_blob) and (patch.new_path is None or patch.new_blob):
        key = content_key(
            "file", patch.old_blob, patch.new_blob, patch.old_path, patch.new_path,
            old_module, new_module,
            is_test_path(patch.old_path) if patch.old_path else None,
            is_test_path(patch.new_path) if patch.new_path else None,
            tuple(patch.hunks),
        )  # fmt: skip
        stored = cache.store.get_file(key)
        if stored is not None:
            try:
                comparison_record, errors = stored
                old_src = cache.source(old_blob, patch.old_path or "")[1] if old_blob else b""
                new_src = cache.source(new_blob, patch.new_path or "")[1] if new_blob else b""
                comparison = FileComparison.from_record(comparison_record, old_src, new_src)
                return comparison, list(errors), old_src, new_src
            except (ValueError, TypeError):
                pass
    old = cache.parse(old_blob, base, patch.old_path) if patch.old_path else None
    new = (
        cache.parse(
            new_blob,
            head,
            patch.new_path,
            (old, patch) if old is not None and cache.incremental else None,
        )
        if patch.new_path
        else None
    )
    comparison = compare_file(old, new, patch.old_path, patch.new_path, patch.removed, patch.added)
    errors = [
        f"{side}: {p.parse_error}"
        for side, p in (("old", old), ("new", new))
        if p is not None and p.parse_error is not None
    ]
    if key is not None:
        cache.store.put_file(key, (comparison.to_record(), tuple(errors)))
    return (
        comparison,
        errors,
        old.source if old is not None else b"",
        new.source if new is not None else b"",
    )


def build_changeset(
    cache: SourceCache,
    base: str | None,
    head: str,
    patches: Sequence[FilePatch],
    commits: tuple[str, ...] = (),
    config: dict[str, object] | None = None,
) -> ChangeSet:
    """The ChangeSet for ``patches`` (old side at ``base``, new side at ``head``)."""
    cache.forget_manifests([p for patch in patches for p in (patch.old_path, patch.new_path) if p])
    files: list[ChangedFile] = []
    items: list[ChangedItem] = []
    removed: list[ItemVersion] = []
    added: list[ItemVersion] = []
    lines = _ChangedLines()
    for patch in patches:
        kind = file_kind(patch.path)
        status = patch.status
        crate_path = patch.new_path if patch.new_path is not None else patch.old_path
        assert crate_path is not None
        crate = cache.module_of(head if patch.new_path else base, crate_path)[0]
        if kind != "rust" or patch.binary:
            files.append(
                ChangedFile(
                    path=patch.path,
                    old_path=patch.old_path if status == "renamed" else None,
                    status=status,  # type: ignore[arg-type]
                    file_kind=kind if not patch.binary else "other",
                    crate=crate,
                )
            )
            continue
        comparison, errors, old_source, new_source = _compare(cache, base, head, patch)
        items.extend(comparison.items)
        removed.extend(comparison.removed)
        added.extend(comparison.added)
        lines.add(old_source, patch.removed, new_source, patch.added)
        files.append(
            ChangedFile(
                path=patch.path,
                old_path=patch.old_path if status == "renamed" else None,
                status=status,  # type: ignore[arg-type]
                file_kind="rust",
                crate=crate,
                parse_error="; ".join(errors) if errors else None,
                glue_lines_added=tuple(sorted(comparison.glue_added)),
                glue_lines_removed=tuple(sorted(comparison.glue_removed)),
                changed_lines_removed=len(patch.removed),
                changed_lines_added=len(patch.added),
            )
        )
    items.extend(match_items(removed, added, lines))
    items.sort(key=lambda i: (i.file, (i.new_lines or i.old_lines or (0, 0))[0], i.qualified_path))
    return ChangeSet(
        base=base or _EMPTY_TREE,
        head=head,
        commits=commits,
        files=tuple(files),
        items=tuple(items),
        config=dict(config or {}),
    )


def resolve(repo: Path, rev: str) -> str:
    return run_git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").strip()


def parse_range(repo: Path, spec: str) -> tuple[str | None, str]:
    """``A..B``, ``A...B`` (from the merge base) or a single commit (against its parent)."""
    try:
        if "..." in spec:
            left, right = spec.split("...", 1)
            head = resolve(repo, right or "HEAD")
            base = run_git(repo, "merge-base", resolve(repo, left or "HEAD"), head).strip()
            return base, head
        if ".." in spec:
            left, right = spec.split("..", 1)
            return resolve(repo, left or "HEAD"), resolve(repo, right or "HEAD")
        head = resolve(repo, spec)
    except DiffError as exc:
        raise DiffError(f"cannot resolve range {spec!r} in {repo}: {exc}") from exc
    parents = run_git(repo, "rev-list", "--parents", "-n", "1", head).split()[1:]
    return (parents[0] if parents else None), head


def commits_in(repo: Path, base: str | None, head: str, subtree: str) -> list[str]:
    """Commits in ``base..head`` touching ``subtree``, oldest first."""
    args = ["rev-list", "--reverse", head if base is None else f"{base}..{head}"]
    if subtree:
        args += ["--", subtree]
    return run_git(repo, *args).split()


def diff_range(
    repo: Path,
    base: str | None,
    head: str,
    subtree: str,
    *,
    list_commits: bool = True,
    cache_dir: Path | None = None,
) -> ChangeSet:
    """One ChangeSet for everything that changed under ``subtree`` from ``base`` to ``head``.

    ``cache_dir``: the on-disk Diff cache (see ``translator.diff.store``); None keeps
    everything in memory.
    """
    patches = diff_between(repo, base or _EMPTY_TREE, head, subtree)
    commits = tuple(commits_in(repo, base, head, subtree)) if list_commits else ()
    cache = SourceCache(repo, subtree, store=DiffStore(cache_dir))
    try:
        return build_changeset(cache, base, head, patches, commits, {"subtree": subtree})
    finally:
        cache.close()


def iter_commit_changesets(
    repo: Path, commits: list[str], subtree: str, *, cache_dir: Path | None = None
) -> Iterator[ChangeSet]:
    """One ChangeSet per commit (against its first parent), in the given order."""
    cache = SourceCache(repo, subtree, store=DiffStore(cache_dir))
    try:
        for patch in log_patches(repo, commits, subtree):
            base = patch.parents[0] if patch.parents else None
            yield build_changeset(
                cache, base, patch.sha, patch.files, (patch.sha,), {"subtree": subtree}
            )
    finally:
        cache.close()


@dataclass(frozen=True, slots=True)
class HistoryStats:
    """Totals over many per-commit ChangeSets (what the benchmark prints)."""

    commits: int
    rust_files: int
    items: int
    changed_lines: int
    attributed_lines: int
    parse_errors: int
    shifted_items: int

    def __add__(self, other: HistoryStats) -> HistoryStats:
        return HistoryStats(
            *(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__)
        )

    @property
    def coverage(self) -> float:
        return 1.0 if self.changed_lines == 0 else self.attributed_lines / self.changed_lines


def stats_of(changeset: ChangeSet) -> HistoryStats:
    rust = [f for f in changeset.files if f.file_kind == "rust"]
    return HistoryStats(
        commits=1,
        rust_files=len(rust),
        items=len(changeset.items),
        changed_lines=changeset.changed_lines(),
        attributed_lines=changeset.attributed_lines(),
        parse_errors=sum(1 for f in rust if f.parse_error is not None),
        shifted_items=sum(1 for i in changeset.items if i.status == "shifted"),
    )


def _chunk_stats(args: tuple[str, list[str], str, str | None]) -> HistoryStats:
    repo, commits, subtree, cache_dir = args
    total = HistoryStats(0, 0, 0, 0, 0, 0, 0)
    changesets = iter_commit_changesets(
        Path(repo), commits, subtree, cache_dir=Path(cache_dir) if cache_dir else None
    )
    for changeset in changesets:
        total = total + stats_of(changeset)
    return total


#: commits per job of a parallel history run
CHUNK_COMMITS = 200


def history_stats(
    repo: Path,
    commits: list[str],
    subtree: str,
    workers: int | None = None,
    *,
    cache_dir: Path | None = None,
) -> HistoryStats:
    """Diff every commit in ``commits`` and total the figures, in parallel processes.

    The history is cut into contiguous jobs handed out as workers free up, the newest
    (largest) first so the last jobs to finish are small ones and no core idles long;
    whoever meets a blob first parses it and the others read it from the shared cache.
    """
    workers = workers or os.cpu_count() or 1
    directory = str(cache_dir) if cache_dir is not None else None
    if workers <= 1 or len(commits) < 8:
        return _chunk_stats((str(repo), commits, subtree, directory))
    size = max(8, min(CHUNK_COMMITS, (len(commits) + workers - 1) // workers))
    jobs = [
        (str(repo), commits[i : i + size], subtree, directory)
        for i in reversed(range(0, len(commits), size))
    ]
    total = HistoryStats(0, 0, 0, 0, 0, 0, 0)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_chunk_stats, jobs):
            total = total + part
    return total
