"""Shared fixtures: the fake codex used as both sides, and a temporary scenario directory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.parity.runner import Binary

FAKE_CODEX = Path(__file__).with_name("fake_codex.py")


@pytest.fixture
def fake_binary() -> Binary:
    return Binary("fake", (sys.executable, str(FAKE_CODEX)))


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "scenarios"
    directory.mkdir()
    (directory / "echo_file.yaml").write_text(
        """
description: one command writing a file, then a final message
prompt: write it
files:
  input.txt: "data\\n"
turns:
  - events:
      - function_call: {call_id: c1, name: exec_command, arguments: {cmd: "cat input.txt > copy.txt; pwd; echo done"}}
  - events:
      - assistant_message: copied
""",
        encoding="utf-8",
    )
    (directory / "just_answer.yaml").write_text(
        "prompt: hello\nturns:\n  - [{assistant_message: hi there}]\n", encoding="utf-8"
    )
    return directory
