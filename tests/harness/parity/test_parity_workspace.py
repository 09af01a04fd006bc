"""Side layout: config.toml generation, file materialisation and tree snapshots."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from harness.parity.errors import ParityError
from harness.parity.scenario import Scenario
from harness.parity.workspace import (
    SideLayout,
    base_config,
    merge_config,
    prepare_side,
    snapshot_tree,
    to_toml,
)


def test_config_round_trips_through_toml_with_dotted_overrides() -> None:
    config = merge_config(
        base_config("http://127.0.0.1:1/v1"),
        {
            "model_providers.mock.request_max_retries": 0,
            "model_reasoning_effort": "high",
            "tools": {"web_search": False},
        },
    )
    parsed = tomllib.loads(to_toml(config))
    assert parsed["model_provider"] == "mock"
    assert parsed["model_providers"]["mock"] == {
        "name": "mock",
        "base_url": "http://127.0.0.1:1/v1",
        "wire_api": "responses",
        "env_key": "MOCK_API_KEY",
        "request_max_retries": 0,
    }
    assert parsed["model_reasoning_effort"] == "high"
    assert parsed["tools"] == {"web_search": False}


def test_override_through_a_scalar_is_an_error() -> None:
    with pytest.raises(ParityError, match="model"):
        merge_config({"model": "x"}, {"model.sub": 1})


def test_prepare_side_and_snapshot(tmp_path: Path) -> None:
    scenario = Scenario.model_validate(
        {
            "name": "t",
            "prompt": "p",
            "git": True,
            "files": {"a.txt": "A\n", "sub/b.txt": "B\n"},
            "outside_files": {"o.txt": "O\n"},
            "home_files": {"AGENTS.md": "global\n"},
            "turns": [[{"assistant_message": "x"}]],
        }
    )
    layout = SideLayout(tmp_path / "s1")
    prepare_side(layout, scenario, "http://127.0.0.1:9/v1")
    (layout.workspace / "empty").mkdir()
    (layout.workspace / "bin.dat").write_bytes(b"\xff\x00")
    tree = snapshot_tree(layout.workspace)
    assert tree == {
        "a.txt": "A\n",
        "bin.dat": "base64:/wA=",
        "empty/": "<empty dir>",
        "sub/b.txt": "B\n",
    }
    assert snapshot_tree(layout.outside) == {"o.txt": "O\n"}
    assert (layout.home / "AGENTS.md").read_text() == "global\n"
    assert "127.0.0.1:9" in (layout.home / "config.toml").read_text()
    log = subprocess.run(
        ["git", "log", "--format=%s"],
        cwd=layout.workspace,
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout.strip() == "initial"
    with pytest.raises(FileExistsError):
        prepare_side(layout, scenario, "http://127.0.0.1:9/v1")
