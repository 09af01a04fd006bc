"""Fixtures for the sandbox tests: a real sandbox (or a clean skip) and scratch dirs."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pycodex.sandbox import sandbox_available, sandbox_mechanism
from pycodex.sandbox.mount_targets import registry_dir
from sandbox_helpers import Sandbox


@pytest.fixture(scope="session")
def sandbox_ok() -> None:
    """Skip (with the probe's reason) where the default bubblewrap sandbox cannot run."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux sandbox only runs on Linux")
    reason = sandbox_available()
    if reason is not None:
        pytest.skip(f"sandbox unavailable on this machine: {reason}")
    if sandbox_mechanism() != "bwrap":
        pytest.skip("bubblewrap cannot run here; the default mechanism is the Landlock fallback")


@pytest.fixture(params=["bwrap", "landlock"])
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    """Each mechanism in turn; skipped (with the probe's reason) where it cannot run."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux sandbox only runs on Linux")
    name: str = request.param
    landlock = name == "landlock"
    reason = sandbox_available(use_legacy_landlock=landlock)
    if reason is not None:
        pytest.skip(f"{name} sandbox unavailable on this machine: {reason}")
    if not landlock and sandbox_mechanism() != "bwrap":
        pytest.skip("bubblewrap cannot run here; the default mechanism is the Landlock fallback")
    return Sandbox(name)


@pytest.fixture
def registry_ok() -> None:
    """Skip where the mount-point registry (/dev/shm) is unusable: masks then stay behind."""
    if registry_dir() is None:
        pytest.skip("no private registry under /dev/shm; synthetic mount points are not cleaned up")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A git-like workspace: a ``.git`` directory with a hook and a tracked file."""
    ws = tmp_path / "ws"
    (ws / ".git" / "hooks").mkdir(parents=True)
    (ws / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    (ws / "README").write_text("hello\n")
    return ws


@pytest.fixture
def outside_dir() -> Iterator[Path]:
    """A directory outside /tmp, $TMPDIR and the workspace (under the home directory)."""
    tmp_roots = [Path("/tmp"), Path(os.environ.get("TMPDIR") or "/tmp")]
    candidates = [Path.home() / ".cache", Path("/var/tmp")]
    base = next(
        (
            c
            for c in candidates
            if not any(c.resolve().is_relative_to(t.resolve()) for t in tmp_roots)
        ),
        None,
    )
    if base is None:
        pytest.skip("no directory outside /tmp and $TMPDIR to test writes against")
    path = base / "pycodex-sandbox-tests" / uuid.uuid4().hex
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
