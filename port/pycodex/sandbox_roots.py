"""Writable roots of a workspace-write sandbox, shared by the prompt and the sandbox runner."""

from __future__ import annotations

import os
from pathlib import Path

from pycodex.config.model import SandboxSettings

#: Sub-directories of every writable root that stay read-only (as upstream).
PROTECTED_SUBDIRS = (".git", ".agents", ".codex", ".aws")


def effective_writable_roots(sandbox: SandboxSettings, cwd: Path) -> list[Path]:
    """cwd, /tmp and $TMPDIR (unless excluded) and the configured roots, sorted, unique."""
    roots: set[Path] = {cwd.resolve(), *sandbox.writable_roots}
    if not sandbox.exclude_slash_tmp and Path("/tmp").is_dir():
        roots.add(Path("/tmp"))
    tmpdir = os.environ.get("TMPDIR")
    if tmpdir and not sandbox.exclude_tmpdir_env_var and Path(tmpdir).is_dir():
        roots.add(Path(tmpdir).resolve())
    return sorted(roots)
