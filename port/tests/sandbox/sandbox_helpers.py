"""Helpers shared by the sandbox tests (imported as ``sandbox_helpers``)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from pycodex.sandbox import SandboxPolicy, wrap_command


def run_sandboxed(
    argv: Sequence[str],
    policy: SandboxPolicy,
    cwd: Path,
    timeout: float = 30.0,
    *,
    landlock: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` under ``policy`` and capture its output."""
    return subprocess.run(
        wrap_command(argv, policy, cwd, use_legacy_landlock=landlock),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclasses.dataclass(frozen=True)
class Sandbox:
    """One sandbox mechanism under test (bubblewrap, or the legacy Landlock path)."""

    name: str

    @property
    def landlock(self) -> bool:
        return self.name == "landlock"

    def wrap(self, argv: Sequence[str], policy: SandboxPolicy, cwd: Path) -> list[str]:
        return wrap_command(argv, policy, cwd, use_legacy_landlock=self.landlock)

    def run(
        self, argv: Sequence[str], policy: SandboxPolicy, cwd: Path
    ) -> subprocess.CompletedProcess[str]:
        return run_sandboxed(argv, policy, cwd, landlock=self.landlock)

    def require_bwrap(self, why: str) -> None:
        if self.landlock:
            pytest.skip(f"not enforced by the legacy Landlock path (as upstream): {why}")


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
