"""Report the upstream commits since the pin that touch the subtree, grouped by crate.

A file counts as *test* when it lives under a ``tests`` directory, is a
``tests.rs``/``*_tests.rs`` file or an insta snapshot; as *doc* when it is
Markdown outside prompt directories or under ``docs``. A commit is test-only
(doc-only) when all its files under the subtree are; the same holds per crate.
The finer, item-level view (inline ``#[cfg(test)]`` changes) is ``ferry diff``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict

from upstream.lock import Lock
from upstream.repo import SyncTarget, Upstream

RANGE_FORMAT = "ferry.commit-range/1"
WORKSPACE = "(workspace)"


class FileChange(BaseModel):
    """Lines added and removed in one file (0/0 for binary files)."""

    model_config = ConfigDict(frozen=True)

    path: str
    insertions: int
    deletions: int


class CommitInfo(BaseModel):
    """One upstream commit touching the subtree."""

    model_config = ConfigDict(frozen=True)

    sha: str
    subject: str
    author: str
    authored: str
    files: tuple[str, ...]
    changes: tuple[FileChange, ...] = ()
    insertions: int
    deletions: int
    crates: tuple[str, ...]
    test_only: bool
    doc_only: bool


class CommitRange(BaseModel):
    """Pinned commit .. sync target, with the commits in between touching the subtree."""

    model_config = ConfigDict(frozen=True)

    format: str = RANGE_FORMAT
    url: str
    branch: str
    subtree: str
    base: str | None  # the pin; None before the first pin
    head: str  # the sync target
    branch_head: str
    tag: str | None = None
    commits: tuple[CommitInfo, ...] = ()


class CrateSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    crate: str
    commits: int
    files: int
    insertions: int
    deletions: int
    test_only: int
    doc_only: int

    @property
    def test_only_share(self) -> float:
        return self.test_only / self.commits if self.commits else 0.0

    @property
    def doc_only_share(self) -> float:
        return self.doc_only / self.commits if self.commits else 0.0


class TrackReport(BaseModel):
    """What ``ferry track`` prints: the range, per-crate figures and overall shares."""

    model_config = ConfigDict(frozen=True)

    range: CommitRange
    crates: tuple[CrateSummary, ...]
    test_only_share: float
    doc_only_share: float
    newly_recorded: int = 0
    ledger: dict[str, int] = {}
    #: pending items by crate (reason code -> count, "blocking" -> those holding the pin)
    backlog: dict[str, dict[str, int]] = {}


def is_test_file(path: str) -> bool:
    p = PurePosixPath(path)
    if "tests" in p.parts[:-1] or p.suffix == ".snap" or p.name.endswith(".snap.new"):
        return True
    return p.suffix == ".rs" and (p.stem == "tests" or p.stem.endswith(("_tests", "_test")))


def is_doc_file(path: str) -> bool:
    p = PurePosixPath(path)
    lowered = [part.lower() for part in p.parts[:-1]]
    if any(d in ("prompts", "templates") for d in lowered) or "prompt" in p.name.lower():
        return False
    return p.suffix.lower() in (".md", ".mdx", ".rst") or "docs" in lowered


def crate_of(path: str, subtree: str) -> str:
    rel = path[len(subtree) + 1 :] if subtree and path.startswith(subtree + "/") else path
    parts = PurePosixPath(rel).parts
    return parts[0] if len(parts) > 1 else WORKSPACE


def _parse_log(text: str, subtree: str) -> list[CommitInfo]:
    commits: list[CommitInfo] = []
    for block in text.split("\x00")[1:]:
        header, _, body = block.partition("\n")
        sha, author, authored, subject = [*header.split("\x1f"), "", "", ""][:4]
        changes: list[FileChange] = []
        for line in body.splitlines():
            fields = line.split("\t")
            if len(fields) != 3:
                continue
            added, removed, path = fields
            changes.append(
                FileChange(
                    path=path,
                    insertions=int(added) if added.isdigit() else 0,
                    deletions=int(removed) if removed.isdigit() else 0,
                )
            )
        files = [c.path for c in changes]
        crates = tuple(sorted({crate_of(f, subtree) for f in files}))
        commits.append(
            CommitInfo(
                sha=sha,
                subject=subject,
                author=author,
                authored=authored,
                files=tuple(files),
                changes=tuple(changes),
                insertions=sum(c.insertions for c in changes),
                deletions=sum(c.deletions for c in changes),
                crates=crates,
                test_only=bool(files) and all(is_test_file(f) for f in files),
                doc_only=bool(files) and all(is_doc_file(f) for f in files),
            )
        )
    return commits


def commits_between(upstream: Upstream, base: str | None, head: str) -> list[CommitInfo]:
    """Commits in ``base..head`` (all of ``head`` when unpinned) touching the subtree, oldest first."""
    subtree = upstream.config.subtree
    args = [
        "--reverse",
        "--no-renames",
        "--numstat",
        "--format=%x00%H%x1f%an%x1f%aI%x1f%s",
        head if base is None else f"{base}..{head}",
    ]
    if subtree:
        args += ["--", subtree]
    if base is not None:
        upstream.require_pin(base)
    return _parse_log(upstream.git("cannot list the commits since the pin", "log", *args), subtree)


def summarize(commits: list[CommitInfo], subtree: str) -> tuple[CrateSummary, ...]:
    """Per-crate totals; a commit is test-only for a crate when its files there all are."""
    per: dict[str, list[list[FileChange]]] = defaultdict(list)
    for commit in commits:
        by_crate: dict[str, list[FileChange]] = defaultdict(list)
        for change in commit.changes:
            by_crate[crate_of(change.path, subtree)].append(change)
        for crate, changes in by_crate.items():
            per[crate].append(changes)
    summaries = []
    for crate, entries in per.items():
        summaries.append(
            CrateSummary(
                crate=crate,
                commits=len(entries),
                files=len({c.path for changes in entries for c in changes}),
                insertions=sum(c.insertions for changes in entries for c in changes),
                deletions=sum(c.deletions for changes in entries for c in changes),
                test_only=sum(1 for cs in entries if all(is_test_file(c.path) for c in cs)),
                doc_only=sum(1 for cs in entries if all(is_doc_file(c.path) for c in cs)),
            )
        )
    return tuple(sorted(summaries, key=lambda s: (-s.commits, s.crate)))


def build_range(upstream: Upstream, lock: Lock | None, target: SyncTarget) -> CommitRange:
    base = lock.commit if lock is not None else None
    return CommitRange(
        url=upstream.config.url,
        branch=upstream.config.branch,
        subtree=upstream.config.subtree,
        base=base,
        head=target.commit,
        branch_head=target.branch_head,
        tag=target.tag,
        commits=tuple(commits_between(upstream, base, target.commit)),
    )


def report(commit_range: CommitRange) -> TrackReport:
    commits = list(commit_range.commits)
    n = len(commits)
    return TrackReport(
        range=commit_range,
        crates=summarize(commits, commit_range.subtree),
        test_only_share=sum(c.test_only for c in commits) / n if n else 0.0,
        doc_only_share=sum(c.doc_only for c in commits) / n if n else 0.0,
    )
