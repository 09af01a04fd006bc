"""Fixtures for the apply_patch tests (helpers live in ``ap_test_helpers``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from ap_test_helpers import ApplyPatchOracle, native_binary


@pytest.fixture(scope="session")
def apply_patch_oracle() -> Iterator[ApplyPatchOracle]:
    """The Rust ``apply_patch``; skips when the ``codex`` binary cannot be had."""
    from pycodex.testing.rust_oracle import OracleUnavailable, codex_binary

    try:
        launcher = codex_binary()
    except OracleUnavailable as exc:
        pytest.skip(f"Rust oracle unavailable: {exc}")
    native = native_binary(launcher)
    if native is None:
        pytest.skip(f"no native codex binary next to {launcher}")
    with tempfile.TemporaryDirectory(prefix="apply-patch-oracle") as tmp:
        link = Path(tmp) / "apply_patch"
        link.symlink_to(native)
        yield ApplyPatchOracle(link)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws
