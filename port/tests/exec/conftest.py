"""The ``harness`` fixture: a CODEX_HOME, a git workspace and a scripted model server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from exec_harness import ExecHarness
from pycodex.testing import MockResponsesServer


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[ExecHarness]:
    home = tmp_path / "codex-home"
    home.mkdir()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    with MockResponsesServer() as server:
        h = ExecHarness(home, workspace, server)
        h.write_config()
        yield h
