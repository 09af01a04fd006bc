"""Read git's own line diff (``-U0`` hunks) and blobs through long-lived git processes.

Only hunk headers matter: they say which old lines were removed and which new
lines were added, which is what the attribution step must account for. Blobs are
read through one ``git cat-file --batch`` process per worker.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from translator.diff.errors import DiffError

_NULL_SHA = "0" * 40
_BLOCK = 1 << 20  # bytes of git output scanned at a time


@dataclass(slots=True)
class FilePatch:
    """One file's change as git reports it."""

    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None
    binary: bool = False
    removed: list[int] = field(default_factory=list)  # old line numbers, 1-based
    added: list[int] = field(default_factory=list)  # new line numbers, 1-based
    hunks: list[tuple[int, int, int, int]] = field(default_factory=list)  # -a,b +c,d

    @property
    def status(self) -> str:
        if self.old_path is None:
            return "added"
        if self.new_path is None:
            return "removed"
        if self.old_path != self.new_path:
            return "renamed"
        return "modified"

    @property
    def path(self) -> str:
        path = self.new_path if self.new_path is not None else self.old_path
        assert path is not None
        return path


@dataclass(slots=True)
class CommitPatch:
    sha: str
    parents: tuple[str, ...]
    files: list[FilePatch]


def _unquote(raw: bytes) -> str:
    text = raw.decode("utf-8", "surrogateescape")
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        body = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return body.encode("latin-1", "replace").decode("utf-8", "replace")
    return text


def _strip_prefix(path: str) -> str:
    return path[2:] if path[:2] in ("a/", "b/") else path


#: the lines that carry structure; content lines start with ``+``, ``-``, `` `` or ``\\``,
#: so none of these can be mistaken for one
_MARK = re.compile(
    rb"\n(?:@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@|(diff --git )|(\x00ferry-commit ))"
)


def _header(current: FilePatch, region: bytes) -> None:
    """Apply the header lines of one file (between ``diff --git`` and its first hunk)."""
    for line in region.split(b"\n")[1:]:
        if line.startswith(b"--- "):
            target = line[4:]
            current.old_path = None if target == b"/dev/null" else _strip_prefix(_unquote(target))
        elif line.startswith(b"+++ "):
            target = line[4:]
            current.new_path = None if target == b"/dev/null" else _strip_prefix(_unquote(target))
        elif line.startswith(b"rename from "):
            current.old_path = _unquote(line[len(b"rename from ") :])
        elif line.startswith(b"rename to "):
            current.new_path = _unquote(line[len(b"rename to ") :])
        elif line.startswith(b"copy from "):
            current.old_path = _unquote(line[len(b"copy from ") :])
        elif line.startswith(b"copy to "):
            current.new_path = _unquote(line[len(b"copy to ") :])
        elif line.startswith(b"new file mode"):
            current.old_path = None
        elif line.startswith(b"deleted file mode"):
            current.new_path = None
        elif line.startswith(b"index "):
            shas = line[6:].split(b" ")[0].decode().split("..")
            if len(shas) == 2:
                current.old_blob = None if shas[0] == _NULL_SHA else shas[0]
                current.new_blob = None if shas[1] == _NULL_SHA else shas[1]
        elif line.startswith(b"Binary files") or line.startswith(b"GIT binary patch"):
            current.binary = True


