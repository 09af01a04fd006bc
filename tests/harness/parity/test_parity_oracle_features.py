"""The sharper oracle: fixtures, modes, git state, CODEX_HOME, leftovers, several runs, ttys."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from harness.parity.allowlist import AllowEntry
from harness.parity.errors import ScenarioError
from harness.parity.gitstate import git_state
from harness.parity.homestate import home_state
from harness.parity.normalize import (
    BANNER_PLACEHOLDER,
    Normalizer,
    png_pixels,
    stderr_lines,
    unordered,
)
from harness.parity.runner import Binary, run_side
from harness.parity.scenario import Scenario, load_scenario
from harness.parity.workspace import SideLayout, prepare_side, snapshot_modes, snapshot_tree

PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAACklEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg=="
)


def _scenario(**fields: object) -> Scenario:
    return Scenario.model_validate({"name": "t", "prompt": "p", "turns": [], **fields})


def test_binary_symlink_and_mode_fixtures(tmp_path: Path) -> None:
    scenario = _scenario(
        files={
            "run.sh": {"text": "#!/bin/sh\necho hi\n", "mode": "755"},
            "pixel.png": {"base64": PIXEL},
            "link": {"symlink": "run.sh"},
        }
    )
    layout = SideLayout(tmp_path / "side")
    prepare_side(layout, scenario, "http://127.0.0.1:1/v1")
    tree = snapshot_tree(layout.workspace)
    assert tree["link"] == "symlink:run.sh"
    assert tree["pixel.png"].startswith("base64:iVBORw0KGgo")
    modes = snapshot_modes(layout.workspace)
    assert modes["run.sh"] == "0755" and "link" not in modes


@pytest.mark.parametrize(
    "spec",
    [
        {"text": "a", "base64": "YQ=="},
        {"base64": "not base64!"},
        {"symlink": "x", "mode": "755"},
        {"text": "x", "mode": "rwx"},
    ],
)
def test_bad_file_specs_are_refused(tmp_path: Path, spec: dict[str, str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"prompt": "p", "files": {"f": spec}}))
    with pytest.raises(ScenarioError, match="files"):
        load_scenario(path)


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "a",
        "GIT_AUTHOR_EMAIL": "a@x",
        "GIT_COMMITTER_NAME": "a",
        "GIT_COMMITTER_EMAIL": "a@x",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def test_git_state_names_commits_by_position_not_by_hash(tmp_path: Path) -> None:
    states = []
    for name, date in (("one", "2024-01-01T00:00:00Z"), ("two", "2025-06-01T00:00:00Z")):
        repo = tmp_path / name
        repo.mkdir()
        _git(repo, "init", "-q", "-b", "main")
        (repo / "a.txt").write_text("a\n")
        _git(repo, "add", "a.txt")
        os.environ["GIT_COMMITTER_DATE"] = date
        try:
            _git(repo, "commit", "-q", "-m", "first", f"--date={date}")
        finally:
            del os.environ["GIT_COMMITTER_DATE"]
        _git(repo, "checkout", "-q", "-b", "feature")
        states.append(git_state(repo))
    assert states[0] == states[1]  # different hashes, same state
    state = states[0]
    assert state is not None
    assert state["head"] == {"ref": "refs/heads/feature", "commit": "C0"}
    assert state["refs"] == {"refs/heads/feature": "C0", "refs/heads/main": "C0"}
    assert state["commits"][0]["message"] == "first"
    assert git_state(tmp_path) is None


def test_home_state_describes_files_and_skips_transient_ones(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "sessions/2026/01/02").mkdir(parents=True)
    (home / "sessions/2026/01/02/rollout-x.jsonl").write_text('{"type":"session_meta"}\nnot json\n')
    (home / "state_5.sqlite").write_bytes(b"SQLite format 3\x00")
    (home / "state_5.sqlite-wal").write_bytes(b"x")
    (home / "shell_snapshots").mkdir()
    (home / "shell_snapshots/t.1.sh").write_text("x")
    (home / "x.tmp-123").write_text("racing")
    state = home_state(home)
    assert state["files"] == {
        "sessions/2026/01/02/rollout-x.jsonl": "<rollout>",
        "state_5.sqlite": "<sqlite database>",
    }
    assert state["rollouts"] == [[{"type": "session_meta"}, "<not JSON: not json>"]]


def test_dates_banner_backtraces_and_png_pixels() -> None:
    norm = Normalizer(("/r",), ("2026-12-07",))
    assert norm.text("/r/ws <current_date>2026-12-07</current_date> 2026/12/07") == (
        "<ROOT>/ws <current_date><DATE></current_date> <DATE>"
    )
    assert norm.text("born 1999-01-01") == "born 1999-01-01"
    lines = stderr_lines(
        "OpenAI Codex v0.169.0\nError: x\n\nStack backtrace:\n   0: <unknown>\n  12: <unknown>\nafter\n"
    )
    assert lines == [BANNER_PLACEHOLDER, "Error: x", "after"]
    assert stderr_lines("pycodex v0.1.0 (port of Codex CLI 0.169.0)") == [BANNER_PLACEHOLDER]
    url = f"data:image/png;base64,{PIXEL}"
    assert png_pixels(url).startswith("data:image/png;pixels=1x1:")
    assert png_pixels("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"


def test_unordered_keeps_each_items_own_order() -> None:
    started = {"type": "item.started", "item": {"id": "item_0", "x": 1}}
    done = {"type": "item.completed", "item": {"id": "item_0", "x": 2}}
    other = {"type": "item.completed", "item": {"id": "item_1", "x": 3}}
    head = {"type": "turn.started"}
    assert unordered([head, started, other, done]) == unordered([head, other, started, done])
    assert unordered([head, done, started, other]) != unordered([head, started, done, other])


def test_allow_entries_with_several_paths_and_an_owner() -> None:
    entry = AllowEntry(path=("/a/*", "/b"), reason="why not", owner="issue 16")
    assert entry.matches("s", "/a/x") and entry.matches("s", "/b")
    assert not entry.matches("s", "/c")
    with pytest.raises(ValueError):
        AllowEntry(path="/a", reason="why not", owner="someone")


def test_runs_record_leftovers_ttys_and_later_invocations(
    tmp_path: Path, fake_binary: Binary
) -> None:
    scenario = Scenario.model_validate(
        {
            "name": "multi",
            "prompt": "first",
            "env": {"FAKE_CODEX_VARIANT": "report,leave_process"},
            "turns": [[{"assistant_message": "one"}], [{"assistant_message": "two"}]],
            "then": [
                {"args": ["resume", "$thread_id"], "prompt": "second"},
                {"stdin_tty": True, "prompt": "third"},
            ],
        }
    )
    side = run_side(fake_binary, scenario, tmp_path / "side")
    assert len(side.runs) == 3
    first_thread = next(e for e in side.runs[0].events() if e.get("type") == "thread.started")
    report = side.runs[1].events()[0]
    assert report["argv"][-3:] == ["resume", first_thread["thread_id"], "second"]
    assert side.runs[2].events()[0]["tty"] is True
    assert side.runs[0].leftovers and side.runs[0].leftovers[0][0] == "sleep"
