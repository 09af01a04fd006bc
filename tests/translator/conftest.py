"""Shared fixtures: upstream conformance data and the upstream git mirror (both optional)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFORMANCE = (REPO_ROOT / ".." / "shared" / "conformance").resolve()
GOLDEN = Path(__file__).resolve().parent / "golden"


def mirror_dir() -> Path:
    """The upstream mirror: ``$FERRY_UPSTREAM_GIT_DIR`` or ``<repo>/../.mirror/...``."""
    env = os.environ.get("FERRY_UPSTREAM_GIT_DIR")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / ".mirror" / "jiangshengdev+codex" / "repo").resolve()


@pytest.fixture(scope="session")
def schema_dir() -> Path:
    path = CONFORMANCE / "app-server-schema" / "v2"
    if not path.is_dir():
        pytest.skip(
            f"upstream conformance data not found at {path} (expected ../shared/conformance)"
        )
    return path


@pytest.fixture(scope="session")
def upstream_git() -> Path:
    path = mirror_dir()
    if not (path / "HEAD").exists():
        pytest.skip(f"upstream git mirror not found at {path}; set FERRY_UPSTREAM_GIT_DIR")
    return path
