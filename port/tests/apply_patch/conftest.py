"""Shared fixtures for the apply_patch tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: ``<repo>/../shared/conformance`` (CI has ``shared/`` beside the checkout).
CONFORMANCE_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance"
SCENARIOS_DIR = CONFORMANCE_DIR / "apply-patch" / "scenarios"


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under ``root``: file bytes, ``"<dir>"`` or ``"-> target"`` for symlinks."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_dir():
            out[rel] = "<dir>"
        else:
            out[rel] = path.read_bytes()
    return out


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


@dataclass
class StandaloneResult:
    code: int
    stdout: str
    stderr: str


class ApplyPatchOracle:
    """The real ``apply_patch`` (the Rust ``codex`` binary started under that name)."""

    def __init__(self, executable: Path) -> None:
        self.executable = executable

    def run(self, args: list[str], cwd: Path, stdin: bytes = b"") -> StandaloneResult:
        proc = subprocess.run(
            [str(self.executable), *args], cwd=cwd, input=stdin, capture_output=True, timeout=60
        )
        return StandaloneResult(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )


@pytest.fixture(scope="session")
def apply_patch_oracle() -> Iterator[ApplyPatchOracle]:
    """The Rust ``apply_patch``; skips when the ``codex`` binary cannot be had."""
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        launcher = codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"Rust oracle unavailable: {exc}")
    native = _native_binary(launcher)
    if native is None:
        pytest.skip(f"no native codex binary next to {launcher}")
    with tempfile.TemporaryDirectory(prefix="apply-patch-oracle") as tmp:
        link = Path(tmp) / "apply_patch"
        link.symlink_to(native)
        yield ApplyPatchOracle(link)


def _native_binary(launcher: Path) -> Path | None:
    """The platform binary the npm launcher wraps (arg0 dispatch needs the real file)."""
    modules = launcher.parent.parent  # <prefix>/node_modules/.bin/codex -> node_modules
    for candidate in sorted((modules / "@openai").glob("codex-*/vendor/*/bin/codex")):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, symlinks=True)
