"""Build ChangeSets from git: one for a range, or one per commit over a history.

The per-commit path streams ``git log -p`` once per worker and keeps a small cache
of parsed blobs, because the new side of one commit is the old side of the next.
Whole histories are split into contiguous chunks diffed in parallel processes.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from translator.changeset import ChangedFile, ChangedItem, ChangeSet
from translator.diff.compare import ItemVersion, compare_file
from translator.diff.errors import DiffError
from translator.diff.filekinds import file_kind
from translator.diff.gitdiff import BlobReader, FilePatch, diff_between, log_patches, run_git
from translator.diff.match import match_items
from translator.diff.modpath import (
    crate_name_from_manifest,
    declared_module,
    is_test_path,
    locate,
    module_path,
    path_attribute_parents,
)
from translator.diff.rust_items import ParsedFile, extract, reparse

_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def _strip_subtree(path: str, subtree: str) -> str:
    prefix = subtree.rstrip("/") + "/" if subtree else ""
    return path[len(prefix) :] if prefix and path.startswith(prefix) else path


class SourceCache:
    """Blob contents, crate names and parsed files, shared by the commits of one worker."""

    def __init__(self, repo: Path, subtree: str, size: int = 256) -> None:
        self.repo = repo
        self.subtree = subtree
        self.blobs = BlobReader(repo)
        self._parsed: OrderedDict[tuple[str, str, bool], ParsedFile] = OrderedDict()
        self._crates: dict[str, str] = {}
        self._volatile: set[str] = set()
        self._declared: dict[tuple[str, str], str] = {}
        self._modules: dict[tuple[str, str], tuple[str, str]] = {}
        self._size = size
        self.incremental = True

    def close(self) -> None:
        self.blobs.close()

    def forget_manifests(self, paths: Sequence[str]) -> None:
        """Drop cached crate names whose ``Cargo.toml`` is among ``paths`` (it changed)."""
        self._volatile = {
            str(PurePosixPath(p).parent) if "/" in p else ""
            for p in paths
            if PurePosixPath(p).name == "Cargo.toml"
        }
        for directory in self._volatile:
            self._crates.pop(directory, None)

    def crate_name(self, rev: str | None, crate_dir: str) -> str:
        """The crate name at ``rev``; cached per directory until its manifest changes."""
        volatile = crate_dir in self._volatile
        name = None if volatile else self._crates.get(crate_dir)
        if name is None:
            manifest = None
            if rev is not None:
                spec = f"{rev}:{crate_dir}/Cargo.toml" if crate_dir else f"{rev}:Cargo.toml"
                found = self.blobs.read(spec)
                manifest = found[1].decode("utf-8", "replace") if found is not None else None
            name = crate_name_from_manifest(manifest, crate_dir)
            if not volatile:
                self._crates[crate_dir] = name
        return name

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
        location = locate(path)
        crate = self.crate_name(rev, location.crate_dir)
        if rev is not None:
            for parent in path_attribute_parents(path):
                found = self.blobs.read(f"{rev}:{parent}")
                if found is None:
                    continue
                name = self._declared.get((found[0], path))
                if name is None:
                    name = declared_module(found[1], PurePosixPath(path).name) or ""
                    self._declared[(found[0], path)] = name
                if name:
                    return crate, f"{self.module_of(rev, parent)[1]}::{name}"
        return crate, module_path(crate, location)

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
        found = self.blobs.read(blob)
        if found is None:
            raise DiffError(f"blob {blob} of {path} is missing from {self.repo}")
        tree = None
        if previous is not None and previous[1].hunks:
            old, patch = previous
            tree = reparse(old.tree, old.source, found[1], patch.hunks)
        parsed = extract(found[1], module, file_is_test=test, tree=tree)
        self._parsed[key] = parsed
        if len(self._parsed) > self._size:
            self._parsed.popitem(last=False)
        return parsed


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
        # a pure rename has no index line: name the blobs by revision and path instead
        old_blob = patch.old_blob or (f"{base}:{patch.old_path}" if base else None)
        new_blob = patch.new_blob or f"{head}:{patch.new_path}"
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
        comparison = compare_file(
            old, new, patch.old_path, patch.new_path, patch.removed, patch.added
        )
        items.extend(comparison.items)
        removed.extend(comparison.removed)
        added.extend(comparison.added)
        errors = [
            f"{side}: {p.parse_error}"
            for side, p in (("old", old), ("new", new))
            if p is not None and p.parse_error is not None
        ]
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
    items.extend(match_items(removed, added))
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
    repo: Path, base: str | None, head: str, subtree: str, *, list_commits: bool = True
) -> ChangeSet:
    """One ChangeSet for everything that changed under ``subtree`` from ``base`` to ``head``."""
    patches = diff_between(repo, base or _EMPTY_TREE, head, subtree)
    commits = tuple(commits_in(repo, base, head, subtree)) if list_commits else ()
    cache = SourceCache(repo, subtree)
    try:
        return build_changeset(cache, base, head, patches, commits, {"subtree": subtree})
    finally:
        cache.close()


def iter_commit_changesets(repo: Path, commits: list[str], subtree: str) -> Iterator[ChangeSet]:
    """One ChangeSet per commit (against its first parent), in the given order."""
    cache = SourceCache(repo, subtree)
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


def _chunk_stats(args: tuple[str, list[str], str]) -> HistoryStats:
    repo, commits, subtree = args
    total = HistoryStats(0, 0, 0, 0, 0, 0, 0)
    for changeset in iter_commit_changesets(Path(repo), commits, subtree):
        total = total + stats_of(changeset)
    return total


def history_stats(
    repo: Path, commits: list[str], subtree: str, workers: int | None = None
) -> HistoryStats:
    """Diff every commit in ``commits`` and total the figures, in parallel processes."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(commits) < 8:
        return _chunk_stats((str(repo), commits, subtree))
    chunks = max(workers * 4, 1)
    size = (len(commits) + chunks - 1) // chunks
    jobs = [(str(repo), commits[i : i + size], subtree) for i in range(0, len(commits), size)]
    total = HistoryStats(0, 0, 0, 0, 0, 0, 0)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_chunk_stats, jobs):
            total = total + part
    return total
