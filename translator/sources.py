"""Read Rust sources from a git object database or a directory, behind one Protocol."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Protocol

from translator.errors import InputError


class SourceTree(Protocol):
    """A read-only tree of files addressed by repository-relative POSIX paths."""

    def list_files(self, prefix: str) -> list[str]: ...

    def read(self, path: str) -> str: ...


class GitTree:
    """Files of one commit of a (bare or mirror) git repository, read with ``git``."""

    def __init__(self, git_dir: Path, commit: str = "HEAD") -> None:
        self.git_dir = git_dir
        proc = self._git("rev-parse", "--verify", f"{commit}^{{commit}}")
        self.commit = proc.strip()

    def _git(self, *args: str) -> str:
        proc = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise InputError(
                f"git {' '.join(args)} failed in {self.git_dir}: {proc.stderr.strip()}"
            )
        return proc.stdout

    def list_files(self, prefix: str) -> list[str]:
        out = self._git("ls-tree", "-r", "--name-only", self.commit, "--", prefix.rstrip("/") + "/")
        return [line for line in out.splitlines() if line]

    def read(self, path: str) -> str:
        return self._git("show", f"{self.commit}:{path}")

    def read_many(self, paths: list[str]) -> dict[str, str]:
        """Read several blobs through one ``git cat-file --batch`` process."""
        request = "".join(f"{self.commit}:{p}\n" for p in paths).encode()
        proc = subprocess.run(
            ["git", "--git-dir", str(self.git_dir), "cat-file", "--batch"],
            input=request,
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            raise InputError(
                f"git cat-file failed in {self.git_dir}: {proc.stderr.decode(errors='replace')}"
            )
        data = proc.stdout
        out: dict[str, str] = {}
        pos = 0
        for path in paths:
            newline = data.index(b"\n", pos)
            header = data[pos:newline].decode()
            pos = newline + 1
            if header.endswith("missing"):
                continue
            size = int(header.split()[2])
            out[path] = data[pos : pos + size].decode("utf-8", errors="replace")
            pos += size + 1
        return out


class DirTree:
    """Files under a directory on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def list_files(self, prefix: str) -> list[str]:
        base = self.root / prefix
        if not base.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in base.rglob("*") if p.is_file())

    def read(self, path: str) -> str:
        try:
            return (self.root / path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {self.root / path}: {exc}") from exc
