"""The ``tui`` fixture: CODEX_HOME, a git workspace and a scripted model server."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pycodex.testing import MockResponsesServer
from tui_harness import TuiHarness


@pytest.fixture
def tui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TuiHarness]:
    home = tmp_path / "codex-home"
    home.mkdir()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    monkeypatch.setenv("CODEX_HOME", str(home))
    monkeypatch.setenv("MOCK_API_KEY", "sk-test")
    with MockResponsesServer() as server:
        h = TuiHarness(home, workspace.resolve(), server)
        h.write_config()
        yield h
