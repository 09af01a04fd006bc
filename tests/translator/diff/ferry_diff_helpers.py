"""Build tiny Rust git repositories for the Diff tests."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

GIT_ID = ("-c", "user.name=ferry", "-c", "user.email=ferry@example.invalid")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_ID, "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


class RustRepo:
    """A git repo with a ``Cargo.toml``; ``commit`` writes files and returns the sha."""

    def __init__(self, root: Path, crate: str = "demo-core") -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        git(root, "init", "-q", "-b", "main")
        (root / "Cargo.toml").write_text(f'[package]\nname = "{crate}"\nversion = "0.1.0"\n')

    def commit(self, files: dict[str, str | None], message: str = "change") -> str:
        for path, text in files.items():
            target = self.root / path
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text).lstrip("\n"))
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--allow-empty", "-m", message)
        return git(self.root, "rev-parse", "HEAD")

    def mv(self, old: str, new: str) -> str:
        (self.root / new).parent.mkdir(parents=True, exist_ok=True)
        git(self.root, "mv", old, new)
        git(self.root, "commit", "-q", "-m", f"move {old}")
        return git(self.root, "rev-parse", "HEAD")
