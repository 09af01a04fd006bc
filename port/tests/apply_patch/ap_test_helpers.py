"""Helpers shared by the apply_patch tests (a uniquely named module, unlike conftest)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

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


def native_binary(launcher: Path) -> Path | None:
    """The platform binary the npm launcher wraps (arg0 dispatch needs the real file)."""
    modules = launcher.parent.parent  # <prefix>/node_modules/.bin/codex -> node_modules
    for candidate in sorted((modules / "@openai").glob("codex-*/vendor/*/bin/codex")):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None