def parse_patches(
    chunks: Iterable[bytes], block: int = _BLOCK
) -> Iterator[CommitPatch | FilePatch]:
    """Parse ``git diff``/``git log -p`` output with ``--full-index -U0``.

    ``chunks`` are pieces of the output (lines or blocks). Yields a ``CommitPatch`` header
    (with an empty file list) whenever a commit marker line appears, then the
    ``FilePatch`` objects that follow it. Only structural lines are looked at (found by
    one regex scan per ``block`` bytes); the content lines of hunks are skipped without a
    Python loop.
    """
    current: FilePatch | None = None
    pending: list[bytes] = [b"\n"]
    size = 0

    def drain(buffer: bytes, final: bool) -> Iterator[CommitPatch | FilePatch | int]:
        """Yield patches, then the offset from which ``buffer`` must be kept."""
        nonlocal current
        cut = len(buffer) if final else buffer.rfind(b"\n")
        marks = list(_MARK.finditer(buffer, 0, len(buffer)))
        for index, mark in enumerate(marks):
            if mark.start() >= cut:
                yield mark.start()
                return
            if mark.group(6) is not None:  # commit marker
                if current is not None:
                    yield current
                    current = None
                line_end = buffer.find(b"\n", mark.end())
                line = buffer[mark.end() : line_end if line_end >= 0 else len(buffer)]
                fields = line.decode().split()
                yield CommitPatch(fields[0], tuple(fields[1:]), [])
            elif mark.group(5) is not None:  # diff --git: its header runs to the next mark
                following = marks[index + 1].start() if index + 1 < len(marks) else None
                if following is None or following > cut:
                    if not final:
                        yield mark.start()
                        return
                    following = len(buffer)
                if current is not None:
                    yield current
                region = buffer[mark.end() : following]
                first = region.split(b"\n", 1)[0]
                rest = first.decode("utf-8", "surrogateescape")
                half = rest[: len(rest) // 2] if len(rest) % 2 == 1 else rest
                guess = _strip_prefix(half.strip().strip('"'))
                current = FilePatch(guess, guess, None, None)
                _header(current, region)
            elif current is not None:  # a hunk header
                old_start, old_len, new_start, new_len = mark.group(1, 2, 3, 4)
                o_len = 1 if old_len is None else int(old_len)
                n_len = 1 if new_len is None else int(new_len)
                current.hunks.append((int(old_start), o_len, int(new_start), n_len))
                current.removed.extend(range(int(old_start), int(old_start) + o_len))
                current.added.extend(range(int(new_start), int(new_start) + n_len))
        yield cut

    for chunk in chunks:
        pending.append(chunk)
        size += len(chunk)
        if size < block or b"\n" not in chunk:
            continue
        buffer = b"".join(pending)
        keep = 0
        for entry in drain(buffer, final=False):
            if isinstance(entry, int):
                keep = entry
            else:
                yield entry
        pending, size = [buffer[keep:]], 0
    for entry in drain(b"".join(pending) + b"\n", final=True):
        if not isinstance(entry, int):
            yield entry
    if current is not None:
        yield current


DIFF_OPTIONS = (
    "-c",
    "core.quotePath=false",
)
PATCH_FLAGS = ("-p", "-U0", "-M", "--full-index", "--no-color", "--no-ext-diff", "--no-textconv")


def run_git(repo: Path, *args: str) -> str:
    """Run one git command and return its stdout; a failure raises ``DiffError``."""
    proc = subprocess.run(
        ["git", *DIFF_OPTIONS, "-C", str(repo), *args],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise DiffError(f"git {' '.join(args)} failed in {repo}: {message}")
    return proc.stdout.decode("utf-8", "replace")


def diff_between(repo: Path, base: str, head: str, pathspec: str) -> list[FilePatch]:
    """The file patches from ``base`` to ``head`` limited to ``pathspec``."""
    cmd = ["git", *DIFF_OPTIONS, "-C", str(repo), "diff", *PATCH_FLAGS[1:], base, head]
    if pathspec:
        cmd += ["--", pathspec]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise DiffError(
            f"git diff {base} {head} failed in {repo}: {proc.stderr.decode(errors='replace').strip()}"
        )
    return [p for p in parse_patches([proc.stdout]) if isinstance(p, FilePatch)]


def log_patches(repo: Path, commits: list[str], pathspec: str) -> Iterator[CommitPatch]:
    """Per-commit patches (against the first parent) for the given commits, in order."""
    cmd = [
        "git",
        *DIFF_OPTIONS,
        "-C",
        str(repo),
        "log",
        "--no-walk=unsorted",
        "--stdin",
        "--first-parent",
        "-m",
        *PATCH_FLAGS,
        "--format=%x00ferry-commit %H %P",
    ]
    if pathspec:
        cmd += ["--", pathspec]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(f"{c}\n" for c in commits).encode())
        proc.stdin.close()
        commit: CommitPatch | None = None
        for entry in parse_patches(iter(lambda: proc.stdout.read(_BLOCK), b"")):  # type: ignore[union-attr]
            if isinstance(entry, CommitPatch):
                if commit is not None:
                    yield commit
                commit = entry
            elif commit is not None:
                commit.files.append(entry)
        if commit is not None:
            yield commit
        if proc.wait() != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise DiffError(f"git log failed in {repo}: {message}")


class BlobReader:
    """Reads objects through one persistent ``git cat-file --batch`` process."""

    def __init__(self, repo: Path) -> None:
        self._proc = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self, spec: str) -> tuple[str, bytes] | None:
        """``(sha, content)`` of a blob named by sha or ``rev:path``; None if missing."""
        stdin: IO[bytes] | None = self._proc.stdin
        stdout: IO[bytes] | None = self._proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(spec.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            return None
        size = int(header[2])
        data = stdout.read(size)
        stdout.read(1)
        if header[1] != b"blob":
            return None
        return header[0].decode(), data

    def exists(self, spec: str) -> bool:
        """Whether ``spec`` (``rev:path`` or a sha) names a blob."""
        return self.read(spec) is not None

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
