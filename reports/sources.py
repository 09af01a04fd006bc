"""Source files to measure: Rust from an upstream checkout or a bare git directory, Python
from the port tree. Both yield ``(relative path, text)`` pairs."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

SKIP_DIRS = {".git", "target", "node_modules", "__pycache__", ".venv", ".mypy_cache"}


class SourceError(Exception):
    """The upstream path or revision cannot be read."""


def _walk(root: Path, suffix: str) -> Iterator[Path]:
    for path in sorted(root.rglob(f"*{suffix}")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts) and path.is_file():
            yield path


def iter_dir(root: Path, suffix: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    base = root / prefix if prefix else root
    for path in _walk(base, suffix):
        yield str(path.relative_to(root)), path.read_text(encoding="utf-8", errors="replace")


def _git(git_dir: Path, *args: str) -> str:
    proc = subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SourceError(f"git {' '.join(args)} failed in {git_dir}: {proc.stderr.strip()}")
    return proc.stdout


def iter_git(git_dir: Path, rev: str, suffix: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Files ending in ``suffix`` at ``rev`` of a (bare) repository, read in one batch."""
    listing = _git(git_dir, "ls-tree", "-r", "--full-tree", rev, *([prefix] if prefix else []))
    wanted: list[tuple[str, str]] = []
    for line in listing.splitlines():
        meta, _, path = line.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and path.endswith(suffix):
            wanted.append((parts[2], path))
    if not wanted:
        return
    proc = subprocess.run(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
        input="".join(f"{blob}\n" for blob, _ in wanted).encode(),
        capture_output=True,
    )
    if proc.returncode != 0:
        raise SourceError(f"git cat-file failed in {git_dir}: {proc.stderr.decode()[-500:]}")
    out = proc.stdout
    pos = 0
    for _blob, path in wanted:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        start = header_end + 1
        yield path, out[start : start + size].decode("utf-8", "replace")
        pos = start + size + 1


def git_dir_of(path: Path) -> Path | None:
    """``path`` as a git directory: a bare repository, or the ``.git`` of a clone."""
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path
    if (path / ".git" / "HEAD").is_file():
        return path / ".git"
    return None


def iter_upstream(
    upstream: Path, subtree: str, rev: str | None, suffix: str
) -> Iterator[tuple[str, str]]:
    """Files ending in ``suffix`` under ``subtree`` at ``rev`` (from git); without a ``rev``,
    from the work tree when there is one, else from git's HEAD."""
    if rev is None and (upstream / subtree).is_dir():
        yield from iter_dir(upstream, suffix, subtree)
        return
    git_dir = git_dir_of(upstream)
    if git_dir is None:
        raise SourceError(
            f"{upstream} is neither an upstream checkout with {subtree}/ nor a git directory; "
            "pass --upstream PATH (a clone or the mirror's git dir)"
        )
    yield from iter_git(git_dir, rev or "HEAD", suffix, subtree)


def iter_rust(upstream: Path, subtree: str, rev: str | None) -> Iterator[tuple[str, str]]:
    """``.rs`` files under ``subtree`` (see :func:`iter_upstream`)."""
    yield from iter_upstream(upstream, subtree, rev, ".rs")


def count_crates(upstream: Path, subtree: str, rev: str | None) -> int:
    """Cargo manifests under ``subtree`` that define a package (the workspace root does not)."""
    return sum(
        1
        for path, text in iter_upstream(upstream, subtree, rev, "Cargo.toml")
        if path.endswith("/Cargo.toml") or path == "Cargo.toml"
        if "[package]" in text
    )
