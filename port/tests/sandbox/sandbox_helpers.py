"""Helpers shared by the sandbox tests (imported as ``sandbox_helpers``)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from pycodex.sandbox import SandboxPolicy, wrap_command


def run_sandboxed(
    argv: Sequence[str], policy: SandboxPolicy, cwd: Path, timeout: float = 30.0
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` under ``policy`` and capture its output."""
    return subprocess.run(
        wrap_command(argv, policy, cwd),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sh(script: str) -> list[str]:
    return ["/bin/sh", "-c", script]


def py(code: str) -> list[str]:
    return [sys.executable, "-I", "-c", code]


def workspace_write(
    writable_roots: Iterable[Path] = (),
    *,
    network_access: bool = False,
    exclude_slash_tmp: bool = False,
) -> SandboxPolicy:
    """workspace-write that ignores the caller's $TMPDIR so tests are deterministic."""
    policy = SandboxPolicy.workspace_write(
        writable_roots, network_access=network_access, exclude_slash_tmp=exclude_slash_tmp
    )
    return dataclasses.replace(policy, tmpdir="")
