"""An upstream-like git repository (crates under ``codex-rs``) and a project using it."""

from __future__ import annotations

import subprocess
from pathlib import Path

GIT_ID = ("-c", "user.name=ferry", "-c", "user.email=ferry@example.invalid")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_ID, "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit(root: Path, files: dict[str, str], message: str, date: str | None = None) -> str:
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(root, "add", "-A")
    env_date = ["--date", date] if date else []
    git(root, "commit", "-q", "-m", message, *env_date)
    return git(root, "rev-parse", "HEAD")


def make_upstream(root: Path) -> dict[str, str]:
    """A small history: base, core code, core test-only, docs-only, tui code, outside subtree."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shas = {
        "base": commit(
            root,
            {"codex-rs/Cargo.toml": "[workspace]\n", "codex-rs/core/src/lib.rs": "pub fn a() {}\n"},
            "base",
        ),
        "core": commit(
            root, {"codex-rs/core/src/lib.rs": "pub fn a() {}\npub fn b() {}\n"}, "core: add b"
        ),
        "test": commit(
            root, {"codex-rs/core/tests/suite/a.rs": "#[test]\nfn t() {}\n"}, "core: test a"
        ),
        "docs": commit(root, {"codex-rs/docs/config.md": "# config\n"}, "docs"),
        "tui": commit(
            root,
            {
                "codex-rs/tui/src/lib.rs": "pub fn draw() {}\n",
                "codex-rs/core/src/lib.rs": "pub fn a() {}\npub fn c() {}\n",
            },
            "tui and core",
        ),
        "outside": commit(root, {"README.md": "readme\n"}, "outside the subtree"),
    }
    return shas


def write_config(project: Path, url: str, **extra: str) -> Path:
    project.mkdir(parents=True, exist_ok=True)
    lines = ["[upstream]", f'url = "{url}"', 'branch = "main"', 'subtree = "codex-rs"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    config = project / "ferry.toml"
    config.write_text("\n".join(lines) + "\n")
    return config
