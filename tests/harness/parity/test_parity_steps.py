"""Multi-step scenarios, non-exec commands, CODEX_HOME snapshots and request filters."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from harness.parity.errors import ScenarioError
from harness.parity.runner import Binary, _substitute_threads, build_argv, run_side
from harness.parity.scenario import Scenario, Turn, load_scenario
from harness.parity.script import render_turn
from harness.parity.workspace import snapshot_home


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_command_scenario_needs_no_prompt_or_turns(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, "command: [login, status]\n"))
    assert build_argv(Binary("x", ("codex",)), scenario) == ["codex", "login", "status"]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("prompt: hi\n", "turn"),  # an exec scenario without a scripted model
        ("command: [x]\nhome_snapshot: [/etc/passwd]\n", "home_snapshot"),
        ("command: [x]\nhome_snapshot: [../outside]\n", "home_snapshot"),
        ("command: [x]\nsteps: [{argv: []}]\n", "steps.0.argv"),
        (
            "prompt: hi\nturns: [{json_body: {a: 1}, events: [{output_text_delta: x}]}]\n",
            "json_body",
        ),
    ],
)
def test_bad_step_fields_are_rejected_with_the_field_named(
    tmp_path: Path, text: str, field: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(_write(tmp_path, text))
    assert field in str(info.value)


def test_thread_placeholders_pick_last_and_nth_distinct_ids() -> None:
    a = "01a250fa-707b-74f1-bba7-ad3a24bb8a53"
    b = "01a250fa-7360-7293-a282-2dd1c5b34a15"
    seen = f'{{"thread_id":"{a}"}}\n{{"thread_id":"{b}"}}\n{{"thread_id":"{a}"}}\n'
    assert _substitute_threads("$thread", seen) == a
    assert _substitute_threads("$thread1", seen) == a
    assert _substitute_threads("$thread2", seen) == b
    assert _substitute_threads("x-$thread2-y", seen) == f"x-{b}-y"
    assert _substitute_threads("$thread", "") == "none"


def test_json_body_turn_is_sent_as_json() -> None:
    scripted = render_turn(Turn(json_body={"access_token": "t"}), 0)
    assert scripted.content_type == "application/json"
    assert scripted.body == '{"access_token": "t"}'


def test_home_snapshot_reports_modes_missing_files_and_queries(tmp_path: Path) -> None:
    (tmp_path / "auth.json").write_text("{}")
    (tmp_path / "auth.json").chmod(0o600)
    with sqlite3.connect(tmp_path / "state.sqlite") as conn:
        conn.execute("CREATE TABLE t (a TEXT)")
        conn.execute("INSERT INTO t VALUES ('x')")
    snap = snapshot_home(
        tmp_path,
        ["auth.json", "missing.json"],
        {"state.sqlite": "SELECT a FROM t", "nope.sqlite": "SELECT 1", "state.sqlite ": "bad"},
    )
    assert snap["auth.json"] == "0600:{}"
    assert snap["missing.json"] == "<missing>"
    assert snap["state.sqlite?SELECT a FROM t"] == [["x"]]
    assert snap["nope.sqlite?SELECT 1"] == "<missing>"


def test_steps_run_in_the_same_home_and_ignore_requests_filters(tmp_path: Path) -> None:
    """A python stand-in for a binary: it records its argv in CODEX_HOME and calls the model."""
    script = tmp_path / "fake.py"
    script.write_text(
        "import os, sys, json, tomllib, urllib.request, pathlib\n"
        "home = pathlib.Path(os.environ['CODEX_HOME'])\n"
        "with open(home / 'calls.txt', 'a') as fh: fh.write(' '.join(sys.argv[1:]) + '\\n')\n"
        "url = tomllib.loads((home / 'config.toml').read_text())['model_providers']['mock']['base_url']\n"
        "origin = os.environ['ORIGIN']\n"
        "req = urllib.request.Request(origin + '/v1/models', method='POST', data=b'{}')\n"
        "urllib.request.urlopen(req).read()\n"
        "print(json.dumps({'type': 'thread.started', 'thread_id': '01a250fa-707b-74f1-bba7-ad3a24bb8a53'}))\n"
        "sys.exit(3 if 'fail' in sys.argv else 0)\n"
    )
    scenario = Scenario.model_validate(
        {
            "name": "steps",
            "command": ["first"],
            "env": {"ORIGIN": "${origin}"},
            "turns": [{"json_body": {"n": 1}}, {"json_body": {"n": 2}}],
            "steps": [{"argv": ["again", "$thread", "fail"]}],
            "home_snapshot": ["calls.txt"],
            "ignore_requests": ["POST /v1/models"],
        }
    )
    result = run_side(Binary("fake", (sys.executable, str(script))), scenario, tmp_path / "side")
    assert result.home_snapshot["calls.txt"].endswith(
        "first\nagain 01a250fa-707b-74f1-bba7-ad3a24bb8a53 fail\n"
    )
    assert [run.exit_code for run in result.runs] == [0, 3]
    assert "thread.started" in result.runs[0].stdout
    assert result.requests == ()  # both POSTs matched ignore_requests
