"""The ``harness`` fixture of the exec tests (CODEX_HOME, git workspace, scripted server)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exec"))

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
